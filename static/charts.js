// Draws every <div class="plot" data-figure="ID"> from the JSON in <script id="ID">.
// The figures are built on the server; this file only hands them to plotly.js.
(function () {
  "use strict";
  var lang = document.documentElement.lang === "en" ? "en" : "zh-CN";
  document.querySelectorAll(".plot[data-figure]").forEach(function (el) {
    var source = document.getElementById(el.dataset.figure);
    if (!source || !window.Plotly) { return; }
    var figure = JSON.parse(source.textContent);
    window.Plotly.newPlot(el, figure.data, figure.layout, {
      responsive: true,
      displaylogo: false,
      locale: lang,
      modeBarButtonsToRemove: ["select2d", "lasso2d"],
    });
  });
})();

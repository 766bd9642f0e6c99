"""Figures as plain plotly dicts, built on the server and handed to the page with json_script.

Plain dicts, not plotly.graph_objects: building a Figure object costs ~26 ms, a dict ~0.1 ms.
The tests validate every figure against plotly's schema instead.
"""

from django.utils.translation import gettext as _

from . import progress
from .models import Area, format_value

COLOURS = {Area.URBAN: "#0b5cad", Area.RURAL: "#c05621", Area.TOTAL: "#52606d"}
TARGET_COLOUR = "#1b7a3a"
FONT = (
    'system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", '
    '"WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif'
)
PROJECTION_END = 2035


def base_layout(title, y_title, **extra):
    layout = {
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 15}},
        "font": {"family": FONT, "size": 13, "color": "#1f2933"},
        "margin": {"l": 60, "r": 20, "t": 48, "b": 40},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "hovermode": "closest",
        "legend": {"orientation": "h", "y": -0.18, "x": 0},
        "xaxis": {"title": {"text": _("Year")}, "gridcolor": "#e4e7eb", "dtick": 1},
        "yaxis": {"title": {"text": y_title}, "gridcolor": "#e4e7eb", "zeroline": False},
    }
    layout.update(extra)
    return layout


def area_label(area):
    return str(Area(area).label)


def series_figure(summary, *, show_projection=True, show_required=False):
    """Urban, rural and total over time; targets as labelled markers; projection dashed."""
    indicator = summary.indicator
    unit = indicator.get_unit_display()
    data, shapes, annotations = [], [], []
    series = summary.series
    last_year = max((y for s in series.values() for y in s), default=2020)
    for area, points in series.items():
        years = sorted(points)
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": area_label(area),
                "legendgroup": area,
                "x": years,
                "y": [points[y] for y in years],
                "line": {"color": COLOURS[area], "width": 2.5},
                "marker": {"size": 7},
                "hovertemplate": f"%{{x}}: %{{y}} {unit}<extra>{area_label(area)}</extra>",
            }
        )
        if show_projection and len(years) >= 2:
            path = progress.projection(
                points,
                until=PROJECTION_END,
                lower=indicator.min_value,
                upper=indicator.max_value,
            )
            if len(path) >= 2:
                data.append(
                    {
                        "type": "scatter",
                        "mode": "lines",
                        "name": _("%(area)s: projection at the current pace")
                        % {"area": area_label(area)},
                        "legendgroup": area,
                        "x": [y for y, _v in path],
                        "y": [round(v, 3) for _y, v in path],
                        "line": {"color": COLOURS[area], "dash": "dash", "width": 1.5},
                        "hovertemplate": f"%{{x}}: %{{y:.4~g}} {unit}<extra>"
                        + _("projection")
                        + "</extra>",
                    }
                )
    for status in summary.targets:
        target = status.target
        if target.is_qualitative:
            shapes.append(
                {
                    "type": "line",
                    "xref": "x",
                    "yref": "paper",
                    "x0": target.year,
                    "x1": target.year,
                    "y0": 0,
                    "y1": 1,
                    "line": {"color": TARGET_COLOUR, "dash": "dot", "width": 1.5},
                }
            )
            annotations.append(
                {
                    "x": target.year,
                    "y": 1,
                    "xref": "x",
                    "yref": "paper",
                    "yanchor": "bottom",
                    # Label to the left of its line, so the last year's stays inside the plot.
                    "xanchor": "right",
                    "showarrow": False,
                    "text": _("%(year)s goal (qualitative)") % {"year": target.year},
                    "font": {"color": TARGET_COLOUR, "size": 12},
                }
            )
            continue
        if target.value is None:
            continue
        label = _("%(year)s target %(symbol)s %(value)s") % {
            "year": target.year,
            "symbol": target.symbol,
            "value": format_value(target.value),
        }
        data.append(
            {
                "type": "scatter",
                "mode": "markers+text",
                "name": label,
                "x": [target.year],
                "y": [target.value],
                "text": [label],
                "textposition": "top center",
                "marker": {
                    "symbol": "star-diamond",
                    "size": 14,
                    "color": TARGET_COLOUR,
                    "line": {"color": "#ffffff", "width": 1},
                },
                "textfont": {"color": TARGET_COLOUR},
                "hovertemplate": f"{label}<extra>{area_label(target.area)}</extra>",
                "showlegend": False,
            }
        )
        assessment = status.assessment
        if show_required and assessment and assessment.base_value is not None:
            path = progress.required_path(
                assessment.base_year, assessment.base_value, target.year, target.value
            )
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "name": _("Required path to the %(year)s target") % {"year": target.year},
                    "x": [y for y, _v in path],
                    "y": [round(v, 3) for _y, v in path],
                    "line": {"color": TARGET_COLOUR, "dash": "dot", "width": 1.5},
                }
            )
    years_shown = [last_year, PROJECTION_END] + [s.target.year for s in summary.targets]
    all_years = [y for s in series.values() for y in s] + years_shown
    title = f"{indicator.name} · {summary.region.name}"
    layout = base_layout(title, unit, shapes=shapes, annotations=annotations)
    layout["xaxis"]["range"] = [min(all_years) - 0.5, max(all_years) + 0.5]
    layout["xaxis"]["dtick"] = 1 if max(all_years) - min(all_years) <= 12 else 5
    return {"data": data, "layout": layout}


def gap_figure(summary):
    """Rural ÷ urban per year, with the parity line at 1."""
    gap = summary.gap
    years = [row.year for row in gap.years]
    layout = base_layout(
        _("Rural ÷ urban: %(indicator)s") % {"indicator": summary.indicator.name},
        _("Rural ÷ urban"),
        shapes=[
            {
                "type": "line",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "y0": 1,
                "y1": 1,
                "line": {"color": TARGET_COLOUR, "dash": "dash", "width": 1.5},
            }
        ],
        annotations=[
            {
                "xref": "paper",
                "x": 1,
                "y": 1,
                "xanchor": "right",
                "yanchor": "bottom",
                "showarrow": False,
                "text": _("parity (rural = urban)"),
                "font": {"color": TARGET_COLOUR},
            }
        ],
    )
    layout["xaxis"]["dtick"] = 1 if len(years) <= 12 else 5
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": _("Rural ÷ urban"),
                "x": years,
                "y": [round(row.ratio, 4) for row in gap.years],
                "line": {"color": COLOURS[Area.RURAL], "width": 2.5},
                "hovertemplate": "%{x}: %{y:.3f}<extra></extra>",
            }
        ],
        "layout": layout,
    }


def ranking_figure(indicator, ranking, *, area):
    """Regions ranked for one year as dots; the target and the country as lines."""
    unit = indicator.get_unit_display()
    year, target, country_value = ranking.year, ranking.target, ranking.country_value
    rows = [(obs.region.name, obs.value) for obs in ranking.rows]
    shapes, annotations = [], []
    for value, text, colour in (
        (target.value if target else None, _("target"), TARGET_COLOUR),
        (country_value, _("national"), "#52606d"),
    ):
        if value is None:
            continue
        shapes.append(
            {
                "type": "line",
                "yref": "paper",
                "y0": 0,
                "y1": 1,
                "x0": value,
                "x1": value,
                "line": {"color": colour, "dash": "dash", "width": 1.5},
            }
        )
        annotations.append(
            {
                "x": value,
                "y": 1,
                "yref": "paper",
                "yanchor": "bottom",
                "showarrow": False,
                "text": f"{text} {format_value(value)}",
                "font": {"color": colour},
            }
        )
    names = [name for name, _v in rows]
    layout = base_layout(
        _("Regions in %(year)s: %(indicator)s (%(area)s)")
        % {"year": year, "indicator": indicator.name, "area": area_label(area)},
        "",
        shapes=shapes,
        annotations=annotations,
        height=max(260, 22 * len(rows) + 110),
    )
    layout["xaxis"] = {"title": {"text": unit}, "gridcolor": "#e4e7eb", "zeroline": False}
    layout["yaxis"] = {"autorange": "reversed", "automargin": True, "gridcolor": "#f0f2f5"}
    layout["margin"]["l"] = 10
    return {
        "data": [
            # A dot plot, not bars: rates bunched near 100 stay readable without a bar
            # axis that starts above zero.
            {
                "type": "scatter",
                "mode": "markers",
                "x": [value for _n, value in rows],
                "y": names,
                "marker": {"color": COLOURS.get(area, "#52606d"), "size": 10},
                "hovertemplate": f"%{{y}}: %{{x}} {unit}<extra></extra>",
                "name": area_label(area),
            }
        ],
        "layout": layout,
    }


def compare_figure(indicator, series_by_region, *, area, mode="lines", year=None):
    """Several regions over time (lines), or in one year (bars).

    `series_by_region` is [(region name, {year: value})].
    """
    unit = indicator.get_unit_display()
    title = f"{indicator.name} ({area_label(area)})"
    if mode == "bars":
        rows = [(name, points.get(year)) for name, points in series_by_region]
        rows = [(name, value) for name, value in rows if value is not None]
        layout = base_layout(f"{title} · {year}", unit)
        layout["xaxis"] = {"gridcolor": "#e4e7eb"}
        return {
            "data": [
                {
                    "type": "bar",
                    "x": [name for name, _v in rows],
                    "y": [value for _n, value in rows],
                    "marker": {"color": COLOURS.get(area, "#52606d")},
                    "hovertemplate": f"%{{x}}: %{{y}} {unit}<extra></extra>",
                }
            ],
            "layout": layout,
        }
    data = []
    for name, points in series_by_region:
        years = sorted(points)
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": name,
                "x": years,
                "y": [points[y] for y in years],
                "hovertemplate": f"%{{x}}: %{{y}} {unit}<extra>{name}</extra>",
            }
        )
    return {"data": data, "layout": base_layout(title, unit)}

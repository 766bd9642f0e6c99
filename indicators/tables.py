import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from .models import format_value


class NumberColumn(tables.Column):
    attrs = {"td": {"class": "num"}, "th": {"class": "num"}}

    def __init__(self, *args, digits=None, **kwargs):
        self.digits = digits
        super().__init__(*args, **kwargs)

    def render(self, value):
        return format_value(value if self.digits is None else round(value, self.digits))


class SeriesTable(tables.Table):
    """An indicator's values in one region by year: the table beside the chart."""

    year = tables.Column(verbose_name=_("Year"), attrs={"th": {"scope": "row"}})
    total = NumberColumn(verbose_name=_("Total"))
    urban = NumberColumn(verbose_name=_("Urban"))
    rural = NumberColumn(verbose_name=_("Rural"))
    ratio = tables.Column(verbose_name=_("Rural ÷ urban"), attrs={"td": {"class": "num"}})
    difference = NumberColumn(verbose_name=_("Urban − rural"), digits=4)

    class Meta:
        orderable = False
        attrs = {"class": "data"}
        empty_text = _("No values published for this region.")

    def render_ratio(self, value):
        return f"{value:.3f}"

    @classmethod
    def for_summary(cls, summary):
        series = summary.series
        gaps = {row.year: row for row in summary.gap.years} if summary.gap else {}
        years = sorted({year for points in series.values() for year in points}, reverse=True)
        rows = [
            {
                "year": year,
                "total": series.get("total", {}).get(year),
                "urban": series.get("urban", {}).get(year),
                "rural": series.get("rural", {}).get(year),
                "ratio": gaps[year].ratio if year in gaps else None,
                "difference": gaps[year].difference if year in gaps else None,
            }
            for year in years
        ]
        table = cls(rows)
        for area in ("total", "urban", "rural"):
            if area not in series:
                table.columns.hide(area)
        if not gaps:
            table.columns.hide("ratio")
            table.columns.hide("difference")
        return table

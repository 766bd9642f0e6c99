import django_tables2 as tables
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django_tables2.data import TableQuerysetData

from .models import Observation, format_value

NUMERIC = {"th": {"class": "num"}, "td": {"class": "num"}}


class NumberColumn(tables.Column):
    attrs = NUMERIC

    def __init__(self, *args, digits=None, **kwargs):
        self.digits = digits
        super().__init__(*args, **kwargs)

    def render(self, value):
        return format_value(value if self.digits is None else round(value, self.digits))


class QuickRows:
    """A table whose cells are read by `value_of` and rendered by `render_cell`, not by
    django-tables2 one by one, which costs about 0.1 ms a cell (its accessors, its render
    dispatch, a template per cell). Its template, indicators/quick_table.html, writes the
    same HTML from `body`: test_tables compares the two."""

    def value_of(self, name, record):
        raise NotImplementedError

    def render_cell(self, column, value, record):
        return value

    @property
    def body(self):
        """[(row attributes, [(cell attributes, cell)])] for the rows shown."""
        columns = [(column, column.attrs["td"].as_html()) for column in self.columns]
        rows = []
        for row in self.paginated_rows:
            cells = []
            for column, attrs in columns:
                value = self.value_of(column.name, row.record)
                if value in column.column.empty_values:
                    cells.append((attrs, column.default))  # as django-tables2 does
                else:
                    cells.append((attrs, self.render_cell(column, value, row.record)))
            rows.append((row.attrs.as_html(), cells))
        return rows


class SeriesTable(QuickRows, tables.Table):
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
        template_name = "indicators/quick_table.html"

    def render_ratio(self, value):
        return f"{value:.3f}"

    def value_of(self, name, record):
        return record[name]

    def render_cell(self, column, value, record):
        if column.name == "ratio":
            return self.render_ratio(value)
        if isinstance(column.column, NumberColumn):
            return column.column.render(value)
        return value

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


class ObservationData(TableQuerysetData):
    """The data browser's rows. Sorting two million rows by the default order (indicator
    display order, then region, area, year) to show fifty took seconds; unsorted, a page is
    read from the (indicator, region, area, year) index instead:

    - where the indicators' ids run in their display order (the usual case: they are created
      in that order), the index's own order is the default order, and a page is a slice of it;
    - else the page is read from the one or two indicators it falls in, located by each
      indicator's count (one grouped count instead of the plain one).

    Sorted by a column, it is django-tables2's own."""

    def __init__(self, data, indicator_order):
        """`indicator_order`: every indicator's id, in display order."""
        super().__init__(data)
        self.indicator_order = indicator_order

    @property
    def in_default_order(self):
        return not self.data.query.order_by and self.data.query.default_ordering

    @cached_property
    def ids_in_display_order(self):
        return self.indicator_order == sorted(self.indicator_order)

    @cached_property
    def rows_per_indicator(self):
        return self.data.rows_per_indicator(self.indicator_order)

    def __len__(self):
        paginated = hasattr(self.table, "paginator")
        if paginated and self.in_default_order and not self.ids_in_display_order:
            return sum(rows for _indicator, rows in self.rows_per_indicator)
        return super().__len__()

    def __getitem__(self, key):
        if not (self.in_default_order and isinstance(key, slice) and key.step is None):
            return super().__getitem__(key)
        if self.ids_in_display_order:
            return self.data.order_by("indicator_id", "region_id", "area", "year")[key]
        start, stop = key.start or 0, key.stop if key.stop is not None else len(self)
        return self.data.slice_in_display_order(self.rows_per_indicator, start, stop)


class ObservationTable(QuickRows, tables.Table):
    """The data browser's rows. Every sort ends on the primary key so pages never overlap."""

    indicator = tables.Column(
        verbose_name=_("Indicator"),
        accessor="indicator__name",
        order_by=("indicator__display_order", "indicator__code", "pk"),
    )
    region = tables.Column(
        verbose_name=_("Region"), accessor="region__name", order_by=("region__code", "pk")
    )
    region_code = tables.Column(
        verbose_name=_("Region code"), accessor="region_id", order_by=("region__code", "pk")
    )
    level = tables.Column(
        verbose_name=_("Level"),
        accessor="region__get_level_display",
        order_by=("region__level", "region__code", "pk"),
    )
    area = tables.Column(verbose_name=_("Area"), order_by=("area", "pk"))
    year = tables.Column(verbose_name=_("Year"), attrs=NUMERIC, order_by=("year", "pk"))
    value = tables.Column(
        verbose_name=_("Value"), accessor="display_value", attrs=NUMERIC, order_by=("value", "pk")
    )
    unit = tables.Column(
        verbose_name=_("Unit"), accessor="indicator__get_unit_display", orderable=False
    )
    source = tables.Column(
        verbose_name=_("Source"), order_by=("source", "pk"), attrs={"td": {"class": "source"}}
    )
    is_generated = tables.BooleanColumn(
        verbose_name=_("Generated"), yesno=(_("yes"), _("no")), order_by=("is_generated", "pk")
    )

    class Meta:
        model = Observation
        fields = ()
        attrs = {"class": "data"}
        order_by_field = "sort"
        page_field = "page"
        per_page = 50
        empty_text = _("No values match this filter.")
        template_name = "indicators/quick_table.html"

    # Each column's value read straight off the record, as its accessor reads it (and as
    # django-tables2 shows a field with choices): 500 cells were most of the page's time.
    VALUES = {
        "indicator": lambda o: o.indicator.name,
        "region": lambda o: o.region.name,
        "region_code": lambda o: o.region_id,
        "level": lambda o: o.region.get_level_display(),
        "area": lambda o: o.get_area_display(),
        "year": lambda o: o.year,
        "value": lambda o: o.display_value,
        "unit": lambda o: o.indicator.get_unit_display(),
        "source": lambda o: o.source,
        "is_generated": lambda o: o.is_generated,
    }

    def __init__(self, data, *, indicators, **kwargs):
        """`indicators`: every indicator, in display order."""
        super().__init__(ObservationData(data, [i.pk for i in indicators]), **kwargs)

    def value_of(self, name, record):
        return self.VALUES[name](record)

    def render_cell(self, column, value, record):
        if isinstance(column.column, tables.BooleanColumn):
            return column.column.render(value, record, column)
        return value

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from .models import Observation

NUMERIC = {"th": {"class": "num"}, "td": {"class": "num"}}


class ObservationTable(tables.Table):
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
    source = tables.Column(verbose_name=_("Source"), order_by=("source", "pk"))
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

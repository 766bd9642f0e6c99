from html import escape

import django_filters
from django import forms
from django.utils.choices import normalize_choices
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .models import (
    FIRST_YEAR,
    LAST_STORABLE_YEAR,
    Area,
    Indicator,
    Level,
    Observation,
    Region,
    localized_expression,
)


class YearFilter(django_filters.NumberFilter):
    """A whole year: django-filter's NumberFilter would accept 2020.5."""

    field_class = forms.IntegerField


class CheckboxFilter(django_filters.Filter):
    """A tick box: `1` (or any non-empty value) is on, absent is off."""

    field_class = forms.BooleanField


def html_attrs(attrs):
    """Attributes as Django's widget template writes them: in order, True bare, False left out."""
    parts = []
    for name, value in attrs.items():
        if value is True:
            parts.append(format_html(" {}", name))
        elif value is not False:
            parts.append(format_html(' {}="{}"', name, value))
    return mark_safe("".join(parts))


class LongSelect(forms.Select):
    """Django's Select, with its options joined in Python rather than rendered one template
    each: the region filter offers 3,200 regions, and the templates took most of the page's
    time. The same HTML; no option groups."""

    @property
    def choices(self):
        return self._choices

    @choices.setter
    def choices(self, value):
        # A list of (value, label) pairs is kept as it is: normalising 3,200 cost 7 ms.
        self._choices = value if isinstance(value, list) else normalize_choices(value)

    def render(self, name, value, attrs=None, renderer=None):
        chosen = self.format_value(value)
        options = []
        selected = False
        for option, label in self.choices:
            # As Select.optgroups: only the first option whose value is chosen is selected.
            mark = not selected and str(option) in chosen
            selected |= mark
            # html.escape, as django.utils.html.escape does, without its per-call lazy check.
            options.append(
                f'\n  <option value="{escape(str(option))}"{" selected" if mark else ""}>'
                f"{escape(str(label))}</option>\n"
            )
        return format_html(
            '<select name="{}"{}>{}\n</select>',
            name,
            html_attrs(self.build_attrs(self.attrs, attrs)),
            mark_safe("".join(options)),
        )


class ObservationFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        year_min, year_max = cleaned.get("year_min"), cleaned.get("year_max")
        if year_min is not None and year_max is not None and year_min > year_max:
            self.add_error(
                "year_max",
                _("The last year (%(last)s) is before the first year (%(first)s).")
                % {"last": year_max, "first": year_min},
            )
        return cleaned


class ObservationFilter(django_filters.FilterSet):
    """The data browser's filter; its query parameters are the public link format."""

    GENERATED_CHOICES = [("yes", _("Generated only")), ("no", _("Published only"))]

    indicator = django_filters.ModelMultipleChoiceFilter(
        label=_("Indicators"),
        field_name="indicator__code",
        queryset=Indicator.objects.all(),
        to_field_name="code",
        distinct=False,  # a forward join: no duplicate rows to remove
    )
    region = django_filters.ModelChoiceFilter(
        label=_("Region"),
        queryset=Region.objects.all(),
        to_field_name="code",
        method="filter_region",
        widget=LongSelect,
    )
    subregions = CheckboxFilter(
        label=_("Include sub-regions"),
        widget=forms.CheckboxInput(attrs={"value": "1"}),
        method="filter_nothing",
    )
    level = django_filters.ChoiceFilter(
        label=_("Level"), field_name="region__level", choices=Level.choices
    )
    area = django_filters.ChoiceFilter(label=_("Area"), choices=Area.choices)
    year_min = YearFilter(
        label=_("From year"),
        field_name="year",
        lookup_expr="gte",
        min_value=FIRST_YEAR,
        max_value=LAST_STORABLE_YEAR,
    )
    year_max = YearFilter(
        label=_("To year"),
        field_name="year",
        lookup_expr="lte",
        min_value=FIRST_YEAR,
        max_value=LAST_STORABLE_YEAR,
    )
    source = django_filters.CharFilter(
        label=_("Source contains"), lookup_expr="icontains", max_length=200
    )
    generated = django_filters.ChoiceFilter(
        label=_("Generated values"),
        choices=GENERATED_CHOICES,
        method="filter_generated",
        empty_label=_("All values"),
    )

    class Meta:
        model = Observation
        fields = []
        form = ObservationFilterForm

    def load_options(self):
        """Fetch the form's indicator and region options, one query each, as light rows
        rather than model instances (3,200 regions); return every indicator in display
        order, the order the data browser pages in."""
        indicators = list(self.filters["indicator"].queryset)
        fields = self.form.fields
        fields["indicator"].widget.choices = [(i.code, str(i)) for i in indicators]
        regions = Region.objects.values_list("code", localized_expression("name"))
        # As ModelChoiceField offers them: the empty choice, then "name (code)" as str(region).
        fields["region"].widget.choices = [
            ("", fields["region"].empty_label),
            *((code, f"{name} ({code})") for code, name in regions),
        ]
        return indicators

    def filter_region(self, queryset, name, region):
        if self.form.cleaned_data.get("subregions"):
            return queryset.within(region)
        return queryset.for_region(region)

    def filter_nothing(self, queryset, name, value):
        """`subregions` only changes how `region` filters."""
        return queryset

    def filter_generated(self, queryset, name, value):
        return queryset.filter(is_generated=value == "yes")

    def error_summary(self):
        """'field label: message' lines naming every bad parameter."""
        form = self.form
        return [
            f"{form.fields[field].label if field in form.fields else field} ({field}): {error}"
            for field, errors in form.errors.items()
            for error in errors
        ]

    def description(self):
        """The filter in words ('label: value' lines), for the README inside an export."""
        data = self.form.cleaned_data
        parts = []
        for name, field in self.form.fields.items():
            value = data.get(name)
            if value in (None, "", False) or (hasattr(value, "__len__") and not len(value)):
                continue
            if name == "indicator":
                value = ", ".join(f"{i.code} ({i.name})" for i in value)
            elif name == "subregions":
                value = _("yes")
            elif hasattr(field, "choices") and not hasattr(value, "pk"):
                value = dict(field.choices).get(value, value)
            parts.append(f"{field.label}: {value}")
        return parts

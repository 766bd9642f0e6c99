import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import FIRST_YEAR, LAST_STORABLE_YEAR, Area, Indicator, Level, Observation, Region


class YearFilter(django_filters.NumberFilter):
    """A whole year: django-filter's NumberFilter would accept 2020.5."""

    field_class = forms.IntegerField


class CheckboxFilter(django_filters.Filter):
    """A tick box: `1` (or any non-empty value) is on, absent is off."""

    field_class = forms.BooleanField


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

"""Forms that read a page's state from its query string and say clearly what is wrong."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import FIRST_YEAR, LAST_STORABLE_YEAR, Area, Indicator, Region

MAX_COMPARED_REGIONS = 10


class RegionField(forms.ModelChoiceField):
    default_error_messages = {
        "invalid_choice": _("There is no region with the code “%(value)s”."),
    }

    def __init__(self, **kwargs):
        super().__init__(Region.objects.all(), to_field_name="code", required=False, **kwargs)


class YearField(forms.IntegerField):
    def __init__(self, **kwargs):
        super().__init__(
            required=False, min_value=FIRST_YEAR, max_value=LAST_STORABLE_YEAR, **kwargs
        )


class RegionPickForm(forms.Form):
    region = RegionField(label=_("Region"))


class IndicatorViewForm(forms.Form):
    region = RegionField(label=_("Region"))
    year = YearField(label=_("Comparison year"))
    area = forms.ChoiceField(label=_("Area"), choices=Area.choices, required=False)
    path = forms.BooleanField(label=_("Show the required path"), required=False)


class CompareForm(forms.Form):
    indicator = forms.ModelChoiceField(
        Indicator.objects.all(),
        to_field_name="code",
        required=False,
        label=_("Indicator"),
        error_messages={"invalid_choice": _("There is no indicator with the code “%(value)s”.")},
    )
    regions = forms.ModelMultipleChoiceField(
        Region.objects.all(),
        to_field_name="code",
        required=False,
        label=_("Regions"),
        error_messages={"invalid_choice": _("There is no region with the code “%(value)s”.")},
    )
    area = forms.ChoiceField(label=_("Area"), choices=Area.choices, required=False)
    mode = forms.ChoiceField(
        label=_("Chart"),
        choices=[("lines", _("Lines over time")), ("bars", _("Bars for one year"))],
        required=False,
    )
    year = YearField(label=_("Year"))

    def clean_regions(self):
        regions = self.cleaned_data["regions"]
        if len(regions) > MAX_COMPARED_REGIONS:
            raise forms.ValidationError(
                _("Compare at most %(limit)s regions at once; %(count)s were chosen."),
                params={"limit": MAX_COMPARED_REGIONS, "count": len(regions)},
            )
        return regions

"""Forms: the pages' query-string state, and data entry and import in the admin.

Each says clearly what is wrong and where."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import FIRST_YEAR, LAST_STORABLE_YEAR, Area, Indicator, Observation, Region

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


class ObservationForm(forms.ModelForm):
    """The admin's entry form: the model's own checks plus optimistic locking.

    `version` travels in a hidden field; if the row's version moved since the form was
    opened, saving is refused with the value now stored, instead of overwriting it."""

    class Meta:
        model = Observation
        fields = ["indicator", "region", "area", "year", "value", "source", "note", "version"]
        widgets = {"version": forms.HiddenInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A new row has no version to compare; a change must say which version it started from.
        if "version" in self.fields:
            self.fields["version"].required = self.instance.pk is not None

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            cleaned["version"] = 1
            return cleaned
        if "version" not in cleaned:
            return cleaned
        # select_for_update holds the row until this save commits (the admin wraps the
        # whole request in a transaction), so two saves at once are checked one after the other.
        current = (
            Observation.objects.select_for_update(of=("self",))
            .select_related("entered_by")
            .filter(pk=self.instance.pk)
            .first()
        )
        if current is not None and current.version != cleaned["version"]:
            raise forms.ValidationError(
                _(
                    "Someone saved this value while you were editing it: it is now "
                    "%(value)s (saved by %(user)s at %(when)s). Reload the page, check the "
                    "value, and enter your change again."
                ),
                code="stale_version",
                params={
                    "value": current.display_value,
                    "user": current.entered_by or "?",
                    "when": timezone.localtime(current.updated_at).strftime("%Y-%m-%d %H:%M:%S"),
                },
            )
        return cleaned


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8 (with or without BOM) or GB18030/GBK; comma or tab separated."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s; the largest file accepted is %(limit)s."),
                code="too_large",
                params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            )
        return upload


class ImportConfirmForm(forms.Form):
    accept_warnings = forms.BooleanField(
        label=_("I have read every warning above and want to save these values anyway."),
        required=False,
    )

    def __init__(self, *args, warnings=0, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accept_warnings"].required = warnings > 0

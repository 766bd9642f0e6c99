"""The admin is the data-entry screen.

Roles are Django groups (migration 0003): an Official only reads, an Editor enters
observations for the regions assigned to them (and the regions below), an Administrator does
everything. Every rule is checked on the server, per object, for every path: list, forms,
history, import, actions and hand-typed URLs.
"""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import imports
from .forms import ImportConfirmForm, ImportUploadForm, ObservationForm
from .models import (
    EditorAssignment,
    ImportBatch,
    Indicator,
    Observation,
    Region,
    StaleVersion,
    Target,
)

# The preview lists at most this many messages; the counts always cover the whole file.
PREVIEW_MESSAGE_LIMIT = 1000


def editable_region_codes(request):
    """The region codes this request's user may enter data for, read once per request."""
    if not hasattr(request, "_editable_region_codes"):
        request._editable_region_codes = set(
            Region.objects.editable_by(request.user).values_list("code", flat=True)
        )
    return request._editable_region_codes


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name_zh", "name_en"]
    list_select_related = ["parent"]
    raw_id_fields = ["parent"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name_zh",
        "name_en",
        "unit",
        "domain",
        "direction",
        "areas",
        "is_headline",
        "display_order",
    ]
    list_filter = ["domain", "direction", "areas", "is_headline", "unit"]
    list_editable = ["is_headline", "display_order"]
    search_fields = ["code", "name_zh", "name_en", "definition_zh", "definition_en"]


class ReadOnlyHistoryMixin:
    """A past version can be looked at, never saved back from the history page: a correction
    is an ordinary edit, checked like any other."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(Observation)
class ObservationAdmin(ReadOnlyHistoryMixin, SimpleHistoryAdmin):
    form = ObservationForm
    list_display = ["indicator", "region", "area", "year", "value", "is_generated", "updated_at"]
    list_filter = ["area", "is_generated", "indicator__domain", "region__level", "indicator"]
    search_fields = [
        "indicator__code",
        "indicator__name_zh",
        "region__code",
        "region__name_zh",
        "source",
    ]
    list_select_related = ["indicator", "region"]
    raw_id_fields = ["region"]
    readonly_fields = ["entered_by", "updated_at"]

    def may_edit(self, request, obj):
        return obj is None or obj.region_id in editable_region_codes(request)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.may_edit(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "region":
            kwargs["queryset"] = Region.objects.editable_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if obj.region_id not in editable_region_codes(request):
            raise PermissionDenied
        obj.entered_by = request.user
        obj._history_user = request.user
        if change:
            try:
                obj.save_if_version(form.cleaned_data["version"])
            except StaleVersion:
                # The form already checked under a row lock; this is the last guard.
                raise PermissionDenied from None
        else:
            obj.save()

    def delete_queryset(self, request, queryset):
        if queryset.exclude(region_id__in=editable_region_codes(request)).exists():
            raise PermissionDenied
        for obj in queryset:
            obj._history_user = request.user
            obj.delete()

    def changelist_view(self, request, extra_context=None):
        can_import = request.user.has_perm("indicators.add_importbatch")
        return super().changelist_view(request, {**(extra_context or {}), "can_import": can_import})

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="indicators_observation_import"),
            path(
                "import/template.csv",
                view(self.import_template_view),
                name="indicators_observation_import_template",
            ),
            path(
                "import/<int:batch_id>/confirm/",
                view(self.import_confirm_view),
                name="indicators_observation_import_confirm",
            ),
            *super().get_urls(),
        ]

    def check_import_permission(self, request):
        if not request.user.has_perm("indicators.add_importbatch"):
            raise PermissionDenied

    def import_template_view(self, request):
        self.check_import_permission(request)
        response = HttpResponse(imports.template_csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="observations-template.csv"'
        return response

    def import_view(self, request):
        """Upload a CSV file and see what it would do; nothing is written but a pending batch."""
        self.check_import_permission(request)
        ctx = {**self.admin_site.each_context(request), "opts": self.model._meta}
        ctx["title"] = _("Import observations from a CSV file")
        form = ImportUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            result = imports.preview(upload.read(), upload.name, request.user)
            batch = imports.save_pending(result, request.user) if result.can_confirm else None
            ctx.update(
                result=result,
                batch=batch,
                counts=result.counts(),
                shown_messages=result.messages[:PREVIEW_MESSAGE_LIMIT],
                confirm_form=ImportConfirmForm(warnings=len(result.warnings)),
                form=ImportUploadForm(),
            )
        else:
            ctx["form"] = form
        return TemplateResponse(request, "admin/indicators/observation/import.html", ctx)

    def import_confirm_view(self, request, batch_id):
        self.check_import_permission(request)
        if request.method != "POST":
            return redirect("admin:indicators_observation_import")
        batch = get_object_or_404(ImportBatch, pk=batch_id, user=request.user)
        if batch.status != ImportBatch.Status.PENDING:
            self.message_user(
                request,
                gettext(
                    "This preview is no longer open: it was saved, discarded, or left for more "
                    "than a day. Upload the file again to see a new preview."
                ),
                messages.ERROR,
            )
            return redirect("admin:indicators_observation_import")
        form = ImportConfirmForm(request.POST, warnings=batch.warning_count)
        if not form.is_valid():
            self.message_user(
                request,
                gettext(
                    "This file has warnings: tick the box to confirm you have read them, "
                    "or upload a corrected file."
                ),
                messages.ERROR,
            )
            return redirect("admin:indicators_observation_import")
        try:
            batch = imports.confirm(batch, request.user)
        except imports.StaleImport:
            self.message_user(
                request,
                gettext(
                    "The stored data changed after your preview, so nothing was saved. "
                    "Upload the file again to see a new preview."
                ),
                messages.ERROR,
            )
            return redirect("admin:indicators_observation_import")
        self.message_user(
            request,
            gettext(
                "Import saved: %(created)s created, %(updated)s updated, %(unchanged)s unchanged."
            )
            % {
                "created": batch.created_count,
                "updated": batch.updated_count,
                "unchanged": batch.unchanged_count,
            },
            messages.SUCCESS,
        )
        return redirect("admin:indicators_importbatch_change", batch.pk)


@admin.register(Target)
class TargetAdmin(ReadOnlyHistoryMixin, SimpleHistoryAdmin):
    list_display = ["indicator", "region", "area", "year", "comparison", "value", "base_year"]
    list_filter = ["comparison", "year", "area", "indicator__domain"]
    search_fields = ["indicator__code", "indicator__name_zh", "wording", "source"]
    list_select_related = ["indicator", "region"]
    raw_id_fields = ["region"]

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        super().save_model(request, obj, form, change)


class ReadOnlyAdmin(admin.ModelAdmin):
    """A log: listed and searchable, never edited by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Observation.history.model)
class ObservationHistoryAdmin(ReadOnlyAdmin):
    """Every change to every observation, with the value before it: one searchable log."""

    list_display = [
        "history_date",
        "history_user",
        "history_type",
        "indicator",
        "region",
        "area",
        "year",
        "previous_value",
        "value",
        "import_batch",
        "history_change_reason",
    ]
    list_filter = ["history_type", "history_date", "area", "indicator"]
    search_fields = [
        "indicator__code",
        "indicator__name_zh",
        "region__code",
        "region__name_zh",
        "history_user__username",
        "history_change_reason",
    ]
    list_select_related = ["indicator", "region", "history_user", "import_batch"]
    date_hierarchy = "history_date"

    def get_queryset(self, request):
        model = self.model
        before = model.objects.filter(
            id=OuterRef("id"), history_id__lt=OuterRef("history_id")
        ).order_by("-history_id")
        return super().get_queryset(request).annotate(previous=Subquery(before.values("value")[:1]))

    @admin.display(description=_("previous value"))
    def previous_value(self, obj):
        return obj.previous if obj.previous is not None else "–"


@admin.register(Target.history.model)
class TargetHistoryAdmin(ReadOnlyAdmin):
    list_display = [
        "history_date",
        "history_user",
        "history_type",
        "indicator",
        "region",
        "area",
        "year",
        "comparison",
        "value",
        "history_change_reason",
    ]
    list_filter = ["history_type", "history_date", "comparison"]
    search_fields = ["indicator__code", "indicator__name_zh", "history_user__username"]
    list_select_related = ["indicator", "region", "history_user"]


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = [
        "file_name",
        "user",
        "created_at",
        "status",
        "rows_total",
        "created_count",
        "updated_count",
        "unchanged_count",
        "warning_count",
        "history_link",
    ]
    list_filter = ["status", "created_at"]
    search_fields = ["file_name", "user__username"]
    list_select_related = ["user"]
    exclude = ["payload"]
    actions = ["revert"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("payload")

    def has_revert_permission(self, request):
        return request.user.has_perm("indicators.revert_importbatch")

    @admin.display(description=_("changes"))
    def history_link(self, obj):
        url = reverse("admin:indicators_historicalobservation_changelist")
        return format_html('<a href="{}?import_batch={}">{}</a>', url, obj.pk, _("log"))

    @admin.action(permissions=["revert"], description=_("Revert the selected imports"))
    def revert(self, request, queryset):
        for batch in queryset:
            try:
                imports.revert(batch, request.user)
            except imports.RevertConflict as error:
                self.message_user(request, f"{batch}: {error}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    gettext("%(batch)s reverted.") % {"batch": batch},
                    messages.SUCCESS,
                )


class EditorAssignmentInline(admin.TabularInline):
    model = EditorAssignment
    extra = 1
    autocomplete_fields = ["region"]
    verbose_name_plural = _("regions this user enters data for (and every region below them)")


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class EditorUserAdmin(UserAdmin):
    inlines = [*UserAdmin.inlines, EditorAssignmentInline]

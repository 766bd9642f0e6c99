from django.contrib import admin

from .models import Indicator, Observation, Region, Target


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


@admin.register(Observation)
class ObservationAdmin(admin.ModelAdmin):
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

    def save_model(self, request, obj, form, change):
        obj.entered_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["indicator", "region", "area", "year", "comparison", "value", "base_year"]
    list_filter = ["comparison", "year", "area", "indicator__domain"]
    search_fields = ["indicator__code", "indicator__name_zh", "wording", "source"]
    list_select_related = ["indicator", "region"]
    raw_id_fields = ["region"]

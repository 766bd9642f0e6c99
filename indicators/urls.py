from django.urls import path, register_converter

from . import views


class RegionCodeConverter:
    """GB/T 2260: six digits. Anything else is no region (404) and never reaches the database."""

    regex = "[0-9]{6}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(RegionCodeConverter, "region")

urlpatterns = [
    path("", views.overview, name="indicators-overview"),
    path("data/", views.data_browser, name="data-browser"),
    path("data/export.csv", views.data_export, name="data-export"),
    path("data/export.zip", views.data_export_zip, name="data-export-zip"),
    # Before any indicators/<code>/ route: the suffix is part of the URL, not of the code.
    path("indicators/<slug:code>.csv", views.indicator_csv, name="indicator-csv"),
    path("indicators/<slug:code>.json", views.indicator_json, name="indicator-json"),
    path("indicators/<slug:code>/", views.indicator_detail, name="indicator-detail"),
    path("regions/<region:code>/", views.region_detail, name="region-detail"),
    path("compare/", views.compare, name="compare"),
    path("livez", views.livez, name="livez"),
]

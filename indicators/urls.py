from django.urls import path

from . import views

urlpatterns = [
    path("", views.overview, name="indicators-overview"),
    path("data/", views.data_browser, name="data-browser"),
    path("data/export.csv", views.data_export, name="data-export"),
    path("data/export.zip", views.data_export_zip, name="data-export-zip"),
    # Before any indicators/<code>/ route: the suffix is part of the URL, not of the code.
    path("indicators/<slug:code>.csv", views.indicator_csv, name="indicator-csv"),
    path("indicators/<slug:code>.json", views.indicator_json, name="indicator-json"),
    path("indicators/<slug:code>/", views.indicator_detail, name="indicator-detail"),
    path("regions/<str:code>/", views.region_detail, name="region-detail"),
    path("compare/", views.compare, name="compare"),
]

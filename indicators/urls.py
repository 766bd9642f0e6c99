from django.urls import path

from . import views

urlpatterns = [
    path("", views.overview, name="indicators-overview"),
    path("indicators/<slug:code>/", views.indicator_detail, name="indicator-detail"),
    path("regions/<str:code>/", views.region_detail, name="region-detail"),
    path("compare/", views.compare, name="compare"),
    path("healthz", views.healthz, name="healthz"),
]

from django.shortcuts import render

from .models import COUNTRY_CODE, Indicator, Observation, Region


def overview(request):
    """Every indicator with its latest national value per area: three queries."""
    country = Region.objects.get(code=COUNTRY_CODE)
    latest = Observation.objects.for_region(country).latest_by_indicator_and_area()
    rows = [
        (indicator, [latest.get((indicator.id, area)) for area in ("total", "urban", "rural")])
        for indicator in Indicator.objects.all()
    ]
    ctx = {"region": country, "rows": rows}
    return render(request, "indicators/overview.html", ctx)

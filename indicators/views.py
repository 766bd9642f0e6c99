from django.http import FileResponse, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tables2 import RequestConfig

from . import exports
from .filters import ObservationFilter
from .models import COUNTRY_CODE, Indicator, Observation, Region
from .tables import ObservationTable


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


def data_browser(request):
    """Filter, sort and page the observations; a bad filter is a 400 naming the field."""
    filterset = ObservationFilter(request.GET, queryset=Observation.objects.for_browser())
    valid = filterset.is_valid()
    table = ObservationTable(filterset.qs if valid else Observation.objects.none())
    RequestConfig(request).configure(table)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("sort", None)
    ctx = {
        "filter": filterset,
        "table": table,
        "valid": valid,
        "query": query.urlencode(),
        "shows_generated": any(row.record.is_generated for row in table.paginated_rows),
    }
    return render(request, "indicators/data_browser.html", ctx, status=200 if valid else 400)


def invalid_filter(filterset):
    lines = [_("This filter is not valid, so nothing was exported:"), *filterset.error_summary()]
    return HttpResponse("\n".join(lines), status=400, content_type="text/plain; charset=utf-8")


def export_name(filterset, extension):
    data = filterset.form.cleaned_data
    codes = [indicator.code for indicator in data.get("indicator") or []]
    indicators = codes if len(codes) <= 3 else [f"{len(codes)}-indicators"]
    region = data.get("region")
    years = "-".join(str(data[y]) for y in ("year_min", "year_max") if data.get(y) is not None)
    parts = [*indicators, region and region.code + ("-sub" if data.get("subregions") else "")]
    return exports.file_name([*parts, data.get("area"), years], extension)


def data_export(request):
    """Every filtered row (not one page) as CSV, streamed in constant memory."""
    filterset = ObservationFilter(request.GET, queryset=Observation.objects.all())
    if not filterset.is_valid():
        return invalid_filter(filterset)
    chunks = exports.stream_observations(filterset.qs)
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = exports.attachment(export_name(filterset, "csv"))
    return response


def data_export_zip(request):
    """The CSV plus a README: definitions, units, sources, the filter, a link, the time."""
    filterset = ObservationFilter(request.GET, queryset=Observation.objects.all())
    if not filterset.is_valid():
        return invalid_filter(filterset)
    rows = filterset.qs
    indicators = Indicator.objects.filter(pk__in=rows.values("indicator_id"))
    sources = rows.values_list("source", flat=True).distinct().order_by("source")[:200]
    url = request.build_absolute_uri(reverse("data-browser") + "?" + request.GET.urlencode())
    readme = exports.readme_text(filterset, indicators, sources, url)
    response = FileResponse(exports.build_zip(rows, readme), content_type="application/zip")
    response["Content-Disposition"] = exports.attachment(export_name(filterset, "zip"))
    return response


def indicator_csv(request, code):
    """One indicator's series by region, area and year, then its targets, as CSV."""
    indicator = get_object_or_404(Indicator, code=code)
    targets = list(indicator.targets.select_related("region"))
    chunks = exports.stream_indicator(indicator, targets)
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = exports.attachment(exports.file_name([code], "csv"))
    return response


def indicator_json(request, code):
    """One indicator's definition, series by region and area, and targets, as JSON."""
    indicator = get_object_or_404(Indicator, code=code)
    observations = indicator.observations.series_by_region()
    targets = indicator.targets.select_related("region")
    document = exports.indicator_document(indicator, observations, targets)
    return JsonResponse(document, json_dumps_params={"ensure_ascii": False})

from itertools import groupby
from urllib.parse import urlencode

from django.http import FileResponse, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tables2 import RequestConfig

from . import charts, exports
from .filters import ObservationFilter
from .forms import CompareForm, IndicatorViewForm, RegionPickForm
from .models import COUNTRY_CODE, Domain, Indicator, Observation, Region, Target
from .pagecache import cached_page
from .summaries import Ranking, summarise
from .tables import ObservationTable, SeriesTable


def livez(request):
    """Liveness (the process answers), and the benchmark's baseline: the whole middleware
    stack, no database. /healthz, which checks the database, is equalization.health."""
    return HttpResponse("ok", content_type="text/plain")


def invalid(request, form):
    """A wrong query parameter: say which and why, with a 400, never a 500."""
    return render(request, "indicators/invalid_query.html", {"form": form}, status=400)


def export_url(**params):
    """The data-browser CSV export of exactly what a chart shows."""
    query = {name: value for name, value in params.items() if value not in (None, "")}
    return reverse("data-export") + "?" + urlencode(query, doseq=True)


def by_domain(summaries):
    order = {value: i for i, value in enumerate(Domain.values)}
    ranked = sorted(summaries, key=lambda s: (order[s.indicator.domain], s.indicator.display_order))
    return [
        (Domain(domain).label, list(rows))
        for domain, rows in groupby(ranked, key=lambda s: s.indicator.domain)
    ]


@cached_page
def overview(request):
    form = RegionPickForm(request.GET)
    if not form.is_valid():
        return invalid(request, form)
    region = form.cleaned_data["region"] or Region.objects.get(code=COUNTRY_CODE)
    indicators = list(Indicator.objects.headline())
    summaries = summarise(
        indicators,
        region,
        Observation.objects.for_region(region).filter(indicator__in=indicators).for_summaries(),
        Target.objects.applying_to(region),
        COUNTRY_CODE,
    )
    ctx = {
        "region": region,
        "regions": Region.objects.for_picker(region),
        "domains": by_domain(summaries.values()),
        "has_generated": any(s.has_generated for s in summaries.values()),
    }
    return render(request, "indicators/overview.html", ctx)


@cached_page
def indicator_detail(request, code):
    indicator = get_object_or_404(Indicator, code=code)
    form = IndicatorViewForm(request.GET)
    if not form.is_valid():
        return invalid(request, form)
    region = form.cleaned_data["region"] or Region.objects.get(code=COUNTRY_CODE)
    observations = list(indicator.observations.beside_country(region).for_summaries())
    targets = list(indicator.targets.applying_to(region))
    summary = summarise([indicator], region, observations, targets, COUNTRY_CODE)[indicator.id]
    ranking = Ranking.build(
        indicator.observations.all(),
        indicator,
        region,
        area=form.cleaned_data["area"] or None,
        year=form.cleaned_data["year"],
        country_rows=[o for o in observations if o.region_id == COUNTRY_CODE],
        targets=[t.target for t in summary.targets],
    )
    area = ranking.area or indicator.lead_area
    ctx = {
        "indicator": indicator,
        "region": region,
        "regions": Region.objects.for_picker(region),
        "summary": summary,
        "table": SeriesTable.for_summary(summary),
        "ranking": ranking,
        "area": area,
        "show_path": form.cleaned_data["path"],
        "series_figure": charts.series_figure(summary, show_required=form.cleaned_data["path"]),
        # Only where some year has both an urban and a rural value: else an empty chart.
        "gap_figure": charts.gap_figure(summary) if summary.gap and summary.gap.years else None,
        "ranking_figure": charts.ranking_figure(indicator, ranking, area=area),
        "series_csv": export_url(indicator=indicator.code, region=region.code),
        "ranking_csv": ranking.rows
        and export_url(
            indicator=indicator.code,
            region=ranking.rows[0].region.parent_id,
            subregions=1,
            level=ranking.rows[0].region.level,
            area=ranking.area,
            year_min=ranking.year,
            year_max=ranking.year,
        ),
        "has_generated": summary.has_generated or ranking.has_generated,
    }
    return render(request, "indicators/indicator_detail.html", ctx)


@cached_page
def region_detail(request, code):
    region = get_object_or_404(Region.objects.select_related("parent"), code=code)
    indicators = list(Indicator.objects.all())
    observations = list(Observation.objects.beside_country(region).for_summaries())
    targets = list(Target.objects.applying_to(region))
    summaries = summarise(indicators, region, observations, targets, COUNTRY_CODE)
    country = None
    if not region.is_country:
        country = summarise(
            indicators, Region(code=COUNTRY_CODE), observations, targets, COUNTRY_CODE
        )
    rows = [(summaries[i.id], country[i.id] if country else None) for i in indicators]
    ctx = {
        "region": region,
        "children": Region.objects.children_of(region),
        "rows": [(s, c) for s, c in rows if s.has_data or s.targets],
        "empty": [s.indicator for s, _c in rows if not (s.has_data or s.targets)],
        "has_generated": any(s.has_generated for s in summaries.values()),
    }
    return render(request, "indicators/region_detail.html", ctx)


@cached_page
def compare(request):
    form = CompareForm(request.GET)
    if not form.is_valid():
        return invalid(request, form)
    indicators = list(Indicator.objects.all())
    indicator = form.cleaned_data["indicator"] or indicators[0]
    regions = list(form.cleaned_data["regions"]) or list(Region.objects.for_picker())[:1]
    area = form.cleaned_data["area"] or indicator.lead_area
    points = {region.code: {} for region in regions}
    has_generated = False
    for obs in indicator.observations.filter(region__in=regions, area=area):
        points[obs.region_id][obs.year] = obs.value
        has_generated |= obs.is_generated
    series = [(region.name, points[region.code]) for region in regions]
    years = sorted({year for values in points.values() for year in values}, reverse=True)
    year = form.cleaned_data["year"] or (years[0] if years else None)
    mode = form.cleaned_data["mode"] or "lines"
    ctx = {
        "form": form,
        "indicator": indicator,
        "indicators": indicators,
        "regions": regions,
        "picker": Region.objects.for_picker(),
        "area": area,
        "mode": mode,
        "year": year,
        "years": years,
        "series": series,
        "figure": charts.compare_figure(indicator, series, area=area, mode=mode, year=year),
        "csv_links": [
            (region, export_url(indicator=indicator.code, region=region.code, area=area))
            for region in regions
        ],
        "has_generated": has_generated,
    }
    return render(request, "indicators/compare.html", ctx)


@cached_page
def data_browser(request):
    """Filter, sort and page the observations; a bad filter is a 400 naming the field."""
    filterset = ObservationFilter(request.GET, queryset=Observation.objects.for_browser())
    indicators = filterset.load_options()
    valid = filterset.is_valid()
    rows = filterset.qs if valid else Observation.objects.none()
    table = ObservationTable(rows, indicators=indicators)
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

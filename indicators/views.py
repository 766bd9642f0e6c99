from itertools import groupby

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from . import charts
from .forms import CompareForm, IndicatorViewForm, RegionPickForm
from .models import COUNTRY_CODE, Domain, Indicator, Observation, Region, Target
from .summaries import Ranking, summarise
from .tables import SeriesTable


def healthz(request):
    """Liveness, and the benchmark's baseline: the whole middleware stack, no database."""
    return HttpResponse("ok", content_type="text/plain")


def invalid(request, form):
    """A wrong query parameter: say which and why, with a 400, never a 500."""
    return render(request, "indicators/invalid_query.html", {"form": form}, status=400)


def by_domain(summaries):
    order = {value: i for i, value in enumerate(Domain.values)}
    ranked = sorted(summaries, key=lambda s: (order[s.indicator.domain], s.indicator.display_order))
    return [
        (Domain(domain).label, list(rows))
        for domain, rows in groupby(ranked, key=lambda s: s.indicator.domain)
    ]


def overview(request):
    form = RegionPickForm(request.GET)
    if not form.is_valid():
        return invalid(request, form)
    region = form.cleaned_data["region"] or Region.objects.get(code=COUNTRY_CODE)
    indicators = list(Indicator.objects.headline())
    summaries = summarise(
        indicators,
        region,
        Observation.objects.for_region(region),
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


def indicator_detail(request, code):
    indicator = get_object_or_404(Indicator, code=code)
    form = IndicatorViewForm(request.GET)
    if not form.is_valid():
        return invalid(request, form)
    region = form.cleaned_data["region"] or Region.objects.get(code=COUNTRY_CODE)
    observations = list(indicator.observations.beside_country(region))
    targets = list(indicator.targets.applying_to(region))
    summary = summarise([indicator], region, observations, targets, COUNTRY_CODE)[indicator.id]
    ranking = Ranking.build(
        indicator.observations.children_or_siblings(region),
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
        "gap_figure": charts.gap_figure(summary) if summary.gap else None,
        "ranking_figure": charts.ranking_figure(indicator, ranking, area=area),
        "has_generated": summary.has_generated or ranking.has_generated,
    }
    return render(request, "indicators/indicator_detail.html", ctx)


def region_detail(request, code):
    region = get_object_or_404(Region.objects.select_related("parent"), code=code)
    indicators = list(Indicator.objects.all())
    observations = list(Observation.objects.beside_country(region))
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
        "has_generated": has_generated,
    }
    return render(request, "indicators/compare.html", ctx)

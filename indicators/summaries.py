"""One indicator in one region: its series by area, the urban–rural gap, and its targets'
status. Built in memory from rows the views fetch in a fixed number of queries, so a page's
query count does not grow with the number of indicators, regions or years.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from . import progress
from .models import Area, Comparison, Indicator, Region, Target

QUALITATIVE = "qualitative"
STATUS_LABELS = {**progress.STATUS_LABELS, QUALITATIVE: _("Qualitative goal")}
# A symbol beside every status, so it is never told by colour alone.
STATUS_SYMBOLS = {
    progress.ACHIEVED: "✔",
    progress.ON_TRACK: "▲",
    progress.MODERATE: "◆",
    progress.MARGINAL: "▼",
    progress.STAGNATING: "■",
    progress.REGRESSING: "✖",
    progress.INSUFFICIENT_DATA: "?",
    QUALITATIVE: "❝",
}
AREA_ORDER = [Area.TOTAL, Area.URBAN, Area.RURAL]
# Which area's target leads a card when a year has targets for several areas.
LEAD_AREA = {Area.RURAL: 0, Area.TOTAL: 1, Area.URBAN: 2}


@dataclass
class TargetStatus:
    target: Target
    assessment: progress.Assessment | None
    # A national target shown on a province page for reference.
    national_reference: bool = False

    @property
    def status(self):
        if self.target.is_qualitative:
            return QUALITATIVE
        return self.assessment.status

    @property
    def label(self):
        return STATUS_LABELS[self.status]

    @property
    def symbol(self):
        return STATUS_SYMBOLS[self.status]

    @property
    def css(self):
        return self.status.replace("_", "-")

    @property
    def second_opinion_label(self):
        return self.assessment.cr_label if self.assessment else ""


@dataclass
class IndicatorSummary:
    indicator: Indicator
    region: Region
    observations: dict = field(default_factory=dict)  # area -> [Observation], oldest first
    targets: list = field(default_factory=list)  # [TargetStatus]
    gap: progress.Gap | None = None

    @property
    def series(self):
        """{area: {year: value}} for the areas that have data."""
        return {area: {o.year: o.value for o in rows} for area, rows in self.observations.items()}

    @property
    def latest(self):
        """{area: latest Observation} in total, urban, rural order."""
        return {
            area: self.observations[area][-1] for area in AREA_ORDER if self.observations.get(area)
        }

    @property
    def has_data(self):
        return bool(self.observations)

    @property
    def has_generated(self):
        return any(o.is_generated for rows in self.observations.values() for o in rows)

    @property
    def sources(self):
        """Each distinct source once, in the order first used."""
        seen = {}
        for area in AREA_ORDER:
            for obs in self.observations.get(area, []):
                seen.setdefault(obs.source, None)
        return list(seen)

    def target_for_year(self, year):
        candidates = [t for t in self.targets if t.target.year == year]
        candidates.sort(key=lambda t: (LEAD_AREA[t.target.area], t.target.is_qualitative))
        return candidates[0] if candidates else None

    @property
    def target_2025(self):
        return self.target_for_year(2025)

    @property
    def target_2035(self):
        return self.target_for_year(2035)

    def sparkline(self, width=120, height=32):
        """[(area, 'x,y x,y …')] polylines for a small inline SVG trend line."""
        series = self.series
        values = [v for s in series.values() for v in s.values()]
        years = [y for s in series.values() for y in s]
        if len(set(years)) < 2:
            return []
        low, high = min(values), max(values)
        span_y = (high - low) or 1
        first, last = min(years), max(years)
        lines = []
        for area in AREA_ORDER:
            points = sorted(series.get(area, {}).items())
            if len(points) < 2:
                continue
            coords = " ".join(
                f"{(year - first) / (last - first) * width:.1f},"
                f"{height - 2 - (value - low) / span_y * (height - 4):.1f}"
                for year, value in points
            )
            lines.append((area, coords))
        return lines


def assess_target(target, indicator, series):
    if target.comparison == Comparison.QUALITATIVE:
        return None
    if target.comparison == Comparison.PARITY:
        return progress.assess_parity(
            series.get(Area.URBAN, {}),
            series.get(Area.RURAL, {}),
            share=target.parity_share,
            target_year=target.year,
            direction=indicator.direction,
            base_year=target.base_year,
        )
    return progress.assess(
        series.get(target.area, {}),
        target_value=target.value,
        target_year=target.year,
        comparison=target.comparison,
        direction=indicator.direction,
        base_year=target.base_year,
        percent=indicator.unit == Indicator.Unit.PERCENT,
        lower=indicator.min_value,
        upper=indicator.max_value,
    )


def has_series_for(target, series):
    if target.comparison == Comparison.PARITY:
        return Area.URBAN in series and Area.RURAL in series
    return target.area in series


def targets_for(region, country_code, targets):
    """The region's own targets; else those for every region; else the country's, for reference."""
    own = [t for t in targets if t.region_id == region.code]
    if own:
        return own, False
    everywhere = [t for t in targets if t.region_id is None]
    if everywhere:
        return everywhere, False
    return [t for t in targets if t.region_id == country_code], region.code != country_code


def summarise(indicators, region, observations, targets, country_code):
    """{indicator_id: IndicatorSummary} for `region` from already fetched rows.

    `observations` may hold other regions' rows too (they are skipped); `targets` should hold
    the region's own, the everywhere and the country's targets of these indicators.
    """
    by_indicator = defaultdict(lambda: defaultdict(list))
    for obs in sorted(observations, key=lambda o: o.year):
        if obs.region_id == region.code:
            by_indicator[obs.indicator_id][obs.area].append(obs)
    targets_by_indicator = defaultdict(list)
    for target in targets:
        targets_by_indicator[target.indicator_id].append(target)

    summaries = {}
    for indicator in indicators:
        summary = IndicatorSummary(
            indicator, region, observations=dict(by_indicator.get(indicator.id, {}))
        )
        series = summary.series
        if Area.URBAN in series and Area.RURAL in series:
            summary.gap = progress.gap(
                series[Area.URBAN], series[Area.RURAL], direction=indicator.direction
            )
        chosen, national = targets_for(
            region, country_code, targets_by_indicator.get(indicator.id, [])
        )
        if national:
            # A national goal is shown beside a region's own figures only where it has some.
            chosen = [t for t in chosen if has_series_for(t, series)]
        summary.targets = [
            TargetStatus(t, assess_target(t, indicator, series), national)
            for t in sorted(chosen, key=lambda t: (t.year, LEAD_AREA[t.area]))
        ]
        summaries[indicator.id] = summary
    return summaries


@dataclass
class Ranking:
    """Regions below the chosen one (or beside it, where it has none) in one year, best first."""

    region: Region
    area: str | None
    rows: list  # [Observation] for `year`, ranked
    years: list  # years with data, newest first
    year: int | None
    country_value: float | None
    target: Target | None

    @property
    def has_generated(self):
        return any(obs.is_generated for obs in self.rows)

    @classmethod
    def build(cls, observations, indicator, region, *, area, year, country_rows, targets):
        """`observations`: the indicator's. Two queries, whatever the number of regions:
        which areas and years the regions below (else beside) report, then the rows of the
        one year shown.

        The area asked for; else the indicator's lead area if regions report it; else the
        first area they do report. Children first; siblings where there are no children.
        """
        near = observations.below_or_beside(region)
        reported = near.reported_cells()
        has_children = any(p == region.code for p, _a, _y in reported)
        parent = region.code if has_children else region.parent_id
        pool = {(a, y) for p, a, y in reported if p == parent}
        if area is None and pool:
            areas = {a for a, _y in pool}
            lead = indicator.lead_area
            area = lead if lead in areas else next(a for a in AREA_ORDER if a in areas)
        years = sorted({y for a, y in pool if a == area}, reverse=True)
        if year is None and years:
            year = years[0]
        shown = near.filter(region__parent=parent, area=area, year=year)
        lower_is_better = indicator.direction == Indicator.Direction.LOWER
        ranked = sorted(
            shown.select_related("region").order_by("region"),
            key=lambda o: o.value,
            reverse=not lower_is_better,
        )
        country = next((o.value for o in country_rows if o.year == year and o.area == area), None)
        # The nearest numeric target at or after the year shown.
        upcoming = sorted(
            (
                t
                for t in targets
                if t.area == area and t.value is not None and year and t.year >= year
            ),
            key=lambda t: t.year,
        )
        return cls(region, area, ranked, years, year, country, upcoming[0] if upcoming else None)

"""Plausible generated series around the real national figures (demos and benchmarks).

Pure functions; `manage.py generate_data` feeds them the reference rows and writes
what they return. Every draw comes from a generator seeded with the seed and the
names of what it is for (region, indicator, area), so a region's numbers are the
same whichever other regions are generated with it.

How a value is made, for one indicator and area:
- the national reference series, interpolated between published years and
  extrapolated beyond them at the growth rate of its nearest published years;
- a "worse" or "better" shift where a split indicator has no series for the area;
- a region's offset (its parent's offset times its own draw), a slow drift of that
  offset over the years, and a little noise each year;
- counts (persons, clinics) are shared out: a region gets its parent's share of the
  national total, split among siblings by a per-region weight;
- clipped to the indicator's valid range.
Rates capped at 100 % move their shortfall (100 − value), not their value, so a
region near 100 % stays below it.
"""

import math
import random

from .models import Area, Indicator, Level

YEARS = range(2010, 2025)
# Spread (log standard deviation) of a region's offset from its parent's, by level.
SPREAD = {Level.PROVINCE: 0.10, Level.PREFECTURE: 0.07, Level.COUNTY: 0.09}
DRIFT = 0.01  # spread of a region's yearly drift away from (or towards) the national trend
NOISE = 0.02  # year-to-year noise
MAX_GROWTH = 0.15  # the steepest yearly growth an extrapolation may use
# Where a split indicator has no national series for an area: how much worse rural is,
# and how much better urban is, than the whole population.
AREA_SHIFT = {Area.RURAL: 1.25, Area.URBAN: 1 / 1.15, Area.TOTAL: 1.0}
EXTENSIVE_UNITS = {Indicator.Unit.COUNT, Indicator.Unit.TEN_THOUSAND_PERSONS}


def rng(seed, *names):
    return random.Random("/".join([str(seed), *map(str, names)]))


def uses_shortfall(indicator):
    return indicator.unit == Indicator.Unit.PERCENT and indicator.max_value == 100


def is_extensive(indicator):
    """A count adds up over regions; a rate does not."""
    return indicator.unit in EXTENSIVE_UNITS


def to_working(indicator, value):
    """The quantity offsets multiply: the shortfall below 100 % for capped rates."""
    return max(100 - value, 0.05) if uses_shortfall(indicator) else value


def from_working(indicator, value):
    return 100 - value if uses_shortfall(indicator) else value


def worse(indicator, factor):
    """A multiplier on the working quantity that makes the value `factor` times worse."""
    if uses_shortfall(indicator) or indicator.direction == Indicator.Direction.LOWER:
        return factor
    if indicator.direction == Indicator.Direction.HIGHER:
        return 1 / factor
    return 1.0


def curve(points, years=YEARS):
    """{year: value} for every year, through the published {year: value} points.

    Linear between published years; beyond them, the growth rate (in logs when
    the values are positive) of the end point and the furthest point within ten
    years of it, capped at MAX_GROWTH a year.
    """
    known = sorted(points.items())
    if len(known) == 1:
        return dict.fromkeys(years, known[0][1])
    out = {}
    for year in years:
        if year in points:
            out[year] = points[year]
        elif known[0][0] < year < known[-1][0]:
            (x0, y0), (x1, y1) = next(
                (a, b) for a, b in zip(known, known[1:], strict=False) if a[0] < year < b[0]
            )
            out[year] = y0 + (y1 - y0) * (year - x0) / (x1 - x0)
        else:
            end = known[0] if year < known[0][0] else known[-1]
            near = [p for p in known if p != end and abs(p[0] - end[0]) <= 10] or [
                known[1] if end == known[0] else known[-2]
            ]
            other = max(near, key=lambda p: abs(p[0] - end[0]))
            span = end[0] - other[0]
            if end[1] > 0 and other[1] > 0:
                growth = math.log(end[1] / other[1]) / span
                growth = max(-MAX_GROWTH, min(MAX_GROWTH, growth))
                out[year] = end[1] * math.exp(growth * (year - end[0]))
            else:
                out[year] = end[1] + (end[1] - other[1]) / span * (year - end[0])
    return out


def national_curves(indicator, published):
    """{area: {year: working value}} for every area the indicator is reported for.

    `published` is {area: {year: value}} from the country's reference rows. An area
    with no series borrows the whole population's (or any other area's), shifted.
    """
    if not published:
        return {}
    curves = {}
    for area in indicator.allowed_areas:
        if published.get(area):
            points, shift = published[area], 1.0
        else:
            borrowed = Area.TOTAL if published.get(Area.TOTAL) else next(iter(published))
            points = published[borrowed]
            shift = worse(indicator, AREA_SHIFT[area] / AREA_SHIFT[Area(borrowed)])
        working = {year: to_working(indicator, value) * shift for year, value in points.items()}
        curves[area] = curve(working)
    return curves


def clip(indicator, value):
    if indicator.min_value is not None:
        value = max(indicator.min_value, value)
    if indicator.max_value is not None:
        value = min(indicator.max_value, value)
    return value


def rounded(indicator, value):
    return float(round(value)) if indicator.unit == Indicator.Unit.COUNT else round(value, 2)


class Tree:
    """Each region's offset and share, drawn once from the seed and the region's code.

    `regions` is {code: (level, parent code)} for every region generated and its
    ancestors; shares are split among the siblings listed there.
    """

    def __init__(self, regions, seed):
        self.regions = regions
        self.seed = seed
        self.weights = {code: rng(seed, code, "weight").lognormvariate(0, 0.5) for code in regions}
        self.sibling_weight = {}
        for code, (_level, parent) in regions.items():
            self.sibling_weight[parent] = self.sibling_weight.get(parent, 0) + self.weights[code]
        self.offsets = {}
        self.shares = {}

    def share(self, code):
        """The region's part of the national total (country: 1)."""
        if code not in self.shares:
            level, parent = self.regions[code]
            if parent is None:
                self.shares[code] = 1.0
            else:
                own = self.weights[code] / self.sibling_weight[parent]
                self.shares[code] = self.share(parent) * own
        return self.shares[code]

    def offset(self, code, key):
        """The region's multiplier on the working quantity of one series (country: 1)."""
        if (code, key) not in self.offsets:
            level, parent = self.regions[code]
            if parent is None:
                self.offsets[code, key] = 1.0
            else:
                own = rng(self.seed, code, *key, "offset").lognormvariate(0, SPREAD[level])
                self.offsets[code, key] = self.offset(parent, key) * own
        return self.offsets[code, key]

    def series(self, indicator, area, code, national):
        """{year: value} of one region, from the national working curve of the area."""
        draw = rng(self.seed, code, indicator.code, area, "years")
        drift = draw.gauss(0, DRIFT) if self.regions[code][1] is not None else 0.0
        offset = self.offset(code, (indicator.code, area))
        share = self.share(code) if is_extensive(indicator) else 1.0
        middle = (YEARS[0] + YEARS[-1]) / 2
        values = {}
        for year in YEARS:
            noise = math.exp(draw.gauss(0, NOISE) + drift * (year - middle))
            working = national[year] * offset * noise
            value = from_working(indicator, working) * share
            values[year] = clip(indicator, rounded(indicator, value))
        return values

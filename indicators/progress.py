"""Progress towards a target, as pure functions (no database).

The method is the UN Statistics Division's, from the technical notes of the SDG Progress Chart:

- **status** (2023 method): from the base year b to the latest year t the compound annual growth
  rate is CAGR = (v_t / v_b) ** (1 / (t - b)) - 1; the value anticipated at the target year T is
  v_e = v_t * (1 + CAGR) ** (T - t); the progress ratio P = (v_e - v_b) / (v* - v_b) compares
  the anticipated change with the change the target v* asks for. P needs no direction: for a
  "lower is better" indicator or an "at most" target both differences are negative.
- **second opinion** (2022 method): the ratio of the actual to the required growth rate,
  CR = CAGR / CAGR_required, with CAGR_required = (v* / v_b) ** (1 / (T - b)) - 1.

Where the compound rate is undefined (a zero or negative base, or a negative latest value) the
trend is a straight line instead: the least-squares slope over the points from the base year on,
drawn from the latest value (v_e = v_t + slope * (T - t)). The second opinion then has no rate
to compare and is left out.

Series are mappings {year: value}; missing years are simply absent (a None value is skipped).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

ACHIEVED = "achieved"
ON_TRACK = "on_track"
MODERATE = "moderate"
MARGINAL = "marginal"
STAGNATING = "stagnating"
REGRESSING = "regressing"
INSUFFICIENT_DATA = "insufficient_data"
# The 2022 method (CR) does not split marginal progress from stagnation.
LIMITED = "limited"

STATUS_LABELS = {
    ACHIEVED: _("Achieved"),
    ON_TRACK: _("On track"),
    MODERATE: _("Moderate progress"),
    MARGINAL: _("Marginal progress"),
    STAGNATING: _("Stagnating"),
    REGRESSING: _("Regressing"),
    INSUFFICIENT_DATA: _("Insufficient data"),
    LIMITED: _("Limited or no progress"),
}

CLOSING = "closing"
WIDENING = "widening"
STEADY = "steady"
TREND_LABELS = {CLOSING: _("closing"), WIDENING: _("widening"), STEADY: _("steady")}

CAGR = "cagr"
LINEAR = "linear"

COMPARISONS = ("minimum", "maximum", "exact", "qualitative", "parity")
DIRECTIONS = ("higher", "lower", "neutral")

DEFAULT_BASE_YEAR = 2020
# A percentage within half a point of a 0% or 100% target counts as meeting it.
PERCENT_TOLERANCE = 0.5
# An "exact" target of a neutral indicator is met within 0.5% of the target.
EXACT_RELATIVE_TOLERANCE = 0.005
# A gap whose fitted change over the window is under 0.5% of the urban level is steady.
STEADY_SHARE = 0.005
# Absorbs float noise in the comparisons (99.5 against 100 is "within 0.5").
EPSILON = 1e-9


@dataclass(frozen=True)
class Assessment:
    status: str
    base_year: int | None
    base_value: float | None
    latest_year: int | None
    latest_value: float | None
    base_substituted: bool
    target_year: int
    target_value: float
    growth: float | None
    anticipated: float | None
    ratio: float | None
    required_growth: float | None
    cr: float | None
    cr_status: str | None
    disagrees: bool
    method: str | None

    @property
    def label(self):
        return STATUS_LABELS[self.status]

    @property
    def cr_label(self):
        return STATUS_LABELS.get(self.cr_status)


@dataclass(frozen=True)
class Trend:
    """The current pace, drawn from the latest point: a compound rate or a linear slope."""

    method: str
    latest_year: int
    latest_value: float
    growth: float | None = None
    slope: float | None = None

    def value_at(self, year):
        if self.method == LINEAR:
            return self.latest_value + self.slope * (year - self.latest_year)
        try:
            return self.latest_value * (1 + self.growth) ** (year - self.latest_year)
        except OverflowError:  # a rate from a base near zero: unbounded until clipped
            return math.inf


@dataclass(frozen=True)
class GapYear:
    year: int
    urban: float
    rural: float
    ratio: float | None  # rural / urban; None when urban is 0
    difference: float  # urban - rural


@dataclass(frozen=True)
class Gap:
    years: list[GapYear]
    trend: str | None
    years_to_parity: float | None
    parity_year: int | None

    @property
    def latest(self):
        return self.years[-1] if self.years else None


# Building blocks


def points_from(series: Mapping[int, float | None], base_year=DEFAULT_BASE_YEAR):
    """The (year, value) points from `base_year` on, oldest first."""
    return sorted(
        (int(year), float(value))
        for year, value in series.items()
        if value is not None and int(year) >= base_year
    )


def compound_growth(start, end, years):
    """(end / start) ** (1 / years) - 1, or None where it is undefined (start <= 0, end < 0)."""
    if years <= 0 or start <= 0 or end < 0:
        return None
    return (end / start) ** (1 / years) - 1


def linear_slope(points):
    """The least-squares slope of value on year: sum((x - x̄)(y - ȳ)) / sum((x - x̄)²)."""
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread


def fit_trend(points):
    """The trend through points (oldest first, at least two): CAGR from the first to the last,
    or, where that rate is undefined, the least-squares line drawn from the last point."""
    (base_year, base_value), (latest_year, latest_value) = points[0], points[-1]
    growth = compound_growth(base_value, latest_value, latest_year - base_year)
    if growth is not None:
        return Trend(CAGR, latest_year, latest_value, growth=growth)
    return Trend(LINEAR, latest_year, latest_value, slope=linear_slope(points))


def clip(value, lower=None, upper=None):
    if lower is not None:
        value = max(value, lower)
    if upper is not None:
        value = min(value, upper)
    return value


def meets(value, target, comparison, direction="higher", percent=False):
    """Whether `value` meets the target.

    minimum: value >= target; maximum: value <= target; exact: read in the indicator's direction
    (>= when higher is better, <= when lower is better, within 0.5% when neutral). A percentage
    within half a point of a 0% or 100% target counts as meeting it.
    """
    if percent and target in (0, 100) and abs(value - target) <= PERCENT_TOLERANCE + EPSILON:
        return True
    if comparison == "exact":
        if direction == "neutral":
            return abs(value - target) <= EXACT_RELATIVE_TOLERANCE * abs(target) + EPSILON
        comparison = "minimum" if direction == "higher" else "maximum"
    if comparison == "minimum":
        return value >= target - EPSILON
    if comparison == "maximum":
        return value <= target + EPSILON
    raise ValueError(f"Cannot compare a value with a {comparison!r} target.")


def classify_ratio(p):
    """The 2023 method's class for the progress ratio P."""
    if p >= 0.95:
        return ON_TRACK
    if p >= 0.5:
        return MODERATE
    if p >= 0.1:
        return MARGINAL
    if p >= 0:
        return STAGNATING
    return REGRESSING


def classify_cr(cr):
    """The 2022 method's class for CR, the ratio of actual to required growth rate."""
    if cr >= 0.95:
        return ON_TRACK
    if cr >= 0.5:
        return MODERATE
    if cr >= -0.1:
        return LIMITED
    return REGRESSING


def methods_disagree(status, cr_status):
    """Whether the two methods give different classes ("limited" agrees with marginal and
    stagnating). False when either has no class."""
    if status is None or cr_status is None:
        return False
    merged = LIMITED if status in (MARGINAL, STAGNATING) else status
    return merged != cr_status


def _check(comparison, direction):
    if comparison not in COMPARISONS:
        raise ValueError(f"Unknown comparison {comparison!r}; expected one of {COMPARISONS}.")
    if direction not in DIRECTIONS:
        raise ValueError(f"Unknown direction {direction!r}; expected one of {DIRECTIONS}.")


# Status against a target


def assess(
    series,
    *,
    target_value,
    target_year,
    comparison,
    direction="higher",
    base_year=DEFAULT_BASE_YEAR,
    percent=False,
    lower=None,
    upper=None,
):
    """Where a series stands against one target (UNSD SDG Progress Chart, 2023 and 2022 methods).

    - achieved: the latest value already meets the target (see `meets`);
    - otherwise P = (v_e - v_b) / (v* - v_b), classified by `classify_ratio`: on track (>= 0.95),
      moderate (>= 0.5), marginal (>= 0.1), stagnating (>= 0), regressing (< 0);
    - insufficient data: fewer than two points from the base year on.

    If the base year has no value, the first later year with a value is the base (flagged by
    `base_substituted`). v_e is projected by `fit_trend` (CAGR, or the linear fallback for a zero
    or negative base) and clipped to [lower, upper]; once the target year has passed, v_e is the
    latest value. If the base already met the target and the latest value no longer does, the
    ratio's sign means nothing: the status is regressing and P is None.

    The second opinion is CR = CAGR / CAGR_required (`classify_cr`), None under the linear
    fallback. Returns None for a qualitative target; a parity target goes through
    `assess_parity`.
    """
    _check(comparison, direction)
    if comparison == "qualitative":
        return None
    if comparison == "parity":
        raise ValueError("A parity target compares rural with urban: use assess_parity().")
    if target_year <= base_year:
        raise ValueError(f"The target year {target_year} is not after the base year {base_year}.")

    target_value = float(target_value)
    everything = points_from(series, base_year=-math.inf)
    points = points_from(series, base_year)
    latest_year, latest_value = everything[-1] if everything else (None, None)
    achieved = latest_value is not None and meets(
        latest_value, target_value, comparison, direction, percent
    )
    result = {
        "latest_year": latest_year,
        "latest_value": latest_value,
        "target_year": target_year,
        "target_value": target_value,
    }
    if len(points) < 2:
        return Assessment(
            status=ACHIEVED if achieved else INSUFFICIENT_DATA,
            base_year=points[0][0] if points else None,
            base_value=points[0][1] if points else None,
            base_substituted=bool(points) and points[0][0] != base_year,
            growth=None,
            anticipated=None,
            ratio=None,
            required_growth=None,
            cr=None,
            cr_status=ACHIEVED if achieved else None,
            disagrees=False,
            method=None,
            **result,
        )

    first_year, base_value = points[0]
    trend = fit_trend(points)
    anticipated = clip(trend.value_at(max(target_year, latest_year)), lower, upper)
    required = compound_growth(base_value, target_value, target_year - first_year)
    cr = trend.growth / required if trend.growth is not None and required else None

    if achieved:
        ratio, status, cr_status = _ratio(anticipated, base_value, target_value), ACHIEVED, ACHIEVED
    elif meets(base_value, target_value, comparison, direction, percent):
        ratio, status, cr, cr_status = None, REGRESSING, None, REGRESSING
    else:
        ratio = _ratio(anticipated, base_value, target_value)
        status = classify_ratio(ratio)
        cr_status = classify_cr(cr) if cr is not None else None

    return Assessment(
        status=status,
        base_year=first_year,
        base_value=base_value,
        base_substituted=first_year != base_year,
        growth=trend.growth,
        anticipated=anticipated,
        ratio=ratio,
        required_growth=required,
        cr=cr,
        cr_status=cr_status,
        disagrees=methods_disagree(status, cr_status),
        method=trend.method,
        **result,
    )


def _ratio(anticipated, base_value, target_value):
    """P = (v_e - v_b) / (v* - v_b); None when the target equals the base."""
    if target_value == base_value:
        return None
    return (anticipated - base_value) / (target_value - base_value)


# Parity: rural reaches a share of urban


def parity_series(urban, rural, direction="higher"):
    """Rural as a share of urban, per year where both exist: rural / urban, or urban / rural for
    a lower-is-better indicator (so the share rises towards 1 as rural catches up). Years whose
    denominator is 0 are left out."""
    shares = {}
    for year in sorted(set(urban) & set(rural)):
        u, r = urban[year], rural[year]
        if u is None or r is None:
            continue
        numerator, denominator = (u, r) if direction == "lower" else (r, u)
        if denominator:
            shares[year] = numerator / denominator
    return shares


def assess_parity(
    urban, rural, *, share, target_year, direction="higher", base_year=DEFAULT_BASE_YEAR
):
    """The 2023 method on `parity_series`, against the target "share >= `share`"."""
    return assess(
        parity_series(urban, rural, direction),
        target_value=share,
        target_year=target_year,
        comparison="minimum",
        base_year=base_year,
    )


# The urban-rural gap


def gap(urban, rural, *, direction="higher", window=5):
    """The urban-rural gap per year where both exist, and how it moves.

    Each year: ratio = rural / urban, difference = urban - rural. The trend is the least-squares
    slope of |urban - rural| over the years within `window` years of the latest (2018-2023 for a
    latest year of 2023): closing or widening, or steady when the fitted change over the window
    is under 0.5% of the mean urban level.

    Years to parity divide the latest shortfall (urban - rural; rural - urban when lower is better)
    by its least-squares pace over the window; given only while the gap is closing (None: "not at
    the current pace"). A rural value already at or past urban gives 0 years.
    """
    years = [
        GapYear(
            year=year,
            urban=urban[year],
            rural=rural[year],
            ratio=rural[year] / urban[year] if urban[year] else None,
            difference=urban[year] - rural[year],
        )
        for year in sorted(set(urban) & set(rural))
        if urban[year] is not None and rural[year] is not None
    ]
    recent = [y for y in years if y.year >= years[-1].year - window] if years else []
    if len(recent) < 2:
        return Gap(years=years, trend=None, years_to_parity=None, parity_year=None)

    distance = linear_slope([(y.year, abs(y.difference)) for y in recent])
    span = recent[-1].year - recent[0].year
    scale = sum(abs(y.urban) for y in recent) / len(recent)
    if abs(distance * span) <= STEADY_SHARE * scale:
        trend = STEADY
    else:
        trend = CLOSING if distance < 0 else WIDENING

    shortfalls = [(y.year, _shortfall(y, direction)) for y in recent]
    shortfall, pace = shortfalls[-1][1], linear_slope(shortfalls)
    if shortfall <= 0:
        to_parity = 0.0
    elif trend == CLOSING and pace < 0:
        to_parity = shortfall / -pace
    else:
        to_parity = None
    parity_year = recent[-1].year + math.ceil(to_parity) if to_parity is not None else None
    return Gap(years=years, trend=trend, years_to_parity=to_parity, parity_year=parity_year)


def _shortfall(gap_year, direction):
    """How far rural is behind urban in the indicator's direction (negative: ahead)."""
    if direction == "lower":
        return -gap_year.difference
    if direction == "neutral":
        return abs(gap_year.difference)
    return gap_year.difference


# Projections


def projection(series, *, until=2035, base_year=DEFAULT_BASE_YEAR, lower=None, upper=None):
    """[(year, value)] yearly from the latest year to `until` at the current pace (`fit_trend`),
    clipped to [lower, upper]; the first point is the latest observation. Empty with fewer than
    two points from the base year on."""
    points = points_from(series, base_year)
    if len(points) < 2:
        return []
    trend = fit_trend(points)
    return [
        (year, clip(trend.value_at(year), lower, upper))
        for year in range(trend.latest_year, until + 1)
    ]


def project(series, years=(2025, 2035), **kw):
    """{year: projected value} for those of `years` after the latest observation."""
    last = max(years, default=0)
    path = dict(projection(series, until=last, **kw))
    return {year: path[year] for year in years if year in path and year > min(path)}


def required_path(base_year, base_value, target_year, target_value):
    """[(year, value)] yearly from the base to the target at the required rate
    v_b * (1 + CAGR_required) ** (year - b); a straight line where that rate is undefined."""
    span = target_year - base_year
    growth = compound_growth(base_value, target_value, span)
    path = []
    for year in range(base_year, target_year):
        if growth is not None:
            value = base_value * (1 + growth) ** (year - base_year)
        else:
            value = base_value + (target_value - base_value) * (year - base_year) / span
        path.append((year, value))
    path.append((target_year, target_value))
    return path

"""Progress towards a target: pure functions, no database.

Status follows the UN Statistics Division's SDG progress assessment (SDG Progress Chart,
technical note, 2023 method): from the base year b to the latest year t,

    CAGR = (v_t / v_b) ** (1 / (t - b)) - 1
    v_e  = v_t * (1 + CAGR) ** (T - t)          anticipated value at the target year T
    P    = (v_e - v_b) / (v* - v_b)              progress ratio towards the target v*

P ≥ 0.95 on track, 0.5–0.95 moderate, 0.1–0.5 marginal, 0–0.1 stagnating, < 0 regressing.
P needs no direction: moving towards v* is positive whichever way v* lies. A zero or negative
base value has no CAGR; a least-squares line through the points from the base year on gives
the anticipated value instead.

The second opinion is the 2022 method: CR = CAGR_actual / CAGR_required with
CAGR_required = (v* / v_b) ** (1 / (T - b)) - 1; ≥ 0.95 on track, 0.5–0.95 moderate,
-0.1–0.5 limited or no progress, < -0.1 regressing.
"""

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
LIMITED = "limited"  # the 2022 method's class spanning marginal and stagnating

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

# Within this many points of a 0% or 100% target counts as met (UNSD).
PERCENT_TOLERANCE = 0.5
# An exact target on a neutral indicator is met within this relative distance.
EXACT_TOLERANCE = 0.005


@dataclass(frozen=True)
class Assessment:
    status: str
    target_year: int
    target_value: float
    base_year: int | None = None
    base_value: float | None = None
    latest_year: int | None = None
    latest_value: float | None = None
    base_substituted: bool = False
    growth: float | None = None
    anticipated: float | None = None
    ratio: float | None = None
    required_growth: float | None = None
    cr: float | None = None
    cr_status: str | None = None
    method: str = "cagr"

    @property
    def disagrees(self):
        """The 2022 CR method gives another class (limited agrees with marginal or stagnating)."""
        if self.cr_status is None or self.status in {ACHIEVED, INSUFFICIENT_DATA}:
            return False
        if self.cr_status == LIMITED:
            return self.status not in {MARGINAL, STAGNATING}
        return self.cr_status != self.status


def cagr(start, end, years):
    """Compound annual growth rate, or None where it is undefined (non-positive values)."""
    if years <= 0 or start is None or end is None or start <= 0 or end <= 0:
        return None
    return (end / start) ** (1 / years) - 1


def linear_fit(points):
    """Least-squares slope and intercept through [(year, value)]."""
    n = len(points)
    mean_x = sum(x for x, _y in points) / n
    mean_y = sum(y for _x, y in points) / n
    sxx = sum((x - mean_x) ** 2 for x, _y in points)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / sxx if sxx else 0.0
    return slope, mean_y - slope * mean_x


def is_met(value, target, comparison, direction, percent=False):
    if percent and target in (0, 100) and abs(value - target) <= PERCENT_TOLERANCE:
        return True
    if comparison == "exact":
        comparison = {"higher": "minimum", "lower": "maximum"}.get(direction)
        if comparison is None:
            return abs(value - target) <= EXACT_TOLERANCE * max(abs(target), 1e-9)
    if comparison == "minimum":
        return value >= target
    if comparison == "maximum":
        return value <= target
    raise ValueError(f"cannot compare against a {comparison!r} target")


def classify(ratio):
    if ratio >= 0.95:
        return ON_TRACK
    if ratio >= 0.5:
        return MODERATE
    if ratio >= 0.1:
        return MARGINAL
    if ratio >= 0:
        return STAGNATING
    return REGRESSING


def classify_cr(cr):
    if cr >= 0.95:
        return ON_TRACK
    if cr >= 0.5:
        return MODERATE
    if cr >= -0.1:
        return LIMITED
    return REGRESSING


def base_point(series, base_year):
    """(year, substituted): the base year, or the nearest later year leaving two points."""
    years = sorted(y for y in series if y >= base_year)
    if len(years) < 2:
        return None, False
    return years[0], years[0] != base_year


def assess(
    series: Mapping[int, float],
    *,
    target_value,
    target_year,
    comparison,
    direction="higher",
    base_year=2020,
    percent=False,
):
    """Where `series` stands against one target; None for a qualitative (worded) target."""
    if comparison == "qualitative":
        return None
    found = {"target_year": target_year, "target_value": target_value}
    if series:
        latest_year = max(series)
        found.update(latest_year=latest_year, latest_value=series[latest_year])
        if is_met(series[latest_year], target_value, comparison, direction, percent):
            return Assessment(ACHIEVED, **found)
    start, substituted = base_point(series, base_year)
    if start is None:
        return Assessment(INSUFFICIENT_DATA, **found)
    v_b, t, v_t = series[start], found["latest_year"], found["latest_value"]
    found.update(base_year=start, base_value=v_b, base_substituted=substituted)
    growth = cagr(v_b, v_t, t - start)
    if growth is None:
        slope, intercept = linear_fit([(y, v) for y, v in series.items() if y >= start])
        anticipated, method = slope * target_year + intercept, "linear"
    else:
        anticipated, method = v_t * (1 + growth) ** (target_year - t), "cagr"
    if target_value == v_b:
        # Already at the target in the base year, yet not meeting it now: moving away.
        return Assessment(
            REGRESSING, growth=growth, anticipated=anticipated, method=method, **found
        )
    ratio = (anticipated - v_b) / (target_value - v_b)
    required = cagr(v_b, target_value, target_year - start)
    cr = growth / required if growth is not None and required else None
    return Assessment(
        classify(ratio),
        growth=growth,
        anticipated=anticipated,
        ratio=ratio,
        required_growth=required,
        cr=cr,
        cr_status=classify_cr(cr) if cr is not None else None,
        method=method,
        **found,
    )


def parity_series(urban, rural, direction="higher"):
    """Rural ÷ urban per year (urban ÷ rural where lower is better), rising to 1 at parity."""
    ratios = {}
    for year in sorted(set(urban) & set(rural)):
        top, bottom = (
            (urban[year], rural[year]) if direction == "lower" else (rural[year], urban[year])
        )
        if bottom:
            ratios[year] = top / bottom
    return ratios


def assess_parity(urban, rural, *, share, target_year, direction="higher", base_year=2020):
    """A parity target (rural reaches `share` of urban), assessed on the ratio series."""
    return assess(
        parity_series(urban, rural, direction),
        target_value=share,
        target_year=target_year,
        comparison="minimum",
        base_year=base_year,
    )


@dataclass(frozen=True)
class GapYear:
    year: int
    urban: float
    rural: float
    ratio: float | None  # rural ÷ urban
    difference: float  # urban − rural


@dataclass(frozen=True)
class Gap:
    years: list
    trend: str | None = None  # closing, widening, steady
    years_to_parity: float | None = None
    parity_year: int | None = None


def gap(urban, rural, *, direction="higher", window=5):
    """The urban–rural gap per year; its trend over the latest `window` years; parity at pace.

    The gap is measured as the distance rural has to go: urban − rural where higher is better,
    rural − urban where lower is better; a linear pace over the window gives years to parity.
    """
    common = sorted(set(urban) & set(rural))
    rows = [
        GapYear(
            y, urban[y], rural[y], rural[y] / urban[y] if urban[y] else None, urban[y] - rural[y]
        )
        for y in common
    ]
    if len(rows) < 2:
        return Gap(rows)
    recent = [r for r in rows if r.year > rows[-1].year - window]
    if len(recent) < 2:
        recent = rows[-2:]
    sign = -1 if direction == "lower" else 1
    shortfall = [(r.year, sign * r.difference) for r in recent]
    slope, _intercept = linear_fit(shortfall)
    latest_year, latest_gap = shortfall[-1]
    scale = max(abs(latest_gap), abs(shortfall[0][1]), 1e-9)
    if abs(slope) * (shortfall[-1][0] - shortfall[0][0]) < 0.01 * scale:
        trend = "steady"
    else:
        trend = "closing" if slope * (1 if latest_gap >= 0 else -1) < 0 else "widening"
    if latest_gap <= 0:
        return Gap(rows, trend, 0.0, latest_year)
    if trend != "closing":
        return Gap(rows, trend)
    years = latest_gap / -slope
    return Gap(rows, trend, years, latest_year + int(-(-years // 1)))


def projection(series, *, until=2035, base_year=2020, lower=None, upper=None):
    """[(year, value)] from the latest year to `until` at the current pace, within bounds."""
    start, _substituted = base_point(series, base_year)
    if start is None:
        start, _substituted = base_point(series, min(series, default=base_year))
    if start is None:
        return []
    latest = max(series)
    growth = cagr(series[start], series[latest], latest - start)
    if growth is None:
        slope, intercept = linear_fit([(y, v) for y, v in series.items() if y >= start])

        def at(year):
            return series[latest] + slope * (year - latest)
    else:

        def at(year):
            return series[latest] * (1 + growth) ** (year - latest)

    path = []
    for year in range(latest, until + 1):
        value = at(year)
        if upper is not None:
            value = min(value, upper)
        if lower is not None:
            value = max(value, lower)
        path.append((year, value))
    return path


def project(series, years=(2025, 2035), **kwargs):
    """{year: projected value} for the given years at or after the latest year."""
    path = dict(projection(series, until=max(years), **kwargs))
    return {year: path[year] for year in years if year in path}


def required_path(base_year, base_value, target_year, target_value):
    """[(year, value)] from base to target at the constant rate the target requires."""
    growth = cagr(base_value, target_value, target_year - base_year)
    path = []
    for year in range(base_year, target_year + 1):
        if growth is None:
            share = (year - base_year) / (target_year - base_year)
            value = base_value + share * (target_value - base_value)
        else:
            value = base_value * (1 + growth) ** (year - base_year)
        path.append((year, value))
    return path

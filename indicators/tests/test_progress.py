"""The progress methodology against hand-computed cases (UNSD SDG Progress Chart method).

Each case shows its arithmetic. Notation: v_b base value, v_t latest, v* target, T target year,
CAGR = (v_t / v_b) ** (1 / (t - b)) - 1, v_e = v_t * (1 + CAGR) ** (T - t) = v_b * (1 + CAGR) **
(T - b), P = (v_e - v_b) / (v* - v_b), R = (v* / v_b) ** (1 / (T - b)) - 1, CR = CAGR / R.
"""

import pytest
from django.utils import translation
from hypothesis import assume, given
from hypothesis import strategies as st

from indicators import progress


def by_2025(series, target, comparison="minimum", **kw):
    return progress.assess(
        series, target_value=target, target_year=2025, comparison=comparison, **kw
    )


# The classes of the 2023 method


def test_a_latest_value_that_meets_the_target_is_achieved():
    # 92 >= 90.
    result = by_2025({2020: 80, 2023: 92}, 90)
    assert result.status == progress.ACHIEVED
    assert result.cr_status == progress.ACHIEVED
    assert not result.disagrees


def test_a_fast_enough_rise_is_on_track():
    # CAGR = (72 / 50) ** (1/2) - 1 = 0.2; v_e = 72 * 1.2 ** 3 = 124.416;
    # P = (124.416 - 50) / (100 - 50) = 1.48832.
    result = by_2025({2020: 50, 2022: 72}, 100)
    assert result.growth == pytest.approx(0.2)
    assert result.anticipated == pytest.approx(124.416)
    assert result.ratio == pytest.approx(1.48832)
    assert result.status == progress.ON_TRACK
    assert result.method == progress.CAGR


def test_a_rise_at_half_the_pace_needed_is_moderate():
    # CAGR = 1.1025 ** (1/2) - 1 = 0.05; v_e = 110.25 * 1.05 ** 3 = 127.6282;
    # P = 27.6282 / (150 - 100) = 0.55256.
    result = by_2025({2020: 100, 2022: 110.25}, 150)
    assert result.ratio == pytest.approx(0.55256, abs=1e-5)
    assert result.status == progress.MODERATE


def test_a_slow_rise_is_marginal():
    # CAGR = 1.0404 ** (1/2) - 1 = 0.02; v_e = 104.04 * 1.02 ** 3 = 110.4081;
    # P = 10.4081 / 50 = 0.20816.
    result = by_2025({2020: 100, 2022: 104.04}, 150)
    assert result.ratio == pytest.approx(0.20816, abs=1e-5)
    assert result.status == progress.MARGINAL


def test_a_barely_moving_series_is_stagnating():
    # v_e = 100 * 1.01 ** (5/2) = 102.5188; P = 2.5188 / 50 = 0.05038.
    result = by_2025({2020: 100, 2022: 101}, 150)
    assert result.ratio == pytest.approx(0.05038, abs=1e-5)
    assert result.status == progress.STAGNATING


def test_a_series_moving_away_from_the_target_is_regressing():
    # v_e = 100 * 0.96 ** (5/2) = 90.2980; P = -9.7020 / 50 = -0.19404.
    result = by_2025({2020: 100, 2022: 96}, 150)
    assert result.ratio == pytest.approx(-0.19404, abs=1e-5)
    assert result.status == progress.REGRESSING


def test_a_single_point_from_the_base_year_on_is_insufficient_data():
    result = by_2025({2020: 70}, 90)
    assert result.status == progress.INSUFFICIENT_DATA
    assert result.ratio is None and result.method is None


def test_points_only_before_the_base_year_are_insufficient_data():
    # 2018 is before the base; 2023 alone leaves one point.
    result = by_2025({2018: 60, 2023: 70}, 90)
    assert result.status == progress.INSUFFICIENT_DATA
    assert (result.latest_year, result.latest_value) == (2023, 70)


def test_an_empty_series_is_insufficient_data():
    result = by_2025({}, 90)
    assert result.status == progress.INSUFFICIENT_DATA
    assert result.base_year is None and result.latest_year is None


def test_a_single_point_that_meets_the_target_is_still_achieved():
    assert by_2025({2023: 95}, 90).status == progress.ACHIEVED


# Directions and comparisons


def test_a_falling_rate_against_an_at_most_target_is_on_track():
    # Lower is better. CAGR = (8.1 / 10) ** (1/2) - 1 = -0.1; v_e = 8.1 * 0.9 ** 3 = 5.9049;
    # P = (5.9049 - 10) / (6 - 10) = 1.023775.
    result = by_2025({2020: 10, 2022: 8.1}, 6, "maximum", direction="lower")
    assert result.ratio == pytest.approx(1.023775)
    assert result.status == progress.ON_TRACK


def test_a_rising_rate_against_an_at_most_target_is_regressing():
    # v_e = 12.1 * 1.1 ** 3 = 16.1051; P = (16.1051 - 10) / (5 - 10) = -1.22102.
    result = by_2025({2020: 10, 2022: 12.1}, 5, "maximum", direction="lower")
    assert result.ratio == pytest.approx(-1.22102)
    assert result.status == progress.REGRESSING


def test_a_value_under_an_at_most_target_is_achieved():
    assert by_2025({2020: 10, 2023: 4.8}, 5, "maximum").status == progress.ACHIEVED


def test_a_value_under_an_at_least_target_is_not_achieved():
    assert by_2025({2020: 80, 2023: 89.9}, 90, "minimum").status != progress.ACHIEVED


@pytest.mark.parametrize(
    ("direction", "latest", "achieved"),
    [
        ("higher", 92, True),  # 92 >= 90
        ("higher", 88, False),
        ("lower", 88, True),  # 88 <= 90
        ("lower", 92, False),
        ("neutral", 90.4, True),  # |90.4 - 90| = 0.4 <= 0.5% of 90 = 0.45
        ("neutral", 90.5, False),  # 0.5 > 0.45
    ],
)
def test_an_exact_target_is_read_in_the_indicators_direction(direction, latest, achieved):
    result = by_2025({2020: 70, 2023: latest}, 90, "exact", direction=direction)
    assert (result.status == progress.ACHIEVED) is achieved


def test_a_rate_within_half_a_point_of_a_100_percent_target_is_achieved():
    # 100 - 99.6 = 0.4 <= 0.5.
    assert by_2025({2020: 98, 2023: 99.6}, 100, percent=True).status == progress.ACHIEVED


def test_a_rate_within_half_a_point_of_a_0_percent_target_is_achieved():
    # 0.4 - 0 = 0.4 <= 0.5.
    result = by_2025({2020: 3, 2023: 0.4}, 0, "maximum", direction="lower", percent=True)
    assert result.status == progress.ACHIEVED


def test_the_half_point_tolerance_is_for_percentages_only():
    # Not a percentage: 99.6 < 100 is not met. v_e = 98 * (99.6 / 98) ** (5/3) = 100.6812,
    # P = 2.6812 / 2 = 1.3406.
    result = by_2025({2020: 98, 2023: 99.6}, 100)
    assert result.status == progress.ON_TRACK
    assert result.ratio == pytest.approx(1.3406, abs=1e-4)


def test_a_rate_more_than_half_a_point_short_of_100_is_not_achieved():
    assert by_2025({2020: 98, 2023: 99.4}, 100, percent=True).status != progress.ACHIEVED


def test_a_qualitative_target_is_not_assessed():
    assert progress.assess({2020: 1, 2023: 2}, target_value=0, target_year=2035,
                           comparison="qualitative") is None  # fmt: skip


def test_a_parity_target_must_go_through_assess_parity():
    with pytest.raises(ValueError, match="assess_parity"):
        by_2025({2020: 1, 2023: 2}, 0.9, "parity")


def test_an_unknown_comparison_is_named_in_the_error():
    with pytest.raises(ValueError, match="'roughly'"):
        by_2025({2020: 1, 2023: 2}, 3, "roughly")


def test_a_target_year_before_the_base_year_is_refused():
    with pytest.raises(ValueError, match="2019"):
        progress.assess({2020: 1}, target_value=3, target_year=2019, comparison="minimum")


def test_falling_back_from_a_base_that_met_the_target_is_regressing():
    # v_b = 95 already >= 90; 85 no longer is: P's sign would mean nothing.
    result = by_2025({2020: 95, 2023: 85}, 90)
    assert result.status == progress.REGRESSING
    assert result.ratio is None


# Base year


def test_a_missing_base_year_is_replaced_by_the_next_year_and_flagged():
    # 2019 is before the base; 2021 stands in for 2020. CAGR = (80 / 70) ** (1/2) - 1 = 0.069045;
    # v_e = 70 * 1.069045 ** 4 = 91.4286; P = (91.4286 - 70) / (100 - 70) = 0.71429.
    result = by_2025({2019: 60, 2021: 70, 2023: 80}, 100)
    assert (result.base_year, result.base_value) == (2021, 70)
    assert result.base_substituted
    assert result.growth == pytest.approx(0.069045, abs=1e-6)
    assert result.ratio == pytest.approx(0.71429, abs=1e-5)
    assert result.status == progress.MODERATE


def test_a_present_base_year_is_not_flagged():
    assert not by_2025({2019: 60, 2020: 70, 2023: 80}, 100).base_substituted


def test_another_base_year_can_be_asked_for():
    # From 2015: CAGR = (80 / 40) ** (1/8) - 1; v_e = 40 * 2 ** (10/8) = 95.1366;
    # P = 55.1366 / 60 = 0.91894.
    result = by_2025({2015: 40, 2020: 70, 2023: 80}, 100, base_year=2015)
    assert result.ratio == pytest.approx(0.91894, abs=1e-5)


# Linear fallback


def test_a_zero_base_falls_back_to_a_least_squares_line():
    # Points (2020, 0), (2021, 3), (2022, 3): slope = ((-1)(-2) + 0(1) + 1(1)) / 2 = 1.5;
    # v_e = 3 + 1.5 * (2025 - 2022) = 7.5; P = 7.5 / 10 = 0.75.
    result = by_2025({2020: 0, 2021: 3, 2022: 3}, 10)
    assert result.method == progress.LINEAR
    assert result.growth is None
    assert result.anticipated == pytest.approx(7.5)
    assert result.ratio == pytest.approx(0.75)
    assert result.status == progress.MODERATE
    assert result.cr is None and result.cr_status is None and not result.disagrees


def test_a_negative_base_falls_back_to_a_least_squares_line():
    # slope = (2 - -2) / 2 = 2; v_e = 2 + 2 * 3 = 8; P = (8 - -2) / (10 - -2) = 10 / 12.
    result = by_2025({2020: -2, 2022: 2}, 10)
    assert result.method == progress.LINEAR
    assert result.ratio == pytest.approx(10 / 12)


def test_the_anticipated_value_is_clipped_to_the_valid_range():
    # v_e = 72 * 1.2 ** 3 = 124.416 -> 100; P = (100 - 50) / (100 - 50) = 1.
    result = by_2025({2020: 50, 2022: 72}, 100, upper=100)
    assert result.anticipated == 100
    assert result.ratio == pytest.approx(1)


def test_after_the_target_year_the_latest_value_is_what_counts():
    # T = 2025 has passed: v_e = v_t = 85; P = (85 - 70) / (100 - 70) = 0.5.
    result = by_2025({2020: 70, 2027: 85}, 100)
    assert result.anticipated == 85
    assert result.ratio == pytest.approx(0.5)


# The second opinion (2022 method)


def test_the_second_opinion_compares_actual_with_required_growth():
    # CAGR = 0.05; R = 1.5 ** (1/5) - 1 = 0.084472; CR = 0.05 / 0.084472 = 0.59191: moderate.
    result = by_2025({2020: 100, 2022: 110.25}, 150)
    assert result.required_growth == pytest.approx(0.084472, abs=1e-6)
    assert result.cr == pytest.approx(0.59191, abs=1e-5)
    assert result.cr_status == progress.MODERATE
    assert not result.disagrees


def test_limited_progress_agrees_with_marginal():
    # CAGR = 0.02; R = 0.084472; CR = 0.23676: limited, P = 0.208: marginal.
    result = by_2025({2020: 100, 2022: 104.04}, 150)
    assert result.cr == pytest.approx(0.23676, abs=1e-5)
    assert (result.status, result.cr_status) == (progress.MARGINAL, progress.LIMITED)
    assert not result.disagrees


def test_limited_progress_agrees_with_stagnating():
    # CAGR = 1.01 ** (1/2) - 1 = 0.0049876; CR = 0.0049876 / 0.084472 = 0.05904: limited.
    result = by_2025({2020: 100, 2022: 101}, 150)
    assert (result.status, result.cr_status) == (progress.STAGNATING, progress.LIMITED)
    assert not result.disagrees


def test_the_second_opinion_sees_regression_too():
    # CAGR = 0.96 ** (1/2) - 1 = -0.020204; CR = -0.020204 / 0.084472 = -0.23918 < -0.1.
    result = by_2025({2020: 100, 2022: 96}, 150)
    assert result.cr == pytest.approx(-0.23918, abs=1e-5)
    assert result.cr_status == progress.REGRESSING
    assert not result.disagrees


def test_the_two_methods_can_disagree():
    # CAGR = (116.64 / 100) ** (1/2) - 1 = 0.08; v_e = 100 * 1.08 ** 5 = 146.9328;
    # P = 46.9328 / 100 = 0.46933: marginal. R = 2 ** (1/5) - 1 = 0.148698;
    # CR = 0.08 / 0.148698 = 0.53800: moderate.
    result = by_2025({2020: 100, 2022: 116.64}, 200)
    assert result.ratio == pytest.approx(0.46933, abs=1e-5)
    assert result.cr == pytest.approx(0.53800, abs=1e-5)
    assert (result.status, result.cr_status) == (progress.MARGINAL, progress.MODERATE)
    assert result.disagrees


def test_every_status_has_a_label():
    statuses = [
        progress.ACHIEVED,
        progress.ON_TRACK,
        progress.MODERATE,
        progress.MARGINAL,
        progress.STAGNATING,
        progress.REGRESSING,
        progress.INSUFFICIENT_DATA,
        progress.LIMITED,
    ]
    assert set(progress.STATUS_LABELS) == set(statuses)
    with translation.override("en"):
        assert str(progress.STATUS_LABELS[progress.ON_TRACK]) == "On track"


def test_status_labels_read_in_chinese():
    with translation.override("zh-hans"):
        assert str(progress.STATUS_LABELS[progress.LIMITED]) == "进展有限或无进展"
        assert str(progress.TREND_LABELS[progress.CLOSING]) == "缩小"


# Parity


def test_parity_is_rural_over_urban_when_higher_is_better():
    assert progress.parity_series({2020: 100, 2022: 90}, {2020: 60, 2022: 72, 2023: 80}) == {
        2020: pytest.approx(0.6),
        2022: pytest.approx(0.8),
    }


def test_parity_is_urban_over_rural_when_lower_is_better():
    # Mortality: urban 4, rural 8 -> 4 / 8 = 0.5, rising to 1 as rural catches up.
    shares = progress.parity_series({2020: 4}, {2020: 8}, direction="lower")
    assert shares == {2020: pytest.approx(0.5)}


def test_a_parity_year_with_a_zero_denominator_is_left_out():
    assert progress.parity_series({2020: 0, 2021: 10}, {2020: 5, 2021: 5}) == {2021: 0.5}


def test_a_rural_share_rising_fast_enough_is_on_track_for_parity():
    # Shares 0.6 -> 0.72: CAGR = 1.2 ** (1/2) - 1; v_e = 0.6 * 1.2 ** (5/2) = 0.946466;
    # P = (0.946466 - 0.6) / (0.9 - 0.6) = 1.15489.
    result = progress.assess_parity(
        {2020: 100, 2022: 100}, {2020: 60, 2022: 72}, share=0.9, target_year=2025
    )
    assert result.ratio == pytest.approx(1.15489, abs=1e-5)
    assert result.status == progress.ON_TRACK


def test_a_falling_rural_mortality_is_measured_as_urban_over_rural():
    # Shares 4/8 = 0.5 -> 4/6.4 = 0.625: v_e = 0.5 * 1.25 ** (5/2) = 0.873464;
    # P = (0.873464 - 0.5) / (0.9 - 0.5) = 0.93366: moderate.
    result = progress.assess_parity(
        {2020: 4, 2022: 4}, {2020: 8, 2022: 6.4}, share=0.9, target_year=2025, direction="lower"
    )
    assert result.ratio == pytest.approx(0.93366, abs=1e-5)
    assert result.status == progress.MODERATE


def test_rural_at_the_stated_share_of_urban_has_achieved_parity():
    result = progress.assess_parity(
        {2020: 100, 2023: 100}, {2020: 80, 2023: 91}, share=0.9, target_year=2035
    )
    assert result.status == progress.ACHIEVED


# The urban-rural gap


def yearly(start, values):
    return {start + i: value for i, value in enumerate(values)}


def test_the_gap_gives_ratio_and_difference_per_year_oldest_first():
    result = progress.gap({2021: 100, 2020: 80, 2019: 70}, {2020: 60, 2021: 90})
    assert [(y.year, y.ratio, y.difference) for y in result.years] == [
        (2020, pytest.approx(0.75), 20),
        (2021, pytest.approx(0.9), 10),
    ]


def test_a_narrowing_gap_is_closing_with_years_to_parity():
    # Difference 30, 28, ..., 20 over 2018-2023: pace -2 a year; 20 / 2 = 10 years -> 2033.
    result = progress.gap(yearly(2018, [100] * 6), yearly(2018, [70, 72, 74, 76, 78, 80]))
    assert result.trend == progress.CLOSING
    assert result.years_to_parity == pytest.approx(10)
    assert result.parity_year == 2033


def test_a_growing_gap_is_widening_and_never_reaches_parity():
    result = progress.gap(yearly(2018, [100] * 6), yearly(2018, [80, 78, 76, 74, 72, 70]))
    assert result.trend == progress.WIDENING
    assert result.years_to_parity is None and result.parity_year is None


def test_an_unchanging_gap_is_steady_and_not_closing_at_the_current_pace():
    result = progress.gap(yearly(2018, [100] * 6), yearly(2018, [80] * 6))
    assert result.trend == progress.STEADY
    assert result.years_to_parity is None


def test_a_lower_is_better_gap_is_rural_above_urban():
    # Mortality: rural 8, 7.5, ..., 6 over urban 4: shortfall 4 -> 2 at -0.5 a year;
    # 2 / 0.5 = 4 years -> 2027.
    result = progress.gap(
        yearly(2019, [4] * 5), yearly(2019, [8, 7.5, 7, 6.5, 6]), direction="lower"
    )
    assert result.years[-1].difference == -2
    assert result.trend == progress.CLOSING
    assert result.years_to_parity == pytest.approx(4)
    assert result.parity_year == 2027


def test_the_gap_trend_looks_only_at_the_latest_window():
    # 2010 -> 2015 widened (10 -> 40); 2018-2023 closes at 2 a year (30 -> 20).
    urban = {2010: 100, 2015: 100, **yearly(2018, [100] * 6)}
    rural = {2010: 90, 2015: 60, **yearly(2018, [70, 72, 74, 76, 78, 80])}
    result = progress.gap(urban, rural)
    assert result.trend == progress.CLOSING
    assert result.years_to_parity == pytest.approx(10)


def test_rural_already_at_urban_needs_no_years_to_parity():
    result = progress.gap({2020: 90, 2023: 95}, {2020: 85, 2023: 96})
    assert result.years_to_parity == 0
    assert result.parity_year == 2023


def test_one_shared_year_gives_no_gap_trend():
    result = progress.gap({2020: 90, 2021: 91}, {2021: 80})
    assert len(result.years) == 1
    assert result.trend is None and result.years_to_parity is None


# Projection and required path


def test_projection_runs_yearly_from_the_latest_value_at_the_current_rate():
    # CAGR = (96.8 / 80) ** (1/2) - 1 = 0.1: 2023 = 96.8 * 1.1 = 106.48.
    path = progress.projection({2020: 80, 2022: 96.8}, until=2025)
    assert [year for year, _ in path] == [2022, 2023, 2024, 2025]
    assert path[0] == (2022, 96.8)
    assert path[1][1] == pytest.approx(106.48)


def test_projection_is_clipped_to_the_valid_range():
    path = progress.projection({2020: 80, 2022: 96.8}, upper=100)
    assert path[-1] == (2035, 100)
    assert max(value for _, value in path) == 100


def test_projection_of_a_falling_value_stops_at_the_lower_bound():
    # CAGR = -0.1 from 8.1: 2030 = 8.1 * 0.9 ** 8 = 3.487 -> 5.
    path = progress.projection({2020: 10, 2022: 8.1}, lower=5)
    assert dict(path)[2030] == 5
    assert min(value for _, value in path) == 5


def test_project_gives_the_values_at_2025_and_2035():
    # 96.8 * 1.1 ** 3 = 128.8408; 96.8 * 1.1 ** 13 = 334.1799.
    assert progress.project({2020: 80, 2022: 96.8}) == {
        2025: pytest.approx(128.8408),
        2035: pytest.approx(334.1799, abs=1e-4),
    }


def test_project_clips_to_100():
    assert progress.project({2020: 80, 2022: 96.8}, upper=100) == {2025: 100, 2035: 100}


def test_project_with_a_zero_base_is_linear():
    # slope (4 - 0) / 2 = 2: 2025 = 4 + 2 * 3 = 10; 2035 = 4 + 2 * 13 = 30.
    assert progress.project({2020: 0, 2022: 4}) == {2025: 10, 2035: 30}


def test_project_leaves_out_years_already_observed():
    assert progress.project({2020: 80, 2026: 90}) == {2035: pytest.approx(90 * (9 / 8) ** 1.5)}


def test_projection_needs_two_points():
    assert progress.projection({2021: 80}) == []
    assert progress.project({2021: 80}) == {}


def test_the_required_path_joins_base_and_target_at_the_required_rate():
    # R = 2 ** (1/5) - 1: 2021 = 50 * 2 ** (1/5) = 57.4349.
    path = progress.required_path(2020, 50, 2025, 100)
    assert path[0] == (2020, 50)
    assert path[-1] == (2025, 100)
    assert len(path) == 6
    assert path[1][1] == pytest.approx(57.4349, abs=1e-4)


def test_the_required_path_from_zero_is_a_straight_line():
    assert progress.required_path(2020, 0, 2025, 10) == [
        (2020, 0),
        (2021, 2),
        (2022, 4),
        (2023, 6),
        (2024, 8),
        (2025, 10),
    ]


# Properties

values = st.integers(min_value=1, max_value=1000)
years = st.integers(min_value=2021, max_value=2024)


@given(base=values, latest=values, target=values, year=years, scale=st.floats(0.01, 100))
def test_the_progress_ratio_does_not_depend_on_the_unit(base, latest, target, year, scale):
    assume(target != base)
    plain = by_2025({2020: base, year: latest}, target)
    scaled = by_2025({2020: base * scale, year: latest * scale}, target * scale)
    if plain.ratio is None:
        assert scaled.ratio is None
    else:
        assert scaled.ratio == pytest.approx(plain.ratio, rel=1e-9, abs=1e-9)


@given(
    series=st.dictionaries(years | st.just(2020), values, min_size=1),
    target=values,
    comparison=st.sampled_from(["minimum", "maximum"]),
)
def test_a_series_whose_latest_value_meets_the_target_is_achieved(series, target, comparison):
    latest = series[max(series)]
    assume(latest >= target if comparison == "minimum" else latest <= target)
    assert by_2025(series, target, comparison).status == progress.ACHIEVED


@given(series=st.dictionaries(st.integers(2020, 2024), st.floats(0, 100), min_size=2))
def test_a_projected_rate_stays_within_0_and_100(series):
    for _, value in progress.projection(series, lower=0, upper=100):
        assert 0 <= value <= 100

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from indicators.models import Indicator, Observation, Region, Target, format_value

from .factories import country, observe, province, rate, target

pytestmark = pytest.mark.django_db


def violates_constraint(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_one_value_per_indicator_region_area_year():
    water = rate()
    observe(water, country(), 2022, 87)
    violates_constraint(lambda: observe(water, country(), 2022, 88))


def test_same_cell_in_another_area_or_year_is_allowed():
    water = rate()
    observe(water, country(), 2022, 87)
    observe(water, country(), 2022, 99, area="urban")
    observe(water, country(), 2023, 90)
    assert Observation.objects.count() == 3


def test_database_refuses_an_unknown_area():
    violates_constraint(lambda: observe(rate(), country(), 2022, 50, area="town"))


@pytest.mark.parametrize("year", [1948, 2101])
def test_database_refuses_a_year_outside_the_storable_range(year):
    violates_constraint(lambda: observe(rate(), country(), year, 50))


def test_database_refuses_an_unknown_comparison():
    violates_constraint(lambda: target(rate(), 2025, 90, comparison="roughly"))


def test_database_refuses_a_numeric_target_without_value():
    violates_constraint(lambda: target(rate(), 2025, None, comparison="minimum"))


def test_database_refuses_a_qualitative_target_with_a_value():
    violates_constraint(lambda: target(rate(), 2035, 90, comparison="qualitative"))


def test_database_refuses_a_parity_target_without_a_share():
    violates_constraint(lambda: target(rate(), 2035, None, comparison="parity"))


def test_a_parity_target_holds_its_share():
    parity = target(rate(), 2035, None, comparison="parity", parity_share=0.9)
    assert Target.objects.get(pk=parity.pk).parity_share == 0.9


def test_database_refuses_a_base_year_after_the_target_year():
    violates_constraint(lambda: target(rate(), 2025, 90, base_year=2026))


def test_database_refuses_an_inverted_valid_range():
    violates_constraint(lambda: rate(min_value=100, max_value=0))


def test_database_refuses_a_region_code_that_is_not_six_characters():
    violates_constraint(
        lambda: Region.objects.create(code="1100", name_zh="北京", level="province")
    )


def test_database_refuses_an_unknown_region_level():
    violates_constraint(lambda: Region.objects.create(code="110000", name_zh="北京", level="city"))


def test_validation_names_indicator_range_and_value_for_a_rate_above_100():
    water = rate()
    obs = Observation(
        indicator=water, region=country(), area="rural", year=2022, value=130, source="x"
    )
    with translation.override("en"):
        with pytest.raises(ValidationError) as caught:
            obs.full_clean()
        message = caught.value.message_dict["value"][0]
        assert "130" in message
        assert "Tap (piped) water coverage" in message
        assert "0 – 100" in message


def test_validation_message_is_in_chinese_by_default():
    obs = Observation(
        indicator=rate(), region=country(), area="rural", year=2022, value=-1, source="x"
    )
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as caught:
            obs.full_clean()
        message = caught.value.message_dict["value"][0]
    assert "自来水普及率" in message
    assert "超出" in message


def test_validation_refuses_a_negative_count():
    clinics = rate("village_clinics", unit="count", max_value=None, areas="rural")
    obs = Observation(
        indicator=clinics, region=country(), area="rural", year=2020, value=-5, source="x"
    )
    with pytest.raises(ValidationError) as caught:
        obs.full_clean()
    assert "value" in caught.value.message_dict


def test_validation_accepts_the_range_bounds():
    water = rate()
    for value in (0, 100):
        Observation(
            indicator=water, region=country(), area="rural", year=2022, value=value, source="x"
        ).full_clean()


def test_validation_refuses_a_future_year():
    next_year = timezone.now().year + 1
    obs = Observation(
        indicator=rate(), region=country(), area="rural", year=next_year, value=5, source="x"
    )
    with translation.override("en"):
        with pytest.raises(ValidationError) as caught:
            obs.full_clean()
        assert str(next_year) in caught.value.message_dict["year"][0]


def test_validation_refuses_an_area_the_indicator_is_not_reported_for():
    clinics = rate("village_clinics", unit="count", max_value=None, areas="rural")
    obs = Observation(
        indicator=clinics, region=country(), area="urban", year=2020, value=5, source="x"
    )
    with translation.override("en"):
        with pytest.raises(ValidationError) as caught:
            obs.full_clean()
        assert "Rural" in caught.value.message_dict["area"][0]


def test_target_validation_refuses_a_value_outside_the_range():
    goal = Target(
        indicator=rate(),
        region=country(),
        area="rural",
        year=2025,
        comparison="minimum",
        value=120,
        source="x",
    )
    with pytest.raises(ValidationError) as caught:
        goal.full_clean()
    assert "value" in caught.value.message_dict


def test_region_prefix_selects_the_subtree():
    fujian = province()
    Region.objects.create(code="350100", name_zh="福州市", level="prefecture", parent=fujian)
    Region.objects.create(code="350102", name_zh="鼓楼区", level="county", parent_id="350100")
    province("110000", "北京市", "Beijing")
    assert list(Region.objects.within(fujian).values_list("code", flat=True)) == [
        "350000",
        "350100",
        "350102",
    ]
    assert Region.objects.within(country()).count() == 5


def test_names_follow_the_active_language():
    water = rate()
    with translation.override("en"):
        assert water.name == "Tap (piped) water coverage"
    with translation.override("zh-hans"):
        assert water.name == "自来水普及率"


def test_split_indicator_allows_all_three_areas():
    assert [a.value for a in rate(areas="split").allowed_areas] == ["total", "urban", "rural"]
    assert [a.value for a in rate("x", areas="total").allowed_areas] == ["total"]


@pytest.mark.parametrize(("value", "shown"), [(136424.0, "136424"), (95.32, "95.32"), (5.0, "5")])
def test_values_are_shown_as_published(value, shown):
    assert format_value(value) == shown


def test_indicator_choices_cover_the_design_domains():
    assert {
        "education",
        "health",
        "social_security",
        "social_assistance",
        "infrastructure",
        "digital",
        "culture_sports",
        "care_services",
    } == set(Indicator.Domain.values)

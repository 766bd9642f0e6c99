"""The officials' pages: overview, indicator, region scorecard, compare."""

import plotly.graph_objects as go
import pytest
from django.urls import reverse

from indicators.models import Observation

from .factories import country, observe, prefecture, province, rate, target

pytestmark = pytest.mark.django_db


@pytest.fixture
def water():
    """Rural tap water: 80 → 90 from 2020 to 2024, a 2025 target of 88 already met."""
    indicator = rate()
    nation = country()
    for year, rural, urban in [(2020, 80, 98), (2022, 85, 99), (2024, 90, 99.5)]:
        observe(indicator, nation, year, rural, area="rural")
        observe(indicator, nation, year, urban, area="urban")
    target(indicator, 2025, 88)
    target(indicator, 2035, None, comparison="qualitative", wording="基本实现农村供水现代化")
    return indicator


def en(client, url, **params):
    return client.get(url, params, HTTP_ACCEPT_LANGUAGE="en")


def test_overview_shows_latest_values_gap_and_both_target_statuses(client, water):
    html = en(client, reverse("indicators-overview")).content.decode()
    assert "Tap (piped) water coverage" in html
    assert ">90<" in html and ">99.5<" in html  # latest rural and urban
    assert "0.90" in html  # rural ÷ urban in 2024: 90 / 99.5
    assert "Achieved" in html  # 90 ≥ 88
    assert "Qualitative goal" in html  # 2035


def test_overview_is_chinese_by_default(client, water):
    html = client.get(reverse("indicators-overview")).content.decode()
    assert "自来水普及率" in html
    assert "已实现" in html


def test_overview_switches_every_card_to_the_chosen_region(client, water):
    fujian = province()
    observe(water, fujian, 2024, 77.7, area="rural")
    html = en(client, reverse("indicators-overview"), region="350000").content.decode()
    assert "77.7" in html
    assert ">90<" not in html


def test_overview_names_a_wrong_region_code_with_a_400(client, water):
    response = en(client, reverse("indicators-overview"), region="999999")
    assert response.status_code == 400
    assert "There is no region with the code “999999”" in response.content.decode()


def test_overview_query_count_does_not_grow_with_data(client, water, django_assert_num_queries):
    def load():
        with django_assert_num_queries(6):
            # 1 data version (a miss: the data changed), 2 country, 3 headline indicators,
            # 4 observations, 5 targets, 6 picker regions
            client.get(reverse("indicators-overview"))
        with django_assert_num_queries(1):
            # 1 data version (a hit)
            client.get(reverse("indicators-overview"))

    load()
    for code in ("internet_penetration", "infant_mortality_rate"):
        more = rate(code)
        for year in range(2010, 2025):
            observe(more, country(), year, 50 + year % 7)
    load()


def test_indicator_page_has_its_charts_table_and_method(client, water):
    response = en(client, reverse("indicator-detail", args=["tap_water_penetration"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="series-figure"' in html and 'id="gap-figure"' in html
    assert "How status is judged" in html
    assert "基本实现农村供水现代化" in html  # the 2035 wording is quoted
    figure = response.context["series_figure"]
    names = [trace["name"] for trace in figure["data"]]
    assert "Rural" in names and "Urban" in names
    assert any("projection" in name for name in names)
    markers = [t for t in figure["data"] if t.get("mode") == "markers+text"]
    assert [m["x"] for m in markers] == [[2025]]
    assert any(a["text"].startswith("2035") for a in figure["layout"]["annotations"])


def test_no_gap_chart_until_a_year_has_both_urban_and_rural(client, world):
    url = reverse("indicator-detail", args=["tap_water_penetration"]) + "?region=350000"
    observe(world.water, world.fujian, 2021, 99.0, area="urban")  # rural is 2022
    assert 'id="gap-figure"' not in client.get(url).content.decode()
    observe(world.water, world.fujian, 2022, 99.5, area="urban")
    assert 'id="gap-figure"' in client.get(url).content.decode()


def test_indicator_figures_are_valid_plotly(client, water):
    response = en(client, reverse("indicator-detail", args=["tap_water_penetration"]), path="1")
    for name in ("series_figure", "gap_figure", "ranking_figure"):
        go.Figure(response.context[name])  # raises on any invalid property


def test_indicator_page_loads_plotly_from_this_site(client, water):
    html = client.get(reverse("indicator-detail", args=["tap_water_penetration"])).content.decode()
    assert '<script src="/static/vendor/plotly-basic-4.1.1.min.js">' in html
    assert "cdn" not in html.lower()


def test_overview_loads_no_plotly(client, water):
    assert "plotly" not in client.get(reverse("indicators-overview")).content.decode()


def test_indicator_page_ranks_provinces_for_the_chosen_year(client, water):
    for code, name, value in [
        ("350000", "Fujian", 70),
        ("110000", "Beijing", 99),
        ("130000", "Hebei", 85),
    ]:
        observe(water, province(code, name, name), 2022, value)
    response = en(client, reverse("indicator-detail", args=["tap_water_penetration"]), year="2022")
    ranking = response.context["ranking"]
    assert [o.region.name_en for o in ranking.rows] == ["Beijing", "Hebei", "Fujian"]
    assert ranking.country_value == 85


def test_a_region_without_regions_below_is_ranked_among_its_neighbours(client, water):
    fujian = province()
    fuzhou, xiamen, putian = (
        prefecture("350100"),
        prefecture("350200", "厦门市", "Xiamen"),
        prefecture("350300", "莆田市", "Putian"),
    )
    for place, value in [(fuzhou, 80), (xiamen, 95), (putian, 70)]:
        observe(water, place, 2023, value)
        observe(water, place, 2021, value - 5)
    observe(water, fujian, 2024, 90)  # a year only the province reports
    url = reverse("indicator-detail", args=["tap_water_penetration"])
    ranking = en(client, url, region="350100").context["ranking"]
    assert [o.region.name_en for o in ranking.rows] == ["Xiamen", "Putian"]
    assert (ranking.area, ranking.years, ranking.year) == ("rural", [2023, 2021], 2023)
    below = en(client, url, region="350000", year="2021").context["ranking"]
    assert [o.value for o in below.rows] == [90, 75, 65]


def test_indicator_page_gives_404_for_an_unknown_code(client, water):
    assert client.get(reverse("indicator-detail", args=["no_such_thing"])).status_code == 404


@pytest.mark.parametrize(
    ("param", "value"), [("year", "abc"), ("area", "suburb"), ("region", "12")]
)
def test_indicator_page_explains_a_bad_parameter(client, water, param, value):
    response = en(
        client, reverse("indicator-detail", args=["tap_water_penetration"]), **{param: value}
    )
    assert response.status_code == 400
    assert f"{param}={value}" in response.content.decode()


def test_indicator_page_query_count_is_fixed(client, water, django_assert_num_queries):
    for code in ("350000", "110000"):
        observe(water, province(code), 2022, 70)
    with django_assert_num_queries(8):
        # 1 data version (a miss), 2 indicator, 3 country, 4 observations, 5 targets,
        # 6 the areas and years regions below report, 7 their rows for the year shown,
        # 8 picker regions
        client.get(reverse("indicator-detail", args=["tap_water_penetration"]))
    with django_assert_num_queries(1):
        # 1 data version (a hit)
        client.get(reverse("indicator-detail", args=["tap_water_penetration"]))


def test_region_scorecard_shows_the_national_value_beside(client, water):
    fujian = province()
    observe(water, fujian, 2023, 91.5)
    html = en(client, reverse("region-detail", args=["350000"])).content.decode()
    assert "91.5" in html and ">90<" in html
    assert "national target, shown for reference" not in html  # that phrase is the indicator page's
    assert "(national)" in html


def test_region_scorecard_links_to_regions_below(client, water):
    fujian = province()
    from indicators.models import Region

    Region.objects.create(
        code="350100", name_zh="福州市", name_en="Fuzhou", level="prefecture", parent=fujian
    )
    html = en(client, reverse("region-detail", args=["350000"])).content.decode()
    assert reverse("region-detail", args=["350100"]) in html


def test_region_scorecard_query_count_is_fixed(client, water, django_assert_num_queries):
    with django_assert_num_queries(6):
        # 1 data version (a miss), 2 region, 3 indicators, 4 observations, 5 targets,
        # 6 regions below
        client.get(reverse("region-detail", args=["100000"]))
    with django_assert_num_queries(1):
        # 1 data version (a hit)
        client.get(reverse("region-detail", args=["100000"]))


def test_region_scorecard_404_for_an_unknown_code(client, water):
    assert client.get(reverse("region-detail", args=["999999"])).status_code == 404


def test_compare_draws_lines_for_the_chosen_regions(client, water):
    fujian = province()
    observe(water, fujian, 2022, 70)
    response = en(
        client, reverse("compare"), indicator="tap_water_penetration", regions=["100000", "350000"]
    )
    figure = response.context["figure"]
    assert [t["name"] for t in figure["data"]] == ["China (national)", "Fujian"]
    go.Figure(figure)


def test_compare_draws_bars_for_one_year(client, water):
    response = en(
        client,
        reverse("compare"),
        indicator="tap_water_penetration",
        regions=["100000"],
        mode="bars",
        year="2022",
    )
    assert response.context["figure"]["data"][0]["y"] == [85]


def test_compare_refuses_more_than_ten_regions(client, water):
    codes = [f"{n}0000" for n in range(11, 23)]
    for code in codes:
        province(code)
    response = en(client, reverse("compare"), indicator="tap_water_penetration", regions=codes)
    assert response.status_code == 400
    assert "at most 10 regions" in response.content.decode()


def test_compare_query_count_is_fixed(client, water, django_assert_num_queries):
    query = {"indicator": "tap_water_penetration", "regions": ["100000"]}
    with django_assert_num_queries(6):
        # 1 data version (a miss), 2 indicator, 3 regions (both the form),
        # 4 indicators (picker), 5 observations, 6 picker regions
        client.get(reverse("compare"), query)
    with django_assert_num_queries(1):
        # 1 data version (a hit)
        client.get(reverse("compare"), query)


def test_pages_say_so_when_they_show_generated_values(client, water):
    Observation.objects.filter(year=2024).update(is_generated=True)
    for url in (
        reverse("indicators-overview"),
        reverse("indicator-detail", args=["tap_water_penetration"]),
        reverse("region-detail", args=["100000"]),
        reverse("compare") + "?indicator=tap_water_penetration",
    ):
        assert "Generated data." in en(client, url).content.decode(), url


def test_pages_without_generated_values_carry_no_such_note(client, water):
    assert "Generated data." not in en(client, reverse("indicators-overview")).content.decode()


def test_overview_shows_the_real_rural_tap_water_figure(client, reference_data):
    response = en(client, reverse("indicators-overview"))
    card = next(
        s
        for _domain, rows in response.context["domains"]
        for s in rows
        if s.indicator.code == "tap_water_penetration"
    )
    assert card.latest["rural"].value == 96 and card.latest["rural"].year == 2025
    assert card.target_2025.status == "achieved"  # 96 ≥ 88
    assert card.target_2035.status == "qualitative"


def test_a_province_sees_national_targets_only_where_it_has_figures(client, water):
    fujian = province()
    observe(water, fujian, 2022, 99.9, area="urban")  # urban only; the targets are rural
    response = en(client, reverse("region-detail", args=["350000"]))
    summaries = {s.indicator.code: s for s, _country in response.context["rows"]}
    assert summaries["tap_water_penetration"].targets == []
    observe(water, fujian, 2020, 70)
    observe(water, fujian, 2023, 72)
    response = en(client, reverse("region-detail", args=["350000"]))
    summaries = {s.indicator.code: s for s, _country in response.context["rows"]}
    shown = summaries["tap_water_penetration"].targets
    assert [t.target.year for t in shown] == [2025, 2035]
    assert all(t.national_reference for t in shown)
    # CAGR = (72/70)^(1/3) − 1 = 0.00943; v_e = 72 × 1.00943² = 73.37;
    # P = (73.37 − 70) / (88 − 70) = 0.19: marginal.
    assert shown[0].status == "marginal"

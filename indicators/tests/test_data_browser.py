import pytest
from django.urls import reverse

from indicators.models import Indicator, Observation, Region
from indicators.tests import factories

pytestmark = pytest.mark.django_db

URL = reverse("data-browser")


@pytest.fixture
def places():
    return factories.fujian_tree()


@pytest.fixture
def tap(places):
    """Tap water in every place, rural and urban, 2019–2021."""
    tap = factories.rate()
    for place in places:
        for area, base in (("rural", 80), ("urban", 95)):
            for year in (2019, 2020, 2021):
                factories.observe(tap, place, year, base + year - 2019, area=area)
    return tap


def shown(response):
    """(indicator code, region code, area, year) of every row on the page."""
    return {
        (row.record.indicator.code, row.record.region_id, row.record.area, row.record.year)
        for row in response.context["table"].paginated_rows
    }


def test_it_lists_every_value_without_a_filter(client, tap):
    response = client.get(URL)
    assert response.status_code == 200
    assert len(shown(response)) == 4 * 2 * 3


def test_it_filters_by_indicator_code(client, tap, places):
    other = factories.rate("internet_penetration", name_zh="互联网普及率", name_en="Internet")
    factories.observe(other, places[0], 2020, 70)
    response = client.get(URL, {"indicator": "internet_penetration"})
    assert shown(response) == {("internet_penetration", "350000", "rural", 2020)}


def test_it_filters_by_several_indicators(client, tap, places):
    other = factories.rate("internet_penetration", name_zh="互联网普及率", name_en="Internet")
    factories.observe(other, places[0], 2020, 70)
    response = client.get(URL, {"indicator": ["internet_penetration", tap.code]})
    assert len(shown(response)) == 4 * 2 * 3 + 1


def test_a_region_alone_means_that_region_only(client, tap):
    response = client.get(URL, {"region": "350000"})
    assert {region for _, region, _, _ in shown(response)} == {"350000"}


def test_sub_regions_are_included_by_code_prefix(client, tap):
    response = client.get(URL, {"region": "350000", "subregions": "1"})
    assert {region for _, region, _, _ in shown(response)} == {"350000", "350100", "350102"}


def test_a_prefecture_with_sub_regions_includes_its_counties_only(client, tap):
    response = client.get(URL, {"region": "350100", "subregions": "1"})
    assert {region for _, region, _, _ in shown(response)} == {"350100", "350102"}


def test_it_filters_by_level(client, tap):
    response = client.get(URL, {"level": "county"})
    assert {region for _, region, _, _ in shown(response)} == {"350102"}


def test_it_filters_by_area(client, tap):
    response = client.get(URL, {"area": "urban"})
    assert {area for _, _, area, _ in shown(response)} == {"urban"}


def test_it_filters_by_year_range(client, tap):
    response = client.get(URL, {"year_min": "2020", "year_max": "2020"})
    assert {year for *_, year in shown(response)} == {2020}


def test_it_filters_by_text_in_the_source(client, tap, places):
    factories.observe(tap, places[3], 2022, 99, source="北京市水务局 2022 年报")
    response = client.get(URL, {"source": "水务局"})
    assert shown(response) == {("tap_water_penetration", "110000", "rural", 2022)}


def test_it_filters_generated_values_in_or_out(client, tap, places):
    factories.observe(tap, places[3], 2022, 50, is_generated=True)
    generated = client.get(URL, {"generated": "yes"})
    published = client.get(URL, {"generated": "no"})
    assert shown(generated) == {("tap_water_penetration", "110000", "rural", 2022)}
    assert len(shown(published)) == 4 * 2 * 3


def test_filters_combine(client, tap):
    query = {"region": "350000", "subregions": "1", "level": "prefecture", "area": "rural"}
    response = client.get(URL, {**query, "year_min": "2020", "indicator": "tap_water_penetration"})
    assert shown(response) == {
        ("tap_water_penetration", "350100", "rural", 2020),
        ("tap_water_penetration", "350100", "rural", 2021),
    }


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"year_min": "abc"}, "year_min"),
        ({"year_max": "2020.5"}, "year_max"),
        ({"year_min": "1800"}, "year_min"),
        ({"indicator": "no_such_indicator"}, "indicator"),
        ({"region": "999999"}, "region"),
        ({"level": "galaxy"}, "level"),
        ({"area": "suburban"}, "area"),
        ({"generated": "maybe"}, "generated"),
        ({"year_min": "2021", "year_max": "2019"}, "year_max"),
    ],
)
def test_a_bad_filter_is_a_400_naming_the_field_not_a_broader_query(client, tap, query, field):
    response = client.get(URL, query)
    assert response.status_code == 400
    assert f"({field})" in response.content.decode()
    assert shown(response) == set()


def test_a_bad_page_or_sort_falls_back_instead_of_failing(client, tap):
    response = client.get(URL, {"page": "abc", "sort": "no_such_column"})
    assert response.status_code == 200
    assert len(shown(response)) == 24


def test_columns_sort_both_ways(client, tap):
    ascending = client.get(URL, {"sort": "value"}).context["table"].paginated_rows
    descending = client.get(URL, {"sort": "-value"}).context["table"].paginated_rows
    assert [row.record.value for row in ascending][0] == 80
    assert [row.record.value for row in descending][0] == 97


def test_pages_cover_every_row_once(client, places):
    tap = factories.rate()
    factories.bulk_generated([tap], places, range(2000, 2030))  # 120 rows, 50 a page
    seen = []
    for page in (1, 2, 3):
        response = client.get(URL, {"sort": "-value", "page": page})
        seen += [row.record.pk for row in response.context["table"].paginated_rows]
    assert len(seen) == len(set(seen)) == 120


def test_the_export_links_carry_the_filter_but_not_the_page(client, tap):
    html = client.get(URL, {"area": "rural", "page": "1", "sort": "year"}).content.decode()
    assert f'href="{reverse("data-export")}?area=rural"' in html
    assert f'href="{reverse("data-export-zip")}?area=rural"' in html


def test_a_page_with_generated_values_says_so(client, tap, places):
    note = "generated-note"
    assert note not in client.get(URL).content.decode()
    factories.observe(tap, places[3], 2022, 50, is_generated=True)
    assert note in client.get(URL, {"generated": "yes"}).content.decode()


def test_the_page_speaks_english_on_request(client, tap):
    html = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Data browser" in html
    assert "Tap (piped) water coverage" in html


def test_the_page_is_chinese_by_default(client, tap):
    html = client.get(URL).content.decode()
    assert "数据浏览" in html
    assert "自来水普及率" in html


def test_the_nav_links_to_the_data_browser_and_marks_it_current(client, tap):
    assert f'href="{URL}"' in client.get(reverse("indicators-overview")).content.decode()
    assert f'href="{URL}" aria-current="page"' in client.get(URL).content.decode()


@pytest.mark.parametrize("rows", [10, 400])
def test_a_page_costs_the_same_queries_whatever_the_data(
    client, places, django_assert_num_queries, rows
):
    tap = factories.rate()
    factories.bulk_generated([tap], places, range(2000, 2000 + rows // 4))
    query = {"indicator": tap.code, "region": "350000", "subregions": "1", "page": "2"}
    with django_assert_num_queries(7):
        # 1 the data version (a miss in the page cache)
        # 2 the indicator options, 3 the region options (for the filter form)
        # 4 the chosen indicators, 5 the chosen region (both while validating the filter)
        # 6 the count for the pager, 7 the page's rows with indicator and region
        client.get(URL, query)
    with django_assert_num_queries(1):
        # 1 the data version (a hit)
        client.get(URL, query)


def in_default_order(rows):
    """The default order spelled out: indicator display order, then region, area, year."""
    key = lambda o: (o.indicator.display_order, o.indicator.code, o.region_id, o.area, o.year)  # noqa: E731
    return sorted(rows, key=key)


def every_page(client, query=None):
    """Each page's rows, following the pager to its end."""
    pages, number = [], 1
    while True:
        table = client.get(URL, {**(query or {}), "page": number}).context["table"]
        pages.append([row.record for row in table.paginated_rows])
        if not table.page.has_next():
            return table.paginator.count, pages
        number += 1


@pytest.mark.parametrize(
    "display_orders",
    [
        pytest.param((10, 20, 30), id="ids in display order: the index order"),
        pytest.param((30, 10, 20), id="ids out of display order: located by counts"),
        pytest.param((10, 10, 5), id="a tie in display order: then by code"),
    ],
)
def test_the_default_order_is_display_order_then_region_area_year_on_every_page(
    client, places, display_orders
):
    # 44, 20 and 36 rows: pages of 50 start and end inside indicators and across them.
    indicators = [
        factories.rate(code, display_order=order)
        for code, order in zip(("c_third", "a_first", "b_second"), display_orders, strict=True)
    ]
    factories.bulk_generated(indicators[:1], places[:2], range(2000, 2022), area="rural")
    factories.bulk_generated(indicators[1:2], places, range(2000, 2005), area="urban")
    factories.bulk_generated(indicators[2:], places[1:], range(2000, 2012))
    expected = in_default_order(Observation.objects.select_related("indicator"))
    count, pages = every_page(client)
    assert count == len(expected) == 100
    assert [len(page) for page in pages] == [50, 50]
    assert [o.pk for page in pages for o in page] == [o.pk for o in expected]


def test_a_filtered_default_order_pages_the_same_way(client, places):
    first, second = factories.rate("b", display_order=1), factories.rate("a", display_order=2)
    Indicator.objects.filter(pk=first.pk).update(display_order=3)  # ids now out of order
    factories.bulk_generated([first, second], places, range(2000, 2020), area="rural")
    factories.bulk_generated([first, second], places, range(2000, 2020), area="urban")
    query = {"area": "rural", "region": "350000", "subregions": "1"}
    expected = in_default_order(
        Observation.objects.filter(area="rural", region__code__startswith="35").select_related(
            "indicator"
        )
    )
    count, pages = every_page(client, query)
    assert count == len(expected) == 2 * 3 * 20
    assert [o.pk for page in pages for o in page] == [o.pk for o in expected]


def test_the_region_options_are_every_region_with_the_chosen_one_selected(client, tap, places):
    html = client.get(URL, {"region": "350100"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<option value="">---------</option>' in html
    assert '<option value="350100" selected>Fuzhou (350100)</option>' in html
    assert '<option value="110000">Beijing (110000)</option>' in html
    select = html.split('<select name="region"', 1)[1].split("</select>", 1)[0]
    assert select.count("<option") == 1 + 5  # "any region", the country and the 4 places
    assert select.count(" selected") == 1


def test_region_options_are_escaped(client, tap):
    factories.region("350200", "<b>厦门</b>", "prefecture", Region.objects.get(code="350000"))
    html = client.get(URL).content.decode()
    assert "&lt;b&gt;厦门&lt;/b&gt; (350200)" in html
    assert "<b>厦门</b>" not in html

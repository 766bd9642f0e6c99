"""The officials' pages against every prefecture and county (pytest --national).

The page tests in test_dashboard_views.py pin each page's queries on a few rows;
these check the same counts hold with about two million generated rows.
"""

import pytest
from django.urls import reverse

from indicators.models import Observation, Region

pytestmark = [pytest.mark.national, pytest.mark.django_db]


def test_the_database_holds_the_whole_division_tree_and_generated_values():
    assert Region.objects.filter(level="county").count() > 2800
    assert Region.objects.filter(level="prefecture").count() > 330
    assert Observation.objects.filter(is_generated=True).count() > 1_500_000


def test_overview_makes_the_same_queries_at_national_scale(client, django_assert_num_queries):
    with django_assert_num_queries(6):
        # 1 data version (a miss), 2 country, 3 headline indicators, 4 observations,
        # 5 targets, 6 picker regions
        response = client.get(reverse("indicators-overview"))
    assert response.status_code == 200
    with django_assert_num_queries(1):  # 1 data version (a hit)
        client.get(reverse("indicators-overview"))


def test_indicator_page_makes_the_same_queries_at_national_scale(client, django_assert_num_queries):
    with django_assert_num_queries(8):
        # 1 data version (a miss), 2 indicator, 3 country, 4 observations, 5 targets,
        # 6 the areas and years regions below report, 7 their rows for the year shown,
        # 8 picker regions
        response = client.get(reverse("indicator-detail", args=["tap_water_penetration"]))
    assert response.status_code == 200
    with django_assert_num_queries(1):  # 1 data version (a hit)
        client.get(reverse("indicator-detail", args=["tap_water_penetration"]))


def test_province_scorecard_makes_the_same_queries_at_national_scale(
    client, django_assert_num_queries
):
    with django_assert_num_queries(6):
        # 1 data version (a miss), 2 region, 3 indicators, 4 observations, 5 targets,
        # 6 regions below
        response = client.get(reverse("region-detail", args=["350000"]))
    assert response.status_code == 200
    with django_assert_num_queries(1):  # 1 data version (a hit)
        client.get(reverse("region-detail", args=["350000"]))


def test_compare_makes_the_same_queries_at_national_scale(client, django_assert_num_queries):
    query = {"indicator": "tap_water_penetration", "regions": ["100000", "350000", "110000"]}
    with django_assert_num_queries(6):
        # 1 data version (a miss), 2 indicator, 3 regions (both the form),
        # 4 indicators (picker), 5 observations, 6 picker regions
        response = client.get(reverse("compare"), query)
    assert response.status_code == 200
    with django_assert_num_queries(1):  # 1 data version (a hit)
        client.get(reverse("compare"), query)


def test_data_browser_makes_the_same_queries_at_national_scale(client, django_assert_num_queries):
    with django_assert_num_queries(5):
        # 1 data version (a miss), 2 indicator options, 3 region options, 4 the count,
        # 5 the page's rows (from the index, in display order: not a sort of every row)
        response = client.get(reverse("data-browser"))
    assert response.status_code == 200
    first = [row.record for row in response.context["table"].paginated_rows]
    assert len(first) == 50
    order = [(o.indicator.display_order, o.region_id, o.area, o.year) for o in first]
    assert order == sorted(order)
    with django_assert_num_queries(1):  # 1 data version (a hit)
        client.get(reverse("data-browser"))


def test_a_county_scorecard_says_its_values_are_generated(client):
    response = client.get(reverse("region-detail", args=["350102"]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Generated data." in response.content.decode()

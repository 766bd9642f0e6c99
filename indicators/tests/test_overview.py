import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_lists_real_indicators_with_their_latest_national_value(client, reference_data):
    response = client.get(reverse("indicators-overview"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "自来水普及率" in html
    # Rural tap water: 96% in 2025 is the latest national figure in the reference data.
    assert '96 <span class="year">(2025)</span>' in html


def test_home_is_in_english_on_request(client, reference_data):
    response = client.get(reverse("indicators-overview"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Tap (piped) water coverage" in response.content.decode()


def test_home_costs_the_same_queries_whatever_the_data(
    client, reference_data, django_assert_num_queries
):
    with django_assert_num_queries(3):
        # 1 the country, 2 its observations, 3 the indicators
        client.get(reverse("indicators-overview"))

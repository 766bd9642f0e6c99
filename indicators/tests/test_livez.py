"""/livez: liveness, and the trivial view the benchmark compares every page with."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_livez_answers_ok_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("livez"))
    assert response.status_code == 200
    assert response.content == b"ok"

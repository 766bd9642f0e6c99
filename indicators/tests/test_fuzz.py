"""Random query strings and addresses on every public page: a page or a clear 4xx, never a 500."""

from urllib.parse import quote, urlencode, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators.tests.factories import HOSTILE_INDICATOR, HOSTILE_REGION, hostile_data, public_pages

pytestmark = pytest.mark.django_db

KNOWN = ["region", "year", "area", "indicator", "regions", "mode", "path"]
PATHS = sorted({urlsplit(page).path for page in public_pages()})

values = st.one_of(
    st.text(max_size=40),  # any unicode, NUL and control characters included
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["", "total", "urban", "rural", "lines", "bars", "1", "0", "on", "2023"]),
    st.sampled_from([HOSTILE_REGION, HOSTILE_INDICATOR, "100000", "%", "'", "\x00", "٣"]),
)
names = st.one_of(st.sampled_from(KNOWN), st.text(max_size=10))
queries = st.lists(st.tuples(names, values), max_size=8)


@pytest.fixture
def hostile(db):
    hostile_data()


@pytest.mark.parametrize("path", PATHS)
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(query=queries)
def test_no_query_string_breaks_a_page(client, hostile, path, query):
    response = client.get(f"{path}?{urlencode(query)}")
    assert response.status_code in {200, 400}, response.content[:500]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(code=st.text(min_size=1, max_size=30))
def test_no_region_code_in_the_address_breaks_the_scorecard(client, hostile, code):
    response = client.get(f"/regions/{quote(code, safe='')}/")
    assert response.status_code in {200, 404}

import pytest
from django.test import RequestFactory
from django.utils import translation
from django_tables2 import RequestConfig

from indicators.models import Indicator, Observation
from indicators.tables import ObservationTable, SeriesTable
from indicators.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows():
    """Values of every kind a cell shows: split areas, generated or not, a missing source."""
    places = factories.fujian_tree()
    tap = factories.rate()
    doctors = factories.rate(
        "licensed_doctors_per_1000", unit="per 1000 population", areas="total", min_value=None
    )
    for place in places:
        factories.observe(tap, place, 2020, 91.5, area="urban")
        factories.observe(doctors, place, 2021, 3, area="total", is_generated=True)
    factories.observe(tap, places[0], 2021, 1e-7, area="rural", source="")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("query", [{}, {"sort": "-value"}, {"sort": "is_generated", "page": "1"}])
def test_the_browser_rows_are_the_html_django_tables2_would_render(rows, language, query):
    request = RequestFactory().get("/data/", query)
    with translation.override(language):
        table = ObservationTable(
            Observation.objects.for_browser(), indicators=list(Indicator.objects.all())
        )
        RequestConfig(request).configure(table)
        ours = table.as_html(request)
        table.template_name = "django_tables2/table.html"
        assert ours == table.as_html(request)
    assert '<td class="source">—</td>' in ours  # the missing source, as django-tables2 shows it
    assert '<span class="true">' in ours and '<span class="false">' in ours


@pytest.mark.parametrize("hidden", [(), ("total",), ("ratio", "difference")])
def test_the_series_rows_are_the_html_django_tables2_would_render(hidden):
    rows = [
        {
            "year": 2021,
            "total": None,
            "urban": 91.5,
            "rural": 80,
            "ratio": 0.8743,
            "difference": 11.5,
        },
        {"year": 2020, "total": 85.25, "urban": 90, "rural": 1e-7, "ratio": 0.0, "difference": 0.0},
        {
            "year": 2019,
            "total": 84,
            "urban": None,
            "rural": None,
            "ratio": None,
            "difference": None,
        },
    ]
    table = SeriesTable(rows)
    for name in hidden:
        table.columns.hide(name)
    ours = table.as_html(RequestFactory().get("/"))
    table.template_name = "django_tables2/table.html"
    assert ours == table.as_html(RequestFactory().get("/"))
    assert "0.874" in ours or "ratio" in hidden

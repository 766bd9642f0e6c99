import pytest
from django.test import RequestFactory
from django.utils import translation
from django_tables2 import RequestConfig

from indicators.models import Indicator, Observation
from indicators.tables import ObservationTable
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

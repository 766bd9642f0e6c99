"""Names that are injection attempts render as text on every page (server-side escaping)."""

import json
import re

import pytest

from indicators.tests.factories import HOSTILE_NAMES, hostile_data, public_pages

pytestmark = pytest.mark.django_db

INVALID_QUERIES = [f"/?region={name}" for name in HOSTILE_NAMES] + [
    f"/compare/?indicator={name}" for name in HOSTILE_NAMES
]


@pytest.fixture
def hostile(db):
    return hostile_data()


def json_script_blocks(html):
    return re.findall(r'<script id="[^"]+" type="application/json">(.*?)</script>', html, re.S)


@pytest.mark.parametrize("path", public_pages() + INVALID_QUERIES)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_hostile_names_are_escaped_on_the_page(client, hostile, path, language):
    client.cookies["django_language"] = language
    response = client.get(path)
    assert response.status_code in {200, 400}
    html = response.content.decode()
    for name in HOSTILE_NAMES:
        assert name not in html
    # They are there, as text: the page shows the names, it does not drop them.
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html or (
        "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    )
    assert "<img" not in html


def strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


CHART_PAGES = [p for p in public_pages() if p.startswith(("/indicators/", "/compare/"))]


@pytest.mark.parametrize("path", CHART_PAGES)
def test_chart_data_keeps_the_names_inside_json_script(client, hostile, path):
    html = client.get(path).content.decode()
    blocks = json_script_blocks(html)
    assert blocks, "page has no chart data"
    # json_script escapes <, > and & so the data cannot close its <script> element...
    assert all("<" not in block and ">" not in block for block in blocks)
    # ...and the names survive the round trip, for plotly to show as text.
    shown = " ".join(text for block in blocks for text in strings(json.loads(block)))
    assert any(name in shown for name in HOSTILE_NAMES)

"""axe-core in Chromium: no serious or critical violation on the officials' pages."""

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every page in Chinese; the English layout differs only in text, so a sample suffices.
PAGES = [
    ("zh-CN", "/"),
    ("zh-CN", "/indicators/tap_water_penetration/"),
    ("zh-CN", "/indicators/infant_mortality_rate/?region=110000&path=1"),
    ("zh-CN", "/regions/350000/"),
    ("zh-CN", "/compare/?indicator=tap_water_penetration&regions=100000&regions=350000"),
    ("zh-CN", "/compare/?indicator=tap_water_penetration&regions=100000&mode=bars&year=2022"),
    ("zh-CN", "/indicators/tap_water_penetration/?year=abc"),
    ("en", "/?region=350000"),
    ("en", "/indicators/internet_penetration/?path=1"),
    ("en", "/regions/100000/"),
]


@pytest.mark.parametrize(("language", "path"), PAGES)
def test_page_has_no_serious_accessibility_violation(
    live_server, reference_data, browser, path, language
):
    context = browser.new_context(locale=language)
    page = context.new_page()
    try:
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        results = Axe().run(page)
        serious = [
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"]
            if v["impact"] in {"serious", "critical"}
        ]
        assert serious == []
    finally:
        context.close()

"""End-to-end journeys in real headless Chromium against the live server."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(live_server, reference_data):
    return live_server.url


def test_an_official_sees_a_real_indicator_and_value_on_the_home_page(site, page):
    page.goto(site + "/")
    card = page.locator("article.card", has=page.get_by_role("link", name="自来水普及率"))
    assert card.is_visible()
    assert "96" in card.inner_text()


def test_an_official_follows_an_indicator_from_the_overview_to_its_chart(site, page):
    page.goto(site + "/")
    page.get_by_label("地区").select_option("350000")
    page.get_by_role("button", name="显示").click()
    assert "region=350000" in page.url
    assert "福建省" in page.locator("h1").inner_text()

    page.goto(site + "/")
    page.get_by_role("link", name="自来水普及率").click()
    page.wait_for_selector("#series-chart .main-svg")
    # Both the 2025 marker and the 2035 goal are drawn in the chart.
    chart_text = page.locator("#series-chart").inner_text()
    assert "2025年目标" in chart_text
    assert "2035年目标（定性）" in chart_text

    page.get_by_role("button", name="English").click()
    page.wait_for_selector("#series-chart .main-svg")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "2025 target" in page.locator("#series-chart").inner_text()


def test_an_official_downloads_the_data_behind_the_chart(site, page):
    page.goto(site + "/indicators/tap_water_penetration/")
    with page.expect_download() as download:
        page.locator("#series-heading ~ figure a.csv").first.click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    rows = [line for line in text.splitlines()[1:] if line]
    # Every national tap-water value: rural 2020–2025 and urban 2021–2022.
    assert len(rows) == 8
    assert all(",tap_water_penetration," in f",{row}" for row in rows)

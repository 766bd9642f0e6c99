"""End-to-end journeys in real headless Chromium against the live server."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(live_server, reference_data):
    return live_server.url


def test_an_official_sees_a_real_indicator_and_value_on_the_home_page(site, page):
    page.goto(site + "/")
    row = page.get_by_role("row", name="自来水普及率")
    assert row.is_visible()
    assert "96" in row.inner_text()


def test_the_language_switch_turns_the_page_english(site, page):
    page.goto(site + "/")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.get_by_role("row", name="Tap (piped) water coverage").is_visible()
    assert page.locator("html").get_attribute("lang") == "en"

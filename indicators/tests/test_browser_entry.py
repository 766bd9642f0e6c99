"""An editor's import journey in real headless Chromium against the live server."""

import pytest
from django.utils import timezone

from indicators.tests.factories import person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = "indicator,region,area,year,value,source,note\n"


@pytest.fixture
def national_editor(reference_data):
    from indicators.models import Region

    return person("national_editor", "Editor", [Region.objects.get(code="100000")])


def choose_file(page, text):
    page.set_input_files(
        "input[type=file]",
        {"name": "water.csv", "mimeType": "text/csv", "buffer": text.encode("gb18030")},
    )
    page.locator("form[enctype] input[type=submit]").click()
    page.wait_for_load_state()


def test_an_editor_fixes_a_bad_file_imports_it_and_sees_the_value_and_its_history(
    live_server, page, national_editor
):
    year = timezone.now().year - 1
    page.goto(live_server.url + "/admin/login/?next=/admin/indicators/observation/import/")
    page.fill("#id_username", "national_editor")
    page.fill("#id_password", "pw")
    page.locator("input[type=submit]").click()
    page.wait_for_load_state()

    good = f"tap_water_penetration,100000,rural,{year},97.3,国家统计局,\n"
    choose_file(
        page,
        HEADER + good + f"tap_water_penetration,100000,urban,{year},130,国家统计局,\n"
        f"tap_water_penetration,100000,total,{year},很高,国家统计局,\n",
    )
    errors = page.locator("#import-messages tr.error")
    assert errors.count() == 2
    assert "130" in errors.nth(0).inner_text() and "很高" in errors.nth(1).inner_text()
    assert page.locator("form[action*=confirm]").count() == 0

    choose_file(page, HEADER + good)
    assert page.locator("[data-count=rejected]").inner_text() == "0"
    if page.locator("#id_accept_warnings").count():
        page.check("#id_accept_warnings")
    page.locator("form[action*=confirm] input[type=submit]").click()
    page.wait_for_load_state()

    page.goto(live_server.url + "/")
    card = page.locator("article.card", has=page.get_by_role("link", name="自来水普及率"))
    assert "97.3" in card.inner_text()

    page.goto(live_server.url + "/admin/indicators/historicalobservation/?q=national_editor")
    row = page.locator("#result_list tbody tr").first
    assert "national_editor" in row.inner_text() and "97.3" in row.inner_text()

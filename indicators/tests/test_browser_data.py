"""The data browser in real headless Chromium: filter, sort, page, download."""

import csv
import io
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from indicators.tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(live_server):
    places = factories.fujian_tree()  # Fujian, Fuzhou, Gulou district; and Beijing
    factories.bulk_generated([factories.rate()], places, range(1990, 2020))
    return live_server.url


def table_rows(page):
    """(region code, year, value) of each row in the table on screen."""
    rows = page.locator("table.data tbody tr")
    return [
        (cells[2], cells[5], cells[6])
        for cells in (rows.nth(i).locator("td").all_inner_texts() for i in range(rows.count()))
    ]


def test_an_analyst_filters_sorts_pages_and_downloads_the_same_rows(site, page):
    page.goto(site + "/data/")
    page.locator("select[name=region]").select_option("350000")
    page.get_by_label("包含下级地区").check()
    page.get_by_label("起始年份").fill("2005")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_load_state()
    query = parse_qs(urlparse(page.url).query)
    assert query["region"] == ["350000"] and query["subregions"] == ["1"]
    assert "共 45 个数值符合此筛选条件。" in page.inner_text(".data-summary")
    assert page.get_by_role("note").is_visible()  # the values are generated, and it says so

    page.get_by_role("link", name="年份").click()
    page.wait_for_load_state()
    first_page = table_rows(page)
    assert len(first_page) == 45  # one page holds them all
    assert first_page[0][1] == "2005"
    assert [year for _, year, _ in first_page] == sorted(year for _, year, _ in first_page)

    with page.expect_download() as info:
        page.get_by_role("link", name="下载 CSV（全部页）").click()
    download = info.value
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))[1:]
    assert download.suggested_filename.startswith("观测值_350000-sub_2005_")
    assert sorted((r[2], r[6], r[7]) for r in rows) == sorted(first_page)


def test_pages_follow_each_other_with_the_filter_kept(site, page):
    page.goto(site + "/data/?area=total&sort=-year")
    first = table_rows(page)
    page.locator("ul.pagination").get_by_role("link", name="2", exact=True).click()
    page.wait_for_load_state()
    second = table_rows(page)
    assert "area=total" in page.url and "sort=-year" in page.url
    assert len(first) == 50 and len(second) == 50
    assert not set(first) & set(second)
    assert first[0][1] == "2019" and second[-1][1] <= first[-1][1]


def test_a_bad_year_shows_an_error_beside_the_field(site, page):
    response = page.goto(site + "/data/?year_min=abc")
    assert response.status == 400
    assert "起始年份 (year_min)" in page.get_by_role("alert").inner_text()

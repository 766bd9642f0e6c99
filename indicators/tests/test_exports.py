import csv
import io
import itertools
import time
import tracemalloc
import zipfile
from urllib.parse import unquote

import pytest
from django.db import connection  # noqa: F401 -- read by skipif
from django.urls import reverse
from django.utils import translation

from indicators import exports
from indicators.models import Observation, Region
from indicators.tests import factories

pytestmark = pytest.mark.django_db

CSV_URL = reverse("data-export")
ZIP_URL = reverse("data-export-zip")


@pytest.fixture
def places():
    return factories.fujian_tree()


@pytest.fixture
def tap(places):
    tap = factories.rate()
    for place in places:
        for area, base in (("rural", 80), ("urban", 95)):
            for year in (2019, 2020, 2021):
                factories.observe(tap, place, year, base + (year - 2019) / 2, area=area)
    return tap


def download(client, query, url=CSV_URL, **headers):
    response = client.get(url, query, **headers)
    return response, b"".join(response.streaming_content) if response.streaming else None


def parse(body):
    """The CSV's header and rows, read back as a spreadsheet would."""
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    return rows[0], rows[1:]


def expected_rows(observations):
    """What each row should say, built from model instances rather than the export's query."""
    return [
        [
            obs.indicator.code,
            obs.indicator.name,
            obs.region_id,
            obs.region.name,
            str(obs.region.get_level_display()),
            str(obs.get_area_display()),
            str(obs.year),
            obs.display_value,
            str(obs.indicator.get_unit_display()),
            obs.source,
            obs.note,
            "否" if not obs.is_generated else "是",
        ]
        for obs in observations.select_related("indicator", "region")
    ]


def test_the_export_is_exactly_the_filtered_rows_across_every_page(client, tap, places):
    factories.bulk_generated([tap], places, range(1990, 2019))  # 116 more: past one page
    query = {"region": "350000", "subregions": "1", "area": "total", "year_min": "2000"}
    response, body = download(client, query)
    header, rows = parse(body)
    expected = Observation.objects.filter(
        region__code__startswith="35", area="total", year__gte=2000
    )
    assert response.status_code == 200
    assert len(rows) == expected.count() == 3 * 19
    assert sorted(rows) == sorted(expected_rows(expected))


def test_the_export_has_the_documented_columns_in_chinese_by_default(client, tap):
    header, _ = parse(download(client, {})[1])
    assert header == [
        "指标代码", "指标", "地区代码", "地区", "级别", "城乡", "年份", "数值",
        "单位", "来源", "备注", "生成数据",
    ]  # fmt: skip


def test_the_export_speaks_english_on_request(client, tap):
    header, rows = parse(download(client, {"area": "rural"}, HTTP_ACCEPT_LANGUAGE="en")[1])
    assert header[:4] == ["indicator code", "indicator", "region code", "region"]
    assert rows[0][1] == "Tap (piped) water coverage"
    assert rows[0][5] == "Rural"


def test_every_filter_narrows_the_export_like_the_page(client, tap, places):
    factories.observe(tap, places[3], 2022, 50, is_generated=True, source="生成")
    queries = [
        {"indicator": tap.code},
        {"region": "350100"},
        {"level": "county"},
        {"year_max": "2019"},
        {"source": "生成"},
        {"generated": "no"},
    ]
    for query in queries:
        _, rows = parse(download(client, query)[1])
        page = client.get(reverse("data-browser"), query).context["table"]
        assert len(rows) == page.paginator.count, query


def test_the_file_starts_with_a_byte_order_mark_for_excel(client, tap):
    response, body = download(client, {})
    assert body.startswith(b"\xef\xbb\xbf")
    assert response["Content-Type"] == "text/csv; charset=utf-8"


def test_the_file_name_says_what_and_when_with_an_ascii_fallback(client, tap):
    response, _ = download(client, {"indicator": tap.code, "region": "350000", "year_min": "2020"})
    disposition = response["Content-Disposition"]
    fallback = disposition.split('filename="')[1].split('"')[0]
    exact = unquote(disposition.split("filename*=UTF-8''")[1])
    assert disposition.startswith("attachment;")
    assert fallback.isascii()
    assert fallback.startswith("observations_tap_water_penetration_350000_2020_")
    assert exact.startswith("观测值_tap_water_penetration_350000_2020_")
    assert exact.endswith(".csv")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"year_min": "abc"}, "year_min"),
        ({"indicator": "no_such_indicator"}, "indicator"),
        ({"region": "999999"}, "region"),
        ({"area": "suburban"}, "area"),
    ],
)
@pytest.mark.parametrize("url", [CSV_URL, ZIP_URL])
def test_a_bad_filter_exports_nothing_and_names_the_field(client, tap, url, query, field):
    response = client.get(url, query)
    assert response.status_code == 400
    assert f"({field})" in response.content.decode()
    assert "Content-Disposition" not in response


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd", "'+cmd"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("-2+3", "'-2+3"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain text", "plain text"),
        ("2020 年", "2020 年"),
        ("", ""),
    ],
)
def test_text_that_a_spreadsheet_would_run_is_neutralised(text, cell):
    assert exports.safe_text(text) == cell


def test_formula_text_in_the_data_is_quoted_but_negative_numbers_stay_numbers(client, places):
    signed = factories.rate("net_migration", min_value=None, max_value=None, unit="count")
    factories.observe(signed, places[0], 2020, -2.5, source="=1+1", note="+cmd")
    factories.observe(signed, places[0], 2021, 3, source="@SUM(A1)", note="-2+3")
    response, body = download(client, {"indicator": "net_migration"})
    _, rows = parse(body)
    assert [row[6:] for row in rows] == [
        ["2020", "-2.5", "个", "'=1+1", "'+cmd", "否"],
        ["2021", "3", "个", "'@SUM(A1)", "'-2+3", "否"],
    ]
    # Written bare, so a spreadsheet reads the numbers as numbers.
    assert b",2020,-2.5," in body


def test_the_zip_holds_the_same_csv_and_a_readme_that_explains_it(client, tap):
    query = {"indicator": tap.code, "region": "350000", "subregions": "1", "area": "rural"}
    response, body = download(client, query, url=ZIP_URL)
    archive = zipfile.ZipFile(io.BytesIO(body))
    assert response["Content-Type"] == "application/zip"
    assert ".zip" in response["Content-Disposition"]
    assert sorted(archive.namelist()) == ["README.txt", "observations.csv"]
    csv_body = download(client, query)[1]
    assert parse(archive.read("observations.csv")) == parse(csv_body)
    readme = archive.read("README.txt").decode("utf-8-sig")
    assert "tap_water_penetration" in readme
    assert "自来水普及率" in readme
    assert "%" in readme  # the unit
    assert "test source" in readme  # the values' source
    assert "350000" in readme and "农村" in readme  # the filter used
    assert "http://testserver/data/?indicator=tap_water_penetration" in readme
    assert "导出时间" in readme


def test_exports_cost_the_same_queries_whatever_the_data(client, places, django_assert_num_queries):
    tap = factories.rate()
    factories.bulk_generated([tap], places, range(1990, 2090))
    query = {"indicator": tap.code, "region": "350000", "subregions": "1"}
    with django_assert_num_queries(3):
        # 1 the chosen indicators, 2 the chosen region, 3 the rows (read in chunks)
        download(client, query)
    with django_assert_num_queries(5):
        # 1 the chosen indicators, 2 the chosen region,
        # 3 the indicators' definitions, 4 the distinct sources (README), 5 the rows
        download(client, query, url=ZIP_URL)


def consume_peak(client, query):
    """Rows exported and the Python heap's peak while streaming them."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    response = client.get(CSV_URL, query)
    lines = sum(chunk.count(b"\n") for chunk in response.streaming_content) - 1
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return lines, peak


def test_exporting_200k_rows_streams_in_memory_that_does_not_grow_with_the_rows(client):
    fujian = factories.province()
    counties = Region.objects.bulk_create(
        Region(code=f"35{n:04d}", name_zh=f"县{n}", level="county", parent=fujian)
        for n in range(1, 2001)
    )
    created = factories.insert_generated(factories.rate(), counties, 2000, 2099)
    assert created == 200_000
    started = time.perf_counter()
    small_rows, small_peak = consume_peak(client, {"year_max": "2009"})
    large_rows, large_peak = consume_peak(client, {})
    seconds = time.perf_counter() - started
    print(
        f"\n{small_rows} rows: peak {small_peak / 1e6:.2f} MB; "
        f"{large_rows} rows: peak {large_peak / 1e6:.2f} MB; both in {seconds:.1f} s"
    )
    assert (small_rows, large_rows) == (20_000, 200_000)
    # Ten times the rows, about the same memory (not 10x): chunks are written and let go.
    assert large_peak < small_peak * 1.5


TRICKY_TEXT = ["=1+1", "+cmd", "@SUM(A1)", "-2+3", "\tx", "\rx", 'say "hi", then', "two\nlines"]
TRICKY_VALUES = [-2.5, 3, 0.1 + 0.2, 1.5e-05, -0.0, 123456.789, 1e14, -7]


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_postgresql_copy_writes_the_same_bytes_as_the_csv_module(places, language):
    signed = factories.rate("net_migration", min_value=None, max_value=None, unit="count")
    rows = itertools.zip_longest(TRICKY_TEXT, TRICKY_VALUES, fillvalue="")
    for year, (text, value) in enumerate(rows, start=2000):
        factories.observe(signed, places[year % 3], year, value or 1, source=text or "s", note=text)
    factories.observe(factories.rate(), places[0], 2020, 95, note="", is_generated=True)
    with translation.override(language):
        queryset = Observation.objects.all()
        copied = b"".join(
            exports.copy_lines(exports.export_header(), *exports.copy_statement(queryset))
        )
        rows = queryset.for_export().iterator()
        written = b"".join(exports.csv_lines(exports.export_header(), rows, exports.RowFormatter()))
    assert written.count(b"\r\n") > len(TRICKY_VALUES)  # the data really is in the file
    assert copied == written

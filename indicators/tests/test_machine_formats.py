import csv
import io
import json

import pytest
from django.urls import reverse

from indicators.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def tap():
    fujian = factories.province()
    tap = factories.rate()
    for area, values in (("rural", (80, 81.5)), ("urban", (95, 96))):
        for year, value in zip((2020, 2021), values, strict=True):
            factories.observe(tap, fujian, year, value, area=area)
    factories.observe(tap, factories.country(), 2021, 90, area="rural", is_generated=True)
    factories.target(tap, 2025, 88, wording="农村自来水普及率达到88%")
    return tap


def test_the_json_gives_the_definition_series_by_region_and_area_and_targets(client, tap):
    response = client.get(reverse("indicator-json", args=[tap.code]))
    document = response.json()
    assert response["Content-Type"] == "application/json"
    assert document["indicator"]["code"] == "tap_water_penetration"
    assert document["indicator"]["unit"] == "%"
    assert {(s["region"]["code"], s["area"]) for s in document["series"]} == {
        ("100000", "rural"),
        ("350000", "rural"),
        ("350000", "urban"),
    }
    fujian_rural = next(
        s for s in document["series"] if s["region"]["code"] == "350000" and s["area"] == "rural"
    )
    assert [(p["year"], p["value"]) for p in fujian_rural["points"]] == [(2020, 80), (2021, 81.5)]
    assert fujian_rural["region"]["name"] == "福建省"
    assert document["targets"] == [
        {
            "region": "100000",
            "area": "rural",
            "year": 2025,
            "base_year": 2020,
            "comparison": "minimum",
            "value": 88,
            "parity_share": None,
            "source": "test policy",
            "wording": "农村自来水普及率达到88%",
        }
    ]
    assert document["has_generated_values"] is True


def test_the_json_keeps_chinese_readable(client, tap):
    body = client.get(reverse("indicator-json", args=[tap.code])).content
    assert "自来水普及率".encode() in body
    assert json.loads(body)["indicator"]["name_en"] == "Tap (piped) water coverage"


def test_the_csv_lists_each_regions_series_by_area_and_year_then_the_targets(client, tap):
    response = client.get(reverse("indicator-csv", args=[tap.code]))
    body = b"".join(response.streaming_content)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert body.startswith(b"\xef\xbb\xbf")
    assert rows[0] == [
        "地区代码", "地区", "城乡", "年份", "数值", "类别", "来源", "备注", "生成数据",
    ]  # fmt: skip
    assert [row[:6] for row in rows[1:]] == [
        ["100000", "全国", "农村", "2021", "90", "实测值"],
        ["350000", "福建省", "农村", "2020", "80", "实测值"],
        ["350000", "福建省", "农村", "2021", "81.5", "实测值"],
        ["350000", "福建省", "城镇", "2020", "95", "实测值"],
        ["350000", "福建省", "城镇", "2021", "96", "实测值"],
        ["100000", "全国", "农村", "2025", "88", "目标：不低于（≥）"],
    ]
    assert rows[1][8] == "是"
    assert "tap_water_penetration" in response["Content-Disposition"]


@pytest.mark.parametrize("name", ["indicator-csv", "indicator-json"])
def test_an_unknown_indicator_is_a_404(client, name):
    assert client.get(reverse(name, args=["no_such_indicator"])).status_code == 404


def test_the_machine_formats_cost_the_same_queries_whatever_the_data(
    client, tap, django_assert_num_queries
):
    places = [factories.region(f"35{n:02d}00", f"市{n}", "prefecture", factories.country())
              for n in range(1, 20)]  # fmt: skip
    factories.bulk_generated([tap], places, range(2000, 2020))
    with django_assert_num_queries(3):
        # 1 the indicator, 2 its observations with their regions, 3 its targets
        client.get(reverse("indicator-json", args=[tap.code]))
    with django_assert_num_queries(3):
        # 1 the indicator, 2 its targets, 3 its observations (streamed)
        b"".join(client.get(reverse("indicator-csv", args=[tap.code])).streaming_content)

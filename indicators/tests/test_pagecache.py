"""The page cache: a second visit is one query, and no write of any kind leaves a page stale."""

import re
from io import StringIO

import pytest
from django.core import serializers
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from indicators import imports
from indicators.models import DataVersion, Observation, one_version_change
from indicators.tests import factories

pytestmark = pytest.mark.django_db

# Fujian's rural tap water value for 2022 (90.0 in the `world` fixture) on the data browser.
PAGE = reverse("data-browser") + "?indicator=tap_water_penetration&region=350000"


def english(client, url=PAGE, **headers):
    return client.get(url, HTTP_ACCEPT_LANGUAGE="en", **headers)


def without_token(html):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def shown(client, url=PAGE):
    return english(client, url).content.decode()


def test_a_second_visit_is_served_from_the_cache(client, world, django_assert_num_queries):
    english(client)
    with django_assert_num_queries(1):  # 1 data version
        second = english(client)
    assert second.status_code == 200
    assert second.context is None  # nothing was rendered
    assert ">90<" in second.content.decode()


def test_each_language_is_cached_separately(client, world, django_assert_num_queries):
    chinese = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    english_page = shown(client)  # not the Chinese page from the cache
    with django_assert_num_queries(2):  # 1, 2 the data version: both are now cached
        chinese_again = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        english_again = shown(client)
    assert without_token(chinese_again) == without_token(chinese)
    assert without_token(english_again) == without_token(english_page)
    assert '<html lang="zh-Hans">' in chinese and "数据" in chinese
    assert '<html lang="en">' in english_page and "Data" in english_page


def test_a_cached_page_carries_each_visitors_own_csrf_token(world):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    english(first)
    page = shown(second)  # from the cache
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    assert "\x00" not in page
    response = second.post(
        reverse("set_language"), {"language": "en", "next": "/", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302  # the language switch accepts this visitor's token


def test_signed_in_users_neither_get_nor_fill_cached_pages(client, world, official):
    english(client)
    Observation.objects.filter(pk=world.fujian_value.pk).update(note="seen by the official")
    signed_in = Client()
    signed_in.force_login(official)
    assert english(signed_in).context is not None  # rendered for them
    assert english(signed_in).context is not None
    assert english(Client()).context is not None  # their visit stored nothing


def test_a_repeat_visit_is_a_304_until_the_data_changes(client, world):
    first = english(client)
    again = english(client, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert first["Cache-Control"] == "private, no-cache"
    Observation.objects.filter(pk=world.fujian_value.pk).update(value=93.25)
    changed = english(client, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and ">93.25<" in changed.content.decode()


def test_bad_queries_are_not_cached(client, world):
    assert english(client, PAGE + "&year_min=abc").status_code == 400
    assert english(client, PAGE + "&year_min=abc").context is not None


# Every way the data is written: each must make the next visit show the new value.


def save_through_the_orm(world):
    world.fujian_value.value = 93.25
    world.fujian_value.save()


def update_a_queryset(world):
    Observation.objects.filter(pk=world.fujian_value.pk).update(value=93.25)


def delete_and_bulk_create(world):
    Observation.objects.filter(pk=world.fujian_value.pk).delete()
    Observation.objects.bulk_create(
        [Observation(indicator=world.water, region=world.fujian, area="rural", year=2022,
                     value=93.25, source="s")]
    )  # fmt: skip


def write_plain_sql(world):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE indicators_observation SET value = 93.25 WHERE id = %s", [world.fujian_value.pk]
        )


def load_a_fixture(world, tmp_path):
    world.fujian_value.value = 93.25
    fixture = tmp_path / "changed.json"
    fixture.write_text(serializers.serialize("json", [world.fujian_value]))
    call_command("loaddata", str(fixture), verbosity=0)


@pytest.mark.parametrize(
    "write", [save_through_the_orm, update_a_queryset, delete_and_bulk_create, write_plain_sql]
)
def test_no_write_leaves_a_cached_page_stale(client, world, write):
    assert ">90<" in shown(client)
    write(world)
    assert ">93.25<" in shown(client)


def test_a_loaded_fixture_shows_at_once(client, world, tmp_path):
    assert ">90<" in shown(client)
    load_a_fixture(world, tmp_path)
    assert ">93.25<" in shown(client)


def test_an_import_and_its_revert_show_at_once(client, world, fujian_editor):
    assert ">90<" in shown(client)
    text = "indicator,region,area,year,value,source,note\n"
    text += "tap_water_penetration,350000,rural,2022,93.25,s,\n"
    result = imports.preview(text.encode(), "f.csv", fujian_editor)
    batch = imports.confirm(imports.save_pending(result, fujian_editor), fujian_editor)
    assert ">93.25<" in shown(client)
    imports.revert(batch, fujian_editor)
    assert ">90<" in shown(client)


def test_an_imported_new_row_shows_at_once(client, world, fujian_editor):
    url = reverse("data-browser") + "?indicator=tap_water_penetration&region=350000&year=2023"
    assert ">93.25<" not in shown(client, url)
    text = "indicator,region,area,year,value,source\n"
    text += "tap_water_penetration,350000,rural,2023,93.25,s\n"
    result = imports.preview(text.encode(), "f.csv", fujian_editor)
    imports.confirm(imports.save_pending(result, fujian_editor), fujian_editor)
    assert ">93.25<" in shown(client, url)


def data_version_triggers():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname, tgrelid FROM pg_trigger WHERE NOT tgisinternal")
        return sorted(cursor.fetchall())


def test_a_bulk_write_changes_the_version_and_keeps_every_trigger(world):
    triggers, token = data_version_triggers(), DataVersion.objects.current()
    assert len(triggers) >= 4
    with transaction.atomic(), one_version_change("indicators_observation"):
        Observation.objects.filter(pk=world.fujian_value.pk).update(value=93.25)
    assert DataVersion.objects.current() != token
    assert data_version_triggers() == triggers
    token = DataVersion.objects.current()
    write_plain_sql(world)  # the triggers still work
    assert DataVersion.objects.current() != token


def test_a_failed_bulk_write_puts_every_trigger_back(world):
    triggers = data_version_triggers()
    with (
        pytest.raises(RuntimeError),
        transaction.atomic(),
        one_version_change("indicators_observation"),
    ):
        Observation.objects.filter(pk=world.fujian_value.pk).update(value=93.25)
        raise RuntimeError("the write fails half-way")
    assert data_version_triggers() == triggers
    assert Observation.objects.get(pk=world.fujian_value.pk).value == 90


@pytest.mark.django_db(transaction=True)
def test_a_bulk_write_needs_a_transaction():
    with (
        pytest.raises(transaction.TransactionManagementError),
        one_version_change("indicators_observation"),
    ):
        pass  # pragma: no cover


def test_generated_data_shows_at_once(client, world):
    factories.province("110000", "北京市", "Beijing")
    for year in (2015, 2020):
        factories.observe(world.water, world.country, year, 70 + year % 10)  # a series to follow
    url = reverse("data-browser") + "?region=350000&subregions=1"
    assert "generated-note" not in shown(client, url)
    call_command("generate_data", scale="small", seed=7, stdout=StringIO())
    assert "generated-note" in shown(client, url)


def test_an_edit_in_the_admin_shows_at_once(client, world, administrator_user):
    assert ">90<" in shown(client)
    admin = Client()
    admin.force_login(administrator_user)
    url = reverse("admin:indicators_observation_delete", args=[world.fujian_value.pk])
    assert admin.post(url, {"post": "yes"}).status_code == 302
    assert ">90<" not in shown(client)


def test_the_pages_cache_setting_reads_a_url(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from equalization.settings import env_cache

    monkeypatch.setenv("PAGE_CACHE_URL", "file:///tmp/pages")
    assert env_cache("PAGE_CACHE_URL", "locmem://")["LOCATION"] == "/tmp/pages"
    monkeypatch.setenv("PAGE_CACHE_URL", "redis")
    with pytest.raises(ImproperlyConfigured, match="PAGE_CACHE_URL must be"):
        env_cache("PAGE_CACHE_URL", "locmem://")
    assert env_cache("NOT_SET_AT_ALL", "locmem://")["BACKEND"].endswith("LocMemCache")

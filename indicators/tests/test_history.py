"""Every change is recorded with who, when, old and new value; concurrent saves never overwrite."""

import pytest
from django.urls import reverse

from indicators import imports
from indicators.models import Observation, StaleVersion
from indicators.tests import factories

pytestmark = pytest.mark.django_db

HEADER = "indicator,region,area,year,value,source,note\n"


def edit(client, obs, value, version):
    return client.post(
        reverse("admin:indicators_observation_change", args=[obs.pk]),
        {
            "indicator": obs.indicator_id,
            "region": obs.region_id,
            "area": obs.area,
            "year": obs.year,
            "value": value,
            "source": obs.source,
            "note": "",
            "version": version,
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_an_admin_edit_is_recorded_with_who_and_the_old_and_new_value(client, world, fujian_editor):
    client.force_login(fujian_editor)
    edit(client, world.fujian_value, "91", 1)
    latest, previous = world.fujian_value.history.all()[:2]
    assert (latest.history_type, latest.history_user, latest.value) == ("~", fujian_editor, 91)
    assert previous.value == 90


def test_bulk_import_writes_history_rows_with_the_user_and_the_batch(world, fujian_editor):
    text = HEADER + (
        "tap_water_penetration,350000,rural,2022,91,s\ntap_water_penetration,350000,rural,2021,88,s\n"
    )
    result = imports.preview(text.encode(), "f.csv", fujian_editor)
    batch = imports.confirm(imports.save_pending(result, fujian_editor), fujian_editor)
    rows = Observation.history.filter(import_batch=batch).order_by("year")
    assert [(h.year, h.value, h.history_type, h.history_user) for h in rows] == [
        (2021, 88, "+", fujian_editor),
        (2022, 91, "~", fujian_editor),
    ]


def test_an_imports_history_rows_copy_every_tracked_field_with_when_and_why(world, fujian_editor):
    text = HEADER + (
        "tap_water_penetration,350000,rural,2022,91,s2,n2\n"
        "tap_water_penetration,350000,rural,2021,88,s1,n1\n"
    )
    result = imports.preview(text.encode(), "f.csv", fujian_editor)
    batch = imports.confirm(imports.save_pending(result, fujian_editor), fujian_editor)
    tracked = [f.attname for f in Observation._meta.concrete_fields if f.name != "updated_at"]
    for record in Observation.history.filter(import_batch=batch):
        obs = Observation.objects.get(pk=record.id)
        assert [getattr(record, name) for name in tracked] == [
            getattr(obs, name) for name in tracked
        ]
        assert record.history_date == batch.applied_at
        assert record.history_change_reason.endswith(" f.csv")  # "CSV 导入 f.csv"


def test_a_revert_is_recorded_too(world, fujian_editor, administrator_user):
    text = HEADER + "tap_water_penetration,350000,rural,2021,88,s\n"
    result = imports.preview(text.encode(), "f.csv", fujian_editor)
    batch = imports.confirm(imports.save_pending(result, fujian_editor), fujian_editor)
    imports.revert(batch, administrator_user)
    deletion = Observation.history.get(history_type="-")
    assert (deletion.year, deletion.history_user, deletion.import_batch) == (
        2021,
        administrator_user,
        batch,
    )


def test_a_target_change_is_recorded(world):
    target = factories.target(world.water, 2025, 95)
    target.value = 96
    target.save()
    assert [h.value for h in target.history.all()] == [96, 95]


def test_the_second_of_two_editors_saving_at_once_is_told_the_value_changed(
    client, world, fujian_editor
):
    """Both opened the form at version 1; the first save wins, the second is refused."""
    client.force_login(fujian_editor)
    assert edit(client, world.fujian_value, "91", 1).status_code == 302
    response = edit(client, world.fujian_value, "92", 1)
    assert response.status_code == 200
    assert "Someone saved this value while you were editing it: it is now 91" in (
        response.content.decode()
    )
    world.fujian_value.refresh_from_db()
    assert (world.fujian_value.value, world.fujian_value.version) == (91, 2)


def test_a_save_from_an_old_version_raises_stale_version(world):
    stale = Observation.objects.get(pk=world.fujian_value.pk)
    fresh = Observation.objects.get(pk=world.fujian_value.pk)
    fresh.value = 91
    fresh.save()
    stale.value = 92
    with pytest.raises(StaleVersion):
        stale.save_if_version(1)


def test_the_history_log_is_searchable_and_shows_the_previous_value(
    client, world, fujian_editor, administrator_user
):
    client.force_login(fujian_editor)
    edit(client, world.fujian_value, "91", 1)
    client.force_login(administrator_user)
    response = client.get(
        reverse("admin:indicators_historicalobservation_changelist"), {"q": "fujian_editor"}
    )
    [row] = response.context["cl"].result_list
    assert (row.previous, row.value, row.history_user) == (90, 91, fujian_editor)


def test_the_history_log_costs_a_fixed_number_of_queries(
    client, world, administrator_user, django_assert_num_queries
):
    client.force_login(administrator_user)
    url = reverse("admin:indicators_historicalobservation_changelist")
    client.get(url)
    with django_assert_num_queries(10):
        # 1 session, 2 user, 3 the user's permissions, 4 their groups' permissions,
        # 5 the indicators for the filter, 6 the total count, 7 the filtered count,
        # 8 the page of rows with their previous values, 9 the date range and
        # 10 the days for the date hierarchy
        client.get(url)


def test_the_log_filters_by_import_batch_from_the_batch_list(
    client, world, fujian_editor, administrator_user
):
    text = HEADER + "tap_water_penetration,350000,rural,2021,88,s\n"
    result = imports.preview(text.encode(), "f.csv", fujian_editor)
    batch = imports.confirm(imports.save_pending(result, fujian_editor), fujian_editor)
    client.force_login(administrator_user)
    response = client.get(
        reverse("admin:indicators_historicalobservation_changelist"), {"import_batch": batch.pk}
    )
    assert [row.year for row in response.context["cl"].result_list] == [2021]

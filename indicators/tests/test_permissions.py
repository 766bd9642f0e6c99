"""Who may do what in the admin, checked on the server for every page, form, action and URL."""

import pytest
from django.urls import reverse

from indicators.models import ImportBatch, Observation

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "official", "fujian_editor", "guangdong_editor", "administrator_user"]


@pytest.fixture
def as_persona(request, client, world):
    """A client logged in as the named persona (anonymous: not logged in)."""

    def login(name):
        if name != "anonymous":
            client.force_login(request.getfixturevalue(name))
        return client

    return login


def url(name, *args):
    return reverse(f"admin:{name}", args=args)


def pages(world):
    """(label, url) of every admin page an editor's work touches."""
    fujian, guangdong = world.fujian_value.pk, world.guangdong_value.pk
    return {
        "index": url("index"),
        "observation list": url("indicators_observation_changelist"),
        "observation add": url("indicators_observation_add"),
        "fujian observation": url("indicators_observation_change", fujian),
        "guangdong observation": url("indicators_observation_change", guangdong),
        "fujian observation history": url("indicators_observation_history", fujian),
        "fujian observation delete": url("indicators_observation_delete", fujian),
        "history log": url("indicators_historicalobservation_changelist"),
        "import": url("indicators_observation_import"),
        "import template": url("indicators_observation_import_template"),
        "import batches": url("indicators_importbatch_changelist"),
        "indicator list": url("indicators_indicator_changelist"),
        "indicator change": url("indicators_indicator_change", world.water.pk),
        "indicator add": url("indicators_indicator_add"),
        "target add": url("indicators_target_add"),
        "region add": url("indicators_region_add"),
        "user list": url("auth_user_changelist"),
        "user add": url("auth_user_add"),
    }


# What GET returns for each persona; 302 is the admin's redirect to its login page.
EXPECTED = {
    "anonymous": dict.fromkeys(
        [
            "index",
            "observation list",
            "observation add",
            "fujian observation",
            "guangdong observation",
            "fujian observation history",
            "fujian observation delete",
            "history log",
            "import",
            "import template",
            "import batches",
            "indicator list",
            "indicator change",
            "indicator add",
            "target add",
            "region add",
            "user list",
            "user add",
        ],
        302,
    ),
    "fujian_editor": {
        "index": 200,
        "observation list": 200,
        "observation add": 200,
        "fujian observation": 200,
        "guangdong observation": 200,  # read-only, see below
        "fujian observation history": 200,
        "fujian observation delete": 403,
        "history log": 200,
        "import": 200,
        "import template": 200,
        "import batches": 200,
        "indicator list": 200,
        "indicator change": 200,  # read-only
        "indicator add": 403,
        "target add": 403,
        "region add": 403,
        "user list": 403,
        "user add": 403,
    },
}
EXPECTED["official"] = EXPECTED["anonymous"]  # not staff: the admin is closed to officials
EXPECTED["guangdong_editor"] = EXPECTED["fujian_editor"]
EXPECTED["administrator_user"] = dict.fromkeys(EXPECTED["fujian_editor"], 200)


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_gets_exactly_the_admin_pages_its_role_allows(as_persona, world, persona):
    client = as_persona(persona)
    got = {label: client.get(address).status_code for label, address in pages(world).items()}
    assert got == EXPECTED[persona]


def test_an_editor_may_edit_a_row_of_their_own_province(as_persona, world):
    response = as_persona("fujian_editor").get(
        url("indicators_observation_change", world.fujian_value.pk)
    )
    assert response.context["has_change_permission"] is True


def test_an_editor_sees_another_provinces_row_read_only(as_persona, world):
    response = as_persona("fujian_editor").get(
        url("indicators_observation_change", world.guangdong_value.pk)
    )
    assert response.context["has_change_permission"] is False
    assert "value" in response.context["adminform"].readonly_fields or (
        "value" not in response.context["adminform"].form.fields
    )


def post_value(client, obs, value):
    return client.post(
        url("indicators_observation_change", obs.pk),
        {
            "indicator": obs.indicator_id,
            "region": obs.region_id,
            "area": obs.area,
            "year": obs.year,
            "value": value,
            "source": obs.source,
            "note": "",
            "version": obs.version,
        },
    )


def test_editor_cannot_edit_other_province_by_a_hand_typed_change_url(as_persona, world):
    response = post_value(as_persona("fujian_editor"), world.guangdong_value, "50")
    assert response.status_code == 403
    world.guangdong_value.refresh_from_db()
    assert world.guangdong_value.value == 92.0


def test_an_editor_saves_a_change_in_their_own_province(as_persona, world):
    response = post_value(as_persona("fujian_editor"), world.fujian_value, "91.5")
    assert response.status_code == 302
    world.fujian_value.refresh_from_db()
    assert (world.fujian_value.value, world.fujian_value.version) == (91.5, 2)


def test_an_editor_cannot_move_their_row_into_another_province(as_persona, world):
    obs = world.fujian_value
    response = as_persona("fujian_editor").post(
        url("indicators_observation_change", obs.pk),
        {
            "indicator": obs.indicator_id,
            "region": "440000",
            "area": obs.area,
            "year": obs.year,
            "value": "91",
            "source": "s",
            "version": obs.version,
        },
    )
    assert response.status_code == 200
    assert "region" in response.context["adminform"].form.errors
    obs.refresh_from_db()
    assert obs.region_id == "350000"


@pytest.mark.parametrize(("region", "allowed"), [("350100", True), ("440000", False)])
def test_an_editor_adds_rows_only_in_their_province_and_below(as_persona, world, region, allowed):
    as_persona("fujian_editor").post(
        url("indicators_observation_add"),
        {
            "indicator": world.water.pk,
            "region": region,
            "area": "rural",
            "year": 2021,
            "value": "80",
            "source": "s",
        },
    )
    assert Observation.objects.filter(region_id=region, year=2021).exists() is allowed


def test_an_editor_cannot_delete_even_in_their_province(as_persona, world):
    address = url("indicators_observation_delete", world.fujian_value.pk)
    assert as_persona("fujian_editor").post(address, {"post": "yes"}).status_code == 403
    assert Observation.objects.filter(pk=world.fujian_value.pk).exists()


def test_an_editor_has_no_bulk_delete_action(as_persona, world):
    client = as_persona("fujian_editor")
    client.post(
        url("indicators_observation_changelist"),
        {"action": "delete_selected", "_selected_action": [world.fujian_value.pk], "post": "yes"},
    )
    assert Observation.objects.count() == 2


def test_an_editor_cannot_change_an_indicator_by_posting(as_persona, world):
    response = as_persona("fujian_editor").post(
        url("indicators_indicator_change", world.water.pk), {"code": "hacked"}
    )
    assert response.status_code == 403


def test_an_editor_cannot_revert_a_past_version_from_the_history_page(as_persona, world):
    obs = world.fujian_value
    version = obs.history.first()
    response = as_persona("fujian_editor").post(
        url("indicators_observation_simple_history", obs.pk, version.history_id),
        {"value": "1"},
    )
    assert response.status_code == 403


def test_an_editor_cannot_run_the_revert_action_on_imports(as_persona, world, fujian_editor):
    batch = ImportBatch.objects.create(user=fujian_editor, file_name="x.csv", status="applied")
    as_persona("fujian_editor").post(
        url("indicators_importbatch_changelist"),
        {"action": "revert", "_selected_action": [batch.pk]},
    )
    batch.refresh_from_db()
    assert batch.status == "applied"


def test_an_administrator_edits_any_province(as_persona, world):
    response = post_value(as_persona("administrator_user"), world.guangdong_value, "93")
    assert response.status_code == 302
    world.guangdong_value.refresh_from_db()
    assert world.guangdong_value.value == 93


def test_an_administrator_assigns_regions_on_the_user_page(as_persona, world, fujian_editor):
    response = as_persona("administrator_user").get(url("auth_user_change", fujian_editor.pk))
    assert response.status_code == 200
    assert "region_assignments" in response.content.decode()


def test_the_admin_pages_list_for_an_editor_costs_a_fixed_number_of_queries(
    as_persona, world, django_assert_num_queries
):
    client = as_persona("fujian_editor")
    client.get(url("indicators_observation_changelist"))  # warm the session and caches
    with django_assert_num_queries(8):
        # 1 session, 2 user, 3 the user's own permissions, 4 their groups' permissions,
        # 5 the indicators for the filter, 6 the total count, 7 the filtered count,
        # 8 the page of rows with their indicators and regions
        client.get(url("indicators_observation_changelist"))

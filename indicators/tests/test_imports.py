"""Bulk CSV import: parse, validate, preview, confirm, revert."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators import imports
from indicators.models import ImportBatch, Observation
from indicators.tests import factories

pytestmark = pytest.mark.django_db

HEADER = "indicator,region,area,year,value,source,note\n"
IMPORT_URL = reverse("admin:indicators_observation_import")


@pytest.fixture
def editor(client, fujian_editor):
    client.force_login(fujian_editor)
    return client


def upload(client, text, encoding="utf-8", name="data.csv", language="en"):
    data = text.encode(encoding) if isinstance(text, str) else text
    return client.post(
        IMPORT_URL,
        {"file": SimpleUploadedFile(name, data, content_type="text/csv")},
        HTTP_ACCEPT_LANGUAGE=language,
    )


def confirm(client, response, accept_warnings=False):
    batch = response.context["batch"]
    data = {"accept_warnings": "on"} if accept_warnings else {}
    return client.post(
        reverse("admin:indicators_observation_import_confirm", args=[batch.pk]),
        data,
        HTTP_ACCEPT_LANGUAGE="en",
    )


def messages_of(response):
    return [(m.row, m.column, m.level, m.text) for m in response.context["result"].messages]


def values():
    return sorted(Observation.objects.values_list("region_id", "area", "year", "value"))


# Encodings and separators


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
@pytest.mark.parametrize("separator", [",", "\t"])
def test_it_reads_the_encodings_and_separators_spreadsheets_produce(editor, encoding, separator):
    text = HEADER + "tap_water_penetration,350000,rural,2023,95.1,福建省统计年鉴,备注\n"
    response = upload(editor, text.replace(",", separator), encoding)
    assert response.context["counts"] == {"create": 1, "update": 0, "unchanged": 0, "rejected": 0}
    confirm(editor, response)
    obs = Observation.objects.get(year=2023)
    assert (obs.value, obs.source, obs.note) == (95.1, "福建省统计年鉴", "备注")


def test_it_reads_chinese_column_names_and_area_names(editor):
    text = "指标,地区,城乡,年份,数值,来源\ntap_water_penetration,350000,农村,2023,95,统计年鉴\n"
    response = upload(editor, text, "gb18030")
    assert response.context["counts"]["create"] == 1
    assert response.context["result"].rows[0].area == "rural"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_file_exported_from_the_data_browser_imports_as_it_is(editor, world, language):
    exported = editor.get(
        reverse("data-export"), {"region": "350000"}, HTTP_ACCEPT_LANGUAGE=language
    )
    text = b"".join(exported.streaming_content).decode("utf-8-sig")
    assert ",90," in text
    response = upload(editor, text.replace(",90,", ",91.5,"), language=language)
    # No error; only the overwrite, which needs the usual confirmation.
    assert [(row, level) for row, _column, level, _text in messages_of(response)] == [
        (2, "warning")
    ]
    assert response.context["result"].counts()["update"] == 1


def test_it_refuses_a_file_in_an_unknown_encoding_with_the_reason(editor):
    response = upload(
        editor, (HEADER + "tap_water_penetration,350000,rural,2023,95,年鉴\n"), "utf-16"
    )
    assert "neither UTF-8 nor GB18030" in response.content.decode()
    assert response.context["batch"] is None


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("９５．１", 95.1), ("1,234", 1234), ("1,234,567.5", 1234567.5), (" 12 ", 12)],
)
def test_it_parses_full_width_digits_and_thousands_separators(cell, expected):
    assert imports.parse_number(cell) == expected


@pytest.mark.parametrize("cell", ["95,1", "1,23", "12.3.4", "abc", "95%", "nan", "1e999"])
def test_it_refuses_numbers_it_cannot_read_unambiguously(cell):
    with pytest.raises(ValueError):
        imports.parse_number(cell)


def test_the_template_downloads_with_every_column(editor):
    response = editor.get(reverse("admin:indicators_observation_import_template"))
    header = response.content.decode("utf-8-sig").splitlines()[0]
    assert header.split(",") == imports.COLUMNS


# Errors: refused, each with the row, the column, the value and what is allowed


def count_indicator():
    return factories.rate(
        code="village_clinics", unit="count", max_value=None, areas="total", name_en="Clinics"
    )


next_year = timezone.now().year + 1
ERRORS = [
    ("tap_water_penetration,350000,rural,2023,130,s", "value", "130 is outside the valid range"),
    ("village_clinics,350000,total,2023,-5,s", "value", "-5 is outside the valid range"),
    ("tap_water_penetration,350000,rural,1948,90,s", "year", "from 1949 to"),
    (f"tap_water_penetration,350000,rural,{next_year},90,s", "year", "not a valid year"),
    ("no_such_indicator,350000,rural,2023,90,s", "indicator", "Unknown indicator code"),
    ("tap_water_penetration,359999,rural,2023,90,s", "region", "Unknown region code"),
    ("tap_water_penetration,350000,suburb,2023,90,s", "area", "Unknown area suburb"),
    ("tap_water_penetration,350000,rural,2023,ninety,s", "value", "a number is expected"),
    ("village_clinics,350000,urban,2023,5,s", "area", "not reported for the Urban area"),
    ("tap_water_penetration,440000,rural,2023,90,s", "region", "only for your own regions"),
    ("tap_water_penetration,350000,rural,2023,90,", "source", "required"),
    ("tap_water_penetration,350000,rural,twenty,90,s", "year", "four-digit year"),
]


@pytest.mark.parametrize(("line", "column", "fragment"), ERRORS)
def test_each_kind_of_error_is_refused_with_row_column_and_reason(editor, line, column, fragment):
    count_indicator()
    before = values()
    response = upload(editor, HEADER + line + "\n")
    errors = [m for m in messages_of(response) if m[2] == "error"]
    assert [(row, col) for row, col, _level, _text in errors] == [(2, column)]
    assert fragment in errors[0][3]
    assert response.context["batch"] is None
    assert values() == before


def test_a_duplicate_cell_in_one_file_is_an_error_naming_the_first_row(editor):
    line = "tap_water_penetration,350000,rural,2023,90,s\n"
    response = upload(editor, HEADER + line + line)
    [(row, _column, level, text)] = messages_of(response)
    assert (row, level) == (3, "error")
    assert "row 2" in text


def test_errors_are_in_the_users_language(editor):
    response = upload(
        editor,
        HEADER + "tap_water_penetration,350000,rural,2023,130,s\n",
        "utf-8",
        language="zh-hans",
    )
    assert "超出" in messages_of(response)[0][3]


def test_a_file_with_one_bad_row_writes_nothing_and_cannot_be_confirmed(editor, world):
    before = values()
    text = (
        HEADER
        + "tap_water_penetration,350000,urban,2023,97,s\n"
        + "tap_water_penetration,350000,rural,2023,130,s\n"
    )
    response = upload(editor, text)
    assert response.context["counts"] == {"create": 1, "update": 0, "unchanged": 0, "rejected": 1}
    assert response.context["batch"] is None
    assert "Confirm and save" not in response.content.decode()
    assert values() == before
    assert not ImportBatch.objects.exists()


def test_a_missing_column_is_named(editor):
    response = upload(editor, "indicator,region,year,value\nx,350000,2023,1\n")
    assert "Missing column(s): source" in messages_of(response)[0][3]


@pytest.mark.parametrize(
    ("setting", "limit", "fragment"),
    [
        ("IMPORT_MAX_BYTES", 100, "the largest file accepted is 100"),
        ("IMPORT_MAX_ROWS", 2, "at most 2 rows"),
    ],
)
def test_size_limits_come_from_settings_and_are_explained(
    editor, settings, setting, limit, fragment
):
    setattr(settings, setting, limit)
    text = HEADER + "".join(
        f"tap_water_penetration,350000,rural,{year},90,statistical yearbook\n"
        for year in (2019, 2020, 2021)
    )
    response = upload(editor, text)
    assert fragment in response.content.decode()
    assert not ImportBatch.objects.exists()


# Preview counts, warnings, confirmation


def test_the_preview_counts_creates_updates_and_unchanged_rows_and_writes_nothing(editor, world):
    text = (
        HEADER
        + "tap_water_penetration,350000,rural,2022,90,test source,\n"  # same as stored
        + "tap_water_penetration,350000,rural,2021,89,s,\n"  # new
        + "tap_water_penetration,350000,urban,2022,96,s,\n"  # new
    )
    before = values()
    response = upload(editor, text)
    assert response.context["counts"] == {"create": 2, "update": 0, "unchanged": 1, "rejected": 0}
    assert values() == before
    assert ImportBatch.objects.get().status == "pending"


@pytest.mark.parametrize(
    ("lines", "fragment"),
    [
        (
            ["tap_water_penetration,350000,rural,2022,91,s"],
            "Overwrites the stored value 90 with 91",
        ),
        (["tap_water_penetration,350000,rural,2023,70,s"], "Changes by -20 from 90 in 2022"),
        (
            [
                "tap_water_penetration,350000,urban,2021,95,s",
                "tap_water_penetration,350000,rural,2021,85,s",
                "tap_water_penetration,350000,total,2021,99,s",
            ],
            "the total (99) is not between the urban (95) and rural (85)",
        ),
    ],
)
def test_each_warning_is_shown_and_needs_an_explicit_confirmation(editor, world, lines, fragment):
    response = upload(editor, HEADER + "\n".join(lines) + "\n")
    warnings = [m for m in messages_of(response) if m[2] == "warning"]
    assert len(warnings) == 1 and fragment in warnings[0][3]
    assert warnings[0][1] == "value"
    before = values()
    confirm(editor, response)  # without ticking the box
    assert values() == before
    confirm(editor, response, accept_warnings=True)
    assert values() != before


def test_confirm_writes_every_row_in_one_batch_with_its_counts(editor, world, fujian_editor):
    text = (
        HEADER
        + "tap_water_penetration,350000,rural,2022,91,s,\n"
        + "tap_water_penetration,350100,rural,2022,88,s,\n"
    )
    response = upload(editor, text)
    redirect = confirm(editor, response, accept_warnings=True)
    batch = ImportBatch.objects.get()
    assert redirect.url == reverse("admin:indicators_importbatch_change", args=[batch.pk])
    assert (batch.status, batch.user, batch.created_count, batch.updated_count) == (
        "applied",
        fujian_editor,
        1,
        1,
    )
    updated = Observation.objects.get(pk=world.fujian_value.pk)
    assert (updated.value, updated.version, updated.entered_by) == (91, 2, fujian_editor)


def test_confirm_after_the_data_changed_is_refused(editor, world):
    response = upload(editor, HEADER + "tap_water_penetration,350000,rural,2022,91,s\n")
    obs = Observation.objects.get(pk=world.fujian_value.pk)
    obs.value = 89
    obs.save()  # someone else, between preview and confirm
    result = confirm(editor, response, accept_warnings=True)
    assert result.url == IMPORT_URL
    obs.refresh_from_db()
    assert obs.value == 89
    assert ImportBatch.objects.get().status == "discarded"


def test_a_pending_batch_can_be_confirmed_only_by_its_uploader(
    editor, client, world, administrator_user
):
    response = upload(editor, HEADER + "tap_water_penetration,350000,rural,2021,88,s\n")
    client.force_login(administrator_user)
    assert confirm(client, response).status_code == 404
    assert not Observation.objects.filter(year=2021).exists()


def test_a_preview_confirmed_twice_writes_once_and_says_why(editor, world):
    response = upload(editor, HEADER + "tap_water_penetration,350000,rural,2021,88,s\n")
    confirm(editor, response)
    again = confirm(editor, response)
    assert again.url == IMPORT_URL
    shown = [str(m) for m in again.wsgi_request._messages]
    assert any("no longer open" in m for m in shown), shown
    assert Observation.objects.filter(year=2021, region="350000").count() == 1


def test_previews_left_for_over_a_day_are_discarded_with_their_rows(editor, world):
    old = upload(editor, HEADER + "tap_water_penetration,350000,rural,2021,88,s\n")
    stale = old.context["batch"]
    assert stale.staged_rows  # the rows to write wait in the batch
    ImportBatch.objects.filter(pk=stale.pk).update(
        created_at=timezone.now() - imports.PREVIEW_LIFETIME - timezone.timedelta(minutes=1)
    )
    fresh = upload(editor, HEADER + "tap_water_penetration,350000,rural,2019,85,s\n")
    stale.refresh_from_db()
    assert (stale.status, stale.staged_rows, stale.payload) == ("discarded", "", {})
    assert fresh.context["batch"].status == "pending"
    assert confirm(editor, old).url == IMPORT_URL
    assert not Observation.objects.filter(year=2021).exists()
    assert not Observation.objects.filter(year=2019).exists()
    confirm(editor, fresh)
    assert Observation.objects.get(year=2019, region="350000").value == 85


# Revert


def test_revert_restores_the_exact_previous_values(editor, client, world, administrator_user):
    before = sorted(Observation.objects.values_list("pk", "value", "source", "note"))
    text = (
        HEADER
        + "tap_water_penetration,350000,rural,2022,91.25,new source,new note\n"
        + "tap_water_penetration,350000,rural,2021,80,s,\n"
    )
    confirm(editor, upload(editor, text), accept_warnings=True)
    batch = ImportBatch.objects.get()
    client.force_login(administrator_user)
    client.post(
        reverse("admin:indicators_importbatch_changelist"),
        {"action": "revert", "_selected_action": [batch.pk]},
    )
    assert sorted(Observation.objects.values_list("pk", "value", "source", "note")) == before
    batch.refresh_from_db()
    assert (batch.status, batch.reverted_by) == ("reverted", administrator_user)


def test_revert_is_refused_when_a_row_was_changed_after_the_import(world, fujian_editor):
    result = imports.preview(
        (HEADER + "tap_water_penetration,350000,rural,2022,91,s\n").encode(), "f.csv", fujian_editor
    )
    batch = imports.confirm(imports.save_pending(result, fujian_editor), fujian_editor)
    obs = Observation.objects.get(pk=world.fujian_value.pk)
    obs.value = 95
    obs.save()
    with pytest.raises(imports.RevertConflict):
        imports.revert(batch, fujian_editor)
    obs.refresh_from_db()
    assert obs.value == 95


# Malformed files: never a 500, never a write


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=st.binary(max_size=400))
def test_arbitrary_bytes_never_write_and_never_crash(world, fujian_editor, raw):
    before = values()
    result = imports.preview(raw, "random.csv", fujian_editor)
    assert result.errors or not result.rows
    assert values() == before


cells = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=12)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.lists(cells, min_size=1, max_size=9), min_size=1, max_size=5), junk=cells)
def test_malformed_rows_are_refused_with_a_row_and_column_and_nothing_is_written(
    client, world, fujian_editor, rows, junk
):
    """Rows of random cells, plus one row whose value is certainly not a number."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(imports.COLUMNS)
    writer.writerows(rows)
    writer.writerow(["tap_water_penetration", "350000", "rural", "2023", "x" + junk, "s", ""])
    client.force_login(fujian_editor)
    before = values()
    response = upload(client, buffer.getvalue())
    assert response.status_code == 200
    result = response.context["result"]
    assert result.errors and all(m.text for m in result.errors)
    assert any(m.column == "value" and m.row > 1 for m in result.errors)
    assert response.context["batch"] is None
    assert values() == before

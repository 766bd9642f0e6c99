"""`manage.py backup` / `restore`: back up, wipe, restore, and every row of every table is back."""

from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.core.management import CommandError, call_command
from django.db import connection

from indicators.tests.factories import hostile_data

pytestmark = pytest.mark.django_db(transaction=True)


def every_row():
    """Each table's rows, in a stable order (history tables included when present)."""
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        rows = {}
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows[table] = sorted(map(repr, cursor.fetchall()))
    return rows


@pytest.fixture
def filled(reference_data, django_user_model):
    hostile_data()  # unicode and markup in text fields
    django_user_model.objects.create_superuser("admin", "a@example.org", "pw")
    AccessAttempt.objects.create(username="x", ip_address="10.0.0.1", failures_since_start=2)
    return every_row()


def test_a_wiped_database_comes_back_row_for_row(filled, tmp_path):
    backup = tmp_path / "backup.dump"
    call_command("backup", backup, stdout=StringIO())
    call_command("flush", interactive=False)
    assert every_row() != filled

    call_command("restore", backup, interactive=False, stdout=StringIO())

    restored = every_row()
    assert restored == filled
    assert len(restored["indicators_observation"]) > 200


def test_new_rows_after_a_restore_get_fresh_ids(filled, tmp_path, django_user_model):
    backup = tmp_path / "backup.dump"
    call_command("backup", backup, stdout=StringIO())
    call_command("restore", backup, interactive=False, stdout=StringIO())
    user = django_user_model.objects.create_user("editor")
    assert user.pk > django_user_model.objects.get(username="admin").pk


def test_it_will_not_overwrite_an_existing_backup(db, tmp_path):
    (tmp_path / "old.dump").write_text("keep me")
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", tmp_path / "old.dump")
    assert (tmp_path / "old.dump").read_text() == "keep me"


def test_it_refuses_a_file_that_is_not_a_backup_of_this_database(db, tmp_path):
    other = tmp_path / "other.dump"
    signature = b"SQLite format 3\x00" if connection.vendor == "postgresql" else b"PGDMP"
    other.write_bytes(signature + b"...")
    with pytest.raises(CommandError, match=f"is not a {connection.vendor} backup"):
        call_command("restore", other, interactive=False)
    with pytest.raises(CommandError, match="No backup file"):
        call_command("restore", tmp_path / "missing.dump", interactive=False)


def test_it_asks_before_replacing_everything(filled, tmp_path, monkeypatch):
    backup = tmp_path / "backup.dump"
    call_command("backup", backup, stdout=StringIO())
    call_command("flush", interactive=False)
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="cancelled"):
        call_command("restore", backup)
    assert every_row() != filled

"""A data version token that database triggers change on every write to the dashboard's data.

PostgreSQL: one statement-level trigger per table and event (so a COPY of two million rows
changes it once). SQLite has no statement-level triggers: one row-level trigger per table and
event.
"""

from django.db import migrations, models

TABLES = [
    "indicators_region",
    "indicators_indicator",
    "indicators_observation",
    "indicators_target",
]
POSTGRESQL_FUNCTION = """
CREATE OR REPLACE FUNCTION indicators_bump_data_version() RETURNS trigger AS $$
BEGIN
    UPDATE indicators_dataversion SET token = md5(random()::text || clock_timestamp()::text);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""
SQLITE_BUMP = "UPDATE indicators_dataversion SET token = lower(hex(randomblob(16)));"


def install_triggers(apps, schema_editor):
    apps.get_model("indicators", "DataVersion").objects.create(id=1, token="initial")
    execute = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        execute(POSTGRESQL_FUNCTION)
        for table in TABLES:
            execute(
                f"CREATE TRIGGER {table}_data_version "
                f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION indicators_bump_data_version()"
            )
    elif schema_editor.connection.vendor == "sqlite":
        for table in TABLES:
            for event in ("insert", "update", "delete"):
                execute(
                    f"CREATE TRIGGER {table}_data_version_{event} AFTER {event.upper()} "
                    f"ON {table} BEGIN {SQLITE_BUMP} END"
                )
    else:
        raise NotImplementedError(
            f"The page cache's data version has no triggers for {schema_editor.connection.vendor}."
        )


def remove_triggers(apps, schema_editor):
    execute = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            execute(f"DROP TRIGGER IF EXISTS {table}_data_version ON {table}")
        execute("DROP FUNCTION IF EXISTS indicators_bump_data_version()")
    elif schema_editor.connection.vendor == "sqlite":
        for table in TABLES:
            for event in ("insert", "update", "delete"):
                execute(f"DROP TRIGGER IF EXISTS {table}_data_version_{event}")


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0004_observation_version_db_default"),
    ]

    operations = [
        migrations.CreateModel(
            name="DataVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("token", models.CharField(max_length=32)),
            ],
            options={"verbose_name": "data version"},
        ),
        migrations.RunPython(install_triggers, remove_triggers),
    ]

"""Drop four indexes that no query uses and every import pays for, once per row.

Done by hand because Django's SQLite schema editor would rebuild both tables to drop the
index of a foreign key, and the rebuild loses the data version triggers of migration 0005.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# name: (table, column, PostgreSQL only)
DROPPED = {
    # Covered by the unique constraint one_value_per_cell, which starts with the indicator.
    "indicators_observation_indicator_id_a297e6a9": (
        "indicators_observation", "indicator_id", False
    ),
    # No history query looks rows up by region or by who entered the value.
    "indicators_historicalobservation_entered_by_id_60a5e303": (
        "indicators_historicalobservation", "entered_by_id", False
    ),
    "indicators_historicalobservation_region_id_8c0088b8": (
        "indicators_historicalobservation", "region_id", False
    ),
    "indicators_historicalobservation_region_id_8c0088b8_like": (
        "indicators_historicalobservation", "region_id varchar_pattern_ops", True
    ),
}  # fmt: skip


def drop(apps, schema_editor):
    for name in DROPPED:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def create(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    for name, (table, column, postgresql_only) in DROPPED.items():
        if postgresql or not postgresql_only:
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({column})")


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0006_importbatch_staged_rows"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(drop, create)],
            state_operations=[
                migrations.AlterField(
                    model_name="historicalobservation",
                    name="entered_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="entered by",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalobservation",
                    name="region",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="indicators.region",
                        verbose_name="region",
                    ),
                ),
                migrations.AlterField(
                    model_name="observation",
                    name="indicator",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="observations",
                        to="indicators.indicator",
                        verbose_name="indicator",
                    ),
                ),
            ],
        ),
    ]

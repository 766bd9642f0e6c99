"""Pending imports keep their rows as CSV in ImportBatch.staged_rows instead of a JSON list.

A batch previewed before this change holds its rows in the old form, which the new
confirmation does not read: it is discarded, as if the data had changed since its preview
(the user uploads the file again)."""

from django.db import migrations, models


def discard_pending(apps, schema_editor):
    apps.get_model("indicators", "ImportBatch").objects.filter(status="pending").update(
        status="discarded", payload={}
    )


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0005_dataversion"),
    ]

    operations = [
        migrations.AddField(
            model_name="importbatch",
            name="staged_rows",
            field=models.TextField(blank=True, editable=False, verbose_name="rows to write"),
        ),
        migrations.RunPython(discard_pending, migrations.RunPython.noop),
    ]

"""The three roles as Django groups: Official reads, Editor enters data for assigned regions,
Administrator does everything. Region limits for editors are enforced in the admin code."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    "Official": [
        "view_region",
        "view_indicator",
        "view_observation",
        "view_target",
    ],
    "Editor": [
        "view_region",
        "view_indicator",
        "view_target",
        "view_observation",
        "add_observation",
        "change_observation",
        "view_historicalobservation",
        "view_historicaltarget",
        "view_importbatch",
        "add_importbatch",
    ],
}
ADMINISTRATOR_AUTH = ["add_user", "change_user", "delete_user", "view_user", "view_group"]


def create_roles(apps, schema_editor):
    for app_config in apps.get_app_configs():
        # Migration app configs have no models module, which create_permissions skips.
        original = getattr(app_config, "models_module", None)
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = original
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    app_perms = Permission.objects.filter(content_type__app_label="indicators")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(app_perms.filter(codename__in=codenames))
    administrator, _ = Group.objects.get_or_create(name="Administrator")
    administrator.permissions.set(
        list(app_perms)
        + list(
            Permission.objects.filter(
                content_type__app_label="auth", codename__in=ADMINISTRATOR_AUTH
            )
        )
    )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[*ROLES, "Administrator"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0002_editor_roles_history_and_import_batches"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]

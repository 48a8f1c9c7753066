"""Create the three role groups. Each app's later migrations grant its own permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = ["Trainee", "Instructor", "Supervisor"]
REPORT_PERMISSION = "view_cohort_reports"


def ensure_permissions(apps, app_label):
    # Permissions are normally created after all migrations ran (post_migrate);
    # create them now so this migration can grant them on a fresh database.
    app_config = apps.get_app_config(app_label)
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ensure_permissions(apps, "accounts")
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in ROLES}
    reports = Permission.objects.get(
        codename=REPORT_PERMISSION, content_type__app_label="accounts"
    )
    groups["Instructor"].permissions.add(reports)
    groups["Supervisor"].permissions.add(reports)


def remove_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_user_and_cohort"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]

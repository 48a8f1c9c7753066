"""Instructors read the audit log (admin LogEntry); nobody edits it."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    app_config = apps.get_app_config("admin")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    instructor, _ = Group.objects.get_or_create(name="Instructor")
    instructor.permissions.add(
        Permission.objects.get(content_type__app_label="admin", codename="view_logentry")
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    instructor = Group.objects.filter(name="Instructor").first()
    if instructor:
        instructor.permissions.remove(
            *Permission.objects.filter(content_type__app_label="admin", codename="view_logentry")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_roles"),
        ("admin", "0003_logentry_add_action_flag_choices"),
    ]

    operations = [migrations.RunPython(grant, revoke)]

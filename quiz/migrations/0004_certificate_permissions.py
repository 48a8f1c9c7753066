"""Instructors read certificates and may revoke them (never delete them)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = ["view_certificate", "revoke_certificate"]


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    app_config = apps.get_app_config("quiz")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    instructor, _ = Group.objects.get_or_create(name="Instructor")
    instructor.permissions.add(
        *Permission.objects.filter(content_type__app_label="quiz", codename__in=CODENAMES)
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    instructor = Group.objects.filter(name="Instructor").first()
    if instructor:
        instructor.permissions.remove(
            *Permission.objects.filter(content_type__app_label="quiz", codename__in=CODENAMES)
        )


class Migration(migrations.Migration):
    dependencies = [("quiz", "0003_certificates")]

    operations = [migrations.RunPython(grant, revoke)]

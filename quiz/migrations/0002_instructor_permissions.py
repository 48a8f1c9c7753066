"""Instructors author quizzes and read (never edit) attempts in the admin."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

AUTHORING = ["quiz", "quizquestion", "quizdraw"]
READ_ONLY = ["attempt", "attemptquestion"]


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    app_config = apps.get_app_config("quiz")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    instructor, _ = Group.objects.get_or_create(name="Instructor")
    codenames = [
        f"{action}_{model}"
        for model in AUTHORING
        for action in ("add", "change", "view", "delete")
    ] + [f"view_{model}" for model in READ_ONLY]
    instructor.permissions.add(
        *Permission.objects.filter(content_type__app_label="quiz", codename__in=codenames)
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    instructor = Group.objects.filter(name="Instructor").first()
    if instructor:
        instructor.permissions.remove(
            *Permission.objects.filter(content_type__app_label="quiz")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("quiz", "0001_quizzes_and_attempts"),
        ("accounts", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]

"""Instructors author the question bank: add, change, view and delete on its models.

Deleting a rule or question that other records reference stays refused by
PROTECT foreign keys; the permission only allows deleting what nothing uses.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = ["rule", "category", "question", "choice", "questionrule"]
ACTIONS = ["add", "change", "view", "delete"]


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    app_config = apps.get_app_config("questions")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    instructor, _ = Group.objects.get_or_create(name="Instructor")
    codenames = [f"{action}_{model}" for model in MODELS for action in ACTIONS]
    instructor.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="questions", codename__in=codenames
        )
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    instructor = Group.objects.filter(name="Instructor").first()
    if instructor:
        instructor.permissions.remove(
            *Permission.objects.filter(content_type__app_label="questions")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("questions", "0001_question_bank"),
        ("accounts", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]

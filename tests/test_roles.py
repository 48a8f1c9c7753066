"""Roles come from data migrations, with the permissions DESIGN.md gives them."""

import pytest

from django.contrib.auth.models import Group

from accounts.roles import Role, is_instructor, is_supervisor, is_trainee

pytestmark = pytest.mark.django_db


def perms(group_name: str) -> set[str]:
    group = Group.objects.get(name=group_name)
    return {
        f"{app}.{codename}"
        for app, codename in group.permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def test_the_three_role_groups_exist_after_migrations():
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)


def test_instructor_can_author_the_question_bank_and_nothing_about_users():
    granted = perms("Instructor")

    for model in ["rule", "category", "question", "choice"]:
        for action in ["add", "change", "view"]:
            assert f"questions.{action}_{model}" in granted
    assert not any(p.startswith("auth.") for p in granted)
    assert not {"accounts.view_user", "accounts.change_user"} & granted


def test_supervisor_reads_reports_and_cannot_edit_questions():
    granted = perms("Supervisor")

    assert "accounts.view_cohort_reports" in granted
    assert not any(p.startswith("questions.") for p in granted)


def test_trainee_has_no_admin_permission():
    assert not any(
        p.startswith(("questions.", "auth.", "accounts.")) for p in perms("Trainee")
    )


def test_role_helpers(trainee, instructor, supervisor):
    assert is_trainee(trainee) and not is_instructor(trainee)
    assert is_instructor(instructor) and not is_supervisor(instructor)
    assert is_supervisor(supervisor) and not is_trainee(supervisor)

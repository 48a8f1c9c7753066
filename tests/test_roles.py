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


# --- roles are known by their permissions, not by their groups' names ---------


def _rename(role, new_name):
    group = Group.objects.get(name=role)
    group.name = new_name
    group.save()
    return group


def test_renamed_trainee_group_keeps_the_role(client, trainee):
    from django.urls import reverse

    _rename(Role.TRAINEE, "Стажёры 2026")
    client.force_login(trainee)

    assert client.get(reverse("quiz:quiz-list")).status_code == 200
    assert is_trainee(type(trainee).objects.get(pk=trainee.pk))


def test_renamed_supervisor_group_keeps_reports_and_cohorts(
    client, supervisor, cohort, trainee
):
    from django.urls import reverse

    _rename(Role.SUPERVISOR, "Clinic leads")
    _rename(Role.TRAINEE, "Learners")
    client.force_login(supervisor)

    response = client.get(reverse("quiz:report-cohort", args=[cohort.pk]))
    assert response.status_code == 200
    assert [t for t, _cells in response.context["rows"]] == [trainee]
    trainee_page = client.get(reverse("quiz:report-trainee", args=[trainee.pk]))
    assert trainee_page.status_code == 200


def test_cohort_admin_offers_trainees_of_a_renamed_group(admin_client, trainee):
    from django.urls import reverse

    _rename(Role.TRAINEE, "Learners")
    response = admin_client.get(reverse("admin:accounts_cohort_add"))

    assert response.status_code == 200
    field = response.context["adminform"].form.fields["trainees"]
    assert list(field.queryset) == [trainee]


def test_role_group_is_found_by_its_marker_after_a_rename():
    from accounts.roles import apply_role_permissions, role_group

    renamed = _rename(Role.INSTRUCTOR, "Teachers")
    apply_role_permissions()

    assert role_group(Role.INSTRUCTOR) == renamed
    assert not Group.objects.filter(name="Instructor").exists()


def test_role_table_is_applied_idempotently():
    from accounts.roles import ROLE_PERMISSIONS, apply_role_permissions

    apply_role_permissions()
    apply_role_permissions()

    for role, permissions in ROLE_PERMISSIONS.items():
        assert set(permissions) <= perms(role)

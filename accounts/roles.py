"""The three roles of Rulewise: what each may do, and how a user is known to hold one.

A role is a Django group, but a group's name is free text that an admin may
change: the role is recognised by the permission that marks it (ROLE_MARKER),
never by the name. ROLE_PERMISSIONS is the one table of what each role may do;
accounts/apps.py applies it after every `migrate` (add only: what an admin
granted on top stays), so a new permission for a role is one line here, not a
data migration.
"""

from django.contrib.auth.models import Group, Permission
from django.db import models
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    # The values are the groups' names when the site creates them.
    TRAINEE = "Trainee", _("Trainee")
    INSTRUCTOR = "Instructor", _("Instructor")
    SUPERVISOR = "Supervisor", _("Supervisor")


def _crud(app: str, models_: list[str], actions=("add", "change", "view", "delete")):
    return tuple(f"{app}.{action}_{model}" for model in models_ for action in actions)


ROLE_MARKER: dict[Role, str] = {
    Role.TRAINEE: "quiz.take_quiz",
    Role.INSTRUCTOR: "accounts.view_all_cohort_reports",
    Role.SUPERVISOR: "accounts.supervise_cohorts",
}

ROLE_PERMISSIONS: dict[Role, tuple[str, ...]] = {
    Role.TRAINEE: ("quiz.take_quiz",),
    Role.INSTRUCTOR: (
        "accounts.view_cohort_reports",
        "accounts.view_all_cohort_reports",
        *_crud("questions", ["rule", "category", "question", "choice", "questionrule"]),
        *_crud("quiz", ["quiz", "quizquestion", "quizdraw"]),
        "quiz.view_attempt",
        "quiz.view_attemptquestion",
        "quiz.view_certificate",
        "quiz.revoke_certificate",
        "admin.view_logentry",
    ),
    Role.SUPERVISOR: (
        "accounts.supervise_cohorts",
        "accounts.view_cohort_reports",
    ),
}


def _split(permission: str) -> tuple[str, str]:
    app_label, _dot, codename = permission.partition(".")
    return app_label, codename


def permission_q(permission: str, prefix: str = "") -> Q:
    """Q for Permission rows (or rows reaching one through `prefix`)."""
    app_label, codename = _split(permission)
    return Q(
        **{
            f"{prefix}content_type__app_label": app_label,
            f"{prefix}codename": codename,
        }
    )


GRANTED_APP = "_granted_app"
GRANTED_CODENAME = "_granted_codename"


def with_granted(users: QuerySet) -> QuerySet:
    """Users read together with what their groups grant: one row per permission
    (LEFT JOINs, so a user with none is one row), for read_with_granted()."""
    return users.annotate(
        **{
            GRANTED_APP: F("groups__permissions__content_type__app_label"),
            GRANTED_CODENAME: F("groups__permissions__codename"),
        }
    )


def read_with_granted(rows) -> object | None:
    """The user of with_granted()'s rows (all of one user), with granted()
    already answered: the sign-in check of every request reads the user and the
    roles in one query instead of two."""
    rows = list(rows)
    if not rows:
        return None
    user = rows[0]
    user._rulewise_granted = frozenset(
        f"{getattr(row, GRANTED_APP)}.{getattr(row, GRANTED_CODENAME)}"
        for row in rows
        if getattr(row, GRANTED_CODENAME)
    )
    return user


def granted(user) -> frozenset[str]:
    """The permissions ("app.codename") the user's groups give, in one query from
    the user's groups (an index lookup, as cheap as reading the groups' names),
    cached on the user object. A superuser's implicit powers are not listed:
    roles are what was granted."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_rulewise_granted", None)
    if cached is None:
        rows = Group.objects.filter(user=user).values_list(
            "permissions__content_type__app_label", "permissions__codename"
        )
        cached = frozenset(f"{app}.{codename}" for app, codename in rows if codename)
        user._rulewise_granted = cached
    return cached


def has_role(user, role: Role) -> bool:
    """True when one of the user's groups holds the role's marker permission."""
    return ROLE_MARKER[role] in granted(user)


def is_trainee(user) -> bool:
    return has_role(user, Role.TRAINEE)


def is_instructor(user) -> bool:
    return user.is_authenticated and (
        user.is_superuser or has_role(user, Role.INSTRUCTOR)
    )


def is_supervisor(user) -> bool:
    return has_role(user, Role.SUPERVISOR)


def can_see_all_reports(user) -> bool:
    """Staff who see every cohort: superusers and instructors."""
    return is_instructor(user)


def role_group(role: Role) -> Group:
    """The group that carries the role (the oldest, if an admin made several);
    created with the role's permissions when there is none."""
    group = role_groups(role).order_by("pk").first()
    if group is None:
        group = apply_role_permissions(only=[role])[role]
    return group


def role_groups(role: Role):
    """Every group that carries the role (whatever it is named)."""
    return Group.objects.filter(permission_q(ROLE_MARKER[role], "permissions__"))


def holders_q(role: Role, prefix: str = "") -> Q:
    """Q over users (or rows reaching a user through `prefix`) holding the role
    through one of their groups."""
    return Q(**{f"{prefix}groups__in": role_groups(role)})


def trainee_choices() -> Q:
    """Who may be put in a cohort as a trainee (a model field's limit_choices_to)."""
    return holders_q(Role.TRAINEE)


def supervisor_choices() -> Q:
    """Who may be put in a cohort as its supervisor."""
    return holders_q(Role.SUPERVISOR)


def apply_role_permissions(*, only=None) -> dict[Role, Group]:
    """Give each role's group the permissions of ROLE_PERMISSIONS it lacks.

    Idempotent; adds, never removes. The group is found by its marker, or by the
    role's default name on a fresh database. Permissions not created yet (an app
    whose post_migrate has not run) are skipped and added on a later call.
    Returns each role's group.
    """
    groups = {}
    for role in only or Role:
        group = (
            role_groups(role).order_by("pk").first()
            or Group.objects.get_or_create(name=role.value)[0]
        )
        wanted = Q()
        for permission in ROLE_PERMISSIONS[role]:
            wanted |= permission_q(permission)
        group.permissions.add(*Permission.objects.filter(wanted))
        groups[role] = group
    return groups

"""The three roles of Rulewise, as Django groups created by a data migration."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    TRAINEE = "Trainee", _("Trainee")
    INSTRUCTOR = "Instructor", _("Instructor")
    SUPERVISOR = "Supervisor", _("Supervisor")


def role_names(user) -> frozenset[str]:
    """Names of the role groups the user belongs to (cached on the user object)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_rulewise_roles", None)
    if cached is None:
        cached = frozenset(
            user.groups.filter(name__in=Role.values).values_list("name", flat=True)
        )
        user._rulewise_roles = cached
    return cached


def has_role(user, role: Role) -> bool:
    """True when the user is in the role's group."""
    return role.value in role_names(user)


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

"""Who may see and do what: the one access policy of the site.

Views gate on the decorators here; object lookups are scoped with the
`visible_to(user)` QuerySet methods, which ask this module. Nothing else reads
group names.
"""

from functools import wraps

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from accounts.roles import Role, can_see_all_reports, granted, holders_q, is_trainee


def can_take_quizzes(user) -> bool:
    """Trainees take quizzes; a superuser may, to try one out."""
    return user.is_authenticated and (is_trainee(user) or user.is_superuser)


def holds(user, permission: str) -> bool:
    """user.has_perm(permission), answered from the groups' permissions the role
    checks already read when one of them grants it (no further query)."""
    return permission in granted(user) or user.has_perm(permission)


def can_read_reports(user) -> bool:
    """Supervisors, instructors and superusers read progress reports."""
    return user.is_authenticated and holds(user, "accounts.view_cohort_reports")


# --- scoping: what a user may read ----------------------------------------------


def supervised_users(user) -> QuerySet:
    """The trainees of the cohorts the user supervises (a subquery, never a join:
    no duplicate rows for a trainee in two of their cohorts)."""
    return get_user_model().objects.filter(cohorts__supervisors=user).values("pk")


def scope_by_owner(queryset: QuerySet, user, *, owner: str = "user") -> QuerySet:
    """Rows belonging (through `owner`) to the user or to a trainee they
    supervise; every row for instructors and superusers; none for visitors."""
    if not user.is_authenticated:
        return queryset.none()
    if can_see_all_reports(user):
        return queryset
    return queryset.filter(
        Q(**{owner: user}) | Q(**{f"{owner}__in": supervised_users(user)})
    )


def scope_trainees(queryset: QuerySet, user) -> QuerySet:
    """Trainees whose records the user may read: every trainee for staff, their
    cohorts' trainees for supervisors."""
    trainees = queryset.filter(holders_q(Role.TRAINEE))
    if not user.is_authenticated:
        return queryset.none()
    if can_see_all_reports(user):
        return trainees
    return trainees.filter(pk__in=supervised_users(user))


def scope_cohorts(queryset: QuerySet, user) -> QuerySet:
    """Cohorts whose reports the user may read: all for staff, their own for
    supervisors, none for anyone else."""
    if not user.is_authenticated:
        return queryset.none()
    if can_see_all_reports(user):
        return queryset
    return queryset.filter(supervisors=user)


def _gate(test, doc: str):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not test(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    decorator.__doc__ = doc
    return decorator


trainee_required = _gate(
    can_take_quizzes, "Signed in (else to the login page) and a trainee (else 403)."
)
reports_required = _gate(
    can_read_reports, "Signed in and allowed to read reports (else 403)."
)

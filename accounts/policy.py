"""Who may see and do what: the one access policy of the site.

Views gate on the decorators here; object lookups are scoped with the
`visible_to(user)` QuerySet methods, which ask this module. Nothing else reads
group names.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from accounts.roles import is_trainee


def can_take_quizzes(user) -> bool:
    """Trainees take quizzes; a superuser may, to try one out."""
    return user.is_authenticated and (is_trainee(user) or user.is_superuser)


def can_read_reports(user) -> bool:
    """Supervisors, instructors and superusers read progress reports."""
    return user.is_authenticated and user.has_perm("accounts.view_cohort_reports")


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

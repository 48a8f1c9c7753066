"""Writes on the programme: granting one trainee an override."""

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from quiz.programme.models import Override


def _when(moment) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def override_summary(override: Override) -> str:
    """What an override grants, in words: "2 extra attempts, due 1 March"."""
    parts = []
    if override.extra_attempts:
        parts.append(
            ngettext(
                "%(n)d extra attempt", "%(n)d extra attempts", override.extra_attempts
            )
            % {"n": override.extra_attempts}
        )
    if override.extra_minutes:
        parts.append(
            ngettext(
                "%(n)d extra minute", "%(n)d extra minutes", override.extra_minutes
            )
            % {"n": override.extra_minutes}
        )
    if override.due_at:
        parts.append(_("due %(date)s") % {"date": _when(override.due_at)})
    if override.closes_at:
        parts.append(_("closes %(date)s") % {"date": _when(override.closes_at)})
    return ", ".join(parts) or _("nothing beyond the cohort's settings")


def override_grant(
    *,
    quiz,
    trainee,
    granted_by,
    reason: str,
    extra_attempts: int = 0,
    extra_minutes: int = 0,
    due_at=None,
    closes_at=None,
) -> Override:
    """Grant a trainee an override on a quiz (replacing the one they had), and
    record in the audit log who granted what and why."""
    with transaction.atomic():
        override = (
            Override.objects.select_for_update().filter(quiz=quiz, user=trainee).first()
        ) or Override(quiz=quiz, user=trainee)
        created = override.pk is None
        override.extra_attempts = extra_attempts
        override.extra_minutes = extra_minutes
        override.due_at = due_at
        override.closes_at = closes_at
        override.reason = reason.strip()
        override.granted_by = granted_by
        override.full_clean()
        override.save()
        LogEntry.objects.log_actions(
            user_id=granted_by.pk,
            queryset=[override],
            action_flag=ADDITION if created else CHANGE,
            change_message=_(
                "Override for %(trainee)s on “%(quiz)s”: %(what)s. Reason: %(why)s"
            )
            % {
                "trainee": trainee.get_username(),
                "quiz": quiz.title,
                "what": override_summary(override),
                "why": override.reason,
            },
        )
    return override

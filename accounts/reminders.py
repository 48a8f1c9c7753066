"""Reminders: who is due one today, and queueing each exactly once.

What is due comes from the providers named in `settings.REMINDER_PROVIDERS`
(dotted paths, called with `today`; accounts never imports the apps above it):
certificates about to expire, the supervisors' weekly digest, and whatever a
later feature adds (assignments due in 3 days, overdue) by appending one path.
This module owns the rules every reminder follows: a user who turned reminders
off gets none, nor does one without an address, and each goes out once per
(user, reason, date), which the ReminderSent constraint guarantees however often
and on however many machines `send_reminders` runs.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from accounts.language import in_language_of
from accounts.mail import mail_queue
from accounts.models import ReminderSent, User


@dataclass(frozen=True)
class Reminder:
    """One reminder a provider finds due. `reason` says what kind (a short
    slug, e.g. "certificate_expires_7"), `about` which object (e.g.
    "certificate:12"), `on` the date it is for (the expiry date, the week's
    Monday): together with the user, the key it is sent once for."""

    user: User  # with email and reminders_enabled loaded
    reason: str
    on: date
    subject: str  # in the user's language (accounts.language.in_language_of)
    template: str
    context: dict = field(default_factory=dict)
    about: str = ""

    @property
    def key(self) -> tuple:
        return (self.user.pk, self.reason, self.about, self.on)

    @property
    def deliverable(self) -> bool:
        """Reminders on, and an address to send them to."""
        return bool(self.user.reminders_enabled and self.user.email)


Provider = Callable[[date], Iterable[Reminder]]


@dataclass
class ReminderReport:
    queued: int = 0
    already_sent: int = 0
    opted_out: int = 0
    by_reason: dict = field(default_factory=dict)


def reminder_providers() -> list[Provider]:
    return [import_string(path) for path in settings.REMINDER_PROVIDERS]


def reminders_send(*, today: date | None = None) -> ReminderReport:
    """Queue every reminder due today that was not sent before: one mail each."""
    today = today or timezone.localdate()
    report = ReminderReport()
    for provider in reminder_providers():
        due = list(provider(today))
        sent = _already_sent(due)
        for reminder in due:
            if not reminder.deliverable:
                report.opted_out += 1
            elif reminder.key in sent or not reminder_queue_once(reminder):
                report.already_sent += 1
            else:
                report.queued += 1
                report.by_reason[reminder.reason] = (
                    report.by_reason.get(reminder.reason, 0) + 1
                )
    return report


def _already_sent(due: list[Reminder]) -> set[tuple]:
    """The keys of `due` already on record, in one query (the constraint is still
    what decides: a concurrent run may record one after this read)."""
    if not due:
        return set()
    return set(
        ReminderSent.objects.filter(
            user_id__in={r.user.pk for r in due},
            reason__in={r.reason for r in due},
            on__in={r.on for r in due},
        ).values_list("user_id", "reason", "about", "on")
    )


def reminder_queue_once(reminder: Reminder) -> ReminderSent | None:
    """Record the reminder and queue its mail together; None if it was sent
    before (the opt-out is the caller's to check: `reminder.deliverable`)."""
    try:
        with transaction.atomic():
            record = ReminderSent.objects.create(
                user=reminder.user,
                reason=reminder.reason,
                about=reminder.about,
                on=reminder.on,
            )
            # In the recipient's language, as the provider wrote the subject.
            with in_language_of(reminder.user):
                body = render_to_string(
                    reminder.template,
                    {
                        **reminder.context,
                        "user": reminder.user,
                        "preferences_url": settings.SITE_URL
                        + reverse("accounts:preferences"),
                    },
                )
            record.mail = mail_queue(
                to=[reminder.user.email], subject=reminder.subject, body=body
            )
            record.save(update_fields=["mail"])
    except IntegrityError:
        return None  # another run recorded it first
    return record

"""What a trainee is reminded of, and when: an assigned quiz due in 3 days or
overdue (a reminder provider named in settings.REMINDER_PROVIDERS, run by
`send_reminders`), and the reminder a supervisor sends from a line of the
needs-attention list. accounts/reminders.py sends both, once per (trainee,
reason, date).

The sentences of both are one function, `notice`: the trainee reads the same
words whichever way the reminder came.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.admin.models import ADDITION, LogEntry
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from accounts.language import in_language_of
from accounts.models import Cohort, User
from accounts.reminders import Reminder, reminder_queue_once
from quiz.models import Assignment, Override, Quiz
from quiz.programme.attention import (
    Cell,
    Line,
    Programme,
    Reason,
    attempt_cells,
    memberships,
    needs_attention,
)
from quiz.programme.due import DUE_SOON, DueState, due_of

# An overdue reminder goes out for a due date passed within this window: the
# day after it is due when cron runs as it should, and not months later for a
# trainee added to a cohort long after (the supervisor's digest covers them).
OVERDUE_WITHIN = timedelta(days=7)


@dataclass(frozen=True)
class Notice:
    subject: str
    message: str
    url: str


def _day(moment: datetime | None) -> str:
    return date_format(timezone.localtime(moment), "DATE_FORMAT") if moment else ""


# What a reminder says per reason: subject and sentence, formatted with the
# quiz's title and the line's date; the link is the quiz's page unless named.
_SAID = {
    Reason.OVERDUE: (
        _lazy("Rulewise: “%(quiz)s” is overdue"),
        _lazy(
            "“%(quiz)s” was due on %(date)s and you have not passed it yet. "
            "Take it as soon as you can, or ask your supervisor for more time."
        ),
    ),
    Reason.FAILED_CRITICAL: (
        _lazy("Rulewise: review the safety rules of “%(quiz)s”"),
        _lazy(
            "Your attempt at “%(quiz)s” missed a safety-critical rule, so it "
            "did not pass whatever the score. Practise the rules you missed, "
            "then try again."
        ),
    ),
    Reason.CERTIFICATE_EXPIRED: (
        _lazy("Rulewise: your certificate for “%(quiz)s” has expired"),
        _lazy(
            "Your certificate for “%(quiz)s” expired on %(date)s. Pass the "
            "exam again to renew it."
        ),
    ),
    Reason.CERTIFICATE_EXPIRING: (
        _lazy("Rulewise: your certificate for “%(quiz)s” expires soon"),
        _lazy(
            "Your certificate for “%(quiz)s” expires on %(date)s. Pass the "
            "exam again before then to renew it."
        ),
    ),
    Reason.OUT_OF_ATTEMPTS: (
        _lazy("Rulewise: no attempts left on “%(quiz)s”"),
        _lazy(
            "You have used every attempt at “%(quiz)s” without a pass. Your "
            "supervisor can grant you more."
        ),
    ),
}


def notice(
    reason: Reason, quiz: Quiz | None, when: datetime | None, now: datetime
) -> Notice:
    """The subject, the sentence and the link of a reminder to a trainee."""
    url = settings.SITE_URL + (
        reverse("quiz:quiz-detail", args=[quiz.slug]) if quiz else reverse("quiz:home")
    )
    values = {"quiz": quiz.title if quiz else "", "date": _day(when)}
    if reason is Reason.DUE_SOON:
        days = due_of(due_at=when, passed=False, now=now).days if when else 0
        subject = ngettext(
            "Rulewise: “%(quiz)s” is due in %(n)d day",
            "Rulewise: “%(quiz)s” is due in %(n)d days",
            days,
        ) % {**values, "n": days}
        message = _(
            "“%(quiz)s” is due on %(date)s and you have not passed it yet. "
            "Take it before then."
        )
        return Notice(subject, message % values, url)
    if reason is Reason.INACTIVE:
        message = (
            _("You have not taken a quiz since %(date)s. Your training is waiting.")
            if when
            else _("You have not taken a quiz yet. Your training is waiting.")
        )
        return Notice(_("Rulewise: your training is waiting"), message % values, url)
    if reason is Reason.FAILED_CRITICAL:
        url = settings.SITE_URL + reverse("quiz:practice")
    subject_of, message_of = _SAID[reason]
    return Notice(str(subject_of) % values, str(message_of) % values, url)


def _reminder(
    user: User, kind: str, reason: Reason, quiz, when, now, on: date
) -> Reminder:
    with in_language_of(user):  # the trainee's language, whoever sends it
        said = notice(reason, quiz, when, now)
    return Reminder(
        user=user,
        reason=kind,
        about=f"quiz:{quiz.pk}" if quiz else "",
        on=on,
        subject=said.subject,
        template="quiz/email/trainee_reminder.txt",
        context={"message": said.message, "url": said.url},
    )


def assignment_reminders(today: date) -> Iterator[Reminder]:
    """Trainees with an assigned quiz due within 3 days, or overdue since at
    most a week, that they have not passed and can still take: one reminder
    per quiz and due date for each ("assignment_due_soon", "assignment_overdue").

    A fixed number of queries: the trainees with a due date in the window (an
    assignment of one of their cohorts, or an override), all their
    memberships, the published quizzes, assignments and overrides, their
    attempts grouped per quiz, and the trainees themselves."""
    now = timezone.now()
    start, end = now - OVERDUE_WITHIN, now + DUE_SOON
    quizzes = list(Quiz.objects.published())
    dated = Assignment.objects.filter(
        quiz__in=quizzes, due_at__gt=start, due_at__lte=end
    ).values("cohort_id")
    through = Cohort.trainees.through.objects
    user_ids = set(
        through.filter(cohort_id__in=dated).values_list("user_id", flat=True)
    ) | set(
        Override.objects.filter(
            quiz__in=quizzes, due_at__gt=start, due_at__lte=end
        ).values_list("user_id", flat=True)
    )
    if not user_ids:
        return
    _members, cohorts_of = memberships(user_ids, within=None)
    programme = Programme(quizzes, user_ids, cohorts_of)
    cells = attempt_cells(user_ids)
    users = User.objects.filter(pk__in=user_ids, is_active=True).in_bulk()
    for user_id in sorted(users):
        for quiz, mine in zip(quizzes, programme.row(user_id), strict=True):
            if not mine.visible or mine.due_at is None:
                continue
            cell = cells.get(user_id, {}).get(quiz.pk, Cell())
            due = due_of(due_at=mine.due_at, passed=cell.passed, now=now)
            if mine.is_closed(now) or (
                mine.is_exhausted(cell.attempts) and not cell.open
            ):
                continue  # nothing they can do: the supervisor's list says so
            if due.state is DueState.SOON:
                kind, reason = "assignment_due_soon", Reason.DUE_SOON
            elif due.state is DueState.OVERDUE and mine.due_at > start:
                kind, reason = "assignment_overdue", Reason.OVERDUE
            else:
                continue
            yield _reminder(
                users[user_id],
                kind,
                reason,
                quiz,
                mine.due_at,
                now,
                on=timezone.localdate(mine.due_at),
            )


class ReminderRefused(Exception):
    """Why a reminder from the needs-attention list was not sent."""


def attention_remind(
    *,
    sender: User,
    trainee: User,
    reason: Reason,
    quiz: Quiz | None,
    inactive_days: int | None = None,
) -> bool:
    """Send `trainee` a reminder about one line of `sender`'s needs-attention
    list: True if queued, False if they were already reminded of it today.
    Refused when the line is not on the sender's list (not their trainee, or
    not a reason the trainee has now), when the trainee turned reminders off or
    has no address; recorded in the audit log."""
    if not reason.remindable:
        raise ReminderRefused(_("A reminder cannot help with this line."))
    lines = needs_attention(sender, trainee=trainee, inactive_days=inactive_days)
    line = _line(lines, reason, quiz)
    if line is None:
        raise ReminderRefused(
            _("%(name)s is no longer on your list for this reason.")
            % {"name": trainee.display_name}
        )
    now = timezone.now()
    reminder = _reminder(
        trainee,
        f"attention_{reason.value}",
        reason,
        line.quiz,
        line.when,
        now,
        on=timezone.localdate(now),
    )
    if not reminder.deliverable:
        raise ReminderRefused(
            _("%(name)s has turned reminders off or has no e-mail address.")
            % {"name": trainee.display_name}
        )
    record = reminder_queue_once(reminder)
    if record is None:
        return False
    LogEntry.objects.log_actions(
        user_id=sender.pk,
        queryset=[record],
        action_flag=ADDITION,
        change_message=_("Reminder to %(trainee)s: %(subject)s")
        % {"trainee": trainee.get_username(), "subject": reminder.subject},
    )
    return True


def _line(lines: list[Line], reason: Reason, quiz: Quiz | None) -> Line | None:
    for line in lines:
        if line.reason is reason and (line.quiz.pk if line.quiz else None) == (
            quiz.pk if quiz else None
        ):
            return line
    return None

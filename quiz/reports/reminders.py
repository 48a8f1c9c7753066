"""The supervisors' weekly digest: who in their cohorts needs attention (a
reminder provider named in settings.REMINDER_PROVIDERS; accounts/reminders.py
sends it, once per supervisor and week).

Reasons today: out of attempts without a pass, failed on a safety-critical rule
(and not passed since), a certificate that expires within 30 days or has expired
(and was not renewed). The needs-attention list (issue 16, item 3) will own these
rules and more (assignments not started, overdue, inactive); the digest should
then read its selector instead of `attention_by_trainee`.
"""

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Cohort
from accounts.reminders import Reminder
from quiz.attempts.models import Attempt, AttemptState
from quiz.attempts.progress import ProgressStatus, is_exhausted
from quiz.certificates.reminders import current_certificates
from quiz.models import Quiz
from quiz.programme import effective

CERTIFICATE_WARNING = timedelta(days=30)


def attention_by_trainee(trainee_ids, *, now=None) -> dict[int, list[str]]:
    """What needs a supervisor's attention, per trainee: 3 queries, whatever the
    number of trainees."""
    now = now or timezone.now()
    lines: dict[int, list[str]] = defaultdict(list)
    per_quiz = list(
        Attempt.objects.filter(user_id__in=trainee_ids)
        .values("user_id", "quiz_id")
        .annotate(
            used=Count("pk"),
            passes=Count("pk", filter=Q(passed=True)),
            open=Count("pk", filter=Q(state=AttemptState.IN_PROGRESS)),
            critical=Count("pk", filter=Q(failed_critical=True)),
            # The override's extra attempts (quiz/programme/effective.py).
            **effective.extra_attempts_annotation(user="user_id", quiz="quiz_id"),
        )
        .order_by("user_id", "quiz_id")
    )
    quizzes = Quiz.objects.in_bulk({row["quiz_id"] for row in per_quiz})
    for row in per_quiz:
        quiz = quizzes[row["quiz_id"]]
        status = ProgressStatus.of(
            passed=bool(row["passes"]),
            in_progress=bool(row["open"]),
            attempts=row["used"],
            exhausted=is_exhausted(
                effective.max_attempts(quiz, row[effective.PREFIX + "extra_attempts"]),
                row["used"],
            ),
        )
        if status is ProgressStatus.OUT_OF_ATTEMPTS:
            lines[row["user_id"]].append(
                _("out of attempts on “%(quiz)s” without a pass") % {"quiz": quiz.title}
            )
        if not row["passes"] and row["critical"]:
            lines[row["user_id"]].append(
                _("failed a safety-critical rule on “%(quiz)s”") % {"quiz": quiz.title}
            )
    certificates = (
        current_certificates()
        .filter(user_id__in=trainee_ids, expires_at__lt=now + CERTIFICATE_WARNING)
        .order_by("expires_at")
        .values_list("user_id", "quiz_title", "expires_at")
    )
    for user_id, title, expires_at in certificates:
        day = timezone.localdate(expires_at).isoformat()
        text = (
            _("certificate for “%(quiz)s” expired on %(date)s")
            if expires_at <= now
            else _("certificate for “%(quiz)s” expires on %(date)s")
        )
        lines[user_id].append(text % {"quiz": title, "date": day})
    return lines


def week_of(today: date) -> date:
    """The Monday of the week: the digest's date, so it goes once a week."""
    return today - timedelta(days=today.weekday())


def supervisor_digest_reminders(today: date) -> Iterator[Reminder]:
    """Each supervisor whose cohorts have someone needing attention, weekly."""
    User = get_user_model()
    people = User.objects.only("pk", "username", "first_name", "last_name")
    cohorts = list(
        Cohort.objects.filter(supervisors__isnull=False)
        .distinct()
        .prefetch_related(
            Prefetch(
                "supervisors",
                queryset=User.objects.only(
                    "pk",
                    "username",
                    "first_name",
                    "last_name",
                    "email",
                    "reminders_enabled",
                ),
            ),
            Prefetch("trainees", queryset=people),
        )
    )
    trainee_ids = {t.pk for cohort in cohorts for t in cohort.trainees.all()}
    attention = attention_by_trainee(trainee_ids)
    if not attention:
        return
    sections: dict = defaultdict(list)  # supervisor -> [(cohort, [(trainee, lines)])]
    supervisors = {}
    for cohort in cohorts:
        rows = [
            (
                trainee,
                attention[trainee.pk],
                settings.SITE_URL + reverse("quiz:report-trainee", args=[trainee.pk]),
            )
            for trainee in sorted(cohort.trainees.all(), key=lambda t: t.display_name)
            if trainee.pk in attention
        ]
        if not rows:
            continue
        for supervisor in cohort.supervisors.all():
            supervisors[supervisor.pk] = supervisor
            sections[supervisor.pk].append((cohort, rows))
    monday = week_of(today)
    for pk, cohort_rows in sections.items():
        count = len({t.pk for _cohort, rows in cohort_rows for t, _l, _u in rows})
        yield Reminder(
            user=supervisors[pk],
            reason="supervisor_digest",
            on=monday,
            subject=ngettext(
                "Rulewise: %(n)d trainee needs attention this week",
                "Rulewise: %(n)d trainees need attention this week",
                count,
            )
            % {"n": count},
            template="quiz/email/supervisor_digest.txt",
            context={"sections": cohort_rows, "count": count, "week": monday},
        )

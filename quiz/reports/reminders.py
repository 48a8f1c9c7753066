"""The supervisors' weekly digest: who in their cohorts needs attention (a
reminder provider named in settings.REMINDER_PROVIDERS; accounts/reminders.py
sends it, once per supervisor and week).

The reasons are the needs-attention list's (quiz/programme/attention.py, the
one owner of them), read for each supervisor as their list page reads it.
"""

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.language import in_language_of
from accounts.reminders import Reminder
from quiz.programme.attention import Line, Reason, needs_attention


def describe(line: Line) -> str:
    """One line of the list as a sentence of the digest."""
    quiz = line.quiz.title if line.quiz else ""
    day = date_format(timezone.localtime(line.when), "DATE_FORMAT") if line.when else ""
    if line.reason is Reason.FAILED_CRITICAL:
        return _("failed a safety-critical rule on “%(quiz)s”") % {"quiz": quiz}
    if line.reason is Reason.OUT_OF_ATTEMPTS:
        return _("out of attempts on “%(quiz)s” without a pass") % {"quiz": quiz}
    if line.reason is Reason.OVERDUE:
        return _("“%(quiz)s” was due on %(date)s") % {"quiz": quiz, "date": day}
    if line.reason is Reason.DUE_SOON:
        return _("has not started “%(quiz)s”, due on %(date)s") % {
            "quiz": quiz,
            "date": day,
        }
    if line.reason is Reason.CERTIFICATE_EXPIRED:
        return _("certificate for “%(quiz)s” expired on %(date)s") % {
            "quiz": quiz,
            "date": day,
        }
    if line.reason is Reason.CERTIFICATE_EXPIRING:
        return _("certificate for “%(quiz)s” expires on %(date)s") % {
            "quiz": quiz,
            "date": day,
        }
    if line.when:
        return _("no activity since %(date)s") % {"date": day}
    return _("no activity yet")


def week_of(today: date) -> date:
    """The Monday of the week: the digest's date, so it goes once a week."""
    return today - timedelta(days=today.weekday())


def supervisor_digest_reminders(today: date) -> Iterator[Reminder]:
    """Each supervisor whose cohorts have someone needing attention, weekly:
    their needs-attention list, by cohort and trainee."""
    supervisors = {
        supervisor.pk: supervisor
        for supervisor in get_user_model()
        .objects.filter(supervised_cohorts__isnull=False, is_active=True)
        .distinct()
    }
    sections: dict = {}  # supervisor -> [(cohort, [(trainee, lines, url)])]
    for pk, supervisor in supervisors.items():
        by_cohort: dict = defaultdict(lambda: defaultdict(list))
        with in_language_of(supervisor):  # the lines in the supervisor's words
            for line in needs_attention(supervisor):
                by_cohort[line.cohort][line.trainee].append(describe(line))
        rows = [
            (
                cohort,
                [
                    (
                        trainee,
                        lines,
                        settings.SITE_URL
                        + reverse("quiz:report-trainee", args=[trainee.pk]),
                    )
                    for trainee, lines in sorted(
                        trainees.items(), key=lambda item: item[0].display_name
                    )
                ],
            )
            for cohort, trainees in sorted(by_cohort.items(), key=lambda c: c[0].name)
        ]
        if rows:
            sections[pk] = rows
    monday = week_of(today)
    for pk, cohort_rows in sections.items():
        count = len({t.pk for _cohort, rows in cohort_rows for t, _l, _u in rows})
        with in_language_of(supervisors[pk]):
            subject = ngettext(
                "Rulewise: %(n)d trainee needs attention this week",
                "Rulewise: %(n)d trainees need attention this week",
                count,
            ) % {"n": count}
        yield Reminder(
            user=supervisors[pk],
            reason="supervisor_digest",
            on=monday,
            subject=subject,
            template="quiz/email/supervisor_digest.txt",
            context={"sections": cohort_rows, "count": count, "week": monday},
        )

"""Needs attention: the trainees of a supervisor's cohorts who are stuck, late or
about to lose a certificate, each with the reason and what to do about it.

A fixed number of queries whatever the cohorts' size: the memberships, the
trainees (with their last activity), the published quizzes, the assignments, the
overrides, the attempts grouped per trainee and quiz, and the certificates. The
dates each trainee has on each quiz come from quiz/programme/effective.py
(`combine`, the Python form of the rule, memoised per set of cohorts).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db import connections, models
from django.db.models import (
    BooleanField,
    Case,
    DateTimeField,
    ExpressionWrapper,
    F,
    Max,
    Q,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Cohort, User
from quiz.certificates.models import EXPIRING_DAYS
from quiz.models import (
    Assignment,
    Attempt,
    Certificate,
    Override,
    Quiz,
)
from quiz.programme import effective

DUE_WITHIN = timedelta(days=7)


class Reason(models.TextChoices):
    """Why a trainee is on the list, most urgent first (the order of the list)."""

    FAILED_CRITICAL = "failed_critical", _("Failed on a safety-critical rule")
    OUT_OF_ATTEMPTS = "out_of_attempts", _("Out of attempts without a pass")
    OVERDUE = "overdue", _("Overdue")
    DUE_SOON = "not_started_due_soon", _("Not started, due within 7 days")
    CERTIFICATE_EXPIRED = "certificate_expired", _("Certificate expired")
    CERTIFICATE_EXPIRING = (
        "certificate_expiring",
        _("Certificate expires within 30 days"),
    )
    INACTIVE = "inactive", _("Inactive")

    @property
    def grants_override(self) -> bool:
        """An override is the action: more attempts, a later date."""
        return self in (
            Reason.OUT_OF_ATTEMPTS,
            Reason.OVERDUE,
            Reason.DUE_SOON,
            Reason.FAILED_CRITICAL,
        )

    @property
    def remindable(self) -> bool:
        """A reminder helps: the trainee can act on it (out of attempts, they
        cannot; the action there is an override)."""
        return self is not Reason.OUT_OF_ATTEMPTS


_RANK = {reason: i for i, reason in enumerate(Reason)}


@dataclass(slots=True)
class Line:
    cohort: Cohort
    trainee: User
    reason: Reason
    quiz: Quiz | None = None
    when: datetime | None = None  # the due date, the expiry, the last activity


class Cell(NamedTuple):  # a tuple: tens of thousands are made per page
    attempts: int = 0
    open: bool = False
    passed: bool = False
    failed_critical: bool = False


_NOTHING = Cell()  # a quiz the trainee has not attempted


def needs_attention(
    user,
    *,
    inactive_days: int | None = None,
    now: datetime | None = None,
    trainee: User | None = None,
) -> list[Line]:
    """Per cohort the user may read, per trainee, every reason to look at them
    (only `trainee`'s lines when given: what an action on one line checks)."""
    now = now or timezone.now()
    if inactive_days is None:
        inactive_days = settings.ATTENTION_INACTIVE_DAYS
    cohorts = {c.pk: c for c in Cohort.objects.visible_to(user)}
    visible = Cohort.trainees.through.objects.filter(cohort_id__in=cohorts)
    if trainee is not None:
        visible = visible.filter(user_id=trainee.pk)
    user_ids = visible.values("user_id")
    members, cohorts_of = memberships(user_ids, within=cohorts)
    quiet_since = now - timedelta(days=inactive_days)
    trainees = {t.pk: t for t in _trainees(user_ids, quiet_since)}
    quizzes = list(Quiz.objects.published())
    programme = Programme(quizzes, user_ids, cohorts_of)
    cells = attempt_cells(user_ids)
    certificates = _latest_certificates(user_ids, quizzes)

    soon = now + timedelta(days=EXPIRING_DAYS)
    found: dict[int, list] = {}
    for user_id, person in trainees.items():  # once, whatever their cohorts
        reasons = found[user_id] = []
        done = cells.get(user_id, {})
        for quiz, mine in zip(quizzes, programme.row(user_id), strict=True):
            if mine.visible:
                cell = done.get(quiz.pk, _NOTHING)
                if not cell.passed:
                    reasons += _quiz_reasons(quiz, mine, cell, now)
        for quiz, expires in certificates.get(user_id, ()):
            if expires <= now:
                reasons.append((Reason.CERTIFICATE_EXPIRED, quiz, expires))
            elif expires <= soon:
                reasons.append((Reason.CERTIFICATE_EXPIRING, quiz, expires))
        if person.inactive:
            reasons.append((Reason.INACTIVE, None, person.inactive_since))
    lines = [
        Line(cohorts[cohort_id], trainees[user_id], reason, quiz, when)
        for cohort_id, ids in members.items()
        for user_id in ids
        for reason, quiz, when in found[user_id]
    ]
    return sorted(
        lines,
        key=lambda line: (
            line.cohort.name,
            _RANK[line.reason],
            line.when or now,
            line.trainee.last_name,
            line.trainee.username,
            line.quiz.title if line.quiz else "",
        ),
    )


def _trainees(user_ids, quiet_since: datetime):
    """The trainees, each with whether they have been inactive since
    `quiet_since` (no attempt started since, or none at all and joined before)
    and, if so, when they last started one: decided in the query, so that the
    thousands of active trainees bring no dates to parse."""
    return (
        User.objects.filter(pk__in=user_ids)
        .only("username", "first_name", "last_name")
        .alias(last_active=Max("attempts__started_at"))
        .annotate(
            inactive=ExpressionWrapper(
                Q(last_active__lt=quiet_since)
                | Q(last_active__isnull=True, date_joined__lt=quiet_since),
                output_field=BooleanField(),
            ),
            inactive_since=Case(
                When(last_active__lt=quiet_since, then=F("last_active")),
                default=None,
                output_field=DateTimeField(),
            ),
        )
    )


def _quiz_reasons(quiz, mine, cell: Cell, now) -> list:
    """The reasons of a quiz the trainee has not passed."""
    found: list[tuple[Reason, Quiz, datetime | None]] = []
    if cell.failed_critical:
        found.append((Reason.FAILED_CRITICAL, quiz, None))
    if not cell.open and mine.is_exhausted(cell.attempts):
        found.append((Reason.OUT_OF_ATTEMPTS, quiz, None))
    due = mine.due_at
    if due is not None and due <= now:
        found.append((Reason.OVERDUE, quiz, due))
    elif due is not None and due <= now + DUE_WITHIN and not cell.attempts:
        found.append((Reason.DUE_SOON, quiz, due))
    return found


def memberships(user_ids, *, within) -> tuple[dict, dict]:
    """({cohort in `within`: its trainees}, {trainee: all their cohorts}) in one
    query: the list groups trainees by the cohorts the reader may see, but a
    trainee's dates come from every cohort they are in (another cohort's later
    due date is theirs too, as effective.py says)."""
    members: dict[int, list[int]] = defaultdict(list)
    cohorts_of: dict[int, set[int]] = defaultdict(set)
    for cohort_id, user_id in Cohort.trainees.through.objects.filter(
        user_id__in=user_ids
    ).values_list("cohort_id", "user_id"):
        cohorts_of[user_id].add(cohort_id)
        if within is None or cohort_id in within:
            members[cohort_id].append(user_id)
    return members, cohorts_of


class Programme:
    """The assignments and overrides of these trainees, read once; what each
    trainee has on each quiz by effective.combine, memoised per set of cohorts
    and overrides (most trainees share their cohorts and have no override, so a
    list of thousands computes a handful of rows)."""

    def __init__(self, quizzes, user_ids, cohorts_of: dict[int, set[int]]) -> None:
        self.quizzes = list(quizzes)
        self.assigned: dict[int, list] = defaultdict(list)  # quiz -> rows
        for row in Assignment.objects.filter(quiz__in=self.quizzes).values_list(
            "quiz_id", "cohort_id", "opens_at", "due_at", "closes_at"
        ):
            self.assigned[row[0]].append(row)
        self.overrides: dict[int, dict[int, Override]] = defaultdict(dict)
        for o in Override.objects.filter(user_id__in=user_ids):
            self.overrides[o.user_id][o.quiz_id] = o
        self.cohorts_of = {pk: frozenset(ids) for pk, ids in cohorts_of.items()}
        self._seen: dict[tuple, list[effective.Effective]] = {}

    def row(self, user_id: int) -> list[effective.Effective]:
        """What the trainee has on each quiz, in the order of `quizzes`."""
        mine = self.cohorts_of.get(user_id, frozenset())
        overrides = self.overrides.get(user_id, {})
        key = (mine, tuple(o.pk for o in overrides.values()))
        if key not in self._seen:
            self._seen[key] = [
                effective.combine(
                    quiz,
                    assigned=[
                        (o, d, c)
                        for _q, cohort, o, d, c in self.assigned.get(quiz.pk, ())
                        if cohort in mine
                    ],
                    quiz_is_assigned=quiz.pk in self.assigned,
                    override=overrides.get(quiz.pk),
                )
                for quiz in self.quizzes
            ]
        return self._seen[key]


def attempt_cells(user_ids) -> dict[int, dict[int, Cell]]:
    """{user: {quiz: what they did}}: one grouped query, its rows read as the
    database returns them (integers on both databases: tens of thousands of rows
    for a large cohort, where Django's per-value converters cost more than the
    query)."""
    query = (
        Attempt.objects.filter(user_id__in=user_ids, quiz__published=True)
        .tallied()
        .values_list("user_id", "quiz_id", "n", "open", "passed_any", "critical_any")
        .order_by()
    )
    sql, params = query.query.sql_with_params()
    cells: dict[int, dict[int, Cell]] = defaultdict(dict)
    with connections[query.db].cursor() as cursor:
        cursor.execute(sql, params)
        for user_id, quiz_id, n, open_, passed, critical in cursor.fetchall():
            cells[user_id][quiz_id] = Cell(n, bool(open_), bool(passed), bool(critical))
    return cells


def _latest_certificates(user_ids, quizzes) -> dict[int, list[tuple[Quiz, datetime]]]:
    """{user: [(quiz, expiry)]} of each trainee's latest certificate per quiz
    that expires and is not revoked (a renewal replaces the expiring one): one
    query."""
    latest: dict[tuple[int, int], datetime | None] = {}
    for user_id, quiz_id, expires in (
        Certificate.objects.filter(
            user_id__in=user_ids, quiz__in=quizzes, revoked_at__isnull=True
        )
        .order_by("issued_at", "pk")
        .values_list("user_id", "quiz_id", "expires_at")
    ):
        latest[(user_id, quiz_id)] = expires
    by_pk = {quiz.pk: quiz for quiz in quizzes}
    found: dict[int, list[tuple[Quiz, datetime]]] = defaultdict(list)
    for (user_id, quiz_id), when in latest.items():
        if when is not None:
            found[user_id].append((by_pk[quiz_id], when))
    return found


def attention_summary(lines: list[Line]) -> list[tuple[Reason, int]]:
    """How many trainees each reason concerns, for the dashboard."""
    trainees: dict[Reason, set[int]] = defaultdict(set)
    for line in lines:
        trainees[line.reason].add(line.trainee.pk)
    return [(reason, len(trainees[reason])) for reason in Reason if trainees[reason]]


def attention_summary_cached(user) -> list[tuple[Reason, int]]:
    """The summary for the supervisor's dashboard, kept in the cache for
    ATTENTION_SUMMARY_CACHE_SECONDS: a supervisor of thousands opens the
    dashboard often, and the list itself (the page) is always computed afresh."""
    key = f"rw:attention-summary:v1:{user.pk}"
    cached = cache.get(key)
    if cached is None:
        cached = [
            (reason.value, n) for reason, n in attention_summary(needs_attention(user))
        ]
        cache.set(key, cached, timeout=settings.ATTENTION_SUMMARY_CACHE_SECONDS)
    return [(Reason(value), n) for value, n in cached]

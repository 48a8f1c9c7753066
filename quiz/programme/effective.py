"""The settings a trainee actually has on a quiz: one rule, in SQL and in Python.

A quiz is open to a trainee when it is assigned to one of their cohorts, or when
it has no assignment at all and is not kept to assigned cohorts. Its dates are
the assignment's; a trainee in two assigned cohorts gets the most generous of
them (Moodle's rule for group overrides): the earliest opening, the latest due
and closing dates, an empty date (no limit) beating any date. An assignment
without a closing date closes when the quiz does. A trainee's override then
replaces the due and closing dates it sets and adds attempts and minutes.

Everything that decides on attempts asks this module: starting (services), the
deadline (timing, through the attempt's `closes_at`), QuizStatus and the
dashboards (SQL annotations read with `from_row`), the reports. The SQL form
(`annotations`) is what pages read in the query they already make; the Python
form (`combine`) is for a report that has loaded assignments and overrides for
thousands of trainees at once. tests/test_programme.py proves the two agree.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Now

from quiz.programme.models import Assignment, Override

PREFIX = "p_"


@dataclass(frozen=True)
class Effective:
    """What one trainee has on one quiz once assignments and overrides apply."""

    visible: bool  # assigned to them, or open to every trainee
    opens_at: datetime | None
    due_at: datetime | None
    closes_at: datetime | None
    max_attempts: int | None
    time_limit: timedelta | None
    extra_attempts: int = 0
    extra_minutes: int = 0

    @classmethod
    def build(
        cls,
        quiz,
        *,
        visible: bool,
        opens_at,
        due_at,
        closes_at,
        extra_attempts: int,
        extra_minutes: int,
    ) -> "Effective":
        """The quiz's limits with the override's extras added: extra attempts
        only where the quiz has a maximum, extra minutes only where it has a
        time limit."""
        limit = quiz.time_limit
        return cls(
            visible=visible,
            opens_at=opens_at,
            due_at=due_at,
            closes_at=closes_at,
            max_attempts=max_attempts(quiz, extra_attempts),
            time_limit=limit + timedelta(minutes=extra_minutes) if limit else None,
            extra_attempts=extra_attempts,
            extra_minutes=extra_minutes,
        )

    @property
    def time_limit_minutes(self) -> int | None:
        return int(self.time_limit.total_seconds() // 60) if self.time_limit else None

    def has_opened(self, now: datetime) -> bool:
        return self.opens_at is None or now >= self.opens_at

    def is_closed(self, now: datetime) -> bool:
        return self.closes_at is not None and now >= self.closes_at

    def is_exhausted(self, used: int) -> bool:
        """Has the trainee used every attempt they are allowed?"""
        return self.max_attempts is not None and used >= self.max_attempts

    def attempts_left(self, used: int) -> int | None:
        if self.max_attempts is None:
            return None
        return max(0, self.max_attempts - used)


def max_attempts(quiz, extra_attempts: int) -> int | None:
    """The trainee's maximum: the quiz's plus their extra attempts (none when
    the quiz has no maximum)."""
    if quiz.max_attempts is None:
        return None
    return quiz.max_attempts + extra_attempts


def extra_attempts_annotation(*, user, quiz) -> dict:
    """The override's extra attempts alone, named as in annotations()."""
    return annotations(user=user, quiz=quiz, only=("extra_attempts",))


# --- Python ------------------------------------------------------------------------


def _generous(values: list, pick):
    """The most generous of the cohorts' dates: none (no limit) beats any date."""
    if not values or any(v is None for v in values):
        return None
    return pick(values)


def combine(
    quiz,
    *,
    assigned: Iterable[tuple],
    quiz_is_assigned: bool,
    override=None,
) -> Effective:
    """The rule over loaded rows: `assigned` holds (opens, due, closes) of the
    quiz's assignments to the trainee's cohorts; `quiz_is_assigned`, whether it
    has any assignment at all; `override` the trainee's Override or None."""
    rows = list(assigned)
    if rows:
        opens = _generous([o for o, _d, _c in rows], min)
        due = _generous([d for _o, d, _c in rows], max)
        closes = _generous([c or quiz.closes_at for _o, _d, c in rows], max)
    else:
        opens, due, closes = None, None, quiz.closes_at
    if override is not None:
        due = override.due_at or due
        closes = override.closes_at or closes
    return Effective.build(
        quiz,
        visible=bool(rows) or not (quiz_is_assigned or quiz.assigned_only),
        opens_at=opens,
        due_at=due,
        closes_at=closes,
        extra_attempts=override.extra_attempts if override else 0,
        extra_minutes=override.extra_minutes if override else 0,
    )


# --- SQL ---------------------------------------------------------------------------


def _ref(value):
    """A path on the outer row becomes an OuterRef; a value stays a value."""
    return OuterRef(value) if isinstance(value, str) else value


NAMES = (
    "visible",
    "opens_at",
    "due_at",
    "closes_at",
    "extra_attempts",
    "extra_minutes",
)


def annotations(
    *, user, quiz, quiz_fields: str = "", only: tuple[str, ...] = NAMES
) -> dict:
    """The same rule as annotations (PREFIX visible, opens_at, due_at, closes_at,
    extra_attempts, extra_minutes), read back with from_row.

    user: the trainee (a user or pk), or the path to them on the outer row
    ("pk" over users, "user" over attempts). quiz: a Quiz, or the path to it
    ("pk" over quizzes, "quiz" over attempts); quiz_fields: the prefix of the
    quiz's own columns on the outer row ("" over quizzes, "quiz__" over attempts).
    only: the names wanted (each is built only when asked: building the others
    costs a page that reads one of them a few milliseconds).
    """
    user_ref = _ref(user.pk if hasattr(user, "pk") else user)
    quiz_closes: F | Value
    if isinstance(quiz, str):
        quiz_ref = OuterRef(quiz)
        quiz_closes = F(f"{quiz_fields}closes_at")
        open_to_all = Q(**{f"{quiz_fields}assigned_only": False})
    else:
        quiz_ref = quiz.pk
        quiz_closes = Value(quiz.closes_at, output_field=DateTimeField())
        open_to_all = Q(Value(not quiz.assigned_only, output_field=BooleanField()))
    mine = Assignment.objects.filter(quiz=quiz_ref, cohort__trainees=user_ref)
    override = Override.objects.filter(quiz=quiz_ref, user=user_ref)

    def generous(column, function):
        """The most generous of the trainee's assignments' dates, in one
        subquery: none (no limit) when any of them has none."""
        grouped = (
            mine.order_by()
            .values("quiz")
            .annotate(n=Count("pk"), dated=Count(column), v=function(column))
            .annotate(
                g=Case(
                    When(n__gt=F("dated"), then=Value(None)),
                    default=F("v"),
                    output_field=DateTimeField(),
                )
            )
        )
        return Subquery(grouped.values("g")[:1], output_field=DateTimeField())

    def visible():
        return ExpressionWrapper(
            Q(Exists(mine))
            | (~Q(Exists(Assignment.objects.filter(quiz=quiz_ref))) & open_to_all),
            output_field=BooleanField(),
        )

    def due_at():
        return Coalesce(
            Subquery(override.values("due_at")[:1]),
            generous("due_at", Max),
            output_field=DateTimeField(),
        )

    def closes_at():
        # Each assignment closes when it says, or when the quiz does. With none,
        # the subquery has no row: the quiz's own date (a NULL from "some cohort
        # has no limit" can only happen when the quiz has none either).
        return Coalesce(
            Subquery(override.values("closes_at")[:1]),
            generous(Coalesce("closes_at", "quiz__closes_at"), Max),
            quiz_closes,
            output_field=DateTimeField(),
        )

    def extra(name):
        return lambda: Coalesce(
            Subquery(override.values(name)[:1]), 0, output_field=IntegerField()
        )

    builders = {
        "visible": visible,
        "opens_at": lambda: generous("opens_at", Min),
        "due_at": due_at,
        "closes_at": closes_at,
        "extra_attempts": extra("extra_attempts"),
        "extra_minutes": extra("extra_minutes"),
    }
    return {f"{PREFIX}{name}": builders[name]() for name in only}


def closes_annotation(*, user, quiz, quiz_fields: str = "") -> dict:
    """Only the closing date (the deadline's part), named as in annotations()."""
    return annotations(
        user=user, quiz=quiz, quiz_fields=quiz_fields, only=("closes_at",)
    )


def closed_q(*, user, quiz: str) -> Q:
    """Rows (the trainee: a pk or the path to them; the quiz: its path) whose quiz, already
    closed by its own date, has closed for the trainee too: `Effective.is_closed`
    as a condition, for callers that require the quiz's own date to have passed.

    The rule of closes_at in annotations(), asked as yes or no: the override's
    closing date when it has one; else every assignment to the trainee's cohorts
    closed (one without a date closes with the quiz, which has). Three EXISTS
    instead of the date's aggregate subquery: a few milliseconds less to compile
    for mastery and practice, which filter on it on every request.
    tests/test_programme.py proves it agrees with combine()."""
    quiz_ref, user_ref = OuterRef(quiz), _ref(user)
    dated_override = Override.objects.filter(
        quiz=quiz_ref, user=user_ref, closes_at__isnull=False
    )
    still_open = Assignment.objects.filter(
        quiz=quiz_ref, cohort__trainees=user_ref, closes_at__gt=Now()
    )
    return Q(Exists(dated_override.filter(closes_at__lte=Now()))) | (
        ~Q(Exists(dated_override)) & ~Q(Exists(still_open))
    )


def effective_for(*, user, quiz) -> Effective:
    """What the trainee has on the quiz: one query (the quiz read again with
    the annotations). Pages read the annotations with the query they make."""
    row = (
        type(quiz)
        .objects.filter(pk=quiz.pk)
        .values(**annotations(user=user, quiz="pk"))
        .get()
    )
    return from_row(quiz, row)


def closes_for(*, user_id: int, quiz):
    """When the quiz closes for the trainee: one query."""
    return (
        type(quiz)
        .objects.filter(pk=quiz.pk)
        .annotate(**closes_annotation(user=user_id, quiz="pk"))
        .values_list(f"{PREFIX}closes_at", flat=True)
        .get()
    )


def from_row(quiz, row) -> Effective:
    """The Effective of a row (a quiz, an attempt, a user) annotated with
    annotations(); a dict of the values works too."""
    get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
    return Effective.build(
        quiz,
        visible=bool(get(f"{PREFIX}visible")),
        opens_at=get(f"{PREFIX}opens_at"),
        due_at=get(f"{PREFIX}due_at"),
        closes_at=get(f"{PREFIX}closes_at"),
        extra_attempts=get(f"{PREFIX}extra_attempts") or 0,
        extra_minutes=get(f"{PREFIX}extra_minutes") or 0,
    )


def has_annotations(row) -> bool:
    return hasattr(row, f"{PREFIX}visible")

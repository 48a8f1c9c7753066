"""Where a trainee stands on a quiz: the progress status and the quiz grade.

Each is defined once, with its Python form (pages built from loaded attempts) and
its SQL form (reports filtering and sorting thousands of trainees) side by side;
tests/test_progress.py proves the two agree on random data.
"""

from collections.abc import Iterable
from decimal import Decimal

from django.db import models
from django.db.models import (
    Avg,
    BooleanField,
    Count,
    Exists,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from quiz.attempts.models import Attempt, AttemptState
from quiz.models import GradingMethod
from quiz.programme import effective
from quiz.rounding import round_grade


class ProgressStatus(models.TextChoices):
    """A trainee's standing on one quiz. A pass stays a pass: a trainee who passed
    and opened another attempt (to practise, or to raise the grade) has passed."""

    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    FAILED = "failed", _("Not passed yet")
    OUT_OF_ATTEMPTS = "out_of_attempts", _("Out of attempts")
    PASSED = "passed", _("Passed")

    @property
    def css(self) -> str:
        return _CSS[self]

    @classmethod
    def of(
        cls, *, passed: bool, in_progress: bool, attempts: int, exhausted: bool = False
    ) -> "ProgressStatus":
        """The status from what the trainee did: the precedence is written here only.
        exhausted: every attempt the quiz allows has been used."""
        if passed:
            return cls.PASSED
        if in_progress:
            return cls.IN_PROGRESS
        if attempts and exhausted:
            return cls.OUT_OF_ATTEMPTS
        if attempts:
            return cls.FAILED
        return cls.NOT_STARTED

    def as_q(self, *, started: str, open: str, passed: str, exhausted: str) -> Q:
        """The same precedence over four boolean annotations (annotate_progress)."""
        failed = Q(**{started: True, open: False, passed: False})
        return {
            ProgressStatus.PASSED: Q(**{passed: True}),
            ProgressStatus.IN_PROGRESS: Q(**{open: True, passed: False}),
            ProgressStatus.OUT_OF_ATTEMPTS: failed & Q(**{exhausted: True}),
            ProgressStatus.FAILED: failed & Q(**{exhausted: False}),
            ProgressStatus.NOT_STARTED: Q(**{started: False}),
        }[self]


_CSS = {
    ProgressStatus.NOT_STARTED: "text-bg-light border",
    ProgressStatus.IN_PROGRESS: "text-bg-info",
    ProgressStatus.FAILED: "text-bg-warning",
    ProgressStatus.OUT_OF_ATTEMPTS: "text-bg-danger",
    ProgressStatus.PASSED: "text-bg-success",
}


def is_exhausted(max_attempts: int | None, used: int) -> bool:
    """Has the trainee used every attempt they are allowed (the quiz's maximum
    plus their override's extra attempts: Effective.max_attempts)?"""
    return max_attempts is not None and used >= max_attempts


def annotate_progress(users: QuerySet, quiz, prefix: str = "q_") -> QuerySet:
    """Users annotated with <prefix>started, <prefix>open, <prefix>passed and
    <prefix>exhausted on the quiz, the inputs of ProgressStatus.as_q."""
    attempts = Attempt.objects.filter(user=OuterRef("pk"), quiz=quiz)
    exhausted: Exists | Value
    if quiz.max_attempts is not None:
        # Attempts are numbered 1, 2, ... per trainee and quiz: one numbered at
        # the trainee's limit (the quiz's plus their override's extra attempts)
        # means the limit is used up (is_exhausted).
        (extra,) = effective.extra_attempts_annotation(user="pk", quiz=quiz).values()
        users = users.annotate(**{f"{prefix}extra": extra})
        exhausted = Exists(
            attempts.filter(number__gte=quiz.max_attempts + OuterRef(f"{prefix}extra"))
        )
    else:
        exhausted = Value(False, output_field=BooleanField())
    return users.annotate(
        **{
            f"{prefix}started": Exists(attempts),
            f"{prefix}open": Exists(attempts.filter(state=AttemptState.IN_PROGRESS)),
            f"{prefix}passed": Exists(attempts.filter(passed=True)),
            f"{prefix}exhausted": exhausted,
        }
    )


def progress_q(status: ProgressStatus, prefix: str = "q_") -> Q:
    """ProgressStatus.as_q over the annotations annotate_progress made."""
    return status.as_q(
        started=f"{prefix}started",
        open=f"{prefix}open",
        passed=f"{prefix}passed",
        exhausted=f"{prefix}exhausted",
    )


def filter_progress(users: QuerySet, quiz, status: ProgressStatus) -> QuerySet:
    """The users whose status on the quiz is `status`, decided in the database."""
    return annotate_progress(users, quiz, prefix="p_").filter(progress_q(status, "p_"))


# --- the quiz grade ----------------------------------------------------------------


def grade_order(attempt) -> tuple:
    """First and latest are by finish time, ties broken by id, in Python and SQL."""
    return (attempt.finished_at, attempt.pk)


def quiz_grade(method: str, scores_in_order: Iterable[Decimal]) -> Decimal | None:
    """The trainee's grade for a quiz from their finished attempts' scores, in
    grade order (see grade_order): first is the earliest, latest the last."""
    scores = list(scores_in_order)
    if not scores:
        return None
    if method == GradingMethod.HIGHEST:
        return round_grade(max(scores))
    if method == GradingMethod.LATEST:
        return round_grade(scores[-1])
    if method == GradingMethod.FIRST:
        return round_grade(scores[0])
    if method == GradingMethod.AVERAGE:
        return round_grade(sum(scores, Decimal(0)) / len(scores))
    raise ValueError(f"unknown grading method {method!r}")


def grade_of(method: str, finished: Iterable) -> Decimal | None:
    """The grade from finished attempts in any order."""
    return quiz_grade(method, [a.score for a in sorted(finished, key=grade_order)])


def grade_basis(method: str, attempts: int) -> str:
    """How a grade was reached, for the trainee: "highest of 3 attempts"."""
    if method == GradingMethod.LATEST:
        text = ngettext("latest of %(n)d attempt", "latest of %(n)d attempts", attempts)
    elif method == GradingMethod.FIRST:
        text = ngettext("first of %(n)d attempt", "first of %(n)d attempts", attempts)
    elif method == GradingMethod.AVERAGE:
        text = ngettext(
            "average of %(n)d attempt", "average of %(n)d attempts", attempts
        )
    else:
        text = ngettext(
            "highest of %(n)d attempt", "highest of %(n)d attempts", attempts
        )
    return text % {"n": attempts}


def grade_sql(method: str, finished: QuerySet, *, aggregate: bool):
    """The grade in SQL over `finished` (finished attempts of one trainee and quiz,
    correlated by the caller with OuterRef). aggregate=True: an expression for a
    .values("user_id", "quiz_id").annotate() over attempts, read back with
    grade_from_row; an average is then the exact sum and count (average_parts),
    since AVG is a float on SQLite and rounds half-even elsewhere. Otherwise a
    scalar subquery per trainee, used to sort (the average by AVG: ties at the
    third decimal do not change an order)."""
    if method in (GradingMethod.FIRST, GradingMethod.LATEST):
        order = ("finished_at", "pk")
        if method == GradingMethod.LATEST:
            order = ("-finished_at", "-pk")
        return Subquery(finished.order_by(*order).values("score")[:1])
    if aggregate and method == GradingMethod.HIGHEST:
        return Max("score", filter=Q(state=AttemptState.FINISHED))
    if aggregate:
        raise ValueError("an average is read from average_parts()")
    function = Max("score") if method == GradingMethod.HIGHEST else Avg("score")
    return Subquery(
        finished.order_by().values("user").annotate(g=function).values("g")[:1]
    )


def average_parts():
    """Exact sum and count of finished scores, for an average graded in Python."""
    finished = Q(state=AttemptState.FINISHED)
    return {
        "avg_sum": Sum("score", filter=finished),
        "avg_n": Count("pk", filter=finished),
    }


def grade_subqueries(finished: QuerySet, prefix: str = "g_") -> dict:
    """Every method's grade inputs over `finished` (one trainee's finished
    attempts at one quiz, correlated by the caller with OuterRef) as scalar
    subqueries, for a page that shows one trainee's grade and reads the quiz (so
    its method) in the same query. Read back with grade_from_row over the values
    without the prefix."""

    def one(function):
        return Subquery(
            finished.order_by().values("user").annotate(v=function).values("v")[:1]
        )

    return {
        f"{prefix}{GradingMethod.HIGHEST.value}": one(Max("score")),
        f"{prefix}{GradingMethod.FIRST.value}": grade_sql(
            GradingMethod.FIRST, finished, aggregate=False
        ),
        f"{prefix}{GradingMethod.LATEST.value}": grade_sql(
            GradingMethod.LATEST, finished, aggregate=False
        ),
        f"{prefix}avg_sum": one(Sum("score")),
        f"{prefix}avg_n": one(Count("pk")),
    }


def grade_from_row(method: str, row: dict) -> Decimal | None:
    """The grade from one row of an aggregate query made with grade_sql/average_parts."""
    if method == GradingMethod.AVERAGE:
        if not row.get("avg_n"):
            return None
        total = round_grade(row["avg_sum"])  # the sum of 2-place scores is 2-place
        return round_grade(total / row["avg_n"])
    value = row.get(method)
    return None if value is None else round_grade(value)

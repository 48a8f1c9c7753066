"""Reads on a trainee's progress: standing per quiz, rule mastery, the review of
an attempt. Each in a fixed number of queries."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, OuterRef, Q, Subquery, Sum, Window
from django.db.models.functions import Coalesce, Now, RowNumber
from django.utils import timezone

from questions.models import Rule
from quiz.attempts.models import (
    Attempt,
    AttemptQuestion,
    AttemptQuestionRule,
    AttemptState,
    attempt_closes_from,
    items_with_closes,
)
from quiz.attempts.progress import (
    ProgressStatus,
    grade_basis,
    grade_from_row,
    grade_of,
    grade_subqueries,
)
from quiz.compiled import KeptQuery
from quiz.models import Quiz, QuizDraw, QuizQuestion, ReviewPolicy
from quiz.programme import effective
from quiz.programme.due import Due, due_of
from quiz.programme.effective import Effective
from quiz.programme.selectors import open_to
from quiz.rounding import whole_percent

MASTERY_WINDOW = 10
MASTERY_THRESHOLD = 80


@dataclass
class QuizStatus:
    """Where a trainee stands on one quiz, under the settings they have on it
    (their cohorts' dates, their override: quiz/programme/effective.py)."""

    quiz: Quiz
    effective: Effective
    finished: list = field(default_factory=list)  # oldest first
    in_progress: Attempt | None = None
    used: int = 0

    @property
    def passed(self) -> bool:
        return any(a.passed for a in self.finished)

    @property
    def grade(self) -> Decimal | None:
        """The grade by the quiz's grading method."""
        return grade_of(self.quiz.grading_method, self.finished)

    @property
    def grade_basis(self) -> str:
        """How the grade was reached: "highest of 3 attempts"."""
        return grade_basis(self.quiz.grading_method, len(self.finished))

    @property
    def attempts_left(self) -> int | None:
        return self.effective.attempts_left(self.used)

    @property
    def is_closed(self) -> bool:
        return self.effective.is_closed(timezone.now())

    @property
    def can_start(self) -> bool:
        if self.in_progress is not None:
            return True
        now = timezone.now()
        return (
            self.effective.visible
            and self.effective.has_opened(now)
            and not self.effective.is_closed(now)
            and self.attempts_left != 0
        )

    @property
    def due(self) -> Due:
        """The due date and how the trainee stands against it."""
        return due_of(
            due_at=self.effective.due_at, passed=self.passed, now=timezone.now()
        )

    @property
    def progress(self) -> ProgressStatus:
        return ProgressStatus.of(
            passed=self.passed,
            in_progress=self.in_progress is not None,
            attempts=self.used,
            exhausted=self.effective.is_exhausted(self.used),
        )

    @property
    def failed_on_a_safety_rule(self) -> bool:
        """Not passed, and a safety-critical question is why (at least once)."""
        return not self.passed and any(a.failed_critical for a in self.finished)

    @property
    def question_count(self) -> int | None:
        """How many questions an attempt gets (fixed ones and draws), when the
        quizzes were read with with_question_count()."""
        return getattr(self.quiz, "n_questions", None)

    @property
    def certificate(self):
        """The certificate a pass of this quiz earned (the latest), if any: read
        with the attempts, no query of its own."""
        for attempt in reversed(self.finished):
            certificate = getattr(attempt, "certificate", None)
            if certificate is not None:
                return certificate
        return None

    @property
    def latest_finished(self) -> Attempt | None:
        return self.finished[-1] if self.finished else None

    @property
    def next_action(self) -> str:
        """What the card's main button does: resume, start, retake or review."""
        if self.in_progress is not None:
            return "resume"
        if not self.finished:
            return "start" if self.can_start else "open"
        if not self.passed and self.can_start:
            return "retake"
        return "review"


def next_step(statuses: list[QuizStatus]) -> QuizStatus | None:
    """The quiz the trainee should turn to next: an attempt to resume, then a quiz
    to retake, then one not started yet (in the quizzes' order)."""
    for action in ("resume", "retake", "start"):
        for status in statuses:
            if status.next_action == action:
                return status
    return None


def with_question_count(quizzes):
    """Quizzes annotated with n_questions (fixed plus drawn), as correlated
    subqueries: no join or grouping of the quiz rows themselves."""
    fixed = (
        QuizQuestion.objects.filter(quiz=OuterRef("pk"))
        .order_by()
        .values("quiz")
        .annotate(n=Count("pk"))
        .values("n")
    )
    drawn = (
        QuizDraw.objects.filter(quiz=OuterRef("pk"))
        .order_by()
        .values("quiz")
        .annotate(n=Sum("count"))
        .values("n")
    )
    return quizzes.annotate(
        n_questions=Coalesce(Subquery(fixed), 0) + Coalesce(Subquery(drawn), 0)
    )


def quiz_statuses(*, user, quizzes=None) -> list[QuizStatus]:
    """The quizzes open to the user, soonest due first (or the given ones), with
    the user's standing: 2 queries (the quizzes carry their programme dates)."""
    if quizzes is None:
        quizzes = open_to(with_question_count(Quiz.objects.all()), user=user)
    elif not all(effective.has_annotations(quiz) for quiz in quizzes):
        quizzes = open_to(
            Quiz.objects.filter(pk__in=[q.pk for q in quizzes]), user=user
        )
    statuses = {
        quiz.pk: QuizStatus(quiz=quiz, effective=effective.from_row(quiz, quiz))
        for quiz in quizzes
    }
    attempts = (
        Attempt.objects.filter(user=user, quiz_id__in=statuses.keys())
        .select_related("certificate")
        .order_by("started_at", "pk")
    )
    return _tally(statuses, attempts)


def with_effective(attempts):
    """Attempts annotated with what their trainee has on their quiz, for
    statuses_from_attempts and next_try (no query of their own)."""
    return attempts.annotate(
        **effective.annotations(user="user", quiz="quiz", quiz_fields="quiz__")
    )


def statuses_from_attempts(attempts) -> list[QuizStatus]:
    """The standing on each quiz the attempts (oldest first, with their quiz
    loaded, read with_effective) belong to: no query."""
    first: dict[int, Attempt] = {}
    for attempt in attempts:
        first.setdefault(attempt.quiz_id, attempt)
    ordered = sorted(first.values(), key=lambda a: (a.quiz.order, a.quiz.title))
    return _tally(
        {
            a.quiz_id: QuizStatus(quiz=a.quiz, effective=effective.from_row(a.quiz, a))
            for a in ordered
        },
        attempts,
    )


def _tally(statuses: dict, attempts) -> list[QuizStatus]:
    for attempt in attempts:
        status = statuses[attempt.quiz_id]
        status.used += 1
        if attempt.state == AttemptState.IN_PROGRESS:
            status.in_progress = attempt
        else:
            status.finished.append(attempt)
    return list(statuses.values())


class MasteryShare:
    """Mastery of a rule, exam or practice alike: the share of the latest
    answers fully right (`answers`, `correct`, given by the subclass), and
    whether it reaches the threshold."""

    answers: int
    correct: int

    @property
    def share(self) -> float | None:
        return 100 * self.correct / self.answers if self.answers else None

    @property
    def mastered(self) -> bool:
        return self.share is not None and self.share >= MASTERY_THRESHOLD

    @property
    def band(self) -> str:
        """The heatmap's colour: none (not answered), low (under half), mid
        (under the threshold), high (mastered)."""
        if self.share is None:
            return "none"
        if self.mastered:
            return "high"
        return "mid" if self.share >= 50 else "low"


def _latest_answers(answers, *, per_user: bool):
    """Each rule's latest MASTERY_WINDOW answers (per trainee, if per_user)."""
    partition = [F("rule_id")]
    if per_user:
        partition.insert(0, F("item__attempt__user_id"))
    return answers.annotate(
        rank=Window(
            RowNumber(),
            partition_by=partition,
            order_by=[
                F("item__attempt__finished_at").desc(),
                F("item__position").desc(),
            ],
        )
    ).filter(rank__lte=MASTERY_WINDOW)


def _critical_first(rows):
    return sorted(rows, key=lambda r: (not r.rule.critical, r.rule.order, r.rule.code))


@dataclass
class MasteryRow(MasteryShare):
    rule: Rule
    answers: int = 0
    correct: int = 0


def reviewable_q(prefix: str = "") -> Q:
    """Attempts (reached through `prefix`) whose answers their trainee may see:
    review_visible() as a filter (the quiz closed by its own date and for the
    trainee: effective.closed_q)."""
    return Q(**{f"{prefix}quiz__review": ReviewPolicy.IMMEDIATELY}) | (
        Q(
            **{
                f"{prefix}quiz__review": ReviewPolicy.AFTER_CLOSE,
                f"{prefix}quiz__closes_at__lte": Now(),
            }
        )
        & effective.closed_q(user=f"{prefix}user", quiz=f"{prefix}quiz")
    )


def rule_mastery(*, user, reviewable_only: bool = False) -> list[MasteryRow]:
    """Every rule, critical first: share of the latest answers on it fully correct.

    reviewable_only: for the trainee's own eyes, only attempts whose quiz already
    shows the answers (a quiz that hides them must not leak them per rule).
    """
    rows = {rule.pk: MasteryRow(rule=rule) for rule in Rule.objects.all()}
    answers = AttemptQuestionRule.objects.filter(
        item__attempt__user=user, item__attempt__state=AttemptState.FINISHED
    )
    if reviewable_only:
        answers = answers.filter(reviewable_q("item__attempt__"))
    latest = _latest_answers(answers, per_user=False).values_list(
        "rule_id", "item__fully_correct"
    )
    for rule_id, correct in latest:
        row = rows.get(rule_id)
        if row is not None:
            row.answers += 1
            row.correct += bool(correct)
    return _critical_first(rows.values())


def cohort_mastery(*, user_ids) -> tuple[list[Rule], dict[tuple[int, int], MasteryRow]]:
    """Every rule (critical first) and {(trainee, rule): MasteryRow} for the
    trainees given, by rule_mastery's definition: two queries."""
    rules = [
        row.rule
        for row in _critical_first(MasteryRow(rule=r) for r in Rule.objects.all())
    ]
    by_id = {rule.pk: rule for rule in rules}
    cells: dict[tuple[int, int], MasteryRow] = {}
    answers = AttemptQuestionRule.objects.filter(
        item__attempt__user_id__in=user_ids,
        item__attempt__state=AttemptState.FINISHED,
    )
    for user_id, rule_id, correct in _latest_answers(
        answers, per_user=True
    ).values_list("item__attempt__user_id", "rule_id", "item__fully_correct"):
        if rule_id not in by_id:
            continue
        cell = cells.setdefault((user_id, rule_id), MasteryRow(rule=by_id[rule_id]))
        cell.answers += 1
        cell.correct += bool(correct)
    return rules, cells


def review_visible(attempt: Attempt) -> bool:
    """May the trainee see the answers of this attempt? "After the quiz closes"
    means closed for everyone the quiz's own date names and for this trainee
    (their cohort's date, their override): a trainee granted a later closing
    date must not read the key of one attempt while they can still make
    another. reviewable_q is the same rule in SQL."""
    policy = attempt.quiz.review
    if policy == ReviewPolicy.IMMEDIATELY:
        return True
    if policy == ReviewPolicy.AFTER_CLOSE:
        closes = attempt.closes_at
        return (
            attempt.quiz.is_closed and closes is not None and closes <= timezone.now()
        )
    return False


# The columns the attempt page and the summary read: every question row carries
# its attempt's and quiz's columns (one join), so only those the pages use. A
# field left out costs a query when read: the pinned query counts would show it.
PAGE_FIELDS = (
    "snapshot",  # first: left out when the page's markup is kept
    "attempt_id",
    "question_id",
    "position",
    "critical",
    "selected",
    "answered_at",
    "flagged",
    "attempt__quiz_id",
    "attempt__user_id",
    "attempt__number",
    "attempt__state",
    "attempt__started_at",
    "attempt__deadline",
    "attempt__last_page",
    "attempt__pass_mark",
    "attempt__quiz__title",
    "attempt__quiz__slug",
    "attempt__quiz__layout",
    "attempt__quiz__closes_at",
    "attempt__quiz__published",
)


def _page_rows(*, fields: tuple[str, ...]):
    def build(*, pk: int, user: int):
        return items_with_closes(
            AttemptQuestion.objects.select_related("attempt__quiz")
            .filter(attempt_id=pk, attempt__user=user)
            .only(*fields)
        ).order_by("position")

    return build


# The page's query never changes shape: compiled once per connection (the
# closing date's subqueries from quiz/programme/effective.py included), run with
# the attempt's and the user's ids. Its rows are one attempt's: one Attempt and
# one Quiz for the page, not one per question.
PAGE_QUERY = KeptQuery(
    AttemptQuestion, _page_rows(fields=PAGE_FIELDS), ("pk", "user"), shared_related=True
)
PAGE_QUERY_KEPT_MARKUP = KeptQuery(
    AttemptQuestion,
    _page_rows(fields=PAGE_FIELDS[1:]),
    ("pk", "user"),
    shared_related=True,
)


def attempt_items(*, user, pk: int, snapshots: bool = True) -> list[AttemptQuestion]:
    """The user's own attempt's questions in order, each with the attempt and
    its quiz, in one query: all the attempt page and the summary read. Empty
    when the attempt is not theirs (or does not exist). Without the snapshots
    when the page's questions are kept rendered (quiz/attempts/rendering.py)."""
    query = PAGE_QUERY if snapshots else PAGE_QUERY_KEPT_MARKUP
    items = query(pk=int(pk), user=int(user.pk))
    attempt_closes_from(items)
    return items


GRADE_PREFIX = "grade_"


def result_attempt(*, user, pk: int) -> Attempt | None:
    """The trainee's own attempt for its result page, read with what the page
    shows beside it in the same query: how many attempts the trainee has made at
    the quiz (`attempts_used`), the one still open (`open_attempt_id`), and the
    inputs of the quiz grade by every method (read with result_grade)."""
    siblings = Attempt.objects.filter(quiz=OuterRef("quiz"), user=OuterRef("user"))
    return (
        Attempt.objects.for_user(user)
        .select_related("quiz")
        .annotate(
            attempts_used=Subquery(
                siblings.order_by().values("quiz").annotate(n=Count("pk")).values("n")
            ),
            open_attempt_id=Subquery(siblings.in_progress().values("pk")[:1]),
            **grade_subqueries(siblings.finished(), prefix=GRADE_PREFIX),
            **effective.annotations(user="user", quiz="quiz", quiz_fields="quiz__"),
        )
        .filter(pk=pk)
        .first()
    )


@dataclass(frozen=True)
class ResultGrade:
    value: Decimal | None
    basis: str  # "highest of 3 attempts"


def result_grade(attempt: Attempt) -> ResultGrade | None:
    """The trainee's grade for the quiz by its method, from result_attempt()'s
    annotations (None for an attempt read without them)."""
    row = {
        name.removeprefix(GRADE_PREFIX): value
        for name, value in vars(attempt).items()
        if name.startswith(GRADE_PREFIX)
    }
    if not row:
        return None
    method = attempt.quiz.grading_method
    return ResultGrade(
        value=grade_from_row(method, row), basis=grade_basis(method, row["avg_n"] or 0)
    )


@dataclass(frozen=True)
class NextTry:
    """What a result page offers after an attempt: resume the open attempt, or
    try again (with the attempts left, None when unlimited)."""

    action: str  # "resume" or "retake"
    attempts_left: int | None = None
    attempt_id: int | None = None


def next_try(attempt: Attempt) -> NextTry | None:
    """Read from result_attempt()'s annotations: no query of its own. Nothing is
    offered after a pass, or when the quiz is closed, unpublished or used up."""
    open_id = getattr(attempt, "open_attempt_id", None)
    if open_id is not None:
        return NextTry("resume", attempt_id=open_id)
    status = QuizStatus(
        quiz=attempt.quiz,
        effective=effective.from_row(attempt.quiz, attempt),
        used=getattr(attempt, "attempts_used", 0),
    )
    if attempt.passed or not attempt.quiz.published or not status.can_start:
        return None
    return NextTry("retake", attempts_left=status.attempts_left)


def _review_state(item) -> str:
    """How a question went: right, partial, wrong or unanswered."""
    if item.fully_correct:
        return "right"
    if not item.selected:
        return "unanswered"
    return "partial" if item.mark else "wrong"


def attempt_review(
    attempt: Attempt, *, show_review: bool, mistakes_only: bool = False
) -> dict:
    """What the result page shows: the grade and, if allowed, every question's review.

    Without the review it says that a safety-critical question failed the attempt,
    never which one or its rule: with attempts to spare, naming the rule would tell
    the trainee which answer to change (an answer oracle). So neither the rows nor
    the failed rules leave here then.
    """
    items = list(attempt.items.all())
    rows = []
    failed_rules: dict[str, dict] = {}
    for item in items:
        selected = set(item.selected)
        if item.critical and not item.fully_correct:
            for rule in item.snapshot["rules"]:
                if rule["critical"]:
                    failed = failed_rules.setdefault(
                        rule["code"], {**rule, "positions": []}
                    )
                    failed["positions"].append(item.position)
        rows.append(
            {
                "item": item,
                "snapshot": item.snapshot,
                "choices": [
                    {**choice, "selected": choice["id"] in selected}
                    for choice in item.snapshot["choices"]
                ],
                "mark_percent": whole_percent(float(item.mark or 0) * 100),
                "state": _review_state(item),
            }
        )
    visible = rows if show_review else []
    return {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "rows": visible,
        # "Only my mistakes": the questions not fully right; the strip above
        # them still shows every question.
        "shown_rows": [row for row in visible if row["state"] != "right"]
        if mistakes_only
        else visible,
        "mistakes_only": mistakes_only,
        "n_mistakes": sum(1 for row in rows if row["state"] != "right"),
        "show_review": show_review,
        "failed_critical": bool(failed_rules),
        "failed_rules": list(failed_rules.values()) if show_review else [],
        "n_correct": sum(1 for item in items if item.fully_correct),
        "n_items": len(items),
    }

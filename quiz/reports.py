"""The queries behind the progress reports, written once and aggregated in the database."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils import timezone

from accounts.models import Cohort
from accounts.roles import Role, can_see_all_reports
from questions.models import Rule
from quiz.models import (
    Attempt,
    AttemptQuestion,
    AttemptQuestionRule,
    AttemptState,
    Certificate,
    GradingMethod,
    Quiz,
    ReviewPolicy,
)
from quiz.statistics import (
    QuestionSums,
    QuizSums,
    discrimination_from_sums,
    question_stats_from_sums,
    quiz_stats_from_sums,
)

MASTERY_WINDOW = 10
MASTERY_THRESHOLD = 80
EXPIRING_DAYS = 30

STATUSES = ["not_started", "in_progress", "failed", "passed", "expiring"]


# --- scoping -----------------------------------------------------------------------


def trainees_visible_to(user):
    """Trainees whose records the user may read: all for staff, own cohorts' otherwise."""
    trainees = get_user_model().objects.filter(groups__name=Role.TRAINEE)
    if can_see_all_reports(user):
        return trainees
    return trainees.filter(cohorts__supervisors=user).distinct()


def attempts_visible_to(user):
    if can_see_all_reports(user):
        return Attempt.objects.all()
    return Attempt.objects.filter(user__cohorts__supervisors=user).distinct()


# --- grades per trainee and quiz ---------------------------------------------------


def _finished(prefix: str = "") -> Q:
    return Q(**{f"{prefix}state": AttemptState.FINISHED})


def grade_expression(quiz: Quiz):
    """The trainee's grade for the quiz, per its grading method, as a subquery on users."""
    finished = Attempt.objects.filter(
        user=OuterRef("pk"), quiz=quiz, state=AttemptState.FINISHED
    )
    if quiz.grading_method in (GradingMethod.FIRST, GradingMethod.LATEST):
        order = (
            "finished_at"
            if quiz.grading_method == GradingMethod.FIRST
            else "-finished_at"
        )
        return Subquery(finished.order_by(order, "pk").values("score")[:1])
    aggregate = (
        Max("score") if quiz.grading_method == GradingMethod.HIGHEST else Avg("score")
    )
    return Subquery(
        finished.order_by().values("user").annotate(g=aggregate).values("g")[:1]
    )


@dataclass
class Cell:
    grade: Decimal | None = None
    attempts: int = 0
    passed: bool = False
    in_progress: bool = False
    certificate: Certificate | None = None

    @property
    def status(self) -> str:
        if self.passed:
            return "passed"
        if self.in_progress:
            return "in_progress"
        if self.attempts:
            return "failed"
        return "not_started"


def grade_cells(user_ids, quizzes) -> dict[tuple[int, int], Cell]:
    """{(user id, quiz id): Cell} in two queries, however many trainees and quizzes."""
    quiz_by_id = {quiz.pk: quiz for quiz in quizzes}
    first = Attempt.objects.filter(
        user=OuterRef("user_id"), quiz=OuterRef("quiz_id"), state=AttemptState.FINISHED
    )
    rows = (
        Attempt.objects.filter(user_id__in=user_ids, quiz_id__in=quiz_by_id)
        .values("user_id", "quiz_id")
        .annotate(
            n=Count("pk"),
            open=Count("pk", filter=Q(state=AttemptState.IN_PROGRESS)),
            passed_any=Max(Case(When(passed=True, then=Value(1)), default=Value(0))),
            highest=Max("score", filter=_finished()),
            average=Avg("score", filter=_finished()),
            first=Subquery(first.order_by("finished_at", "pk").values("score")[:1]),
            latest=Subquery(first.order_by("-finished_at", "-pk").values("score")[:1]),
        )
        .order_by()
    )
    cells: dict[tuple[int, int], Cell] = {}
    for row in rows:
        quiz = quiz_by_id[row["quiz_id"]]
        grade = row[quiz.grading_method]
        if grade is not None:
            # Same shape on every database (SQLite returns floats for some aggregates).
            grade = Decimal(str(grade)).quantize(Decimal("0.01"))
        cells[(row["user_id"], row["quiz_id"])] = Cell(
            grade=grade,
            attempts=row["n"],
            passed=bool(row["passed_any"]),
            in_progress=bool(row["open"]),
        )
    for certificate in Certificate.objects.filter(
        user_id__in=user_ids, quiz_id__in=quiz_by_id
    ).order_by("issued_at", "pk"):
        cell = cells.setdefault((certificate.user_id, certificate.quiz_id), Cell())
        cell.certificate = certificate  # the latest wins
    return cells


# --- cohort overview ------------------------------------------------------------------


def cohort_trainees(cohort: Cohort, *, quiz: Quiz | None, status: str, sort: str):
    """The cohort's trainees, filtered by status on `quiz` and sorted, in the database."""
    trainees = cohort.trainees.all()
    if quiz is not None:
        attempts = Attempt.objects.filter(user=OuterRef("pk"), quiz=quiz)
        now = timezone.now()
        trainees = trainees.annotate(
            q_grade=grade_expression(quiz),
            q_any=Exists(attempts),
            q_open=Exists(attempts.filter(state=AttemptState.IN_PROGRESS)),
            q_passed=Exists(attempts.filter(passed=True)),
            q_expiring=Exists(
                Certificate.objects.filter(
                    user=OuterRef("pk"),
                    quiz=quiz,
                    revoked_at__isnull=True,
                    expires_at__gt=now,
                    expires_at__lte=now + timedelta(days=EXPIRING_DAYS),
                )
            ),
        )
        filters = {
            "not_started": Q(q_any=False),
            "in_progress": Q(q_open=True),
            "failed": Q(q_any=True, q_passed=False, q_open=False),
            "passed": Q(q_passed=True),
            "expiring": Q(q_expiring=True),
        }
        if status in filters:
            trainees = trainees.filter(filters[status])
    orderings = {
        "name": ["last_name", "first_name", "username"],
        "-name": ["-last_name", "-first_name", "-username"],
    }
    if quiz is not None:
        orderings["grade"] = [F("q_grade").asc(nulls_first=True), "last_name", "pk"]
        orderings["-grade"] = [F("q_grade").desc(nulls_last=True), "last_name", "pk"]
    return trainees.order_by(*orderings.get(sort, orderings["name"]))


@dataclass
class QuizTotals:
    quiz: Quiz
    trainees: int
    passed: int
    mean_grade: Decimal | None

    @property
    def completion(self) -> float:
        return 100 * self.passed / self.trainees if self.trainees else 0.0


def cohort_totals(cohort: Cohort, quizzes) -> list[QuizTotals]:
    """Per quiz: how many of the cohort passed, and the mean grade of those graded."""
    n_trainees = cohort.trainees.count()
    # A subquery, not a list of ids: the cohort's size never reaches the SQL text.
    cells = grade_cells(cohort.trainees.values("pk"), quizzes)
    totals = []
    for quiz in quizzes:
        quiz_cells = [cell for (_u, q), cell in cells.items() if q == quiz.pk]
        grades = [cell.grade for cell in quiz_cells if cell.grade is not None]
        totals.append(
            QuizTotals(
                quiz=quiz,
                trainees=n_trainees,
                passed=sum(1 for cell in quiz_cells if cell.passed),
                mean_grade=(sum(grades) / len(grades)).quantize(Decimal("0.01"))
                if grades
                else None,
            )
        )
    return totals


def cohorts_with_completion(user) -> list[Cohort]:
    """The user's cohorts, each with n_trainees and n_certified (passed a certifying quiz)."""
    cohorts = list(
        Cohort.objects.visible_to(user).annotate(
            n_trainees=Count("trainees", distinct=True)
        )
    )
    certified = dict(
        Attempt.objects.filter(
            passed=True,
            quiz__certificate_on_pass=True,
            user__cohorts__in=[c.pk for c in cohorts],
        )
        .values("user__cohorts")
        .annotate(n=Count("user", distinct=True))
        .values_list("user__cohorts", "n")
        .order_by()
    )
    for cohort in cohorts:
        cohort.n_certified = certified.get(cohort.pk, 0)
        cohort.completion = (
            100 * cohort.n_certified / cohort.n_trainees if cohort.n_trainees else 0.0
        )
    return cohorts


# --- a trainee's page ----------------------------------------------------------------


@dataclass
class MasteryRow:
    rule: Rule
    answers: int = 0
    correct: int = 0

    @property
    def share(self) -> float | None:
        return 100 * self.correct / self.answers if self.answers else None

    @property
    def mastered(self) -> bool:
        return self.share is not None and self.share >= MASTERY_THRESHOLD


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
        answers = answers.filter(
            Q(item__attempt__quiz__review=ReviewPolicy.IMMEDIATELY)
            | Q(
                item__attempt__quiz__review=ReviewPolicy.AFTER_CLOSE,
                item__attempt__quiz__closes_at__lte=timezone.now(),
            )
        )
    latest = (
        answers.annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("rule_id")],
                order_by=[
                    F("item__attempt__finished_at").desc(),
                    F("item__position").desc(),
                ],
            )
        )
        .filter(rank__lte=MASTERY_WINDOW)
        .values_list("rule_id", "item__fully_correct")
    )
    for rule_id, correct in latest:
        row = rows.get(rule_id)
        if row is not None:
            row.answers += 1
            row.correct += bool(correct)
    return sorted(
        rows.values(), key=lambda r: (not r.rule.critical, r.rule.order, r.rule.code)
    )


def trainee_attempts(trainee):
    return (
        Attempt.objects.filter(user=trainee)
        .select_related("quiz")
        .order_by("started_at", "pk")
    )


def score_series(attempts) -> dict[Quiz, list[Attempt]]:
    """Finished attempts per quiz in time order, for the score-over-time chart."""
    series: dict[Quiz, list[Attempt]] = defaultdict(list)
    for attempt in attempts:
        if attempt.state == AttemptState.FINISHED:
            series[attempt.quiz].append(attempt)
    return dict(series)


# --- question statistics -----------------------------------------------------------------


@dataclass
class StatsFilter:
    quiz: Quiz
    cohort: Cohort | None = None
    date_from: object = None
    date_to: object = None
    first_only: bool = False


@dataclass
class StatsReport:
    questions: list = field(default_factory=list)
    quiz: object = None


def stats_attempts(user, flt: StatsFilter):
    attempts = attempts_visible_to(user).filter(
        quiz=flt.quiz, state=AttemptState.FINISHED
    )
    if flt.cohort is not None:
        attempts = attempts.filter(user__cohorts=flt.cohort)
    if flt.date_from:
        attempts = attempts.filter(finished_at__date__gte=flt.date_from)
    if flt.date_to:
        attempts = attempts.filter(finished_at__date__lte=flt.date_to)
    if flt.first_only:
        attempts = attempts.filter(number=1)
    return attempts


def question_statistics(user, flt: StatsFilter):
    """Moodle-style item analysis of one quiz's graded attempts under the filters.

    Aggregated in the database (sums and histograms per question and per slot);
    a fixed handful of queries whatever the number of answers.
    """
    attempts = Attempt.objects.filter(pk__in=stats_attempts(user, flt).values("pk"))
    items = AttemptQuestion.objects.filter(attempt__in=attempts.values("pk"))
    rest = F("attempt__marks_total") - F("mark")
    sums: dict[int, QuestionSums] = {}
    for row in (
        items.values("question_id")
        .annotate(
            n=Count("pk"),
            sx=Sum("mark"),
            sxx=Sum(F("mark") * F("mark")),
            sy=Sum(rest),
            syy=Sum(rest * rest),
            sxy=Sum(F("mark") * rest),
        )
        .order_by()
    ):
        sums[row["question_id"]] = QuestionSums(
            n=row["n"],
            **{k: float(row[k] or 0) for k in ("sx", "sxx", "sy", "syy", "sxy")},
        )
    for question_id, mark, count in (
        items.values("question_id", "mark")
        .annotate(c=Count("pk"))
        .values_list("question_id", "mark", "c")
        .order_by()
    ):
        sums[question_id].x_hist[float(mark)] = count
    for question_id, value, count in (
        items.annotate(rest=rest)
        .values("question_id", "rest")
        .annotate(c=Count("pk"))
        .values_list("question_id", "rest", "c")
        .order_by()
    ):
        sums[question_id].y_hist[float(value)] = count
    stats = [question_stats_from_sums(qid, qsums) for qid, qsums in sums.items()]
    choice_counts = _choice_counts(items)
    for stat in stats:
        stat.choice_counts = choice_counts.get(stat.question_id, {})

    quiz_sums = QuizSums()
    for score, count in (
        attempts.values("score")
        .annotate(c=Count("pk"))
        .values_list("score", "c")
        .order_by()
    ):
        quiz_sums.score_hist[float(score)] = count
    quiz_sums.n = sum(quiz_sums.score_hist.values())
    totals = attempts.aggregate(
        s=Sum("marks_total"), ss=Sum(F("marks_total") * F("marks_total"))
    )
    quiz_sums.total_sum = float(totals["s"] or 0)
    quiz_sums.total_sq = float(totals["ss"] or 0)
    for slot, n, sx, sxx in (
        items.values("slot")
        .annotate(n=Count("pk"), sx=Sum("mark"), sxx=Sum(F("mark") * F("mark")))
        .values_list("slot", "n", "sx", "sxx")
        .order_by()
    ):
        quiz_sums.slot_sums[slot] = (n, float(sx or 0), float(sxx or 0))
    return stats, quiz_stats_from_sums(quiz_sums)


def _choice_counts(items) -> dict[int, dict[int, int]]:
    """{question id: {choice id: times chosen}}, counted in the database."""
    sql, params = (
        items.values("question_id", "selected").order_by().query.sql_with_params()
    )
    if connection.vendor == "postgresql":
        counting = (
            "SELECT sub.question_id, choice.value::bigint, COUNT(*) "
            f"FROM ({sql}) sub, jsonb_array_elements_text(sub.selected) AS choice "
            "GROUP BY 1, 2"
        )
    else:  # SQLite's JSON1 (part of every SQLite Python ships with)
        counting = (
            "SELECT sub.question_id, CAST(choice.value AS INTEGER), COUNT(*) "
            f"FROM ({sql}) sub, json_each(sub.selected) AS choice "
            "GROUP BY 1, 2"
        )
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    with connection.cursor() as cursor:
        cursor.execute(counting, params)
        for question_id, choice_id, count in cursor.fetchall():
            counts[question_id][int(choice_id)] = count
    return counts


def question_item_summary(
    question_ids,
) -> dict[int, tuple[int, float | None, float | None]]:
    """{question id: (attempts, facility %, discrimination %)} over all graded attempts."""
    rest = F("attempt__marks_total") - F("mark")
    rows = (
        AttemptQuestion.objects.filter(
            question_id__in=question_ids,
            attempt__state=AttemptState.FINISHED,
            mark__isnull=False,
        )
        .values("question_id")
        .annotate(
            n=Count("pk"),
            sx=Sum("mark"),
            sxx=Sum(F("mark") * F("mark")),
            sy=Sum(rest),
            syy=Sum(rest * rest),
            sxy=Sum(F("mark") * rest),
        )
        .order_by()
    )
    summary = {}
    for row in rows:
        n = row["n"]
        values = [float(row[k] or 0) for k in ("sx", "sxx", "sy", "syy", "sxy")]
        summary[row["question_id"]] = (
            n,
            100 * values[0] / n if n else None,
            discrimination_from_sums(n, *values),
        )
    return summary

"""The queries behind the progress reports, written once and aggregated in the database."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import (
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.expressions import OrderBy
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Cohort
from accounts.roles import can_see_all_reports
from questions.models import Choice, Question, Rule
from quiz.attempts.progress import (
    ProgressStatus,
    annotate_progress,
    average_parts,
    grade_from_row,
    grade_sql,
    is_exhausted,
    progress_q,
)
from quiz.attempts.selectors import cohort_mastery, with_effective
from quiz.certificates.models import EXPIRING_DAYS
from quiz.models import (
    Attempt,
    AttemptQuestion,
    AttemptState,
    Certificate,
    GradingMethod,
    Quiz,
)
from quiz.programme import effective
from quiz.reports.statistics import (
    Analysis,
    analysis_from_groups,
    discrimination_from_sums,
    random_guess_score,
)
from quiz.rounding import round_grade

# The cohort filter: a progress status on the chosen quiz, or a certificate that
# runs out soon.
EXPIRING = "expiring"
STATUS_FILTERS = [
    *ProgressStatus.choices,
    (EXPIRING, _("Certificate expiring within 30 days")),  # EXPIRING_DAYS
]


# --- scoping -----------------------------------------------------------------------


# --- grades per trainee and quiz ---------------------------------------------------


def grade_expression(quiz: Quiz):
    """The trainee's grade for the quiz, per its grading method, as a subquery on users."""
    finished = Attempt.objects.filter(
        user=OuterRef("pk"), quiz=quiz, state=AttemptState.FINISHED
    )
    return grade_sql(quiz.grading_method, finished, aggregate=False)


@dataclass
class Cell:
    grade: Decimal | None = None
    attempts: int = 0
    passed: bool = False
    in_progress: bool = False
    certificate: Certificate | None = None
    exhausted: bool = False  # every attempt the quiz allows is used
    failed_critical: bool = False  # an attempt failed on a safety-critical rule

    @property
    def progress(self) -> ProgressStatus:
        return ProgressStatus.of(
            passed=self.passed,
            in_progress=self.in_progress,
            attempts=self.attempts,
            exhausted=self.exhausted,
        )

    @property
    def failed_on_a_safety_rule(self) -> bool:
        """Not passed, and a safety-critical question is why (at least once)."""
        return self.failed_critical and not self.passed


def grade_cells(user_ids, quizzes) -> dict[tuple[int, int], Cell]:
    """{(user id, quiz id): Cell} in two queries, however many trainees and quizzes."""
    quiz_by_id = {quiz.pk: quiz for quiz in quizzes}
    finished = Attempt.objects.filter(
        user=OuterRef("user_id"), quiz=OuterRef("quiz_id"), state=AttemptState.FINISHED
    )
    # Only the grading methods these quizzes use: the first/latest subqueries
    # run once per trainee and quiz, so they are not paid for when unused.
    methods = {quiz.grading_method for quiz in quizzes}
    grades = {}
    for method in methods:
        if method == GradingMethod.AVERAGE:
            grades.update(average_parts())
        else:
            grades[str(method)] = grade_sql(method, finished, aggregate=True)
    rows = (
        Attempt.objects.filter(user_id__in=user_ids, quiz_id__in=quiz_by_id)
        .tallied()
        .annotate(
            **effective.extra_attempts_annotation(user="user_id", quiz="quiz_id"),
            **grades,
        )
        .order_by()
    )
    cells: dict[tuple[int, int], Cell] = {}
    for row in rows:
        quiz = quiz_by_id[row["quiz_id"]]
        grade = grade_from_row(quiz.grading_method, row)
        cells[(row["user_id"], row["quiz_id"])] = Cell(
            grade=grade,
            attempts=row["n"],
            passed=bool(row["passed_any"]),
            in_progress=bool(row["open"]),
            exhausted=is_exhausted(
                effective.max_attempts(quiz, row[effective.PREFIX + "extra_attempts"]),
                row["n"],
            ),
            failed_critical=bool(row["critical_any"]),
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
        now = timezone.now()
        trainees = annotate_progress(trainees, quiz).annotate(
            q_grade=grade_expression(quiz),
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
        if status == EXPIRING:
            trainees = trainees.filter(q_expiring=True)
        elif status in ProgressStatus.values:
            trainees = trainees.filter(progress_q(ProgressStatus(status)))
    orderings: dict[str, list[str | OrderBy]] = {
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
                mean_grade=round_grade(sum(grades) / len(grades)) if grades else None,
            )
        )
    return totals


def cohorts_with_completion(user) -> list[Cohort]:
    """The user's cohorts, each with n_trainees and n_certified: trainees holding a
    valid certificate now (neither revoked nor expired) of any certifying quiz."""
    cohorts = list(
        Cohort.objects.visible_to(user).annotate(
            n_trainees=Count("trainees", distinct=True)
        )
    )
    now = timezone.now()
    certified = dict(
        Certificate.objects.filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now),
            revoked_at__isnull=True,
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


def trainee_attempts(trainee):
    # With each attempt's certificate (a reverse one-to-one: the same query),
    # and what the trainee has on its quiz (statuses_from_attempts).
    return with_effective(
        Attempt.objects.filter(user=trainee)
        .select_related("quiz", "certificate")
        .order_by("started_at", "pk")
    )


WEAKEST_SHOWN = 3


def weakest_critical_rules(mastery) -> list:
    """The safety-critical rules the trainee masters least (answered, under the
    threshold), weakest first: what a supervisor should talk about."""
    weak = [
        row
        for row in mastery
        if row.rule.critical and row.share is not None and not row.mastered
    ]
    return sorted(weak, key=lambda row: (row.share, row.rule.code))[:WEAKEST_SHOWN]


HEATMAP_WEAKEST = 5


@dataclass
class RuleSummary:
    rule: Rule
    mean_share: float  # the mean of the trainees' mastery, among those answered
    answered: int  # trainees who answered on the rule
    not_mastered: int


@dataclass
class Heatmap:
    trainees: list
    rows: list  # (rule, [MasteryRow | None per trainee]), critical first
    weakest: list[RuleSummary]

    @property
    def answered(self) -> bool:
        """Has any trainee shown answered anything yet?"""
        return any(cell is not None for _rule, cells in self.rows for cell in cells)


def cohort_heatmap(trainees) -> Heatmap:
    """Rules (critical first) × the trainees given, each cell their mastery,
    and the weakest rules among them: two queries."""
    rules, cells = cohort_mastery(user_ids=[t.pk for t in trainees])
    rows = [(rule, [cells.get((t.pk, rule.pk)) for t in trainees]) for rule in rules]
    summaries = []
    for rule, row in rows:
        answered = [cell for cell in row if cell is not None and cell.answers]
        if answered:
            summaries.append(
                RuleSummary(
                    rule=rule,
                    mean_share=sum(c.share or 0 for c in answered) / len(answered),
                    answered=len(answered),
                    not_mastered=sum(1 for c in answered if not c.mastered),
                )
            )
    weakest = sorted(
        (s for s in summaries if s.not_mastered),
        key=lambda s: (s.mean_share, not s.rule.critical, s.rule.code),
    )[:HEATMAP_WEAKEST]
    return Heatmap(trainees=list(trainees), rows=rows, weakest=weakest)


def score_series(attempts) -> dict[Quiz, list[Attempt]]:
    """Finished attempts per quiz in time order, for the score-over-time chart."""
    series: dict[Quiz, list[Attempt]] = defaultdict(list)
    for attempt in attempts:
        if attempt.state == AttemptState.FINISHED:
            series[attempt.quiz].append(attempt)
    return dict(series)


# --- question statistics -----------------------------------------------------------------


def _marks_total(attempt: str = "attempt"):
    """An attempt's sum of marks (`attempt` is the path to it; "pk" on attempts).

    Attempt.marks_total, or for an attempt graded before 0005 added it (NULL
    until 0008 backfilled it) the sum of its marks, computed only for those."""
    summed = (
        AttemptQuestion.objects.filter(attempt=OuterRef(attempt))
        .order_by()
        .values("attempt")
        .annotate(total=Sum("mark"))
        .values("total")
    )
    column = "marks_total" if attempt == "pk" else f"{attempt}__marks_total"
    return Coalesce(F(column), Subquery(summed))


@dataclass
class StatsFilter:
    quiz: Quiz
    cohort: Cohort | None = None
    date_from: object = None
    date_to: object = None
    first_only: bool = False

    @classmethod
    def from_form(cls, data: dict) -> "StatsFilter":
        """From StatsFilterForm's cleaned data."""
        return cls(
            quiz=data["quiz"],
            cohort=data.get("cohort"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            first_only=data.get("attempts") == "first",
        )


@dataclass
class StatsReport:
    questions: list = field(default_factory=list)
    quiz: object = None


def stats_quizzes(user):
    """The quizzes the statistics offer: published, with graded attempts the user
    may read, each with when the latest of those finished (`last_finished`)."""
    latest = (
        Attempt.objects.visible_to(user)
        .filter(quiz=OuterRef("pk"), state=AttemptState.FINISHED)
        .order_by()
        .values("quiz")
        .annotate(last=Max("finished_at"))
        .values("last")
    )
    return (
        Quiz.objects.published()
        .annotate(last_finished=Subquery(latest))
        .filter(last_finished__isnull=False)
        .order_by("order", "pk")
    )


def stats_attempts(user, flt: StatsFilter):
    attempts = Attempt.objects.visible_to(user).filter(
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


def question_statistics(user, flt: StatsFilter) -> Analysis:
    """Moodle's item analysis of one quiz's graded attempts under the filters
    (quiz/reports/statistics.py).

    Aggregated in the database: the answers grouped by slot, question, mark and
    rest of the attempt; the choices chosen; the latest snapshot of each question
    (its choices and type, as answered); the attempts grouped by score and total:
    four queries, served from covering indexes, whatever the number of answers.
    """
    attempts = stats_attempts(user, flt)
    items = AttemptQuestion.objects.filter(attempt__in=attempts.values("pk"))
    # COUNT(*), not COUNT(id): every column read is in the covering index.
    groups = [
        (slot, question_id, float(mark or 0), float(rest or 0), count)
        for slot, question_id, mark, rest, count in (
            items.annotate(rest=_marks_total() - F("mark"))
            .values("slot", "question_id", "mark", "rest")
            .annotate(c=Count("*"))
            .values_list("slot", "question_id", "mark", "rest", "c")
            .order_by()
        )
    ]
    totals: dict[float, int] = defaultdict(int)
    scores: dict[float, int] = defaultdict(int)
    for score, total, count in (
        attempts.annotate(total=_marks_total("pk"))
        .values("score", "total")
        .annotate(c=Count("*"))
        .values_list("score", "total", "c")
        .order_by()
    ):
        totals[float(total or 0)] += count
        scores[float(score)] += count
    analysis = analysis_from_groups(groups, totals, scores)
    choice_counts, last_attempts = _choice_counts(items)
    shown = _shown_questions(last_attempts)
    for stat in analysis.questions:
        if stat.question_id is None:  # never: questions() leaves out random slots
            continue
        qtype, labels = shown.get(stat.question_id, ("", {}))
        stat.choice_counts = choice_counts.get(stat.question_id, {})
        stat.choice_labels = labels
        stat.qtype = qtype
        stat.random_guess = random_guess_score(qtype, labels.values())
    return analysis


@dataclass
class CachedStatistics:
    analysis: Analysis
    computed_at: object
    from_cache: bool = False

    @property
    def quiz(self):
        return self.analysis.quiz


def question_statistics_cached(user, flt: StatsFilter, *, refresh: bool = False):
    """question_statistics(), kept in the cache for a few minutes (as Moodle does):
    item statistics move slowly, and over years of attempts they cost a scan."""
    scope = "all" if can_see_all_reports(user) else f"supervisor-{user.pk}"
    key = ":".join(
        str(part)
        for part in (
            "rw:question-stats:v3",  # v3: Moodle's slots, weights and moments
            scope,
            flt.quiz.pk,
            flt.cohort.pk if flt.cohort else "-",
            flt.date_from or "-",
            flt.date_to or "-",
            int(flt.first_only),
        )
    )
    # Recomputing on demand is for instructors, at most once a minute per quiz:
    # anyone else asking gets the cached figures.
    refresh = (
        refresh
        and can_see_all_reports(user)
        and cache.add(f"rw:question-stats-refresh:{flt.quiz.pk}", 1, timeout=60)
    )
    if not refresh:
        cached = cache.get(key)
        if cached is not None:
            cached.from_cache = True
            return cached
    result = CachedStatistics(
        analysis=question_statistics(user, flt), computed_at=timezone.now()
    )
    cache.set(key, result, timeout=settings.REPORT_STATISTICS_CACHE_SECONDS)
    return result


LABEL_PAIRS_PER_QUERY = 300


def _shown_questions(
    last_attempts: dict[int, int],
) -> dict[int, tuple[str, dict[int, dict]]]:
    """{question id: (qtype, {choice id: {"text", "correct"}})} as trainees last
    saw them: from each question's snapshot in the latest attempt counted. A
    question edited since keeps, in its statistics, the texts, key and type that
    were answered. One query per LABEL_PAIRS_PER_QUERY questions, by (attempt,
    question) pairs."""
    shown: dict[int, tuple[str, dict[int, dict]]] = {}
    pairs = list(last_attempts.items())
    # In chunks: SQLite refuses an expression a thousand ORs deep.
    for start in range(0, len(pairs), LABEL_PAIRS_PER_QUERY):
        chunk = Q()
        for question_id, attempt_id in pairs[start : start + LABEL_PAIRS_PER_QUERY]:
            chunk |= Q(attempt_id=attempt_id, question_id=question_id)
        for question_id, snapshot in (
            AttemptQuestion.objects.filter(chunk)
            .values_list("question_id", "snapshot")
            .order_by()
        ):
            shown[question_id] = (
                snapshot.get("qtype", ""),
                {
                    choice["id"]: {
                        "text": choice["text"],
                        "correct": choice["correct"],
                    }
                    for choice in snapshot["choices"]
                },
            )
    return shown


def _choice_counts(items) -> tuple[dict[int, dict[int, int]], dict[int, int]]:
    """({question id: {choice id: times chosen}}, {question id: latest attempt id
    that has it}): grouped by the whole selection in the database (few distinct
    selections per question, read from the covering index), spread out here."""
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    last_attempts: dict[int, int] = {}
    for question_id, selected, count, last_attempt in (
        items.values("question_id", "selected")
        .annotate(c=Count("*"), last=Max("attempt_id"))
        .values_list("question_id", "selected", "c", "last")
        .order_by()
    ):
        last_attempts[question_id] = max(
            last_attempt, last_attempts.get(question_id, 0)
        )
        for choice_id in selected or ():
            counts[question_id][choice_id] = (
                counts[question_id].get(choice_id, 0) + count
            )
    return counts, last_attempts


def question_item_summary(
    question_ids,
) -> dict[int, tuple[int, float | None, float | None]]:
    """{question id: (attempts, facility %, discrimination %)} over all graded attempts."""
    rest = _marks_total() - F("mark")
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


def question_stats_rows(analysis: Analysis) -> list[dict]:
    """One row per slot of the quiz and per question drawn at random (Moodle's
    order: a drawn question after the last slot it was drawn into), each with its
    question as it is in the bank (None when deleted, or for a slot drawn at
    random) and its choices with how often each was chosen. Two queries."""
    stats = analysis.rows
    questions = Question.objects.in_bulk(
        [s.question_id for s in stats if s.question_id is not None]
    )
    choices: dict[int, list] = {}
    for choice in Choice.objects.filter(question_id__in=questions):
        choices.setdefault(choice.question_id, []).append(choice)
    return [
        {
            "stats": s,
            "question": None if s.question_id is None else questions.get(s.question_id),
            "choices": []
            if s.question_id is None
            else _choice_rows(s, choices.get(s.question_id, [])),
        }
        for s in stats
    ]


def _choice_rows(stat, current: list) -> list[tuple[dict, int]]:
    """({"text", "correct"}, times chosen) per choice: labelled as the trainees saw
    it (the latest snapshot counted), in the bank's order, then choices removed
    from the bank since."""
    seen, counts = stat.choice_labels, stat.choice_counts
    rows = [
        (seen.get(c.pk) or {"text": c.text, "correct": c.correct}, counts.get(c.pk, 0))
        for c in current
    ]
    in_bank = {c.pk for c in current}
    for choice_id in sorted((seen.keys() | counts.keys()) - in_bank):
        label = seen.get(
            choice_id, {"text": gettext("a choice shown earlier"), "correct": None}
        )
        removed = {
            "text": gettext("%(text)s (removed from the question since)")
            % {"text": label["text"]},
            "correct": label["correct"],
        }
        rows.append((removed, counts.get(choice_id, 0)))
    return rows

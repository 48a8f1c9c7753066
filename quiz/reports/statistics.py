"""Item analysis as Moodle's quiz statistics report computes it, as pure functions.

Definitions (Moodle's question/classes/statistics/questions/calculator.php and
mod/quiz/report/statistics/classes/calculator.php; docs.moodle.org/dev/
Quiz_statistics_calculations). Every question is worth 1 mark here, so a slot's
maximum is 1 and the quiz's is p, the number of slots.

Per slot (a position of the quiz's own order: `AttemptQuestion.slot`), over the s
graded attempts that have it, x its mark and y the rest of the attempt (the
attempt's total minus x), T = x + y the total:

- facility = mean(x) / 1, shown as a %; sd = sqrt(Σ(x - x̄)² / (s - 1)), as a %;
- random-guess score: the mean mark of a random answer (Moodle's qtypes: single
  choice, the mean of its choices' fractions, 1/n with one correct of n; true /
  false 0.5; multiple answers none, as Moodle, "impossible to compute"; a slot
  drawn at random none);
- intended weight = 1 / p, as a %;
- effective weight = 100 sqrt(cov(x, T)) / Σ_slots sqrt(cov(x_i, T)) over the
  slots whose cov(x, T) >= 0; none for a slot with a negative one (Moodle's
  "negative covariance");
- discrimination index = 100 cov(x, y) / sqrt(var(x) var(y));
- discriminative efficiency = 100 cov(x, y) / covmax, covmax the covariance of x
  and y each sorted ascending;
- variances and covariances divide by s - 1.

A slot that held different questions across attempts was drawn at random (Moodle's
random slot): it has its own row, and each question drawn into it a row of its own
(Moodle's sub-question) computed the same way but with y = T, the whole attempt's
total (Moodle's initial_steps_walker with positionstat false). A question that only
ever sat in one slot alone has that slot's row.

Per quiz, over the attempts' totals T (never the rounded scores): mean, median
(the mean of the two middle totals when s is even), sd = sqrt(m2 s/(s-1)) with
m_k = Σ(T - T̄)^k / s; skewness = k3 / k2^(3/2), kurtosis = k4 / k2² with
k2 = s m2/(s-1), k3 = s² m3 / ((s-1)(s-2)),
k4 = s² ((s+1) m4 - 3 (s-1) m2²) / ((s-1)(s-2)(s-3));
coefficient of internal consistency (Cronbach's alpha)
cic = 100 p/(p-1) (1 - Σ_slots var(x) / k2); error ratio = 100 sqrt(1 - cic/100);
standard error = error ratio × sd / 100. Mean, median, sd and standard error are
shown as % of the maximum p, the others as Moodle shows them.

Two paths give the same figures (tests/test_statistics.py): `item_analysis`, row by
row as Moodle walks the steps, and `analysis_from_groups`, from the grouped counts
the database returns (quiz/reports/selectors.py), so a report over millions of
answers reads a few hundred rows.
"""

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum

from django.conf import settings
from django.utils.translation import gettext_lazy as _

# Under this many attempts a facility or discrimination says little; no flag
# (settings.STATISTICS_MIN_ATTEMPTS overrides it).
FLAG_MIN_ATTEMPTS = 20


def min_attempts() -> int:
    """How many attempts a question needs before it is flagged (the setting)."""
    return int(getattr(settings, "STATISTICS_MIN_ATTEMPTS", FLAG_MIN_ATTEMPTS))


class Flag(Enum):
    """Why a question looks weak, with Moodle's thresholds (docs.moodle.org,
    "Quiz statistics report": facility 95-100 extremely easy, 5 or less extremely
    difficult or something wrong; discrimination index below 0 "question probably
    invalid", 0-19 very weak; the report marks a question whose discriminative
    efficiency is under 15% as one to review)."""

    CHECK_THE_KEY = "check_the_key"
    TOO_EASY = "too_easy"
    TOO_HARD = "too_hard"
    WEAK_DISCRIMINATION = "weak_discrimination"
    LOW_EFFICIENCY = "low_efficiency"

    @property
    def label(self) -> str:
        return str(FLAG_TEXT[self][0])

    @property
    def rule(self) -> str:
        return str(FLAG_TEXT[self][1])


FLAG_TEXT = {
    Flag.CHECK_THE_KEY: (
        _("check the key"),
        _(
            "negative discrimination: those who did worse on the rest of the quiz "
            "did better here (Moodle: below 0, the question is probably invalid)"
        ),
    ),
    Flag.TOO_EASY: (
        _("too easy"),
        # xgettext:no-python-format
        _("facility 95% or more (Moodle: extremely easy)"),
    ),
    Flag.TOO_HARD: (
        _("too hard"),
        # xgettext:no-python-format
        _("facility 5% or less (Moodle: extremely difficult or something wrong)"),
    ),
    Flag.WEAK_DISCRIMINATION: (
        _("very weak discrimination"),
        _("discrimination index from 0% to under 20% (Moodle: very weak)"),
    ),
    Flag.LOW_EFFICIENCY: (
        _("low discriminative efficiency"),
        _("discriminative efficiency under 15% (Moodle marks the question to review)"),
    ),
}

TOO_EASY_FROM = 95.0
TOO_HARD_UP_TO = 5.0
WEAK_DISCRIMINATION_UNDER = 20.0
LOW_EFFICIENCY_UNDER = 15.0


@dataclass(frozen=True)
class ItemRow:
    attempt_id: int
    slot: int
    question_id: int
    mark: float
    selected: tuple[int, ...] = ()


@dataclass
class QuestionStats:
    """One row of the report: a slot (a position of the quiz) or a question drawn
    at random into slots (`subquestion`)."""

    question_id: int | None  # None: a slot drawn at random (several questions)
    attempts: int
    facility: float | None  # %
    sd: float | None  # % of the maximum mark
    discrimination: float | None  # %
    efficiency: float | None  # %
    slot: int = 0  # the slot; for a drawn question, the last slot it was drawn in
    subquestion: bool = False
    question_ids: frozenset[int] = frozenset()  # what a slot held
    covariance_with_total: float | None = None
    mark_variance: float | None = None
    intended_weight: float | None = None  # %
    effective_weight: float | None = None  # %
    negative_covariance: bool = False
    random_guess: float | None = None  # %
    choice_counts: dict[int, int] = field(default_factory=dict)
    # {choice id: {"text", "correct"}} as the trainees saw it (reports selectors)
    choice_labels: dict[int, dict] = field(default_factory=dict)
    qtype: str = ""

    @property
    def is_random_slot(self) -> bool:
        return self.question_id is None

    @property
    def flags(self) -> list[Flag]:
        """Why the question looks weak: nothing under min_attempts() attempts,
        nothing for a slot drawn at random (its questions have their own rows)."""
        if self.is_random_slot or self.attempts < min_attempts():
            return []
        reasons = []
        if self.discrimination is not None and self.discrimination < 0:
            reasons.append(Flag.CHECK_THE_KEY)
        if self.facility is not None and self.facility >= TOO_EASY_FROM:
            reasons.append(Flag.TOO_EASY)
        if self.facility is not None and self.facility <= TOO_HARD_UP_TO:
            reasons.append(Flag.TOO_HARD)
        if (
            self.discrimination is not None
            and 0 <= self.discrimination < WEAK_DISCRIMINATION_UNDER
        ):
            reasons.append(Flag.WEAK_DISCRIMINATION)
        if (
            self.efficiency is not None
            and self.efficiency < LOW_EFFICIENCY_UNDER
            and Flag.CHECK_THE_KEY not in reasons
        ):
            reasons.append(Flag.LOW_EFFICIENCY)
        return reasons


@dataclass
class QuizStats:
    attempts: int
    max_mark: int = 0  # p, the number of slots
    mean_marks: float | None = None
    median_marks: float | None = None
    sd_marks: float | None = None
    skewness: float | None = None
    kurtosis: float | None = None
    cic: float | None = None  # Cronbach's alpha, %
    error_ratio: float | None = None  # %
    standard_error_marks: float | None = None
    bins: list[int] = field(default_factory=lambda: [0] * 10)

    def _percent(self, value: float | None) -> float | None:
        if value is None or not self.max_mark:
            return None
        return 100 * value / self.max_mark

    @property
    def mean(self) -> float | None:
        return self._percent(self.mean_marks)

    @property
    def median(self) -> float | None:
        return self._percent(self.median_marks)

    @property
    def sd(self) -> float | None:
        return self._percent(self.sd_marks)

    @property
    def standard_error(self) -> float | None:
        return self._percent(self.standard_error_marks)


@dataclass
class Analysis:
    slots: list[QuestionStats]  # by slot
    drawn: list[QuestionStats]  # questions drawn at random, by slot then id
    quiz: QuizStats

    @property
    def rows(self) -> list[QuestionStats]:
        """Moodle's order: each slot, and after the last slot a question was drawn
        into, that question."""
        by_slot: dict[int, list[QuestionStats]] = defaultdict(list)
        for stat in self.drawn:
            by_slot[stat.slot].append(stat)
        rows = []
        for stat in self.slots:
            rows.append(stat)
            rows.extend(by_slot.pop(stat.slot, []))
        return rows + [s for stats in by_slot.values() for s in stats]

    @property
    def questions(self) -> list[QuestionStats]:
        """One row per question: its slot's, or its own when drawn at random."""
        return [s for s in self.slots if not s.is_random_slot] + self.drawn


def random_guess_score(qtype: str, choices: Iterable[Mapping]) -> float | None:
    """What a random answer scores on average, as a % (Moodle's qtypes: the mean
    of the choices' fractions for single choice, 0.5 for true/false, none for
    multiple answers)."""
    choices = list(choices)
    if qtype == "true_false":
        return 50.0
    if qtype == "single" and choices:
        return 100 * sum(1 for c in choices if c.get("correct")) / len(choices)
    return None


# --- the row-by-row path: Moodle's steps walkers -------------------------------------


def _walk(
    marks: list[float], others: list[float], totals: list[float]
) -> dict[str, float | None]:
    """Moodle's initial/secondary walkers over one slot's (or sub-question's)
    steps: x, the other marks y, the attempt totals T, in the same order."""
    s = len(marks)
    mean_x = sum(marks) / s
    mean_y = sum(others) / s
    mean_t = sum(totals) / s
    sorted_x, sorted_y = sorted(marks), sorted(others)
    var_sum = other_var_sum = cov_sum = cov_max_sum = cov_total_sum = 0.0
    for i, (x, y, t) in enumerate(zip(marks, others, totals, strict=True)):
        dx, dy, dt = x - mean_x, y - mean_y, t - mean_t
        var_sum += dx * dx
        other_var_sum += dy * dy
        cov_sum += dx * dy
        cov_max_sum += (sorted_x[i] - mean_x) * (sorted_y[i] - mean_y)
        cov_total_sum += dx * dt
    return _finish_item(
        s, mean_x, var_sum, other_var_sum, cov_sum, cov_max_sum, cov_total_sum
    )


def _finish_item(
    s, mean_x, var_sum, other_var_sum, cov_sum, cov_max_sum, cov_total_sum
):
    """Moodle's secondary_question_walker, from the sums of products of deviations."""
    if s < 2:
        return {
            "facility": 100 * mean_x,
            "sd": None,
            "discrimination": None,
            "efficiency": None,
            "mark_variance": None,
            "covariance_with_total": None,
        }
    var_x = var_sum / (s - 1)
    var_y = other_var_sum / (s - 1)
    cov = cov_sum / (s - 1)
    cov_max = cov_max_sum / (s - 1)
    # Sums of products of deviations that should be 0 come out as ~1e-16: that is
    # no spread at all (Moodle's PHP floats would divide by them).
    spread = var_x * var_y > 1e-18
    return {
        "facility": 100 * mean_x,
        "sd": 100 * math.sqrt(max(0.0, var_x)),
        "discrimination": 100 * cov / math.sqrt(var_x * var_y) if spread else None,
        "efficiency": 100 * cov / cov_max if abs(cov_max) > 1e-15 else None,
        "mark_variance": var_x,
        "covariance_with_total": cov_total_sum / (s - 1),
    }


def item_analysis(
    rows: Iterable[ItemRow], scores: Mapping[int, float] | None = None
) -> Analysis:
    """Every statistic, row by row (the reference the database path is held to);
    `scores` maps attempt id to its score % (for the distribution only)."""
    rows = list(rows)
    totals: dict[int, float] = defaultdict(float)
    by_slot: dict[int, list[ItemRow]] = defaultdict(list)
    for row in rows:
        totals[row.attempt_id] += row.mark
        by_slot[row.slot].append(row)
    random_slots = {
        slot
        for slot, items in by_slot.items()
        if len({r.question_id for r in items}) > 1
    }
    slots = []
    for slot in sorted(by_slot):
        items = by_slot[slot]
        figures = _walk(
            [r.mark for r in items],
            [totals[r.attempt_id] - r.mark for r in items],
            [totals[r.attempt_id] for r in items],
        )
        held = frozenset(r.question_id for r in items)
        slots.append(
            _stats(
                figures,
                attempts=len(items),
                slot=slot,
                question_id=None if slot in random_slots else next(iter(held)),
                question_ids=held,
            )
        )
    drawn_rows: dict[int, list[ItemRow]] = defaultdict(list)
    for row in rows:
        if row.slot in random_slots:
            drawn_rows[row.question_id].append(row)
    drawn = []
    for question_id, items in drawn_rows.items():
        figures = _walk(
            [r.mark for r in items],
            [totals[r.attempt_id] for r in items],
            [totals[r.attempt_id] for r in items],
        )
        drawn.append(
            _stats(
                figures,
                attempts=len(items),
                slot=max(r.slot for r in items),
                question_id=question_id,
                subquestion=True,
            )
        )
    # Which choices were chosen: a question's own (a slot drawn at random mixes
    # several questions' and has none).
    for stat in (*slots, *drawn):
        if stat.is_random_slot:
            continue
        answered = (
            drawn_rows[stat.question_id] if stat.subquestion else by_slot[stat.slot]
        )
        counts: dict[int, int] = defaultdict(int)
        for row in answered:
            for choice_id in row.selected:
                counts[choice_id] += 1
        stat.choice_counts = dict(counts)
    quiz = quiz_stats(list(totals.values()), slots, scores)
    return _weigh(Analysis(slots=slots, drawn=_ordered(drawn), quiz=quiz))


def quiz_stats(
    totals: list[float],
    slots: list[QuestionStats],
    scores: Mapping[int, float] | None = None,
) -> QuizStats:
    """Moodle's quiz calculator over the attempts' totals, row by row."""
    s = len(totals)
    quiz = QuizStats(attempts=s, max_mark=len(slots))
    if scores is not None:
        quiz.bins = score_bins(_hist(scores.values()))
    if s == 0:
        return quiz
    quiz.mean_marks = sum(totals) / s
    ordered = sorted(totals)
    middle = ordered[(s - 1) // 2 : s // 2 + 1]
    quiz.median_marks = sum(middle) / len(middle)
    mean = quiz.mean_marks
    power2, power3, power4 = (sum((t - mean) ** k for t in totals) for k in (2, 3, 4))
    return _higher_moments(quiz, s, power2, power3, power4, slots)


# --- the database path: the same from grouped counts --------------------------------


def _hist(values: Iterable[float]) -> dict[float, int]:
    hist: dict[float, int] = defaultdict(int)
    for value in values:
        hist[value] += 1
    return dict(hist)


def _sorted_pairs_sum(x_hist, y_hist, mean_x: float, mean_y: float) -> float:
    """Σ (x_(i) - x̄)(y_(i) - ȳ) with both sorted ascending, from their histograms."""
    xs = sorted(x_hist.items())
    ys = sorted(y_hist.items())
    total, i, j = 0.0, 0, 0
    x_left = xs[0][1] if xs else 0
    y_left = ys[0][1] if ys else 0
    while i < len(xs) and j < len(ys):
        take = min(x_left, y_left)
        total += take * (xs[i][0] - mean_x) * (ys[j][0] - mean_y)
        x_left -= take
        y_left -= take
        if x_left == 0:
            i += 1
            x_left = xs[i][1] if i < len(xs) else 0
        if y_left == 0:
            j += 1
            y_left = ys[j][1] if j < len(ys) else 0
    return total


def _from_pairs(pairs: Mapping[tuple[float, float], int], *, whole: bool):
    """_walk's figures from {(x, y): count}, y the rest of the attempt; `whole`:
    for a drawn question, whose other mark is the whole total x + y."""
    s = sum(pairs.values())
    weighted = [
        (x, (x + y) if whole else y, x + y, count) for (x, y), count in pairs.items()
    ]
    mean_x = sum(x * c for x, _o, _t, c in weighted) / s
    mean_o = sum(o * c for _x, o, _t, c in weighted) / s
    mean_t = sum(t * c for _x, _o, t, c in weighted) / s
    var_sum = sum(c * (x - mean_x) ** 2 for x, _o, _t, c in weighted)
    other_var_sum = sum(c * (o - mean_o) ** 2 for _x, o, _t, c in weighted)
    cov_sum = sum(c * (x - mean_x) * (o - mean_o) for x, o, _t, c in weighted)
    cov_total_sum = sum(c * (x - mean_x) * (t - mean_t) for x, _o, t, c in weighted)
    x_hist: dict[float, int] = defaultdict(int)
    o_hist: dict[float, int] = defaultdict(int)
    for x, o, _t, c in weighted:
        x_hist[x] += c
        o_hist[o] += c
    cov_max_sum = _sorted_pairs_sum(x_hist, o_hist, mean_x, mean_o)
    return s, _finish_item(
        s, mean_x, var_sum, other_var_sum, cov_sum, cov_max_sum, cov_total_sum
    )


def analysis_from_groups(
    groups: Iterable[tuple[int, int, float, float, int]],
    totals: Mapping[float, int],
    score_hist: Mapping[float, int] | None = None,
) -> Analysis:
    """item_analysis(), from (slot, question id, mark, rest of the attempt, count)
    groups and {attempt total: attempts}, as the database aggregates them."""
    by_slot: dict[int, dict[tuple[float, float], int]] = defaultdict(
        lambda: defaultdict(int)
    )
    held: dict[int, set[int]] = defaultdict(set)
    groups = list(groups)
    for slot, question_id, x, y, count in groups:
        by_slot[slot][(x, y)] += count
        held[slot].add(question_id)
    random_slots = {slot for slot, ids in held.items() if len(ids) > 1}
    by_question: dict[int, dict[tuple[float, float], int]] = defaultdict(
        lambda: defaultdict(int)
    )
    last_slot: dict[int, int] = {}
    for slot, question_id, x, y, count in groups:
        if slot in random_slots:
            by_question[question_id][(x, y)] += count
            last_slot[question_id] = max(slot, last_slot.get(question_id, 0))
    slots = []
    for slot in sorted(by_slot):
        s, figures = _from_pairs(by_slot[slot], whole=False)
        ids = frozenset(held[slot])
        slots.append(
            _stats(
                figures,
                attempts=s,
                slot=slot,
                question_id=None if slot in random_slots else next(iter(ids)),
                question_ids=ids,
            )
        )
    drawn = []
    for question_id, pairs in by_question.items():
        s, figures = _from_pairs(pairs, whole=True)
        drawn.append(
            _stats(
                figures,
                attempts=s,
                slot=last_slot[question_id],
                question_id=question_id,
                subquestion=True,
            )
        )
    quiz = quiz_stats_from_hist(totals, slots, score_hist)
    return _weigh(Analysis(slots=slots, drawn=_ordered(drawn), quiz=quiz))


def quiz_stats_from_hist(
    totals: Mapping[float, int],
    slots: list[QuestionStats],
    score_hist: Mapping[float, int] | None = None,
) -> QuizStats:
    """quiz_stats(), from {attempt total: attempts}."""
    s = sum(totals.values())
    quiz = QuizStats(attempts=s, max_mark=len(slots))
    if score_hist is not None:
        quiz.bins = score_bins(score_hist)
    if s == 0:
        return quiz
    quiz.mean_marks = sum(t * c for t, c in totals.items()) / s
    quiz.median_marks = _median_from_hist(totals, s)
    mean = quiz.mean_marks
    power2, power3, power4 = (
        sum(c * (t - mean) ** k for t, c in totals.items()) for k in (2, 3, 4)
    )
    return _higher_moments(quiz, s, power2, power3, power4, slots)


def _median_from_hist(hist: Mapping[float, int], n: int) -> float:
    ordered = sorted(hist.items())

    def nth(k: int) -> float:  # 0-based
        seen = 0
        for value, count in ordered:
            seen += count
            if k < seen:
                return value
        raise IndexError(k)

    if n % 2:
        return nth(n // 2)
    return (nth(n // 2 - 1) + nth(n // 2)) / 2


# --- what both paths share ------------------------------------------------------------


def _stats(
    figures, *, attempts, slot, question_id, question_ids=frozenset(), subquestion=False
):  # noqa: E501
    return QuestionStats(
        question_id=question_id,
        attempts=attempts,
        facility=figures["facility"],
        sd=figures["sd"],
        discrimination=figures["discrimination"],
        efficiency=figures["efficiency"],
        slot=slot,
        subquestion=subquestion,
        question_ids=question_ids or frozenset({question_id}),
        covariance_with_total=figures["covariance_with_total"],
        mark_variance=figures["mark_variance"],
    )


def _ordered(drawn: list[QuestionStats]) -> list[QuestionStats]:
    return sorted(drawn, key=lambda s: (s.slot, s.question_id or 0))


def _higher_moments(
    quiz: QuizStats, s: int, power2: float, power3: float, power4: float, slots
) -> QuizStats:
    """Moodle's quiz calculator from Σ(T - T̄)^2, ^3, ^4 (its SQL's power2..4)."""
    if s < 2:
        return quiz
    quiz.sd_marks = math.sqrt(power2 / (s - 1))
    if s < 3:
        return quiz
    m2, m3, m4 = power2 / s, power3 / s, power4 / s
    k2 = s * m2 / (s - 1)
    k3 = s * s * m3 / ((s - 1) * (s - 2))
    # A spread of ~1e-30 is no spread (all totals equal, up to float rounding).
    if k2 <= 1e-15:
        return quiz
    quiz.skewness = k3 / k2**1.5
    if s > 3:
        k4 = (
            s
            * s
            * ((s + 1) * m4 - 3 * (s - 1) * m2 * m2)
            / ((s - 1) * (s - 2) * (s - 3))
        )
        quiz.kurtosis = k4 / (k2 * k2)
    p = len(slots)
    if p > 1:
        variance_sum = sum(stat.mark_variance or 0.0 for stat in slots)
        quiz.cic = 100 * p / (p - 1) * (1 - variance_sum / k2)
        # Moodle stores NaN as NULL: a cic above 100% has no error ratio.
        if quiz.cic <= 100:
            quiz.error_ratio = 100 * math.sqrt(1 - quiz.cic / 100)
            quiz.standard_error_marks = quiz.error_ratio * quiz.sd_marks / 100
    return quiz


def _weigh(analysis: Analysis) -> Analysis:
    """Intended and effective weights of the slots (drawn questions: intended only)."""
    p = len(analysis.slots)
    roots = sum(
        math.sqrt(stat.covariance_with_total)
        for stat in analysis.slots
        if stat.covariance_with_total is not None and stat.covariance_with_total >= 0
    )
    for stat in analysis.slots:
        stat.intended_weight = 100 / p if p else None
        cov = stat.covariance_with_total
        stat.negative_covariance = cov is not None and cov < 0
        if cov is not None and cov >= 0 and roots:
            stat.effective_weight = 100 * math.sqrt(cov) / roots
    for stat in analysis.drawn:
        stat.intended_weight = 100 / p if p else None
    return analysis


def score_bins(score_hist: Mapping[float, int]) -> list[int]:
    """Attempts per band of 10% (the last band includes 100%)."""
    bins = [0] * 10
    for score, count in score_hist.items():
        bins[min(9, int(score // 10))] += count
    return bins


def discrimination_from_sums(
    n: int, sx: float, sxx: float, sy: float, syy: float, sxy: float
) -> float | None:
    """The discrimination index from sums computed in the database (the question
    bank's list: one figure per question over all its quizzes)."""
    if n < 2:
        return None
    var_x = (sxx - sx * sx / n) / (n - 1)
    var_y = (syy - sy * sy / n) / (n - 1)
    cov = (sxy - sx * sy / n) / (n - 1)
    if var_x <= 1e-12 or var_y <= 1e-12:
        return None
    return 100 * cov / math.sqrt(var_x * var_y)

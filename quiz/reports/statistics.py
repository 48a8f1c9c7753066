"""Item analysis following Moodle's quiz statistics, as pure functions.

For each question, over the graded attempts that contain it (s of them), with x
its mark (0..1) and y the rest of the attempt (sum of the other marks):
facility = mean(x) as % of the maximum; sd = sample standard deviation of x
(as %); discrimination index = 100 * cov(x, y) / sqrt(var(x) * var(y));
discriminative efficiency = 100 * cov(x, y) / covmax, covmax being the
covariance of x and y each sorted ascending. Variances and covariances divide
by s - 1 (Moodle's question/classes/statistics/questions/calculator.php).
For the quiz: mean, median and sample sd of the attempt scores, and Cronbach's
alpha over slots, 100 * k/(k-1) * (1 - sum of slot variances / variance of
the attempt totals) (Moodle's coefficient of internal consistency).
"""

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

FLAG_MIN_ATTEMPTS = 20


@dataclass(frozen=True)
class ItemRow:
    attempt_id: int
    slot: int
    question_id: int
    mark: float
    selected: tuple[int, ...] = ()


@dataclass
class QuestionStats:
    question_id: int
    attempts: int
    facility: float | None  # %
    sd: float | None  # % of the maximum mark
    discrimination: float | None  # %
    efficiency: float | None  # %
    choice_counts: dict[int, int] = field(default_factory=dict)
    # {choice id: {"text", "correct"}} as the trainees saw it (reports selectors)
    choice_labels: dict[int, dict] = field(default_factory=dict)

    @property
    def flags(self) -> list[str]:
        """Why the question looks weak (Moodle-style thresholds)."""
        reasons = []
        if self.facility is not None and self.facility > 95:
            reasons.append("too easy")
        if self.facility is not None and self.facility < 20:
            reasons.append("too hard")
        if (
            self.attempts >= FLAG_MIN_ATTEMPTS
            and self.discrimination is not None
            and self.discrimination < 20
        ):
            reasons.append("poor discrimination")
        return reasons


@dataclass
class QuizStats:
    attempts: int
    mean: float | None
    median: float | None
    sd: float | None
    cic: float | None  # Cronbach's alpha, %
    scores: list[float] = field(default_factory=list)
    bins: list[int] = field(default_factory=lambda: [0] * 10)


def _sample_variance(values: list[float], mean: float) -> float:
    return sum((v - mean) ** 2 for v in values) / (len(values) - 1)


def question_stats(
    question_id: int, marks: list[float], others: list[float]
) -> QuestionStats:
    """The statistics of one question from its marks and the rest-of-attempt totals."""
    s = len(marks)
    if s == 0:
        return QuestionStats(question_id, 0, None, None, None, None)
    mean_x = sum(marks) / s
    facility = 100 * mean_x
    if s < 2:
        return QuestionStats(question_id, s, facility, None, None, None)
    mean_y = sum(others) / s
    var_x = _sample_variance(marks, mean_x)
    var_y = _sample_variance(others, mean_y)
    cov = sum(
        (x - mean_x) * (y - mean_y) for x, y in zip(marks, others, strict=True)
    ) / (s - 1)
    cov_max = sum(
        (x - mean_x) * (y - mean_y)
        for x, y in zip(sorted(marks), sorted(others), strict=True)
    ) / (s - 1)
    discrimination = 100 * cov / math.sqrt(var_x * var_y) if var_x * var_y else None
    efficiency = 100 * cov / cov_max if cov_max else None
    return QuestionStats(
        question_id=question_id,
        attempts=s,
        facility=facility,
        sd=100 * math.sqrt(var_x),
        discrimination=discrimination,
        efficiency=efficiency,
    )


def item_analysis(
    rows: Iterable[ItemRow], scores: dict[int, float]
) -> tuple[list[QuestionStats], QuizStats]:
    """Per-question and whole-quiz statistics; `scores` maps attempt id to score %."""
    totals: dict[int, float] = defaultdict(float)
    by_question: dict[int, list[ItemRow]] = defaultdict(list)
    by_slot: dict[int, dict[int, float]] = defaultdict(dict)
    for row in rows:
        totals[row.attempt_id] += row.mark
        by_question[row.question_id].append(row)
        by_slot[row.slot][row.attempt_id] = row.mark
    results = []
    for question_id, items in by_question.items():
        stats = question_stats(
            question_id,
            [item.mark for item in items],
            [totals[item.attempt_id] - item.mark for item in items],
        )
        counts: dict[int, int] = defaultdict(int)
        for item in items:
            for choice_id in item.selected:
                counts[choice_id] += 1
        stats.choice_counts = dict(counts)
        results.append(stats)
    return results, quiz_stats(list(scores.values()), totals, by_slot)


def quiz_stats(
    scores: list[float],
    totals: dict[int, float] | None = None,
    by_slot: dict[int, dict[int, float]] | None = None,
) -> QuizStats:
    """Mean, median, sd of scores and the coefficient of internal consistency."""
    n = len(scores)
    if n == 0:
        return QuizStats(0, None, None, None, None)
    mean = sum(scores) / n
    sd = statistics.stdev(scores) if n > 1 else None
    cic = None
    if totals and by_slot and n > 1:
        k = len(by_slot)
        attempt_ids = list(totals)
        total_values = [totals[a] for a in attempt_ids]
        var_total = statistics.variance(total_values)
        slot_variances = [
            statistics.variance([marks.get(a, 0.0) for a in attempt_ids])
            for marks in by_slot.values()
        ]
        if k > 1 and var_total:
            cic = 100 * k / (k - 1) * (1 - sum(slot_variances) / var_total)
    return QuizStats(
        attempts=n,
        mean=mean,
        median=statistics.median(scores),
        sd=sd,
        cic=cic,
        scores=sorted(scores),
        bins=score_bins({s: scores.count(s) for s in set(scores)}),
    )


def discrimination_from_sums(
    n: int, sx: float, sxx: float, sy: float, syy: float, sxy: float
) -> float | None:
    """The discrimination index from sums computed in the database."""
    if n < 2:
        return None
    var_x = (sxx - sx * sx / n) / (n - 1)
    var_y = (syy - sy * sy / n) / (n - 1)
    cov = (sxy - sx * sy / n) / (n - 1)
    if var_x <= 1e-12 or var_y <= 1e-12:
        return None
    return 100 * cov / math.sqrt(var_x * var_y)


# --- the same statistics from sums and histograms computed in the database ----------
#
# Every statistic above needs only: n, the sums of x, x², y, y², xy, and, for the
# discriminative efficiency, the distributions of x and of y (both take few
# distinct values: marks are multiples of 1/k). Sorting x and y to pair them by
# rank is then a merge of two histograms. So a report over millions of answers
# fetches a few hundred aggregated rows, and gives the same figures as the
# row-by-row functions above (tests/test_statistics.py checks that they agree).


@dataclass
class QuestionSums:
    n: int = 0
    sx: float = 0.0
    sxx: float = 0.0
    sy: float = 0.0
    syy: float = 0.0
    sxy: float = 0.0
    x_hist: dict[float, int] = field(default_factory=dict)
    y_hist: dict[float, int] = field(default_factory=dict)


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


def question_stats_from_sums(question_id: int, sums: QuestionSums) -> QuestionStats:
    """question_stats(), from database aggregates instead of every answer."""
    s = sums.n
    if s == 0:
        return QuestionStats(question_id, 0, None, None, None, None)
    mean_x = sums.sx / s
    facility = 100 * mean_x
    if s < 2:
        return QuestionStats(question_id, s, facility, None, None, None)
    mean_y = sums.sy / s
    var_x = max(0.0, (sums.sxx - s * mean_x * mean_x) / (s - 1))
    var_y = max(0.0, (sums.syy - s * mean_y * mean_y) / (s - 1))
    cov = (sums.sxy - s * mean_x * mean_y) / (s - 1)
    cov_max = _sorted_pairs_sum(sums.x_hist, sums.y_hist, mean_x, mean_y) / (s - 1)
    # Sums of squares lose ~1e-12 to rounding: treat that as no spread at all.
    spread = var_x * var_y > 1e-12
    return QuestionStats(
        question_id=question_id,
        attempts=s,
        facility=facility,
        sd=100 * math.sqrt(var_x),
        discrimination=100 * cov / math.sqrt(var_x * var_y) if spread else None,
        efficiency=100 * cov / cov_max if abs(cov_max) > 1e-12 else None,
    )


@dataclass
class QuizSums:
    n: int = 0
    score_hist: dict[float, int] = field(default_factory=dict)  # score % -> attempts
    total_sum: float = 0.0  # Σ of attempt totals (sum of marks)
    total_sq: float = 0.0
    slot_sums: dict[int, tuple[int, float, float]] = field(default_factory=dict)


def _median_from_hist(hist: dict[float, int], n: int) -> float:
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


def quiz_stats_from_sums(sums: QuizSums) -> QuizStats:
    """quiz_stats(), from database aggregates."""
    n = sums.n
    if n == 0:
        return QuizStats(0, None, None, None, None)
    mean = sum(v * c for v, c in sums.score_hist.items()) / n
    sd = None
    if n > 1:
        squares = sum(c * (v - mean) ** 2 for v, c in sums.score_hist.items())
        sd = math.sqrt(squares / (n - 1))
    cic = None
    k = len(sums.slot_sums)
    if n > 1 and k > 1:
        var_total = (sums.total_sq - sums.total_sum**2 / n) / (n - 1)
        # A slot missing from an attempt counts as a mark of 0 there, as above.
        slot_variances = [
            (sxx - sx * sx / n) / (n - 1) for _c, sx, sxx in sums.slot_sums.values()
        ]
        if var_total > 1e-12:
            cic = 100 * k / (k - 1) * (1 - sum(slot_variances) / var_total)
    return QuizStats(
        attempts=n,
        mean=mean,
        median=_median_from_hist(sums.score_hist, n),
        sd=sd,
        cic=cic,
        scores=[],
        bins=score_bins(sums.score_hist),
    )


def score_bins(score_hist: dict[float, int]) -> list[int]:
    """Attempts per band of 10% (the last band includes 100%)."""
    bins = [0] * 10
    for score, count in score_hist.items():
        bins[min(9, int(score // 10))] += count
    return bins

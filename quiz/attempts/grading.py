"""Grading as DESIGN.md states it, as pure functions over plain values.

single / true_false: 1 when exactly the correct choice is selected, else 0.
multiple: each correct choice selected earns 1/k (k = number of correct choices),
each wrong choice selected costs 1/k; clamped to [0, 1].
Score = mean question mark, as a percentage. Passed = score >= pass mark and
every question testing a critical rule fully correct.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

SINGLE_TYPES = frozenset({"single", "true_false"})

# Marks and their sums are stored to 10 places (Moodle keeps 7): 1/3 is
# 0.3333333333, and a sum is rounded once, from the exact fractions, never summed
# from rounded marks. What people read (scores, grades) is rounded by
# quiz/rounding.py and AttemptGrade.score_decimal, as before.
MARK_PLACES = "0.0000000001"


def question_mark(qtype: str, correct: set[int], selected: set[int]) -> Fraction:
    """The mark of one answer, exactly, in [0, 1]."""
    if not correct:
        raise ValueError("a question without a correct choice cannot be graded")
    if qtype in SINGLE_TYPES:
        return Fraction(1) if selected == correct else Fraction(0)
    if qtype == "multiple":
        k = len(correct)
        hits = len(selected & correct)
        misses = len(selected - correct)
        return min(Fraction(1), max(Fraction(0), Fraction(hits - misses, k)))
    raise ValueError(f"unknown question type {qtype!r}")


@dataclass(frozen=True)
class GradedItem:
    mark: Fraction
    critical: bool

    @property
    def fully_correct(self) -> bool:
        return self.mark == 1


@dataclass(frozen=True)
class AttemptGrade:
    score: Fraction  # percentage, exact
    passed: bool
    failed_critical: bool
    marks_total: Fraction = Fraction(0)  # the sum of the marks, exact

    @property
    def score_decimal(self) -> Decimal:
        return to_decimal(self.score, "0.01")

    @property
    def marks_total_decimal(self) -> Decimal:
        return mark_decimal(self.marks_total)


def attempt_grade(items: Sequence[GradedItem], pass_mark: int) -> AttemptGrade:
    """Score, pass and the critical-rule gate of a whole attempt."""
    if not items:
        return AttemptGrade(score=Fraction(0), passed=False, failed_critical=False)
    total = sum((item.mark for item in items), Fraction(0))
    score = total * 100 / len(items)
    failed_critical = any(item.critical and not item.fully_correct for item in items)
    passed = score >= pass_mark and not failed_critical
    return AttemptGrade(
        score=score, passed=passed, failed_critical=failed_critical, marks_total=total
    )


def to_decimal(value: Fraction, places: str) -> Decimal:
    """Round an exact fraction half up to the given places (e.g. "0.01")."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        Decimal(places), rounding=ROUND_HALF_UP
    )


def mark_decimal(value: Fraction) -> Decimal:
    """A mark (or a sum of marks) as stored: MARK_PLACES, half up."""
    return to_decimal(value, MARK_PLACES)

"""Moodle grades a written multiple-answer question exactly as Rulewise does.

The reference is a small copy of what Moodle does with the file, independent
of our readers: the weights are read from the GIFT or XML text, matched
against Moodle's list of grades as ``match_grade_options(..., 'error')`` does
(within 0.00001, or the whole import is refused), and a set of ticks is graded
as ``qtype_multichoice_multi_question::grade_response`` grades it: the sum of
the fractions of the ticked answers, clamped to [0, 1].
"""

from __future__ import annotations

import itertools
import re
from fractions import Fraction

import pytest

from questions.formats import (
    ParsedChoice,
    ParsedQuestion,
    write_gift,
    write_moodle_xml,
)
from questions.formats.moodle import GRADES, moodle_grade, multiple_fractions
from quiz.attempts.grading import question_mark

# question_bank::fraction_options_full, as Moodle builds it.
MOODLE_RAW_FRACTIONS = [
    0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333, 0.3,
    0.25, 0.2, 0.1666667, 0.1428571, 0.125, 0.1111111, 0.1, 0.05,
]  # fmt: skip
MOODLE_OPTIONS = [0.0, 1.0, *MOODLE_RAW_FRACTIONS, *(-f for f in MOODLE_RAW_FRACTIONS)]
MOODLE_OPTIONS.append(-1.0)


def match_grade_options(fraction: float) -> float:
    """Moodle's match_grade_options in 'error' mode."""
    for value in MOODLE_OPTIONS:
        if abs(fraction - value) < 0.00001:
            return value
    raise AssertionError(f"Moodle would refuse the import: grade {fraction}")


def moodle_mark(fractions: list[float], ticked: set[int]) -> float:
    """qtype_multichoice_multi_question::grade_response."""
    total = sum(fractions[i] for i in ticked)
    return min(max(0.0, total), 1.0)


def gift_weights(text: str) -> list[float]:
    """The answer weights of one GIFT multiple-answer block, as Moodle stores them."""
    return [
        match_grade_options(float(w) / 100)
        for w in re.findall(r"^\t~%(-?[0-9.]+)%", text, re.M)
    ]


def xml_weights(text: str) -> list[float]:
    """The answer fractions of a Moodle XML file, as Moodle stores them."""
    return [
        match_grade_options(float(w) / 100)
        for w in re.findall(r'<answer fraction="(-?[0-9.]+)"', text)
    ]


def sample(right: int, wrong: int) -> ParsedQuestion:
    """A multiple-answer question with *right* right and *wrong* wrong choices."""
    choices = [ParsedChoice(f"right {i}", 1.0) for i in range(right)]
    choices += [ParsedChoice(f"wrong {i}", 0.0) for i in range(wrong)]
    return ParsedQuestion("multiple", "Which ones?", tuple(choices))


def test_our_list_of_grades_is_moodles() -> None:
    assert sorted(GRADES) == sorted(MOODLE_OPTIONS)


@pytest.mark.parametrize(
    ("percent", "grade"),
    [("33.33333", 0.3333333), ("33.333", 0.3333333), ("-14.28571", -0.1428571)],
)
def test_moodle_takes_these_weights(percent: str, grade: float) -> None:
    assert moodle_grade(float(percent) / 100) == grade


@pytest.mark.parametrize("percent", ["33.33", "33.3", "12", "-9.09091", "101"])
def test_moodle_refuses_these_weights(percent: str) -> None:
    assert moodle_grade(float(percent) / 100) is None


@pytest.mark.parametrize("writer", [write_gift, write_moodle_xml])
@pytest.mark.parametrize("right", [*range(1, 11), 20])
def test_every_set_of_ticks_earns_the_same_mark_in_moodle(writer, right: int) -> None:
    wrong = 2
    question = sample(right, wrong)
    text = writer([question])
    weights = (gift_weights if writer is write_gift else xml_weights)(text)
    assert len(weights) == right + wrong
    correct = set(range(right))
    n = right + wrong
    # Every subset of the choices (for 20 right ones, every subset of the
    # first 6 right and both wrong ones: 2^8 sets, the rest unticked or all
    # ticked).
    if right <= 10:
        subsets = itertools.chain.from_iterable(
            itertools.combinations(range(n), size) for size in range(n + 1)
        )
    else:
        few = [*range(6), right, right + 1]
        rest = set(range(6, right))
        subsets = (
            set(combo) | extra
            for size in range(len(few) + 1)
            for combo in itertools.combinations(few, size)
            for extra in (set(), rest)
        )
    checked = 0
    for ticks in subsets:
        ticked = set(ticks)
        ours = question_mark("multiple", correct, ticked)
        theirs = moodle_mark(weights, ticked)
        # Moodle stores 1/3 as 0.3333333 and counts a mark above 0.999999 as
        # right; the marks agree to 1e-6.
        assert abs(theirs - float(ours)) < 1e-6, (ticked, ours, theirs)
        assert (theirs > 0.999999) == (ours == 1)
        assert (theirs < 0.000001) == (ours == 0)
        checked += 1
    assert checked == (2**n if right <= 10 else 2 ** len(few) * 2)


def test_a_wrong_tick_costs_one_share_not_the_whole_question() -> None:
    """The bug of the old export: wrong choices at -100% made one wrong tick
    wipe out the question in Moodle, while Rulewise takes off 1/k."""
    weights = gift_weights(write_gift([sample(3, 2)]))
    ticked = {0, 1, 2, 3}  # all three right ones and one wrong one
    assert question_mark("multiple", {0, 1, 2}, ticked) == Fraction(2, 3)
    assert moodle_mark(weights, ticked) == pytest.approx(2 / 3, abs=1e-6)


def test_the_weights_are_the_ones_written() -> None:
    assert multiple_fractions([True, True, True, False]) == (
        0.3333333,
        0.3333333,
        0.3333333,
        -0.3333333,
    )
    assert multiple_fractions([True, False]) == (1.0, -1.0)

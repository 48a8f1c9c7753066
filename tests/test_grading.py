"""Grading as DESIGN.md states it, on plain values."""

from decimal import Decimal
from fractions import Fraction

import pytest

from quiz.attempts.grading import (
    GradedItem,
    attempt_grade,
    question_mark,
    to_decimal,
)
from quiz.attempts.progress import quiz_grade

CORRECT = {1}


@pytest.mark.parametrize("qtype", ["single", "true_false"])
@pytest.mark.parametrize(
    ("selected", "expected"),
    [({1}, 1), ({2}, 0), (set(), 0), ({1, 2}, 0)],
)
def test_single_and_true_false_score_one_or_zero(qtype, selected, expected):
    assert question_mark(qtype, CORRECT, selected) == expected


@pytest.mark.parametrize(
    ("selected", "expected"),
    [
        ({1, 2}, Fraction(1)),  # both correct
        ({1}, Fraction(1, 2)),  # half the correct ones
        ({1, 3}, Fraction(0)),  # +1/2 -1/2
        ({1, 2, 3}, Fraction(1, 2)),  # 1 - 1/2
        ({3, 4}, Fraction(0)),  # -1, clamped up to 0
        ({1, 2, 3, 4}, Fraction(0)),  # 1 - 1 = 0
        (set(), Fraction(0)),
    ],
)
def test_multiple_partial_credit_and_clamping(selected, expected):
    assert question_mark("multiple", {1, 2}, selected) == expected


def test_multiple_with_three_correct_gives_thirds():
    assert question_mark("multiple", {1, 2, 3}, {1, 2}) == Fraction(2, 3)
    assert question_mark("multiple", {1, 2, 3}, {1, 2, 3, 4}) == Fraction(2, 3)


def test_multiple_mark_never_exceeds_one():
    assert question_mark("multiple", {1}, {1}) == 1


def test_unknown_type_and_no_correct_choice_are_errors():
    with pytest.raises(ValueError):
        question_mark("essay", {1}, {1})
    with pytest.raises(ValueError):
        question_mark("single", set(), {1})


def test_score_is_the_mean_mark_as_a_percentage():
    items = [
        GradedItem(Fraction(1), False),
        GradedItem(Fraction(1, 2), False),
        GradedItem(0, False),
    ]

    grade = attempt_grade(items, pass_mark=50)

    assert grade.score == 50
    assert grade.passed is True
    assert grade.score_decimal == Decimal("50.00")


def test_score_just_below_the_pass_mark_fails():
    items = [GradedItem(Fraction(1), False)] * 2 + [GradedItem(Fraction(0), False)]

    grade = attempt_grade(items, pass_mark=67)  # 66.666...%

    assert grade.passed is False
    assert grade.score_decimal == Decimal("66.67")


def test_wrong_critical_question_fails_whatever_the_score():
    items = [GradedItem(Fraction(1), False)] * 19 + [GradedItem(Fraction(0), True)]

    grade = attempt_grade(items, pass_mark=80)

    assert grade.score == 95
    assert grade.failed_critical is True
    assert grade.passed is False


def test_partly_right_critical_question_also_fails():
    items = [GradedItem(Fraction(1), False)] * 9 + [GradedItem(Fraction(1, 2), True)]

    grade = attempt_grade(items, pass_mark=50)

    assert grade.failed_critical is True
    assert grade.passed is False


def test_right_critical_question_passes():
    grade = attempt_grade([GradedItem(Fraction(1), True)], pass_mark=100)

    assert grade.passed is True and grade.failed_critical is False


def test_empty_attempt_scores_zero_and_fails():
    grade = attempt_grade([], pass_mark=0)

    assert grade.score == 0 and grade.passed is False


def test_rounding_is_half_up():
    assert to_decimal(Fraction(1, 8) * 100, "0.01") == Decimal("12.50")
    assert to_decimal(Fraction(2, 3), "0.0001") == Decimal("0.6667")
    assert to_decimal(Fraction(5, 1000), "0.01") == Decimal("0.01")


SCORES = [Decimal("40"), Decimal("90"), Decimal("70")]


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("highest", Decimal("90")),
        ("latest", Decimal("70")),
        ("first", Decimal("40")),
        ("average", Decimal("66.67")),
    ],
)
def test_each_grading_method(method, expected):
    assert quiz_grade(method, SCORES) == expected


def test_grading_method_without_attempts_is_none():
    assert quiz_grade("highest", []) is None


def test_unknown_grading_method_is_an_error():
    with pytest.raises(ValueError):
        quiz_grade("median", SCORES)

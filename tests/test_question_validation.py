"""A question that is not well formed can never be published, whoever asks."""

import pytest

from django.core.exceptions import ValidationError

from questions.models import Question, QuestionStatus, QuestionType
from questions.services import question_publish, question_unpublish
from questions.validation import ChoiceData, question_problems
from tests.factories import QuestionFactory, published_question

pytestmark = pytest.mark.django_db

MALFORMED = {
    "single with two correct": (
        QuestionType.SINGLE,
        [("Smoothly", True), ("Gradually", True), ("Twist", False)],
        "exactly one correct choice",
    ),
    "single with no correct": (
        QuestionType.SINGLE,
        [("Smoothly", False), ("Twist", False)],
        "exactly one correct choice",
    ),
    "single with one choice": (
        QuestionType.SINGLE,
        [("Smoothly", True)],
        "at least two",
    ),
    "multiple with no correct": (
        QuestionType.MULTIPLE,
        [("A", False), ("B", False), ("C", False)],
        "at least one correct",
    ),
    "multiple with no wrong": (
        QuestionType.MULTIPLE,
        [("A", True), ("B", True)],
        "at least one wrong",
    ),
    "true/false with other texts": (
        QuestionType.TRUE_FALSE,
        [("Yes", True), ("No", False)],
        "“True” and “False”",
    ),
    "true/false with three choices": (
        QuestionType.TRUE_FALSE,
        [("True", True), ("False", False), ("Maybe", False)],
        "“True” and “False”",
    ),
    "true/false with both correct": (
        QuestionType.TRUE_FALSE,
        [("True", True), ("False", True)],
        "exactly one of",
    ),
    "true/false with none correct": (
        QuestionType.TRUE_FALSE,
        [("True", False), ("False", False)],
        "exactly one of",
    ),
    "empty choice": (
        QuestionType.SINGLE,
        [("Smoothly", True), ("  ", False)],
        "no text",
    ),
    "duplicate choices": (
        QuestionType.SINGLE,
        [("Smoothly", True), ("smoothly ", False)],
        "same text",
    ),
    "no choices": (QuestionType.SINGLE, [], "at least two"),
}


@pytest.mark.parametrize("case", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_question_cannot_be_published_by_the_service(case):
    qtype, choices, expected = case
    question = QuestionFactory(qtype=qtype, choices=choices)

    with pytest.raises(ValidationError) as excinfo:
        question_publish(question=question)

    assert any(expected in message for message in excinfo.value.messages)
    question.refresh_from_db()
    assert question.status == QuestionStatus.DRAFT


@pytest.mark.parametrize("case", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_question_cannot_be_saved_as_published_from_code(case):
    qtype, choices, expected = case
    question = QuestionFactory(qtype=qtype, choices=choices)
    question.status = QuestionStatus.PUBLISHED

    with pytest.raises(ValidationError):
        question.save()

    assert Question.objects.get(pk=question.pk).status == QuestionStatus.DRAFT


def test_question_without_rule_cannot_be_published():
    question = QuestionFactory(rules=[])

    with pytest.raises(ValidationError) as excinfo:
        question_publish(question=question)

    assert "at least one rule" in excinfo.value.messages[0]


def test_question_with_blank_stem_cannot_be_published():
    question = QuestionFactory(stem="   ")

    with pytest.raises(ValidationError, match="no stem"):
        question_publish(question=question)


def test_new_question_created_as_published_without_choices_is_refused():
    question = QuestionFactory.build(status=QuestionStatus.PUBLISHED)
    question.category.save()
    question.category_id = question.category.pk

    with pytest.raises(ValidationError):
        question.save()

    assert not Question.objects.filter(stem=question.stem).exists()


@pytest.mark.parametrize("qtype", list(QuestionType))
def test_well_formed_question_of_every_type_publishes(qtype):
    question = published_question(qtype=qtype)

    assert question.status == QuestionStatus.PUBLISHED
    assert question.published_at is not None


def test_unpublish_retires_to_draft():
    question = published_question()

    question_unpublish(question=question)

    assert Question.objects.get(pk=question.pk).status == QuestionStatus.DRAFT


def test_problems_function_accepts_a_good_multiple_answer_question():
    problems = question_problems(
        qtype=QuestionType.MULTIPLE,
        stem="Which movements are allowed?",
        choices=[ChoiceData("Smooth", True), ChoiceData("Twisting", False)],
        rule_count=1,
    )

    assert problems == []


def test_problems_function_reports_every_problem_at_once():
    problems = question_problems(
        qtype=QuestionType.SINGLE,
        stem="",
        choices=[ChoiceData("", False)],
        rule_count=0,
    )

    assert len(problems) == 5

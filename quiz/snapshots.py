"""What a trainee was shown of a question, kept with the answer: an attempt's
question and a practice item hold the same snapshot, so editing or retiring a
question never changes what either recorded. The snapshot is in the language
the question was shown in (the one active when the attempt started or the
practice question was served), field by field falling back to the English, and
records that language: the review shows what the trainee read whatever language
is active later. Grading reads only the choice ids and keys."""

import random

from django.utils.translation import get_language

from questions.models import Choice, Question, Rule
from questions.translation import (
    SOURCE_LANGUAGE,
    bank_language,
    translated,
    translated_name,
)


def question_snapshot(
    question: Question,
    choices: list[Choice],
    rules: list[Rule],
    rng: random.Random,
    shuffle_choices: bool,
    language: str | None = None,
) -> dict:
    """Stem, type, explanation, choices (shown order, with correct and feedback)
    and rules of a question read with its category, given its choices and rules
    (however the caller read them), in `language` (the active one by default)."""
    language = bank_language(language or get_language())
    shown = [
        {
            "id": choice.pk,
            "text": translated(choice, "text", language),
            "correct": choice.correct,
            "feedback": translated(choice, "feedback", language),
        }
        for choice in choices
    ]
    # True/false reads best in its natural order.
    if shuffle_choices and question.qtype != "true_false":
        rng.shuffle(shown)
    return {
        # The language the stem was shown in: the one asked for, or English
        # where the question has no translation (the page's lang attribute).
        "language": language
        if getattr(question, translated_name("stem", language), "").strip()
        else SOURCE_LANGUAGE,
        "qtype": question.qtype,
        "stem": translated(question, "stem", language),
        "explanation": translated(question, "explanation", language),
        "category": translated(question.category, "name", language),
        "choices": shown,
        "rules": [
            {
                "id": rule.pk,
                "code": rule.code,
                "title": translated(rule, "title", language),
                "wording": translated(rule, "wording", language),
                "critical": rule.critical,
            }
            for rule in rules
        ],
    }

"""What a trainee was shown of a question, kept with the answer: an attempt's
question and a practice item hold the same snapshot, so editing or retiring a
question never changes what either recorded."""

import random

from questions.models import Choice, Question, Rule


def question_snapshot(
    question: Question,
    choices: list[Choice],
    rules: list[Rule],
    rng: random.Random,
    shuffle_choices: bool,
) -> dict:
    """Stem, type, explanation, choices (shown order, with correct and feedback)
    and rules of a question read with its category, given its choices and rules
    (however the caller read them)."""
    shown = [
        {
            "id": choice.pk,
            "text": choice.text,
            "correct": choice.correct,
            "feedback": choice.feedback,
        }
        for choice in choices
    ]
    # True/false reads best in its natural order.
    if shuffle_choices and question.qtype != "true_false":
        rng.shuffle(shown)
    return {
        "qtype": question.qtype,
        "stem": question.stem,
        "explanation": question.explanation,
        "category": question.category.name,
        "choices": shown,
        "rules": [
            {
                "id": rule.pk,
                "code": rule.code,
                "title": rule.title,
                "wording": rule.wording,
                "critical": rule.critical,
            }
            for rule in rules
        ],
    }

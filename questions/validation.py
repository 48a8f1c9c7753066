"""What makes a question well formed: one pure function used by the model,
the services and the admin (which checks unsaved inline choices with it)."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from questions.enums import QuestionType

TRUE_FALSE_TEXTS = ("True", "False")


@dataclass(frozen=True)
class ChoiceData:
    text: str
    correct: bool


def _normalise(text: str) -> str:
    return " ".join(text.split()).casefold()


def question_problems(
    *, qtype: str, stem: str, choices: Sequence[ChoiceData], rule_count: int
) -> list[str]:
    """Every reason the question cannot be published; an empty list means it can."""
    problems: list[str] = []
    if not stem.strip():
        problems.append(_("The question has no stem."))
    if rule_count < 1:
        problems.append(_("Link the question to at least one rule of the source text."))
    if any(not choice.text.strip() for choice in choices):
        problems.append(_("A choice has no text."))
    seen: set[str] = set()
    duplicates: list[str] = []
    for choice in choices:
        key = _normalise(choice.text)
        if key and key in seen:
            duplicates.append(choice.text.strip())
        seen.add(key)
    if duplicates:
        problems.append(
            _("Two choices have the same text: %(texts)s.")
            % {"texts": ", ".join(f"“{text}”" for text in duplicates)}
        )
    n_correct = sum(1 for choice in choices if choice.correct)
    n_wrong = len(choices) - n_correct
    if qtype == QuestionType.SINGLE:
        if len(choices) < 2:
            problems.append(_("A single-answer question needs at least two choices."))
        if n_correct != 1:
            problems.append(
                _(
                    "A single-answer question needs exactly one correct choice (it has %(n)d)."
                )
                % {"n": n_correct}
            )
    elif qtype == QuestionType.MULTIPLE:
        if n_correct < 1:
            problems.append(
                _("A multiple-answer question needs at least one correct choice.")
            )
        if n_wrong < 1:
            problems.append(
                _("A multiple-answer question needs at least one wrong choice.")
            )
    elif qtype == QuestionType.TRUE_FALSE:
        texts = sorted(choice.text.strip() for choice in choices)
        if texts != sorted(TRUE_FALSE_TEXTS):
            problems.append(
                _("A true/false question has exactly two choices, “True” and “False”.")
            )
        elif n_correct != 1:
            problems.append(_("Mark exactly one of “True” and “False” as correct."))
    else:
        problems.append(_("Unknown question type “%(type)s”.") % {"type": qtype})
    return problems

"""What makes a question well formed: one pure function used by the model,
the services and the admin (which checks unsaved inline choices with it)."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from questions.enums import QuestionType

TRUE_FALSE_TEXTS = ("True", "False")
# A true/false question's choices in Russian, by their English text: the texts
# trainees read there, and the only ones a Russian translation may give them.
TRUE_FALSE_RU = {"True": "Верно", "False": "Неверно"}


@dataclass(frozen=True)
class ChoiceData:
    text: str
    correct: bool
    text_ru: str = ""
    feedback: str = ""
    feedback_ru: str = ""


def _repeated(texts: list[str]) -> str:
    """The texts that repeat an earlier one (compared as _normalise does),
    quoted for a message; empty when none does."""
    seen: set[str] = set()
    repeated: list[str] = []
    for text in texts:
        key = _normalise(text)
        if key and key in seen:
            repeated.append(text.strip())
        seen.add(key)
    return ", ".join(f"“{text}”" for text in repeated)


def _normalise(text: str) -> str:
    return " ".join(text.split()).casefold()


def question_problems(
    *,
    qtype: str,
    stem: str,
    choices: Sequence[ChoiceData],
    rule_count: int,
    explanation: str = "",
    stem_ru: str = "",
    explanation_ru: str = "",
) -> list[str]:
    """Every reason the question cannot be published; an empty list means it can.
    The English text is the question; a Russian translation is optional, but one
    begun must be complete (russian_problems)."""
    problems: list[str] = []
    if not stem.strip():
        problems.append(_("The question has no stem."))
    if rule_count < 1:
        problems.append(_("Link the question to at least one rule of the source text."))
    if any(not choice.text.strip() for choice in choices):
        problems.append(_("A choice has no text."))
    if duplicates := _repeated([choice.text for choice in choices]):
        problems.append(
            _("Two choices have the same text: %(texts)s.") % {"texts": duplicates}
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
    return problems + russian_problems(
        qtype=qtype,
        choices=choices,
        explanation=explanation,
        stem_ru=stem_ru,
        explanation_ru=explanation_ru,
    )


def russian_problems(
    *,
    qtype: str,
    choices: Sequence[ChoiceData],
    explanation: str,
    stem_ru: str,
    explanation_ru: str,
) -> list[str]:
    """Why the question's Russian translation is not complete: none at all is
    complete (trainees read the English), but a trainee must never read a
    question half in one language and half in the other. A translation starts
    with the stem; with it, every text the English has is translated."""
    began = explanation_ru.strip() or any(
        choice.text_ru.strip() or choice.feedback_ru.strip() for choice in choices
    )
    if not stem_ru.strip():
        if began:
            return [
                _(
                    "The Russian translation has no question text: translate the "
                    "question text too, or clear the other Russian fields."
                )
            ]
        return []
    problems: list[str] = []
    if any(not choice.text_ru.strip() for choice in choices):
        problems.append(_("A choice has no Russian text."))
    if explanation.strip() and not explanation_ru.strip():
        problems.append(_("The explanation has no Russian translation."))
    if any(
        choice.feedback.strip() and not choice.feedback_ru.strip() for choice in choices
    ):
        problems.append(_("A choice's feedback has no Russian translation."))
    if duplicates := _repeated([choice.text_ru for choice in choices]):
        problems.append(
            _("Two choices have the same Russian text: %(texts)s.")
            % {"texts": duplicates}
        )
    if qtype == QuestionType.TRUE_FALSE and any(
        choice.text_ru.strip() != TRUE_FALSE_RU.get(choice.text.strip())
        for choice in choices
    ):
        problems.append(
            _(
                "In Russian, the choices of a true/false question read “%(true)s” "
                "(for “True”) and “%(false)s” (for “False”)."
            )
            % {"true": TRUE_FALSE_RU["True"], "false": TRUE_FALSE_RU["False"]}
        )
    return problems

"""Importing a translation of the bank: a GIFT, Moodle XML or Aiken file whose
texts are in Russian gives existing questions their Russian texts.

The English text is the question (questions/translation.py), so a file in
Russian creates nothing: each of its questions is matched to a question of the
bank by its ID number, and must be the same question in another language (same
type, same number of choices, the same ones right, in the file's order; a
true/false question's key). Its stem, general feedback, choices and their
feedback become the question's Russian texts, complete as the admin requires
(validation.russian_problems), and a category the file names differently from
its English name gets that Russian name. One problem anywhere and nothing is
written: a translation is imported whole or not at all, as an import of new
questions is. Rule links, titles and tags are the question's, not its
language's: a translation file does not change them. Aiken carries no ID
numbers (nor explanations, nor feedback), so a translation comes in GIFT or
Moodle XML; an Aiken export in Russian is for reading elsewhere.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from questions.formats import ParsedQuestion, ParseResult
from questions.formats.types import at_line
from questions.interchange import (
    ImportRefusedError,
    category_path,
    choice_rows,
    import_parse,
)
from questions.models import Category, Choice, Question, QuestionType
from questions.validation import TRUE_FALSE_RU, ChoiceData, russian_problems

# The formats that carry ID numbers (a translation is matched by them).
TRANSLATION_FORMATS = ("gift", "xml")


@dataclass
class PlannedTranslation:
    """The Russian texts one question of the file gives one question of the bank."""

    parsed: ParsedQuestion
    question: Question | None = None
    stem: str = ""
    explanation: str = ""
    # (choice, Russian text, Russian feedback), in the bank's order
    choices: list[tuple[Choice, str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # why nothing can be imported
    notes: list[str] = field(default_factory=list)  # what the import changes

    @property
    def replaces(self) -> bool:
        """Whether the question had Russian texts this import overwrites."""
        question = self.question
        return question is not None and bool(
            question.stem_ru.strip()
            or question.explanation_ru.strip()
            or any(
                c.text_ru.strip() or c.feedback_ru.strip() for c, _t, _f in self.choices
            )
        )

    @property
    def unchanged(self) -> bool:
        question = self.question
        return question is not None and (
            (question.stem_ru, question.explanation_ru) == (self.stem, self.explanation)
            and all(
                (c.text_ru, c.feedback_ru) == (text, feedback)
                for c, text, feedback in self.choices
            )
        )


@dataclass
class TranslationPlan:
    fmt: str
    language: str
    items: list[PlannedTranslation]
    result: ParseResult
    # category: its Russian name from the file, for categories that get one
    category_names: dict[Category, str]
    problems: list[str]  # the file's own (a category named two ways)

    @property
    def all_problems(self) -> list[str]:
        """Every reason nothing can be imported, each naming its line."""
        return self.problems + [
            at_line(item.parsed.line, problem)
            for item in self.items
            for problem in item.problems
        ]

    @property
    def ok(self) -> bool:
        return not self.all_problems

    @property
    def changed(self) -> list[PlannedTranslation]:
        return [item for item in self.items if not item.unchanged]

    @property
    def warnings(self) -> list[str]:
        return list(self.result.warnings)


def translation_plan(*, text: str, fmt: str, language: str = "ru") -> TranslationPlan:
    """What importing *text* as the *language* translation would change, with
    every problem that stops it; writes nothing. FormatError or
    ImportRefusedError as an import of new questions raises them."""
    if fmt not in TRANSLATION_FORMATS:
        raise ImportRefusedError(
            _(
                "An Aiken file has no ID numbers, explanations or feedback, so it "
                "cannot carry a translation of the bank's questions: import the "
                "Russian texts from GIFT or Moodle XML."
            )
            if fmt == "aiken"
            else _("Unknown format “%(f)s”: use gift, xml or aiken.") % {"f": fmt}
        )
    result = import_parse(text=text, fmt=fmt)
    ids = [q.idnumber[:100] for q in result.questions if q.idnumber.strip()]
    bank: dict[str, list[Question]] = {}
    for question in (
        Question.objects.filter(idnumber__in=ids)
        .select_related("category")
        .prefetch_related("choices")
    ):
        bank.setdefault(question.idnumber, []).append(question)
    items: list[PlannedTranslation] = []
    seen: dict[str, int] = {}
    for parsed in result.questions:
        item = PlannedTranslation(parsed=parsed)
        items.append(item)
        idnumber = parsed.idnumber[:100]
        if not idnumber.strip():
            item.problems.append(
                _(
                    "The question has no ID number: a translation is matched to "
                    "its question by ID number."
                )
            )
            continue
        if idnumber in seen:
            item.problems.append(
                _("ID number %(id)s is also on line %(line)d.")
                % {"id": idnumber, "line": seen[idnumber]}
            )
            continue
        seen[idnumber] = parsed.line
        matches = bank.get(idnumber, [])
        if len(matches) != 1:
            item.problems.append(
                _("No question of the bank has the ID number %(id)s.")
                % {"id": idnumber}
                if not matches
                else _(
                    "%(n)d questions of the bank have the ID number %(id)s: give "
                    "each its own before importing a translation."
                )
                % {"n": len(matches), "id": idnumber}
            )
            continue
        _match(item, matches[0])
    category_names, problems = _category_names(items)
    return TranslationPlan(
        fmt=fmt,
        language=language,
        items=items,
        result=result,
        category_names=category_names,
        problems=problems,
    )


def _match(item: PlannedTranslation, question: Question) -> None:
    """Pair the file's question with the bank's, choice by choice, noting every
    way they are not the same question."""
    parsed = item.parsed
    item.question = question
    item.stem = parsed.stem.strip()
    item.explanation = parsed.general_feedback.strip()
    choices = list(question.choices.all())  # in their order
    if parsed.qtype != question.qtype:
        item.problems.append(
            _(
                "%(id)s is of the type “%(bank)s” in the bank and “%(file)s” "
                "in the file."
            )
            % {
                "id": question.idnumber,
                "bank": QuestionType(question.qtype).label,
                "file": QuestionType(parsed.qtype).label,
            }
        )
        return
    if question.qtype == QuestionType.TRUE_FALSE:
        # The formats write True and False themselves; the Russian choices are
        # the course's fixed words, the feedback is the file's.
        by_text = {c.text.strip(): c for c in parsed.choices}
        for choice in choices:
            theirs = by_text.get(choice.text.strip())
            if theirs is None or theirs.correct != choice.correct:
                item.problems.append(
                    _("%(id)s: the file's answer is not the bank's.")
                    % {"id": question.idnumber}
                )
                return
            item.choices.append(
                (
                    choice,
                    TRUE_FALSE_RU.get(choice.text.strip(), ""),
                    theirs.feedback.strip(),
                )
            )
    else:
        if len(parsed.choices) != len(choices):
            item.problems.append(
                _("%(id)s has %(bank)d choices in the bank and %(file)d in the file.")
                % {
                    "id": question.idnumber,
                    "bank": len(choices),
                    "file": len(parsed.choices),
                }
            )
            return
        if [correct for _t, correct, _f in choice_rows(parsed)] != [
            c.correct for c in choices
        ]:
            item.problems.append(
                _(
                    "%(id)s: the right choices are not the bank's (choices are "
                    "matched in their order)."
                )
                % {"id": question.idnumber}
            )
            return
        item.choices = [
            (choice, theirs.text.strip(), theirs.feedback.strip())
            for choice, theirs in zip(choices, parsed.choices, strict=True)
        ]
    if item.stem == question.stem.strip():
        item.problems.append(
            _("%(id)s: the question text is the English one. Is the file in Russian?")
            % {"id": question.idnumber}
        )
        return
    item.problems.extend(
        f"{question.idnumber}: {problem}"
        for problem in russian_problems(
            qtype=question.qtype,
            choices=[
                ChoiceData(
                    text=choice.text,
                    correct=choice.correct,
                    text_ru=text,
                    feedback=choice.feedback,
                    feedback_ru=feedback,
                )
                for choice, text, feedback in item.choices
            ],
            explanation=question.explanation,
            stem_ru=item.stem,
            explanation_ru=item.explanation,
        )
    )
    if any(len(text) > 500 for _c, text, _f in item.choices):
        item.problems.append(
            _("%(id)s: a choice is longer than 500 characters.")
            % {"id": question.idnumber}
        )
    if not item.problems:
        if item.unchanged:
            item.notes.append(_("Unchanged: the bank has this translation."))
        elif item.replaces:
            item.notes.append(_("Replaces the Russian texts the question has."))


def _category_names(
    items: list[PlannedTranslation],
) -> tuple[dict[Category, str], list[str]]:
    """The Russian name the file gives each category: the category path of its
    questions, where it is not the English name (a file that does not place its
    questions names no category)."""
    names: dict[Category, tuple[str, int]] = {}
    problems: list[str] = []
    for item in items:
        question, name = item.question, category_path(item.parsed.category)
        if (
            question is None
            or not name
            or name == category_path(question.category.name)
        ):
            continue  # no category, or its English name (no translation there)
        category = question.category
        if category in names and names[category][0] != name:
            problems.append(
                _(
                    "line %(line)d: the category “%(category)s” is named "
                    "“%(name)s” here and “%(other)s” on line %(other_line)d."
                )
                % {
                    "line": item.parsed.line,
                    "category": category.name,
                    "name": name,
                    "other": names[category][0],
                    "other_line": names[category][1],
                }
            )
        elif len(name) > 120:
            problems.append(
                _("line %(line)d: the category name is longer than 120 characters.")
                % {"line": item.parsed.line}
            )
        else:
            names.setdefault(category, (name, item.parsed.line))
    return {category: name for category, (name, _line) in names.items()}, problems


class TranslationRefusedError(ValueError):
    """The plan has problems: nothing was imported."""


@transaction.atomic
def translation_import(*, plan: TranslationPlan) -> list[Question]:
    """Write the plan's Russian texts, all or nothing; the questions changed."""
    if not plan.ok:
        raise TranslationRefusedError("; ".join(plan.all_problems))
    now = timezone.now()
    changed: list[Question] = []
    choices: list[Choice] = []
    for item in plan.changed:
        question = item.question
        assert question is not None
        question.stem_ru, question.explanation_ru = item.stem, item.explanation
        Question.objects.filter(pk=question.pk).update(
            stem_ru=item.stem, explanation_ru=item.explanation, updated_at=now
        )
        for choice, text, feedback in item.choices:
            choice.text_ru, choice.feedback_ru = text, feedback
            choices.append(choice)
        changed.append(question)
    Choice.objects.bulk_update(choices, ["text_ru", "feedback_ru"], batch_size=500)
    for category, name in plan.category_names.items():
        Category.objects.filter(pk=category.pk).update(name_ru=name)
    return changed

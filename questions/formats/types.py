"""Plain data types shared by the GIFT and Aiken readers and writers.

Everything here is a frozen dataclass or an exception: no ORM, so the
formats can be parsed and tested as pure functions. Messages are translated
with Django's gettext when they are made, in the active language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.utils.translation import gettext as _

QuestionType = Literal["single", "multiple", "true_false"]


@dataclass(frozen=True)
class ParsedChoice:
    """One answer option, with Moodle's fraction (1.0 right, 0.0 wrong, -1.0 ...)."""

    text: str
    fraction: float
    feedback: str = ""

    @property
    def correct(self) -> bool:
        """Whether choosing this option earns credit."""
        return self.fraction > 0


@dataclass(frozen=True)
class ParsedQuestion:
    """A question read from (or to be written to) an interchange file."""

    qtype: QuestionType
    stem: str
    choices: tuple[ParsedChoice, ...]
    title: str = ""
    general_feedback: str = ""
    category: str = ""
    rules: tuple[str, ...] = ()
    idnumber: str = ""
    tags: tuple[str, ...] = ()
    line: int = 0


@dataclass(frozen=True)
class SkippedQuestion:
    """A well-formed question of a type Rulewise does not support."""

    line: int
    kind: str
    reason: str


@dataclass(frozen=True)
class ParseResult:
    """Everything a reader found in one file."""

    questions: tuple[ParsedQuestion, ...]
    skipped: tuple[SkippedQuestion, ...]
    warnings: tuple[str, ...] = ()


def at_line(line: int, message: str) -> str:
    """*message* about line *line* of a file, as errors and warnings show it."""
    return _("line %(line)d: %(message)s") % {"line": line, "message": message}


def export_problem(number: int, question: ParsedQuestion, problem: str) -> str:
    """Why question *number* of an export cannot be written, naming it."""
    label = question.title or question.stem[:40]
    return _("question %(number)d (%(label)s): %(problem)s") % {
        "number": number,
        "label": repr(label),
        "problem": problem,
    }


class FormatError(ValueError):
    """Malformed input; ``str(e)`` is ``"line N: message"``."""

    def __init__(self, line: int, message: str, text: str | None = None) -> None:
        self.line = line
        self.message = message
        # *text* is the whole message as first made, in its language.
        super().__init__(at_line(line, message) if text is None else text)

    def __reduce__(self) -> tuple[type[FormatError], tuple[int, str, str]]:
        """Pickle with the constructor's own arguments and the text as made."""
        return (type(self), (self.line, self.message, str(self)))


class ExportError(ValueError):
    """Some questions cannot be written in the requested format."""

    def __init__(self, problems: list[str] | tuple[str, ...]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(self.problems))

    def __reduce__(self) -> tuple[type[ExportError], tuple[tuple[str, ...]]]:
        """Pickle with the constructor's own arguments."""
        return (type(self), (self.problems,))

"""Read and write the Aiken format (single-answer multiple choice).

An Aiken question is its text, two or more options and the right letter::

    What is the correct answer to this question?
    A. Is it this one?
    B) Maybe this answer?
    ANSWER: B

``parse_aiken(text) -> ParseResult`` follows Moodle's ``qformat_aiken``:
lines are trimmed, blank lines are ignored (so a new question may start right
after an ``ANSWER`` line), an option is an upper-case letter, ``.`` or ``)``
and its text (the space after the label is optional, as in Moodle), options
never continue on the next line, and lines of one character are skipped.
Texts are plain text; HTML in them stays literal, as Moodle escapes it.

More forgiving than Moodle: the question text may span several consecutive
lines (joined with ``\\n``); the ``ANSWER`` keyword may be in any case and the
letter in lower case (both with a warning, Moodle needs ``ANSWER: B``); the
answer is matched by letter, not by position; and ``U.S. law ...`` inside a
question text is text, because a label without a space must continue the
A, B, C sequence. Clearer than Moodle: every problem raises
:class:`FormatError` naming its line instead of dropping the question (an
option before any question text, fewer than two options, a missing
``ANSWER`` line, a repeated letter, an ``ANSWER`` that is not one of the
option letters or is not a single letter). Options reading exactly ``True``
and ``False`` make a ``true_false`` question; any other question is
``single``.

``write_aiken(questions, *, skip_unsupported=False) -> str`` writes ``A.``
labelled options. Aiken keeps only the text, the options and the one right
answer: titles, feedback, general feedback ("explanation"), categories,
rules, idnumbers, tags and partial-credit fractions are lost, and line breaks
inside texts become spaces (Moodle's importer wants one line each). A
``true_false`` question is written as ``A. True`` / ``B. False`` and reads back
as ``true_false``; so does a ``single`` question whose two options are True
and False. Questions Aiken cannot hold (``multiple``, more than 26 options,
no single right option, a text that would read back as an option or
``ANSWER`` line) raise :class:`ExportError` listing every one of them, or are
left out when ``skip_unsupported`` is true; :func:`aiken_problem` tells in
advance why a question cannot be written.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .text import to_plain
from .types import (
    ExportError,
    FormatError,
    ParsedChoice,
    ParsedQuestion,
    ParseResult,
    at_line,
    export_problem,
)

__all__ = ["aiken_problem", "parse_aiken", "write_aiken"]

_OPTION_RE = re.compile(r"([A-Z])([.)])(.*)", re.S)
_ANSWER_RE = re.compile(r"answer\s*:(.*)", re.I | re.S)
_LETTER_RE = re.compile(r"([A-Za-z])[.)]?")
_FLATTEN_RE = re.compile(r"\s*\n\s*")


@dataclass
class _Open:
    """A question whose ``ANSWER`` line has not been read yet."""

    line: int
    stem: list[str]
    options: list[tuple[str, str]] = field(default_factory=list)
    blank_after_stem: bool = False


def _finish(
    current: _Open, letter: str, line: int, warnings: list[str]
) -> ParsedQuestion:
    """Build the question once its ``ANSWER`` letter is known."""
    letters = [label for label, _text in current.options]
    if letter not in letters:
        raise FormatError(
            line,
            _("ANSWER: %(letter)s is not one of the options (%(letters)s)")
            % {"letter": letter, "letters": ", ".join(letters)},
        )
    texts = [text for _label, text in current.options]
    if len(set(texts)) != len(texts):
        warnings.append(at_line(current.line, _("the same option text appears twice")))
    right = letters.index(letter)
    stem = "\n".join(current.stem)
    if len(texts) == 2 and {t.casefold() for t in texts} == {"true", "false"}:
        is_true = texts[right].casefold() == "true"
        choices = (
            ParsedChoice("True", 1.0 if is_true else 0.0),
            ParsedChoice("False", 0.0 if is_true else 1.0),
        )
        return ParsedQuestion("true_false", stem, choices, line=current.line)
    choices = tuple(
        ParsedChoice(text, 1.0 if index == right else 0.0)
        for index, text in enumerate(texts)
    )
    return ParsedQuestion("single", stem, choices, line=current.line)


def _answer_letter(line: str, number: int, warnings: list[str]) -> str | None:
    """Return the letter of an ``ANSWER`` line, or None if it is not one."""
    match = _ANSWER_RE.fullmatch(line)
    if not match:
        return None
    value = match.group(1).strip()
    letter = _LETTER_RE.fullmatch(value)
    exact_keyword = line.startswith("ANSWER:")
    if not letter:
        if not exact_keyword:
            # "Answer: the following" in lower case is ordinary text.
            return None
        raise FormatError(
            number,
            _(
                "ANSWER must name one option letter, as in 'ANSWER: B'; got"
                " %(value)s (an Aiken question has exactly one right answer)"
            )
            % {"value": repr(value)},
        )
    if not exact_keyword or letter.group(1).islower():
        warnings.append(
            at_line(
                number,
                _(
                    "read %(line)s as the answer; Moodle only accepts"
                    " 'ANSWER: X' with capitals"
                )
                % {"line": repr(line)},
            )
        )
    return letter.group(1).upper()


def parse_aiken(text: str) -> ParseResult:
    """Parse Aiken *text* into single-answer and true/false questions."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    questions: list[ParsedQuestion] = []
    warnings: list[str] = []
    current: _Open | None = None
    for number, raw in enumerate(text.split("\n"), 1):
        line = to_plain(raw, "plain")
        if not line:
            if current is not None and not current.options:
                current.blank_after_stem = True
            continue
        if len(line) < 2:
            warnings.append(
                at_line(
                    number,
                    _("skipped the one-character line %(line)s, as Moodle does")
                    % {"line": repr(line)},
                )
            )
            continue

        letter = _answer_letter(line, number, warnings)
        if letter is not None:
            if current is None:
                raise FormatError(
                    number, _("'ANSWER:' line without a question above it")
                )
            if len(current.options) < 2:
                raise FormatError(
                    number,
                    ngettext(
                        "the question starting on line %(line)d has %(count)d"
                        " option(s); Aiken needs at least two, such as 'A) ...'"
                        " and 'B) ...'",
                        "the question starting on line %(line)d has %(count)d"
                        " option(s); Aiken needs at least two, such as 'A) ...'"
                        " and 'B) ...'",
                        len(current.options),
                    )
                    % {"line": current.line, "count": len(current.options)},
                )
            questions.append(_finish(current, letter, number, warnings))
            current = None
            continue

        option = _OPTION_RE.fullmatch(line)
        if option:
            label, rest = option.group(1), option.group(3)
            if current is None:
                raise FormatError(
                    number,
                    _(
                        "option '%(label)s' comes before any question text; a"
                        " question starts with its text on its own line"
                    )
                    % {"label": label + option.group(2)},
                )
            expected = chr(ord("A") + len(current.options))
            # "A) x" is always an option; "U.S. law" only continues A, B, C.
            if not rest or rest[0].isspace() or label == expected:
                current.options.append(
                    (label, _option_text(label, rest, number, current))
                )
                if label != expected:
                    warnings.append(
                        at_line(
                            number,
                            _(
                                "option %(label)s is out of order (expected"
                                " %(expected)s); Moodle matches the ANSWER"
                                " letter by position, this reader by letter"
                            )
                            % {"label": label, "expected": expected},
                        )
                    )
                continue

        if current is None:
            current = _Open(line=number, stem=[line])
        elif current.options:
            raise FormatError(
                number,
                _(
                    "the question starting on line %(line)d has no 'ANSWER:'"
                    " line; expected another option or 'ANSWER: <letter>' here"
                )
                % {"line": current.line},
            )
        elif current.blank_after_stem:
            raise FormatError(
                number,
                _(
                    "the question starting on line %(line)d has no options;"
                    " expected lines such as 'A) ...' after its text"
                )
                % {"line": current.line},
            )
        else:
            current.stem.append(line)

    if current is not None:
        if current.options:
            message = _("the question has no 'ANSWER:' line")
        else:
            message = _("the question has no options or 'ANSWER:' line")
        raise FormatError(current.line, message)
    return ParseResult(tuple(questions), (), tuple(warnings))


def _option_text(label: str, rest: str, number: int, current: _Open) -> str:
    """Return an option's text after checking its letter and content."""
    if any(label == used for used, _text in current.options):
        raise FormatError(
            number,
            _(
                "option letter %(label)s is used twice in the question starting"
                " on line %(line)d"
            )
            % {"label": label, "line": current.line},
        )
    text = rest.strip()
    if not text:
        raise FormatError(number, _("option %(label)s has no text") % {"label": label})
    return text


def _flatten(text: str) -> str:
    """Put a text on one line, as Aiken and Moodle's importer need."""
    return _FLATTEN_RE.sub(" ", text.strip())


def _right_index(q: ParsedQuestion) -> int | None:
    """Return the index of the single right choice, if there is exactly one."""
    full = [i for i, c in enumerate(q.choices) if math.isclose(c.fraction, 1.0)]
    if len(full) == 1:
        return full[0]
    correct = [i for i, c in enumerate(q.choices) if c.correct]
    return correct[0] if not full and len(correct) == 1 else None


def aiken_problem(q: ParsedQuestion) -> str | None:
    """Return why *q* cannot be written as Aiken, or None if it can."""
    if q.qtype == "multiple":
        return _("Aiken has no multiple-answer questions")
    if q.qtype not in ("single", "true_false"):
        return _("unknown question type %(type)s") % {"type": repr(q.qtype)}
    if not 2 <= len(q.choices) <= 26:
        return _("Aiken needs between 2 and 26 options")
    if _right_index(q) is None:
        return _("Aiken needs exactly one right option")
    stem = _flatten(q.stem)
    if len(stem) < 2:
        return _("the question text is shorter than two characters")
    if _OPTION_RE.fullmatch(stem) or _ANSWER_RE.fullmatch(stem):
        return _("the question text would be read as an option or ANSWER line")
    if any(not _flatten(c.text) for c in q.choices):
        return _("an option has no text")
    return None


def write_aiken(
    questions: Iterable[ParsedQuestion], *, skip_unsupported: bool = False
) -> str:
    """Write *questions* as Aiken; see the module docstring for what is lost."""
    blocks: list[str] = []
    problems: list[str] = []
    for number, q in enumerate(questions, 1):
        problem = aiken_problem(q)
        if problem is not None:
            problems.append(export_problem(number, q, problem))
            continue
        right = _right_index(q)
        assert right is not None
        if q.qtype == "true_false":
            texts = ["True", "False"]
            right = 0 if q.choices[right].text.strip().casefold() == "true" else 1
        else:
            texts = [_flatten(c.text) for c in q.choices]
        lines = [_flatten(q.stem)]
        lines += [f"{chr(ord('A') + i)}. {text}" for i, text in enumerate(texts)]
        lines.append(f"ANSWER: {chr(ord('A') + right)}")
        blocks.append("\n".join(lines))
    if problems and not skip_unsupported:
        raise ExportError(problems)
    return "\n\n".join(blocks) + "\n" if blocks else ""

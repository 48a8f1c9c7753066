"""Read and write Moodle's GIFT format.

``parse_gift(text) -> ParseResult`` follows Moodle's importer
(``qformat_gift::readquestion`` with ``qformat_default::readquestions``):

* Questions are groups of lines separated by blank (or whitespace-only)
  lines; each line is trimmed and the lines are joined with ``\\n``.
* A line whose first non-blank characters are ``//`` is a comment, wherever
  it stands, and is dropped; ``//`` elsewhere in a line (``http://``) is text.
  Moodle reads ``[id:...]`` and ``[tag:...]`` from a question's comments, and
  so do we (into ``idnumber`` and ``tags``). Files this site wrote before it
  wrote Moodle's syntax hold ``// rules: R-A, R-B`` and ``// idnumber: X`` in
  the comment lines directly above a question (no blank line between); they
  are still read, into ``rules`` and ``idnumber``.
* ``$CATEGORY: path`` sets the category of the questions after it. Moodle's
  context prefix (``$course$/``, ``$system$/`` ...) and a leading ``top``
  are removed; a name containing ``/`` stays written as ``//``, as in Moodle.
* ``::title::``, ``\\`` escapes for ``~ = # { } :`` and ``\\\\``, ``\\n`` for a
  line break, ``[html]``/``[moodle]``/``[markdown]``/``[plain]`` prefixes
  (answers and feedback default to the question text's format), ``####``
  general feedback and ``#`` answer feedback work as in Moodle. Text is
  converted to plain text by :mod:`questions.formats.text`.
* An answer block in the middle of the text leaves ``_____`` in its place.
* ``~`` makes a multiple-choice block. With an ``=`` in it, it is ``single``
  and needs exactly one 100 % answer (``~%50%`` partial credit is kept);
  without, it is ``multiple`` (checkboxes). ``{T}``/``{F}``/``{TRUE}``/
  ``{FALSE}`` is true/false, with ``#feedback-if-wrong#feedback-if-right``.
* Short answer, numerical, matching, essay and description questions are
  returned in ``skipped``. Malformed input raises :class:`FormatError`.

Where we knowingly differ from Moodle, it is to refuse or warn instead of
importing something other than what the author meant: a second answer block,
a ``{`` inside a block, an ``=`` answer with a weight, an unreadable
``%weight%``, a weight beyond +-100 %, an empty answer, a single-answer block
without exactly one 100 % answer and a multiple-answer block without any
positive weight are errors; ``{true}`` in lower case is read as true/false
(Moodle would make it a short-answer question) with a warning; a question
may follow ``$CATEGORY`` without the blank line Moodle needs, and the keyword
may be in any case; a comment line inside a question leaves no blank line
behind; a whitespace-only line made of non-ASCII spaces is blank too.

``write_gift(questions) -> str`` writes GIFT that ``parse_gift`` reads back
to the same questions and that Moodle imports. Texts that the ``moodle``
format would change (HTML-like ``<``, entities, a leading ``[``) are written
with a ``[plain]`` prefix; titles are entity-escaped instead, and tag-like
text in a title (``<b>``) is dropped on reading, as Moodle drops it. The ID
number and the tags go in Moodle's comment line, ``// [id:X] [tag:R-A]
[tag:x]``, rule codes first (:mod:`questions.formats.moodle`). A ``multiple``
question's weights are written as Rulewise grades it, whatever the fractions
given: each right choice 100/k %, each wrong one -100/k % (k right choices),
which Moodle grades the same; a question with a k for which Moodle has no
grade of 1/k cannot be written.
Questions that cannot be written raise :class:`ExportError` listing them all.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .moodle import (
    clean_category_path,
    clean_name,
    escape_name,
    multiple_fractions,
    percent,
    question_tags,
)
from .text import strip_controls, to_plain
from .types import (
    ExportError,
    FormatError,
    ParsedChoice,
    ParsedQuestion,
    ParseResult,
    QuestionType,
    SkippedQuestion,
    at_line,
    export_problem,
)

__all__ = ["parse_gift", "write_gift"]

_ESCAPABLE = ":#={}~"
# One escape sequence: "\\", "\n" or a backslash before a syntax character.
# A backslash before anything else is an ordinary character.
_ESCAPE_RE = re.compile(r"\\[\\n" + re.escape(_ESCAPABLE) + "]")
# Stands for both characters of an escape sequence in a question's syntax view.
_ESCAPED = "\x00"

_CATEGORY_RE = re.compile(r"\$CATEGORY\s*:", re.I)
_FORMAT_PREFIX_RE = re.compile(r"\[(moodle|html|plain|markdown)\]")
_WEIGHT_RE = re.compile(r"%([^%]*)%")
_NUMBER_RE = re.compile(r"-?(\d+(\.\d*)?|\.\d+)")
_RULES_RE = re.compile(r"//\s*rules\s*:(.*)", re.I)
_IDNUMBER_RE = re.compile(r"//\s*idnumber\s*:(.*)", re.I)
# Moodle's extract_idnumber_and_tags_from_comment, in Python syntax.
_MOODLE_ID_RE = re.compile(r"\[id:((?:\\\]|[^\]\x00-\x1f\x7f])+)\]")
_MOODLE_TAG_RE = re.compile(r"\[tag:((?:\\\]|[^\]<>`\x00-\x1f\x7f])*)\]")
# Text that would start another [id:...] or [tag:...] when read back.
_METADATA_OPENER_RE = re.compile(r"\[(id|tag):")
_TF_WORDS = ("T", "TRUE", "F", "FALSE")
_BLANK = "_____"


# --------------------------------------------------------------------------
# Reading


@dataclass
class _Group:
    """The lines of one blank-line separated chunk of the file."""

    content: list[tuple[int, str]] = field(default_factory=list)
    # For each content line, the comment lines directly above it.
    leading: list[list[str]] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)


def _syntax(text: str) -> str:
    """Return *text* with its escape sequences blanked out, at the same length.

    Searching this view for ``{``, ``#``, ``~`` ... finds only the characters
    that act as syntax; the positions found are positions in *text*, which is
    then sliced there and unescaped piece by piece. Moodle's
    ``escapedchar_pre`` swaps escapes for stand-ins instead, and so did this
    reader, with the code points U+10FF00..U+10FFFF: text that held them came
    back changed. Nothing here stands for anything, so no text can collide.
    """
    return _ESCAPE_RE.sub(_ESCAPED * 2, text)


def _split(text: str, separator: str, maxsplit: int = -1) -> list[str]:
    """Split *text* like ``str.split``, at unescaped *separator* only."""
    syntax = _syntax(text)
    parts: list[str] = []
    start = 0
    while maxsplit != 0 and (found := syntax.find(separator, start)) != -1:
        parts.append(text[start:found])
        start = found + len(separator)
        maxsplit -= 1
    parts.append(text[start:])
    return parts


def _has(text: str, token: str) -> bool:
    """Whether *token* occurs unescaped in *text*."""
    return token in _syntax(text)


def _unescape(text: str) -> str:
    """Resolve GIFT escapes: ``\\n`` is a line break, ``\\\\`` one backslash."""

    def replace(match: re.Match[str]) -> str:
        char = match.group(0)[1]
        return "\n" if char == "n" else char

    return _ESCAPE_RE.sub(replace, text)


def _normalise(text: str) -> list[str]:
    """Split *text* into lines, dropping a BOM and any kind of line end."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")


def _groups(lines: list[str]) -> Iterator[_Group]:
    """Yield the blank-line separated groups that hold any content."""
    group = _Group()
    pending: list[str] = []
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line:
            if group.content:
                yield group
            group, pending = _Group(), []
        elif line.startswith("//"):
            group.comments.append(line)
            pending.append(line)
        else:
            group.content.append((number, line))
            group.leading.append(pending)
            pending = []
    if group.content:
        yield group


def _clean_category(raw: str) -> str:
    """Normalise a ``$CATEGORY`` path to ``a/b/c`` without context or top."""
    return clean_category_path(to_plain(_unescape(raw), "plain"))


def _text_with_format(raw: str, default: str) -> tuple[str, str]:
    """Return (format, plain text) of a GIFT text fragment, still escaped."""
    text = raw.strip()
    fmt = default
    match = _FORMAT_PREFIX_RE.match(text)
    if match:
        fmt = match.group(1)
        text = text[match.end() :]
    return fmt, to_plain(_unescape(text), fmt)


def _clean_title(raw: str) -> str:
    """Return a title as plain text, as Moodle's clean_question_name strips tags."""
    return clean_name(_unescape(raw))


def _comment_metadata(
    leading: list[str], comments: list[str]
) -> tuple[tuple[str, ...], str, tuple[str, ...]]:
    """Read rules, idnumber and tags from a question's comment lines."""
    rules: list[str] = []
    idnumber = ""
    for comment in leading:
        if match := _RULES_RE.fullmatch(comment):
            for code in strip_controls(match.group(1)).split(","):
                code = code.strip()
                if code and code not in rules:
                    rules.append(code)
        elif match := _IDNUMBER_RE.fullmatch(comment):
            idnumber = strip_controls(match.group(1)).strip()
    joined = "\n".join(comments)
    if not idnumber and (match := _MOODLE_ID_RE.search(joined)):
        idnumber = match.group(1).replace("\\]", "]").strip()
    tags: list[str] = []
    for raw in _MOODLE_TAG_RE.findall(joined):
        tag = raw.replace("\\]", "]").strip()
        if tag and tag not in tags:
            tags.append(tag)
    return tuple(rules), idnumber, tuple(tags)


@dataclass(frozen=True)
class _Body:
    """What a question's own lines say, before comments and category."""

    qtype: QuestionType
    stem: str
    choices: tuple[ParsedChoice, ...]
    title: str
    general_feedback: str


class _QuestionReader:
    """Parse the content lines of one question, reporting errors by line."""

    def __init__(self, content: list[tuple[int, str]], warnings: list[str]) -> None:
        self.content = content
        self.first_line = content[0][0]
        # The question's text as written, escapes and all, and its syntax view.
        self.text = "\n".join(line for _number, line in content)
        self.syntax = _syntax(self.text)
        self.warnings = warnings

    def line_at(self, offset: int) -> int:
        """Return the file line holding character *offset* of the text."""
        index = self.text.count("\n", 0, max(offset, 0))
        return self.content[min(index, len(self.content) - 1)][0]

    def error(self, offset: int, message: str) -> FormatError:
        """Build a FormatError for the line holding *offset*."""
        return FormatError(self.line_at(offset), message)

    def warn(self, offset: int, message: str) -> None:
        """Record a warning for the line holding *offset*."""
        self.warnings.append(at_line(self.line_at(offset), message))

    def read(self) -> _Body | SkippedQuestion:
        """Return the question's body, or why it is skipped."""
        text, syntax = self.text, self.syntax
        pos = 0
        title = ""
        if syntax.startswith("::"):
            end = syntax.find("::", 2)
            if end == -1:
                self.warn(
                    0,
                    _(
                        "'::' opens a title that is never closed by '::'; the"
                        " rest is read as question text, as Moodle does"
                    ),
                )
                pos = 2
            else:
                title = _clean_title(text[2:end])
                pos = end + 2

        start = syntax.find("{", pos)
        finish = syntax.find("}", pos)
        if start == -1 and finish == -1:
            return self.skip(
                "description",
                _("description questions are not supported (it has no answer block)"),
            )
        self.check_braces(start, finish)

        if finish == len(text) - 1:
            question_text = text[pos:start]
        else:
            # Missing-word form: the block stood inside the sentence.
            question_text = text[pos:start] + _BLANK + text[finish + 1 :]

        raw_block = text[start + 1 : finish]
        base = start + 1 + len(raw_block) - len(raw_block.lstrip())
        block = raw_block.strip()
        general_raw = ""
        separator = _syntax(block).rfind("####")
        if separator != -1:
            general_raw = block[separator + 4 :]
            block = block[:separator].strip()

        stem_format, stem = _text_with_format(question_text, "moodle")
        _format, general = _text_with_format(general_raw, stem_format)

        if block == "":
            return self.skip(
                "essay",
                _("essay questions are not supported (its answer block is empty)"),
            )
        if _syntax(block).startswith("#"):
            self.check_numerical(block, base)
            return self.skip(
                "numerical",
                _("numerical questions are not supported (it asks for a number)"),
            )
        if _has(block, "~"):
            qtype, choices = self.multichoice(block, base, stem_format)
        elif _has(block, "=") and _has(block, "->"):
            self.check_matching(block, base)
            return self.skip(
                "matching", _("matching questions are not supported (it matches pairs)")
            )
        else:
            truefalse = self.truefalse(block, base, stem_format)
            if truefalse is None:
                self.check_short_answer(block, base)
                return self.skip(
                    "short answer",
                    _(
                        "short answer questions are not supported (it asks for"
                        " typed text)"
                    ),
                )
            qtype, choices = truefalse

        if not stem:
            raise FormatError(self.first_line, _("the question text is empty"))
        return _Body(qtype, stem, choices, title, general)

    def skip(self, kind: str, reason: str) -> SkippedQuestion:
        """Describe a question of an unsupported type."""
        return SkippedQuestion(line=self.first_line, kind=kind, reason=reason)

    def check_braces(self, start: int, finish: int) -> None:
        """Refuse unbalanced, nested or repeated answer blocks."""
        syntax = self.syntax
        if finish == -1:
            raise self.error(
                start,
                _(r"'{' is never closed by '}' (write \{ and \} for literal braces)"),
            )
        if start == -1:
            raise self.error(
                finish,
                _(r"'}' without an opening '{' (write \{ and \} for literal braces)"),
            )
        if finish < start:
            raise self.error(
                finish,
                _(
                    r"'}' comes before the answer block's '{' (write \{ and \}"
                    " for literal braces)"
                ),
            )
        nested = syntax.find("{", start + 1, finish)
        if nested != -1:
            raise self.error(
                nested,
                _(
                    r"'{' inside the answer block opened on line %(line)d (write"
                    r" \{ and \} for literal braces)"
                )
                % {"line": self.line_at(start)},
            )
        extra = min(
            (
                i
                for i in (syntax.find("{", finish), syntax.find("}", finish + 1))
                if i >= 0
            ),
            default=-1,
        )
        if extra != -1:
            raise self.error(
                extra,
                _(
                    "a question can have only one answer block; this brace"
                    " follows the block closed on line %(line)d (write \\{ and"
                    r" \} for literal braces)"
                )
                % {"line": self.line_at(finish)},
            )

    def multichoice(
        self, block: str, base: int, stem_format: str
    ) -> tuple[QuestionType, tuple[ParsedChoice, ...]]:
        """Read a ``~``/``=`` block into single or multiple choices."""
        single = _has(block, "=")
        markers = [i for i, char in enumerate(_syntax(block)) if char in "~="]
        entries: list[tuple[str, str, int]] = []
        head = block[: markers[0]].strip()
        if head:
            self.warn(
                base,
                _(
                    "text %(text)s before the first '~' or '=' is read as a wrong"
                    " answer, as Moodle does"
                )
                % {"text": repr(_unescape(head))},
            )
            entries.append(("", head, base))
        for index, marker in enumerate(markers):
            end = markers[index + 1] if index + 1 < len(markers) else len(block)
            entries.append(
                (block[marker], block[marker + 1 : end].strip(), base + marker)
            )

        choices = [self.choice(*entry, stem_format) for entry in entries]
        if len(choices) < 2:
            raise self.error(
                base, _("a multiple-choice block needs at least two answers")
            )
        texts = [c.text for c in choices]
        if len(set(texts)) != len(texts):
            self.warn(base, _("the same answer text appears more than once"))
        if single:
            full = sum(1 for c in choices if c.fraction == 1.0)
            if full != 1:
                raise self.error(
                    base,
                    _(
                        "a single-answer block (one using '=') needs exactly one"
                        " 100%% answer, found %(found)d"
                    )
                    % {"found": full},
                )
            return "single", tuple(choices)
        positive = sum(c.fraction for c in choices if c.fraction > 0)
        if positive <= 0:
            raise self.error(
                base,
                _(
                    "no answer in this multiple-answer block earns credit; give"
                    " the right ones a weight such as ~%50% (or mark the only"
                    " right answer with '=')"
                ),
            )
        if round(positive, 2) != 1.0:
            self.warn(
                base,
                _(
                    "the positive weights add up to %(total)s%%, not 100%%"
                    " (Moodle warns about this too)"
                )
                % {"total": f"{positive * 100:g}"},
            )
        return "multiple", tuple(choices)

    def choice(
        self, marker: str, body: str, offset: int, stem_format: str
    ) -> ParsedChoice:
        """Read one ``~``/``=`` answer with its weight and feedback."""
        if not body:
            raise self.error(
                offset,
                _("empty answer: '%(marker)s' must be followed by answer text")
                % {"marker": marker},
            )
        if marker == "=":
            if _WEIGHT_RE.match(body):
                raise self.error(
                    offset,
                    _(
                        "'=' marks the 100% answer and takes no weight; write"
                        " partial credit as '~%50%answer'"
                    ),
                )
            fraction = 1.0
        elif marker == "~":
            fraction, body = self.weight(body, offset)
        else:
            fraction = 0.0
        answer_raw, *feedback = _split(body, "#", 1)
        feedback_raw = feedback[0] if feedback else ""
        # Moodle: answer and feedback both default to the question's format.
        _format, answer = _text_with_format(answer_raw, stem_format)
        _format, feedback = _text_with_format(feedback_raw, stem_format)
        if not answer:
            raise self.error(offset, _("an answer has no text"))
        return ParsedChoice(text=answer, fraction=fraction, feedback=feedback)

    def weight(self, body: str, offset: int) -> tuple[float, str]:
        """Split a leading ``%N%`` weight from an answer."""
        match = _WEIGHT_RE.match(body)
        if not match:
            return 0.0, body
        raw = _unescape(match.group(1)).strip()
        if not _NUMBER_RE.fullmatch(raw):
            raise self.error(
                offset,
                _(
                    "invalid weight '%%%(weight)s%%': expected a percentage such"
                    " as %%50%%, %%-100%% or %%33.333%%"
                )
                % {"weight": raw},
            )
        value = float(raw)
        if not -100 <= value <= 100:
            raise self.error(
                offset,
                _("weight %(weight)s%% is outside -100%%..100%%") % {"weight": raw},
            )
        rest = body[match.end() :].lstrip()
        if not rest:
            raise self.error(
                offset,
                _("empty answer after the weight '%%%(weight)s%%'") % {"weight": raw},
            )
        # Adding 0.0 turns -0.0 into 0.0.
        return value / 100 + 0.0, rest

    def truefalse(
        self, block: str, base: int, stem_format: str
    ) -> tuple[QuestionType, tuple[ParsedChoice, ...]] | None:
        """Read a T/F block, or return None for a short-answer block."""
        head = _split(block, "#", 1)[0].strip()
        word = head.upper()
        if word not in _TF_WORDS:
            first = re.split(r"[\s=]+", head, maxsplit=1)[0]
            if first in _TF_WORDS and first != head:
                raise self.error(
                    base,
                    _(
                        "true/false answer %(answer)s is followed by %(rest)s;"
                        " write {T}, {F}, {TRUE} or {FALSE}, then optionally"
                        " #feedback if wrong #feedback if right"
                    )
                    % {
                        "answer": repr(first),
                        "rest": repr(_unescape(head[len(first) :].strip())),
                    },
                )
            return None
        if head != word:
            self.warn(
                base,
                _(
                    "%(text)s is read as true/false; Moodle only knows T, TRUE, F"
                    " and FALSE in capitals and would import a short-answer"
                    " question"
                )
                % {"text": repr(head)},
            )
        bits = _split(block, "#", 2)
        wrong = _text_with_format(bits[1], stem_format)[1] if len(bits) > 1 else ""
        right = _text_with_format(bits[2], stem_format)[1] if len(bits) > 2 else ""
        is_true = word in ("T", "TRUE")
        # Moodle: the first '#' text is shown for the wrong choice, the second
        # for the right one.
        fb_true, fb_false = (right, wrong) if is_true else (wrong, right)
        choices = (
            ParsedChoice("True", 1.0 if is_true else 0.0, fb_true),
            ParsedChoice("False", 0.0 if is_true else 1.0, fb_false),
        )
        return "true_false", choices

    def check_numerical(self, block: str, base: int) -> None:
        """Refuse a numerical block without any answer, as Moodle does."""
        answers = _split(_split(block[1:], "~", 1)[0], "=")
        if not any(a.strip() for a in answers):
            raise self.error(base, _("the numerical answer block has no answer"))

    def check_matching(self, block: str, base: int) -> None:
        """Refuse matching pairs Moodle would refuse."""
        pairs = _split(block, "=")
        if not pairs[0].strip():
            pairs = pairs[1:]
        if len(pairs) < 2:
            raise self.error(base, _("a matching block needs at least two pairs"))
        for pair in pairs:
            if not _has(pair, "->"):
                raise self.error(
                    base,
                    _("matching pair %(pair)s has no '->'")
                    % {"pair": repr(_unescape(pair.strip()))},
                )

    def check_short_answer(self, block: str, base: int) -> None:
        """Refuse a short-answer block whose answers are all empty."""
        answers = [a for a in _split(block, "=") if a.strip()]
        if not answers:
            raise self.error(base, _("the short-answer block has no answer"))


def parse_gift(text: str) -> ParseResult:
    """Parse GIFT *text* into questions, skipped questions and warnings."""
    warnings: list[str] = []
    questions: list[ParsedQuestion] = []
    skipped: list[SkippedQuestion] = []
    category = ""
    for group in _groups(_normalise(text)):
        content, leading = group.content, group.leading
        first_number, first_line = content[0]
        if match := _CATEGORY_RE.match(first_line):
            category = _clean_category(first_line[match.end() :])
            content, leading = content[1:], leading[1:]
            if not content:
                continue
            warnings.append(
                at_line(
                    content[0][0],
                    _(
                        "a question follows $CATEGORY without a blank line;"
                        " Moodle would read it as part of the category name"
                    ),
                )
            )
        reader = _QuestionReader(content, warnings)
        body = reader.read()
        if isinstance(body, SkippedQuestion):
            skipped.append(body)
            continue
        rules, idnumber, tags = _comment_metadata(leading[0], group.comments)
        questions.append(
            ParsedQuestion(
                qtype=body.qtype,
                stem=body.stem,
                choices=body.choices,
                title=body.title,
                general_feedback=body.general_feedback,
                category=category,
                rules=rules,
                idnumber=idnumber,
                tags=tags,
                line=reader.first_line,
            )
        )
    return ParseResult(tuple(questions), tuple(skipped), tuple(warnings))


# --------------------------------------------------------------------------
# Writing


class _Unwritable(Exception):
    """A question that cannot be expressed; the message says why."""


def _escape(text: str) -> str:
    """Escape GIFT's special characters as Moodle's repchar does."""
    text = text.replace("\\", "\\\\").replace("\r", "")
    for char in _ESCAPABLE:
        text = text.replace(char, "\\" + char)
    return text.replace("\n", "\\n")


def _needs_plain(text: str, default: str) -> bool:
    """Whether *text* must carry ``[plain]`` to be read back unchanged."""
    if text.startswith("[") or text.startswith("//"):
        return True
    return default != "plain" and to_plain(text, default) != text


def _formatted(text: str, default: str, force_plain: bool = False) -> str:
    """Escape *text*, adding ``[plain]`` when its default format would alter it."""
    plain = force_plain or _needs_plain(text, default)
    return ("[plain]" if plain else "") + _escape(text)


def _is_one(value: float) -> bool:
    """Whether *value* is a full-credit fraction."""
    return math.isclose(value, 1.0, abs_tol=1e-9)


def _check_question(q: ParsedQuestion) -> None:
    """Refuse questions that no reader could get back."""
    if not q.stem.strip():
        raise _Unwritable(_("the question text is empty"))
    if len(q.choices) < 2:
        raise _Unwritable(_("it needs at least two choices"))
    for choice in q.choices:
        if not choice.text.strip():
            raise _Unwritable(_("a choice has no text"))
        if not (math.isfinite(choice.fraction) and -1 <= choice.fraction <= 1):
            raise _Unwritable(
                _("fraction %(fraction)s is outside -1..1")
                % {"fraction": str(choice.fraction)}
            )
    idnumber = q.idnumber.strip()
    if (
        re.search(r"[\x00-\x1f\x7f]", idnumber)
        or idnumber.endswith("\\")
        or _METADATA_OPENER_RE.search(idnumber)
    ):
        raise _Unwritable(
            _(
                "ID number %(idnumber)s cannot be written as [id:...] (a line"
                " break, a control character, a final backslash, or [id: or"
                " [tag: inside)"
            )
            % {"idnumber": repr(idnumber)}
        )
    for tag in question_tags(q):
        if (
            tag != tag.strip()
            or not tag
            or re.search(r"[\]\\<>`\x00-\x1f\x7f]", tag)
            or _METADATA_OPENER_RE.search(tag)
        ):
            raise _Unwritable(
                _("tag %(tag)s cannot be written as [tag:...]") % {"tag": repr(tag)}
            )
    if "\n" in q.category or "\r" in q.category:
        raise _Unwritable(_("the category has a line break"))


def _single_block(q: ParsedQuestion, fmt: Callable[[str, bool], str]) -> list[str]:
    """Write the answers of a single-answer question."""
    right = [i for i, c in enumerate(q.choices) if _is_one(c.fraction)]
    if not right:
        right = [i for i, c in enumerate(q.choices) if c.correct]
    if len(right) != 1:
        raise _Unwritable(_("a single-answer question needs exactly one right choice"))
    lines = []
    for index, choice in enumerate(q.choices):
        if index == right[0]:
            mark = "="
        elif choice.fraction == 0:
            mark = "~"
        else:
            mark = f"~%{percent(choice.fraction)}%"
        lines.append(mark + fmt(choice.text, choice.text.startswith("%")))
    return lines


def _multiple_block(q: ParsedQuestion, fmt: Callable[[str, bool], str]) -> list[str]:
    """Write the answers of a multiple-answer question, weighted as we grade."""
    try:
        fractions = multiple_fractions([c.correct for c in q.choices])
    except ValueError as exc:
        raise _Unwritable(str(exc)) from exc
    lines = []
    for choice, fraction in zip(q.choices, fractions, strict=True):
        lines.append(
            f"~%{percent(fraction)}%" + fmt(choice.text, choice.text.startswith("%"))
        )
    return lines


def _truefalse_block(q: ParsedQuestion, fmt: Callable[[str, bool], str]) -> str:
    """Write the inside of a true/false answer block."""
    if len(q.choices) != 2:
        raise _Unwritable(_("a true/false question needs exactly two choices"))
    by_text = {c.text.strip().casefold(): c for c in q.choices}
    true = by_text.get("true", q.choices[0])
    false = by_text.get("false", q.choices[1])
    if true.correct == false.correct:
        raise _Unwritable(_("exactly one of True and False must be right"))
    if true.correct:
        answer, right, wrong = "TRUE", true.feedback, false.feedback
    else:
        answer, right, wrong = "FALSE", false.feedback, true.feedback
    out = answer
    if wrong:
        out += "#" + fmt(wrong, False)
    elif right:
        out += "#"
    if right:
        out += "#" + fmt(right, False)
    return out


def _metadata_comment(q: ParsedQuestion) -> str:
    """Moodle's comment line for the ID number and tags (rule codes first)."""
    bits = []
    if idnumber := q.idnumber.strip():
        bits.append("[id:" + idnumber.replace("]", "\\]") + "]")
    bits.extend("[tag:" + tag + "]" for tag in question_tags(q))
    return "// " + " ".join(bits) if bits else ""


def _write_question(q: ParsedQuestion) -> str:
    """Return the GIFT lines of one question, without the category."""
    _check_question(q)
    lines: list[str] = []
    if metadata := _metadata_comment(q):
        lines.append(metadata)

    head = ""
    if q.title:
        head = "::" + _escape(escape_name(q.title)) + "::"
    stem_plain = _needs_plain(q.stem, "moodle")
    stem_format = "plain" if stem_plain else "moodle"
    head += _formatted(q.stem, "moodle", stem_plain)

    def fmt(text: str, force_plain: bool) -> str:
        return _formatted(text, stem_format, force_plain)

    general = "####" + fmt(q.general_feedback, False) if q.general_feedback else ""
    if q.qtype == "true_false":
        lines.append(head + "{" + _truefalse_block(q, fmt) + general + "}")
        return "\n".join(lines)
    if q.qtype == "single":
        answers = _single_block(q, fmt)
    elif q.qtype == "multiple":
        answers = _multiple_block(q, fmt)
    else:
        raise _Unwritable(_("unknown question type %(type)s") % {"type": repr(q.qtype)})
    lines.append(head + "{")
    for answer, choice in zip(answers, q.choices, strict=True):
        feedback = "#" + fmt(choice.feedback, False) if choice.feedback else ""
        lines.append("\t" + answer + feedback)
    if general:
        lines.append("\t" + general)
    lines.append("}")
    return "\n".join(lines)


def _category_line(category: str) -> str:
    """Return the ``$CATEGORY`` line that switches to *category*."""
    # An empty category means the top of the course's question bank.
    path = category.replace("\\", "\\\\") if category else "$course$/top"
    return f"$CATEGORY: {path}"


def gift_problem(question: ParsedQuestion) -> str:
    """Why *question* cannot be written as GIFT (a draft with no right choice, say),
    or "" when it can."""
    try:
        _write_question(question)
    except _Unwritable as exc:
        return str(exc)
    return ""


def write_gift(questions: Iterable[ParsedQuestion]) -> str:
    """Write *questions* as GIFT, switching ``$CATEGORY`` when it changes."""
    blocks: list[str] = []
    problems: list[str] = []
    category = ""
    for number, question in enumerate(questions, 1):
        try:
            block = _write_question(question)
        except _Unwritable as exc:
            problems.append(export_problem(number, question, str(exc)))
            continue
        if question.category != category:
            blocks.append(_category_line(question.category))
            category = question.category
        blocks.append(block)
    if problems:
        raise ExportError(problems)
    return "\n\n".join(blocks) + "\n" if blocks else ""

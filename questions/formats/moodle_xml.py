"""Read and write Moodle XML, Moodle's own question-bank format.

``parse_moodle_xml(text) -> ParseResult`` follows Moodle's importer
(``qformat_xml::readquestions`` and ``import_question``, with the checks of
``qformat_default::importprocess`` and ``qtype_multichoice``) for the types
Rulewise has:

* The document is parsed with defusedxml: a document type declaration
  (``<!DOCTYPE``), and so any entity it could declare (entity expansion, the
  "billion laughs") or external file it could name, is refused with the line;
  Moodle XML files have none. Elements nested deeper than ``MAX_DEPTH`` are
  refused too. Not well-formed XML (a truncated file, a stray ``&``) is a
  :class:`FormatError` naming the line and column.
* The root is ``<quiz>``; its ``<question>`` children are read in order.
* ``type="category"``: ``<category><text>$course$/top/A/B</text></category>``
  sets the category of the questions after it (context prefix and ``top``
  removed, as for GIFT's ``$CATEGORY``).
* ``type="multichoice"``: ``<single>`` (Moodle's ``trans_single``: "false",
  "0" or empty mean checkboxes, anything else one answer; missing means one)
  makes ``single`` or ``multiple``. Each ``<answer fraction="50">`` is an
  answer with its ``<feedback>``; the fraction must be one of Moodle's grades
  (within 0.00001, as ``match_grade_options``), as Moodle refuses the whole
  file otherwise. Answers without text are left out, as Moodle leaves them out,
  with a warning. A single-answer question needs exactly one 100 % answer and
  a multiple-answer question a positive one (as the GIFT reader asks).
* ``type="truefalse"``: the answers ``true`` and ``false`` with their
  fractions and feedback, the right one found exactly as
  ``import_truefalse`` finds it (the last answer decides; answers named
  otherwise are taken as true then false, with a warning).
* ``<name>`` (required, as in Moodle), ``<questiontext>``,
  ``<generalfeedback>``, ``<idnumber>`` and ``<tags><tag><text>`` are read
  for both types. Texts follow their ``format`` attribute (``html`` when
  missing; feedback and answers default to the question text's), converted to
  plain text by :mod:`questions.formats.text`; ``<file>`` attachments are
  ignored.
* Other types (``shortanswer``, ``numerical``, ``essay``, ``matching``,
  ``cloze``, ``description``, ``calculated`` ... or any plugin's) are
  returned in ``skipped`` by name.

``write_moodle_xml(questions) -> str`` writes what ``qformat_xml::
writequestion`` writes for these types, texts as ``plain_text`` (exactly
what the bank holds), multiple-answer weights as Rulewise grades (right
100/k %, wrong -100/k %: :mod:`questions.formats.moodle`) and rule codes as
the first tags; ``parse_moodle_xml`` reads it back to the same questions. A
question without a title gets a name made from its text
(:func:`questions.formats.moodle.default_name`), read back as no title.
Questions that cannot be written raise :class:`ExportError` listing them all.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from xml.etree.ElementTree import Element, ParseError, TreeBuilder
from xml.sax.saxutils import escape, quoteattr

from defusedxml import DefusedXmlException, DTDForbidden
from defusedxml.ElementTree import DefusedXMLParser

from django.utils.translation import gettext as _

from .moodle import (
    category_path,
    clean_category_path,
    clean_name,
    default_name,
    escape_name,
    moodle_grade,
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

__all__ = ["MAX_DEPTH", "parse_moodle_xml", "write_moodle_xml", "xml_problem"]

# A Moodle XML file nests 6 deep (quiz/question/answer/feedback/text); a
# deeper document is not one, and is refused before it costs anything.
MAX_DEPTH = 32

# qformat_xml::trans_format, to the formats of questions.formats.text. The
# wiki format is long gone from Moodle; its text is kept with its line breaks.
_FORMATS = {
    "moodle_auto_format": "moodle",
    "html": "html",
    "plain_text": "plain",
    "markdown": "markdown",
    "wiki_like": "moodle",
}
_NUMBER_RE = re.compile(r"\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*")
_EXPAT_POSITION_RE = re.compile(r": line \d+, column \d+$")
# Characters XML 1.0 cannot carry, even as references.
_NOT_XML_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


# --------------------------------------------------------------------------
# Reading


class _TooDeep(Exception):
    """An element opened deeper than MAX_DEPTH."""


class _Builder(TreeBuilder):
    """Build the tree, noting the line of each element and refusing depth."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[Element, int] = {}
        self.depth = 0
        self.line = lambda: 0

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        """Open an element at the parser's current line."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _TooDeep
        element = super().start(tag, attrs)
        self.lines[element] = self.line()
        return element

    def end(self, tag: str) -> Element:
        """Close an element."""
        self.depth -= 1
        return super().end(tag)


def _parse_tree(text: str) -> tuple[Element, dict[Element, int]]:
    """Parse *text* safely into its root element and each element's line."""
    builder = _Builder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True)
    expat = parser.parser
    builder.line = lambda: expat.CurrentLineNumber
    try:
        parser.feed(text)
        root = parser.close()
    except ParseError as exc:
        line, column = exc.position
        problem = _EXPAT_POSITION_RE.sub("", str(exc))
        if problem == "no element found" or problem.startswith("unclosed token"):
            message = _(
                "not well-formed XML: %(problem)s (the file ends before its XML"
                " does: is it complete?) (column %(column)d)"
            )
        else:
            message = _("not well-formed XML: %(problem)s (column %(column)d)")
        raise FormatError(
            max(line, 1), message % {"problem": problem, "column": column + 1}
        ) from exc
    except DTDForbidden as exc:
        where = exc.sysid or exc.pubid
        if where:
            message = _(
                "the file has a document type declaration (<!DOCTYPE>), which"
                " Moodle XML question files never have; it names an external"
                " file (%(file)s), and external entities are refused"
            ) % {"file": where}
        else:
            message = _(
                "the file has a document type declaration (<!DOCTYPE>), which"
                " Moodle XML question files never have; entities it could"
                " declare are refused (entity expansion)"
            )
        raise FormatError(max(expat.CurrentLineNumber, 1), message) from exc
    except DefusedXmlException as exc:
        raise FormatError(
            max(expat.CurrentLineNumber, 1),
            _("refused XML construct: %(problem)s") % {"problem": exc},
        ) from exc
    except _TooDeep as exc:
        raise FormatError(
            max(expat.CurrentLineNumber, 1),
            _(
                "elements are nested more than %(depth)d deep; a Moodle XML file"
                " nests 6 deep"
            )
            % {"depth": MAX_DEPTH},
        ) from exc
    except UnicodeEncodeError as exc:
        line = text.count("\n", 0, exc.start) + 1
        raise FormatError(
            line, _("the text holds a character that is not Unicode text")
        ) from exc
    return root, builder.lines


def _child(element: Element, name: str) -> Element | None:
    """The first child named *name* (Moodle reads ``[name][0]``)."""
    return element.find(name)


class _QuestionReader:
    """Read one ``<question>`` element, reporting errors by line."""

    def __init__(
        self, element: Element, lines: dict[Element, int], warnings: list[str]
    ) -> None:
        self.element = element
        self.lines = lines
        self.line = lines[element]
        self.warnings = warnings

    def line_of(self, element: Element | None) -> int:
        """The line of *element*, or of the question."""
        return self.lines.get(element, self.line) if element is not None else self.line

    def warn(self, element: Element | None, message: str) -> None:
        """Record a warning for the line of *element*."""
        self.warnings.append(at_line(self.line_of(element), message))

    def raw_text(self, element: Element | None) -> str | None:
        """The content of *element*'s first ``<text>``, or None without one."""
        if element is None:
            return None
        text = _child(element, "text")
        if text is None:
            return None
        if len(text):
            raise FormatError(
                self.line_of(text),
                _(
                    "<text> holds a <%(tag)s> element; HTML in Moodle XML is"
                    " escaped or in CDATA (Moodle refuses this as invalid XML too)"
                )
                % {"tag": text[0].tag},
            )
        return text.text or ""

    def formatted(self, name: str, default_format: str) -> tuple[str, str]:
        """(format, plain text) of the child *name*, "" when it is missing."""
        element = _child(self.element, name)
        return self.formatted_element(element, default_format)

    def formatted_element(
        self, element: Element | None, default_format: str
    ) -> tuple[str, str]:
        """(format, plain text) of a text-bearing element."""
        if element is None:
            return default_format, ""
        fmt = element.get("format", default_format)
        if fmt not in _FORMATS:
            self.warn(
                element,
                _("unknown text format %(format)s, read as html (as Moodle does)")
                % {"format": repr(fmt)},
            )
            fmt = "html"
        raw = self.raw_text(element) or ""
        return fmt, to_plain(raw, _FORMATS[fmt])

    def common(self) -> tuple[str, str, str, str, tuple[str, ...]]:
        """Name, question text, its format, general feedback and tags."""
        name = self.raw_text(_child(self.element, "name"))
        if name is None:
            raise FormatError(
                self.line,
                _("the question has no <name><text>; Moodle refuses it too"),
            )
        stem_format, stem = self.formatted("questiontext", "html")
        if not stem:
            raise FormatError(self.line, _("the question text is empty"))
        _format, general = self.formatted("generalfeedback", stem_format)
        title = clean_name(name)
        if title == clean_name(escape_name(default_name(stem))):
            title = ""
        tags: list[str] = []
        holder = _child(self.element, "tags")
        for tag in holder.findall("tag") if holder is not None else ():
            value = strip_controls(self.raw_text(tag) or "").strip()
            if value and value not in tags:
                tags.append(value)
        return title, stem, stem_format, general, tuple(tags)

    def idnumber(self) -> str:
        """The question's ID number, trimmed."""
        element = _child(self.element, "idnumber")
        if element is None:
            return ""
        if len(element):
            raise FormatError(self.line_of(element), _("<idnumber> holds elements"))
        return strip_controls(element.text or "").strip()

    def fraction(self, answer: Element) -> float:
        """An answer's ``fraction`` attribute as the Moodle grade it stands for."""
        raw = answer.get("fraction", "0")
        if not _NUMBER_RE.fullmatch(raw):
            raise FormatError(
                self.line_of(answer),
                _(
                    "answer fraction %(fraction)s is not a number (a percentage"
                    " such as 100, 50 or -33.33333)"
                )
                % {"fraction": repr(raw)},
            )
        value = float(raw) / 100
        grade = moodle_grade(value)
        if grade is None:
            raise FormatError(
                self.line_of(answer),
                _(
                    "answer fraction %(fraction)s%% is not one of Moodle's grades"
                    " (100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40,"
                    " 33.33333, 30, 25, 20, 16.66667, 14.28571, 12.5, 11.11111,"
                    " 10, 5, 0 and their negatives); Moodle refuses the file too"
                )
                % {"fraction": raw.strip()},
            )
        # Adding 0.0 turns -0.0 into 0.0.
        return grade + 0.0

    def multichoice(self) -> ParsedQuestion:
        """A ``multichoice`` question, single or multiple."""
        title, stem, stem_format, general, tags = self.common()
        single_element = _child(self.element, "single")
        single_raw = (
            (single_element.text or "") if single_element is not None else "true"
        ).strip()
        single = single_raw not in ("false", "", "0")
        choices: list[ParsedChoice] = []
        for number, answer in enumerate(self.element.findall("answer"), 1):
            fraction = self.fraction(answer)
            _format, text = self.formatted_element(answer, stem_format)
            _format, feedback = self.formatted_element(
                _child(answer, "feedback"), stem_format
            )
            if not text:
                self.warn(
                    answer,
                    _(
                        "answer %(number)d has no text (an image only?) and is"
                        " left out, as Moodle leaves out empty answers"
                    )
                    % {"number": number},
                )
                continue
            choices.append(ParsedChoice(text, fraction, feedback))
        if len(choices) < 2:
            raise FormatError(
                self.line,
                _(
                    "a multiple-choice question needs at least two answers with"
                    " text (Moodle refuses it too)"
                ),
            )
        texts = [c.text for c in choices]
        if len(set(texts)) != len(texts):
            self.warn(None, _("the same answer text appears more than once"))
        qtype: QuestionType
        if single:
            full = sum(1 for c in choices if c.fraction == 1.0)
            if full != 1:
                raise FormatError(
                    self.line,
                    _(
                        "a single-answer question (<single>true</single>) needs"
                        " exactly one 100%% answer, found %(found)d"
                    )
                    % {"found": full},
                )
            qtype = "single"
        else:
            positive = sum(c.fraction for c in choices if c.fraction > 0)
            if positive <= 0:
                raise FormatError(
                    self.line,
                    _(
                        "no answer of this multiple-answer question earns credit;"
                        " give the right ones a positive fraction"
                    ),
                )
            if round(positive, 2) != 1.0:
                self.warn(
                    None,
                    _(
                        "the positive fractions add up to %(total)s%%, not 100%%"
                        " (Moodle warns about this too)"
                    )
                    % {"total": f"{positive * 100:g}"},
                )
            qtype = "multiple"
        return ParsedQuestion(
            qtype=qtype,
            stem=stem,
            choices=tuple(choices),
            title=title,
            general_feedback=general,
            rules=(),
            idnumber=self.idnumber(),
            tags=tags,
            line=self.line,
        )

    def truefalse(self) -> ParsedQuestion:
        """A ``truefalse`` question, read as ``import_truefalse`` reads it."""
        title, stem, stem_format, general, tags = self.common()
        answers = self.element.findall("answer")
        if not answers:
            raise FormatError(
                self.line,
                _("a true/false question needs its true and false answers"),
            )
        true_is_right: bool | None = None
        feedback = {"true": "", "false": ""}
        guessed = False
        for index, answer in enumerate(answers):
            name = (self.raw_text(answer) or "").strip()
            if name not in ("true", "false"):
                # Old files name the answers in the site's language: true first.
                guessed = True
                name = "true" if index == 0 else "false"
            _format, feedback[name] = self.formatted_element(
                _child(answer, "feedback"), stem_format
            )
            raw = answer.get("fraction", "")
            is_full = bool(_NUMBER_RE.fullmatch(raw)) and float(raw) == 100
            # As Moodle: the last answer read decides which one is right.
            true_is_right = is_full if name == "true" else not is_full
        if guessed:
            if true_is_right:
                message = _(
                    "the answers are not named 'true' and 'false'; the first is"
                    " taken as true and the second as false, so the right answer"
                    " is true (Moodle warns about this too)"
                )
            else:
                message = _(
                    "the answers are not named 'true' and 'false'; the first is"
                    " taken as true and the second as false, so the right answer"
                    " is false (Moodle warns about this too)"
                )
            self.warn(None, message)
        choices = (
            ParsedChoice("True", 1.0 if true_is_right else 0.0, feedback["true"]),
            ParsedChoice("False", 0.0 if true_is_right else 1.0, feedback["false"]),
        )
        return ParsedQuestion(
            qtype="true_false",
            stem=stem,
            choices=choices,
            title=title,
            general_feedback=general,
            rules=(),
            idnumber=self.idnumber(),
            tags=tags,
            line=self.line,
        )

    def category(self) -> str:
        """The category path of a ``type="category"`` entry."""
        element = _child(self.element, "category")
        if element is None:
            raise FormatError(
                self.line,
                _("a category entry has no <category> path (Moodle needs one)"),
            )
        raw = self.raw_text(element)
        if raw is None:
            # The old form, <category>$course$/Name</category>.
            if len(element):
                raise FormatError(self.line, _("the <category> path is not text"))
            raw = element.text or ""
        return clean_category_path(to_plain(raw, "plain"))


def parse_moodle_xml(text: str) -> ParseResult:
    """Parse Moodle XML *text* into questions, skipped questions and warnings."""
    root, lines = _parse_tree(text)
    if root.tag != "quiz":
        raise FormatError(
            lines.get(root, 1),
            _("the document is <%(tag)s>, not <quiz>: not a Moodle XML question file")
            % {"tag": root.tag},
        )
    warnings: list[str] = []
    questions: list[ParsedQuestion] = []
    skipped: list[SkippedQuestion] = []
    category = ""
    for element in root.findall("question"):
        reader = _QuestionReader(element, lines, warnings)
        kind = element.get("type")
        if kind is None:
            raise FormatError(reader.line, _("a <question> has no type attribute"))
        if kind == "category":
            category = reader.category()
        elif kind in ("multichoice", "truefalse"):
            parsed = (
                reader.multichoice() if kind == "multichoice" else reader.truefalse()
            )
            questions.append(_with_category(parsed, category))
        else:
            if kind:
                reason = _(
                    "Moodle's %(type)s questions are not supported (Rulewise has"
                    " multichoice and truefalse)"
                ) % {"type": kind}
            else:
                reason = _(
                    "Moodle's untyped questions are not supported (Rulewise has"
                    " multichoice and truefalse)"
                )
            skipped.append(
                SkippedQuestion(
                    line=reader.line, kind=kind or "(no type)", reason=reason
                )
            )
    return ParseResult(tuple(questions), tuple(skipped), tuple(warnings))


def _with_category(question: ParsedQuestion, category: str) -> ParsedQuestion:
    """*question* placed in *category*."""
    return ParsedQuestion(
        qtype=question.qtype,
        stem=question.stem,
        choices=question.choices,
        title=question.title,
        general_feedback=question.general_feedback,
        category=category,
        rules=question.rules,
        idnumber=question.idnumber,
        tags=question.tags,
        line=question.line,
    )


# --------------------------------------------------------------------------
# Writing


class _Unwritable(Exception):
    """A question that cannot be expressed; the message says why."""


def _clean(text: str) -> str:
    """*text* ready for XML (carriage returns dropped, as XML would fold them)."""
    return text.replace("\r", "")


def _text(content: str, indent: int) -> str:
    """A ``<text>`` element on one line, as ``writetext`` writes it."""
    return "  " * indent + "<text>" + escape(_clean(content)) + "</text>\n"


def _formatted(tag: str, content: str, indent: int, fmt: str = "plain_text") -> str:
    """An element with a format attribute holding one ``<text>``."""
    pad = "  " * indent
    return (
        f"{pad}<{tag} format={quoteattr(fmt)}>\n"
        + _text(content, indent + 1)
        + f"{pad}</{tag}>\n"
    )


def _check_question(q: ParsedQuestion) -> None:
    """Refuse questions that no reader could get back."""
    if not q.stem.strip():
        raise _Unwritable(_("the question text is empty"))
    if len(q.choices) < 2:
        raise _Unwritable(_("it needs at least two choices"))
    texts = [q.stem, q.title, q.general_feedback, q.idnumber, q.category]
    for choice in q.choices:
        if not choice.text.strip():
            raise _Unwritable(_("a choice has no text"))
        if not (math.isfinite(choice.fraction) and -1 <= choice.fraction <= 1):
            raise _Unwritable(
                _("fraction %(fraction)s is outside -1..1")
                % {"fraction": str(choice.fraction)}
            )
        texts += [choice.text, choice.feedback]
    for tag in question_tags(q):
        if not tag or tag != tag.strip():
            raise _Unwritable(
                _("tag %(tag)s is empty or starts or ends with a space")
                % {"tag": repr(tag)}
            )
        texts.append(tag)
    for text in texts:
        if match := _NOT_XML_RE.search(_clean(text)):
            raise _Unwritable(
                _("it holds U+%(code)04X, a character XML 1.0 cannot carry")
                % {"code": ord(match.group())}
            )
    if "\n" in q.category:
        raise _Unwritable(_("the category has a line break"))


def _answer(
    fraction: float, text: str, feedback: str, answer_format: str = "plain_text"
) -> str:
    """One ``<answer>``, as ``write_answer`` writes it."""
    return (
        f'    <answer fraction="{percent(fraction)}" format="{answer_format}">\n'
        + _text(text, 3)
        + _formatted("feedback", feedback, 3)
        + "    </answer>\n"
    )


def _single_answers(q: ParsedQuestion) -> str:
    """The answers of a single-answer question, the right one at 100%."""
    right = [i for i, c in enumerate(q.choices) if math.isclose(c.fraction, 1.0)]
    if not right:
        right = [i for i, c in enumerate(q.choices) if c.correct]
    if len(right) != 1:
        raise _Unwritable(_("a single-answer question needs exactly one right choice"))
    out = ""
    for index, choice in enumerate(q.choices):
        fraction = 1.0 if index == right[0] else choice.fraction
        grade = moodle_grade(fraction)
        if grade is None or grade == 1.0 and index != right[0]:
            raise _Unwritable(
                _(
                    "fraction %(fraction)s of choice %(number)d is not one of"
                    " Moodle's grades"
                )
                % {"fraction": f"{choice.fraction:g}", "number": index + 1}
            )
        out += _answer(grade, choice.text, choice.feedback)
    return out


def _multiple_answers(q: ParsedQuestion) -> str:
    """The answers of a multiple-answer question, weighted as Rulewise grades."""
    try:
        fractions = multiple_fractions([c.correct for c in q.choices])
    except ValueError as exc:
        raise _Unwritable(str(exc)) from exc
    return "".join(
        _answer(fraction, c.text, c.feedback)
        for c, fraction in zip(q.choices, fractions, strict=True)
    )


def _truefalse_answers(q: ParsedQuestion) -> str:
    """The ``true`` and ``false`` answers, true first, as Moodle writes them."""
    if len(q.choices) != 2:
        raise _Unwritable(_("a true/false question needs exactly two choices"))
    by_text = {c.text.strip().casefold(): c for c in q.choices}
    true = by_text.get("true", q.choices[0])
    false = by_text.get("false", q.choices[1])
    if true.correct == false.correct:
        raise _Unwritable(_("exactly one of True and False must be right"))
    return _answer(
        1.0 if true.correct else 0.0, "true", true.feedback, "moodle_auto_format"
    ) + _answer(
        1.0 if false.correct else 0.0, "false", false.feedback, "moodle_auto_format"
    )


_MULTICHOICE_OPTIONS = """\
    <shuffleanswers>true</shuffleanswers>
    <answernumbering>abc</answernumbering>
    <showstandardinstruction>0</showstandardinstruction>
    <correctfeedback format="html">
      <text></text>
    </correctfeedback>
    <partiallycorrectfeedback format="html">
      <text></text>
    </partiallycorrectfeedback>
    <incorrectfeedback format="html">
      <text></text>
    </incorrectfeedback>
"""


def _write_question(q: ParsedQuestion) -> str:
    """The ``<question>`` element of one question."""
    _check_question(q)
    if q.qtype == "true_false":
        kind, penalty, body = "truefalse", "1", _truefalse_answers(q)
    elif q.qtype in ("single", "multiple"):
        kind, penalty = "multichoice", "0.3333333"
        single = "true" if q.qtype == "single" else "false"
        answers = _single_answers(q) if q.qtype == "single" else _multiple_answers(q)
        body = f"    <single>{single}</single>\n" + _MULTICHOICE_OPTIONS + answers
    else:
        raise _Unwritable(_("unknown question type %(type)s") % {"type": repr(q.qtype)})
    name = escape_name(q.title or default_name(q.stem))
    out = (
        f'  <question type="{kind}">\n'
        "    <name>\n"
        + _text(name, 3)
        + "    </name>\n"
        + _formatted("questiontext", q.stem, 2)
        + _formatted("generalfeedback", q.general_feedback, 2)
        + "    <defaultgrade>1</defaultgrade>\n"
        + f"    <penalty>{penalty}</penalty>\n"
        + "    <hidden>0</hidden>\n"
        + f"    <idnumber>{escape(q.idnumber.strip())}</idnumber>\n"
        + body
    )
    if tags := question_tags(q):
        out += "    <tags>\n"
        out += "".join(
            "      <tag>" + _text(tag, 0).rstrip("\n") + "</tag>\n" for tag in tags
        )
        out += "    </tags>\n"
    return out + "  </question>\n"


def _category_block(category: str) -> str:
    """The ``type="category"`` entry that switches to *category*."""
    return (
        '  <question type="category">\n'
        "    <category>\n" + _text(category_path(category), 3) + "    </category>\n"
        '    <info format="moodle_auto_format">\n'
        "      <text></text>\n"
        "    </info>\n"
        "    <idnumber></idnumber>\n"
        "  </question>\n"
    )


def xml_problem(question: ParsedQuestion) -> str:
    """Why *question* cannot be written as Moodle XML, or "" when it can."""
    try:
        _write_question(question)
    except _Unwritable as exc:
        return str(exc)
    return ""


def write_moodle_xml(questions: Iterable[ParsedQuestion]) -> str:
    """Write *questions* as a Moodle XML file, with a category entry whenever
    the category changes ("" when there is nothing to write)."""
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
            blocks.append(_category_block(question.category))
            category = question.category
        blocks.append(block)
    if problems:
        raise ExportError(problems)
    if not blocks:
        return ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n'
        + "\n".join(blocks)
        + "</quiz>\n"
    )

"""Question interchange: Moodle GIFT, Moodle XML and Aiken, as pure functions.

``parse_gift``/``parse_moodle_xml``/``parse_aiken`` turn file text into a :class:`ParseResult`
(questions, skipped questions of unsupported types, warnings) or raise
:class:`FormatError` (``"line N: ..."``). ``write_gift``/``write_moodle_xml``/``write_aiken`` turn
:class:`ParsedQuestion` objects back into text, raising :class:`ExportError`
for questions the format cannot hold. No ORM here: callers map the plain
dataclasses to models. The one piece of Django used is
``django.utils.translation.gettext``/``ngettext``: every error, warning,
skip reason and export problem is a whole translatable sentence with named
placeholders, translated when it is made, in the language active then (the
admin import page's request language, or the command's; see
``locale/ru/LC_MESSAGES/django.po``). The functions stay plain functions of
their input: gettext reads no database and needs only configured settings.
"""

from .aiken import aiken_problem, parse_aiken, write_aiken
from .gift import gift_problem, parse_gift, write_gift
from .moodle_xml import parse_moodle_xml, write_moodle_xml, xml_problem
from .types import (
    ExportError,
    FormatError,
    ParsedChoice,
    ParsedQuestion,
    ParseResult,
    QuestionType,
    SkippedQuestion,
)

__all__ = [
    "ExportError",
    "FormatError",
    "ParseResult",
    "ParsedChoice",
    "ParsedQuestion",
    "QuestionType",
    "SkippedQuestion",
    "aiken_problem",
    "gift_problem",
    "parse_aiken",
    "parse_gift",
    "parse_moodle_xml",
    "write_aiken",
    "write_gift",
    "write_moodle_xml",
    "xml_problem",
]

"""What Moodle's question importers expect, shared by the GIFT and XML formats.

* **Grades.** Moodle keeps an answer's fraction only if it is one of its
  standard grades (``question_bank::fraction_options_full``: 0, +-1, and
  +-0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333,
  0.3, 0.25, 0.2, 0.1666667, 0.1428571, 0.125, 0.1111111, 0.1, 0.05):
  ``qformat_default::importprocess`` matches every fraction of a file with
  ``match_grade_options(..., 'error')``, which takes the grade within 0.00001
  and otherwise refuses the whole import. So 33.33333% or 33.333% is 1/3,
  33.33% is refused.
* **Multiple-answer weights as we grade.** Rulewise grades a multiple-answer
  question (``quiz/attempts/grading.py``) with +1/k per right choice ticked,
  -1/k per wrong one, clamped to [0, 1], k = the number of right choices.
  Moodle grades it (``qtype_multichoice_multi_question::grade_response``) as
  the sum of the fractions of the ticked answers, clamped to [0, 1]. Written
  with right = 1/k and wrong = -1/k, both give the same mark for every set of
  ticks (to 1e-7: Moodle stores 1/3 as 0.3333333, and counts a mark above
  0.999999 as right). 1/k is a Moodle grade for k = 1 to 10 and 20.
* **Categories**: a path ``$course$/top/A/B`` (context prefix, then ``top``)
  with ``//`` standing for a slash inside a name.
* **Tags** carry a question's rule codes: Moodle has no rules, and its tags
  are where a question bank keeps labels like these.
* **Names**: Moodle strips tags from a question's name
  (``clean_question_name``) and decodes entities when it shows one, so a
  title that holds either is written entity-escaped.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .text import to_plain
from .types import ParsedQuestion

# question_bank::fraction_options_full, positive half (7 decimals, as stored).
_POSITIVE_GRADES = (
    1.0, 0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333,
    0.3, 0.25, 0.2, 0.1666667, 0.1428571, 0.125, 0.1111111, 0.1, 0.05,
)  # fmt: skip
GRADES: tuple[float, ...] = (
    *_POSITIVE_GRADES,
    0.0,
    *(-g for g in reversed(_POSITIVE_GRADES)),
)
# match_grade_options: "abs($grade - $value) < 0.00001".
GRADE_TOLERANCE = 0.00001

_CONTEXT_PREFIX_RE = re.compile(r"\$[a-z]+\$(/|$)", re.I)
# One name of a category path: "/" separates names, "//" is a slash in a name.
_CATEGORY_PART_RE = re.compile(r"(?:[^/]|//)+")
_NAME_LENGTH = 80


def moodle_grade(fraction: float) -> float | None:
    """The Moodle grade *fraction* stands for, or None when Moodle refuses it."""
    if not math.isfinite(fraction):
        return None
    for grade in GRADES:
        if abs(fraction - grade) < GRADE_TOLERANCE:
            return grade
    return None


def multiple_fractions(correct: Sequence[bool]) -> tuple[float, ...]:
    """Moodle fractions that grade a multiple-answer question as Rulewise does:
    right choices 1/k, wrong ones -1/k (k right choices), as Moodle stores them.

    ValueError when there is no right choice, or when 1/k is not a Moodle
    grade (k = 1 to 10 and 20 are).
    """
    k = sum(1 for flag in correct if flag)
    if k == 0:
        raise ValueError(_("a multiple-answer question needs a right choice"))
    share = moodle_grade(1 / k)
    if share is None:
        raise ValueError(
            ngettext(
                "it has %(k)d right choice and 1/%(k)d is not one of Moodle's"
                " grades (1/k is for k = 1 to 10 and 20), so Moodle could not"
                " grade it as Rulewise does",
                "it has %(k)d right choices and 1/%(k)d is not one of Moodle's"
                " grades (1/k is for k = 1 to 10 and 20), so Moodle could not"
                " grade it as Rulewise does",
                k,
            )
            % {"k": k}
        )
    return tuple(share if flag else -share for flag in correct)


def percent(fraction: float) -> str:
    """A fraction as Moodle writes a percentage: 100, 50, 33.33333, -14.28571."""
    text = f"{round(fraction * 100, 5):.5f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def clean_category_path(path: str) -> str:
    """Normalise a Moodle category path to ``a/b/c`` without context or top."""
    path = _CONTEXT_PREFIX_RE.sub("", path.strip(), count=1)
    # Moodle writes a "/" inside a category name as "//"; keep that escape.
    parts = [p.strip() for p in _CATEGORY_PART_RE.findall(path)]
    parts = [p for p in parts if p]
    if parts and parts[0].lower() == "top":
        parts = parts[1:]
    return "/".join(parts)


def category_path(category: str) -> str:
    """The Moodle path of *category* (empty: the top of the course's bank)."""
    return f"$course$/top/{category}" if category else "$course$/top"


def question_tags(question: ParsedQuestion) -> tuple[str, ...]:
    """The Moodle tags of *question*: its rule codes, then its other tags."""
    return tuple(dict.fromkeys((*question.rules, *question.tags)))


def clean_name(raw: str) -> str:
    """A question name as Moodle keeps it, as plain text (tags dropped)."""
    return to_plain(raw, "moodle")


def escape_name(title: str) -> str:
    """*title* written so that :func:`clean_name` gives it back unchanged."""
    if to_plain(title, "moodle") == title:
        return title
    # Names take no format, but Moodle decodes entities. A leading U+FEFF
    # would be read as a byte order mark and dropped by the HTML reading of
    # the name: it goes as a character reference.
    escaped = html.escape(title, quote=False)
    if escaped.startswith("\ufeff"):
        escaped = "&#xfeff;" + escaped[1:]
    return escaped


def default_name(stem: str) -> str:
    """The name given to a question without a title: the start of its text.

    Moodle's GIFT importer names an untitled question after its text in the
    same way (``create_default_question_name``); a name equal to this one is
    read back as no title.
    """
    first = " ".join(stem.split())
    if len(first) <= _NAME_LENGTH:
        return first
    return first[: _NAME_LENGTH - 1].rstrip() + "…"

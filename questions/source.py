"""The course text the rules are drawn from, and where a rule's passage sits in
it: pure functions over text, plus reading the shipped file once.

The shipped text is kept exactly as received (every rule's passage matches it
word for word); readers are shown a cleaned edition: the words the translation
ran together or garbled are mended and the two headings it lost are restored.
"""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

SOURCE_PATH = Path(__file__).resolve().parent / "seed" / "source.txt"
HEADING_MAX = 40  # a heading is a short line without closing punctuation

# (as received, as printed in the cleaned edition)
CORRECTIONS = (
    ("he alth", "health"),
    ("calledintervertebral", "called intervertebral"),
    ("massage canto do", "Massage can be done"),
    ("cervicalsection", "cervical section"),
    ("usedsliding", "used sliding"),
    ("beconsequences", "be consequences"),
)
# The headings the translation lost, by how the paragraph under each begins.
LOST_HEADINGS = (
    ("This technique is widely used around the world.", "Shiatsu massage"),
    ("Water itself is very useful", "Hydromassage"),
)


@cache
def course_text() -> str:
    """The course text as shipped (the passages match it exactly)."""
    return SOURCE_PATH.read_text(encoding="utf-8")


def cleaned(text: str) -> str:
    """A piece of the course text as the cleaned edition prints it."""
    for received, printed in CORRECTIONS:
        text = text.replace(received, printed)
    return text


def cleaned_edition(text: str) -> str:
    """The whole course text, mended, with its lost headings restored."""
    lines = []
    for line in text.split("\n"):
        heading = _lost_heading(line)
        if heading:
            lines.append(heading)
        lines.append(cleaned(line))
    return "\n".join(lines)


@dataclass(frozen=True)
class PassageInContext:
    """The paragraph a passage comes from, split around it, under its heading,
    as the cleaned edition prints them."""

    heading: str
    before: str
    passage: str
    after: str
    found: bool


def _is_heading(line: str) -> bool:
    line = line.strip()
    return 0 < len(line) <= HEADING_MAX and line[-1] not in ".:!,;"


def _lost_heading(line: str) -> str:
    return next((h for start, h in LOST_HEADINGS if line.startswith(start)), "")


def _heading_above(lines: list[str], index: int) -> str:
    for i in range(index, -1, -1):
        lost = _lost_heading(lines[i])
        if lost:
            return lost
        if i < index and _is_heading(lines[i]):
            return lines[i].strip()
    return ""


def passage_in_context(text: str, passage: str) -> PassageInContext:
    """Where `passage` occurs in `text` (exactly, as received): its paragraph,
    the text before and after it there, and the heading above, each cleaned.
    Not found: the passage alone."""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        at = line.find(passage) if passage else -1
        if at < 0:
            continue
        return PassageInContext(
            heading=_heading_above(lines, index),
            before=cleaned(line[:at]),
            passage=cleaned(passage),
            after=cleaned(line[at + len(passage) :]),
            found=True,
        )
    return PassageInContext(
        heading="", before="", passage=cleaned(passage), after="", found=False
    )

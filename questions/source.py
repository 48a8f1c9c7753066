"""The course text the rules are drawn from, and where a rule's passage sits in
it: pure functions over text, plus reading the shipped file once."""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

SOURCE_PATH = Path(__file__).resolve().parent / "seed" / "source.txt"
HEADING_MAX = 40  # a heading is a short line without closing punctuation


@cache
def course_text() -> str:
    """The course text as shipped (the passages match it exactly)."""
    return SOURCE_PATH.read_text(encoding="utf-8")


@dataclass(frozen=True)
class PassageInContext:
    """The paragraph a passage comes from, split around it, under its heading."""

    heading: str
    before: str
    passage: str
    after: str
    found: bool


def _is_heading(line: str) -> bool:
    line = line.strip()
    return 0 < len(line) <= HEADING_MAX and line[-1] not in ".:!?,;"


def passage_in_context(text: str, passage: str) -> PassageInContext:
    """Where `passage` occurs in `text`: its paragraph, the text before and after
    it there, and the nearest heading above. Not found: the passage alone."""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        at = line.find(passage) if passage else -1
        if at < 0:
            continue
        heading = next(
            (
                lines[i].strip()
                for i in range(index - 1, -1, -1)
                if _is_heading(lines[i])
            ),
            "",
        )
        return PassageInContext(
            heading=heading,
            before=line[:at],
            passage=passage,
            after=line[at + len(passage) :],
            found=True,
        )
    return PassageInContext(
        heading="", before="", passage=passage, after="", found=False
    )

"""The course text in the rules reader: each passage found exactly in the text as
received, shown in its paragraph under its heading, in the cleaned edition."""

import json

import pytest

from questions.services import SEED_BANK_PATH
from questions.source import (
    CORRECTIONS,
    cleaned_edition,
    course_text,
    passage_in_context,
)

RULES = json.loads(SEED_BANK_PATH.read_text(encoding="utf-8"))["rules"]


@pytest.mark.parametrize("rule", RULES, ids=[r["code"] for r in RULES])
def test_every_passage_is_found_in_its_paragraph(rule):
    context = passage_in_context(course_text(), rule["passage"])
    assert context.found
    # Only the opening paragraph has no heading above it.
    opening = course_text().split("\n", 1)[0]
    assert context.heading or rule["passage"] in opening
    for received, _printed in CORRECTIONS:
        assert received not in context.before + context.passage + context.after


def test_the_cleaned_edition_restores_the_lost_headings_and_mends_words():
    edition = cleaned_edition(course_text())
    assert "\nShiatsu massage\nThis technique is widely used" in edition
    assert "\nHydromassage\nWater itself is very useful" in edition
    for received, printed in CORRECTIONS:
        assert received not in edition and printed in edition


@pytest.mark.parametrize(
    ("code", "heading"),
    [
        ("R-SHIATSU", "Shiatsu massage"),
        ("R-HYDRO", "Hydromassage"),
        ("R-VACUUM", "Vacuum massage"),
        ("R-NO-TWIST", "Massage rules"),
    ],
)
def test_headings(code, heading):
    rule = next(r for r in RULES if r["code"] == code)
    assert passage_in_context(course_text(), rule["passage"]).heading == heading


def test_a_passage_is_split_around_exactly():
    text = "Title\nBefore it. The rule itself. After it."
    context = passage_in_context(text, "The rule itself.")
    assert (context.heading, context.before, context.passage, context.after) == (
        "Title",
        "Before it. ",
        "The rule itself.",
        " After it.",
    )
    assert not passage_in_context(text, "Not there.").found

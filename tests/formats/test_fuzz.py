"""Fuzz the readers: any input gives a ParseResult or a FormatError, nothing else."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from questions.formats import (
    FormatError,
    ParsedChoice,
    ParsedQuestion,
    ParseResult,
    parse_aiken,
    parse_gift,
    parse_moodle_xml,
    write_aiken,
    write_gift,
    write_moodle_xml,
)
from questions.formats.text import to_plain

DATA = Path(__file__).parent / "data"
FIXTURES = Path(__file__).parent / "fixtures"
FUZZ = settings(max_examples=200, deadline=None)
MARKUP = re.compile(r"<[A-Za-z/!?]")

Parser = Callable[[str], ParseResult]


def check(parser: Parser, text: str) -> None:
    """Run *parser*; only a sane ParseResult or a located FormatError may come out."""
    line_count = text.count("\n") + text.count("\r") + 1
    try:
        result = parser(text)
    except FormatError as error:
        assert 1 <= error.line <= line_count
        assert str(error).startswith(f"line {error.line}: ")
        assert error.message
        return
    assert isinstance(result, ParseResult)
    for question in result.questions:
        check_question(question, line_count)
    for skipped in result.skipped:
        assert 1 <= skipped.line <= line_count
        assert skipped.kind and skipped.reason
    for warning in result.warnings:
        assert re.match(r"line [1-9][0-9]*: ", warning), warning


def check_question(q: ParsedQuestion, line_count: int) -> None:
    """Whatever a reader returns is a usable question."""
    assert 1 <= q.line <= line_count
    assert q.stem and q.stem == q.stem.strip()
    assert len(q.choices) >= 2
    for choice in q.choices:
        assert choice.text and choice.text == choice.text.strip()
        assert -1.0 <= choice.fraction <= 1.0
    fractions = [c.fraction for c in q.choices]
    if q.qtype == "single":
        assert fractions.count(1.0) == 1
    elif q.qtype == "multiple":
        assert any(f > 0 for f in fractions)
    else:
        assert q.qtype == "true_false"
        assert [c.text for c in q.choices] == ["True", "False"]
        assert sorted(fractions) == [0.0, 1.0]


GIFT_TOKENS = [
    "{", "}", "~", "=", "#", "####", "::", ":", "\\", "\\n", "\\{", "%", "%50%",
    "%-100%", "%abc%", "->", "[html]", "[plain]", "[markdown]", "<p>", "</p>",
    "<script>", "&amp;", "T", "TRUE", "F", "FALSE", "true", "$CATEGORY:",
    "$course$/top/", "// ", "// rules: R-A", "// [id:x] [tag:y]", "\n", "\n\n",
    "\r\n", "\r", " ", "\t", "\ufeff", "\x00", "é", "漢", "\U0010ff3a", "_____",
    "a", "Question?", "answer",
]  # fmt: skip
AIKEN_TOKENS = [
    "A) ", "B. ", "C)", "Z. ", "ANSWER: ", "ANSWER: A", "answer:", "A", "b", "\n",
    "\n\n", "\r\n", " ", "True", "False", "U.S. ", "Question?", "x", "\ufeff",
]  # fmt: skip


def tokens(vocabulary: list[str]) -> st.SearchStrategy[str]:
    """Text built from pieces of the format's syntax."""
    return st.lists(
        st.one_of(st.sampled_from(vocabulary), st.text(max_size=3)), max_size=40
    ).map("".join)


SEEDS_GIFT = [p.read_text(encoding="utf-8") for p in sorted(DATA.glob("*.gift.txt"))]
SEEDS_GIFT.append(
    write_gift(
        [
            ParsedQuestion(
                "multiple",
                "Pick\ntwo {of} these: #1",
                (
                    ParsedChoice("a~b", 0.5, "fb"),
                    ParsedChoice("c", 0.5),
                    ParsedChoice("d", -1.0),
                ),
                title="t:t",
                general_feedback="gf",
                category="x/y",
                rules=("R-A",),
                idnumber="ID-1",
                tags=("tag",),
            )
        ]
    )
)  # fmt: skip
SEEDS_AIKEN = [
    "What?\nA. one\nB) two\nANSWER: B\n\nSecond\nline\nA) True\nB) False\nANSWER: A\n",
    write_aiken(
        [
            ParsedQuestion(
                "single", "Q?", (ParsedChoice("x", 0.0), ParsedChoice("y", 1.0))
            )
        ]
    ),
]
XML_TOKENS = [
    "<quiz>", "</quiz>", '<question type="multichoice">', '<question type="truefalse">',
    '<question type="category">', '<question type="essay">', "</question>",
    "<name>", "</name>", "<text>", "</text>", "<questiontext format=\"html\">",
    "</questiontext>", '<answer fraction="100">', '<answer fraction="50">',
    '<answer fraction="-33.33333">', '<answer fraction="x">', "</answer>",
    "<feedback>", "</feedback>", "<single>false</single>", "<single>true</single>",
    "<tags><tag><text>R-A</text></tag></tags>", "<idnumber>", "</idnumber>",
    "<category>", "</category>", "$course$/top/", "<![CDATA[", "]]>", "&amp;",
    "&lt;", "&#0;", "&#x10FFFF;", "&bogus;", "<!--", "-->", "<!DOCTYPE quiz>",
    '<!ENTITY a "b">', '<?xml version="1.0" encoding="UTF-8"?>', "<p>", "true",
    "false", "<", ">", "&", '"', "\n", "\r\n", "\r", " ", "\ufeff", "\x00",
    "é", "漢", "a",
]  # fmt: skip
SEEDS_XML = [p.read_text(encoding="utf-8") for p in sorted(FIXTURES.glob("*.xml"))]
SEEDS_XML.append(
    write_moodle_xml(
        [
            ParsedQuestion(
                "multiple",
                "Pick <two> & these",
                (
                    ParsedChoice("a", 0.5, "fb"),
                    ParsedChoice("c", 0.5),
                    ParsedChoice("d", -1.0),
                ),
                title="t",
                general_feedback="gf",
                category="x/y",
                rules=("R-A",),
                idnumber="ID-1",
                tags=("tag",),
            ),
            ParsedQuestion(
                "true_false",
                "Sky?",
                (ParsedChoice("True", 1.0, "yes"), ParsedChoice("False", 0.0)),
            ),
        ]
    )
)


@st.composite
def mutated(draw: st.DrawFn, seeds: list[str], vocabulary: list[str]) -> str:
    """A valid document with a few random edits."""
    text = draw(st.sampled_from(seeds))
    for _ in range(draw(st.integers(1, 6))):
        position = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "replace", "dup"]))
        if action == "insert":
            piece = draw(st.one_of(st.sampled_from(vocabulary), st.text(max_size=4)))
            text = text[:position] + piece + text[position:]
        elif action == "delete":
            text = text[:position] + text[position + draw(st.integers(1, 20)) :]
        elif action == "replace" and position < len(text):
            piece = draw(st.sampled_from(vocabulary))
            text = text[:position] + piece + text[position + 1 :]
        else:
            lines = text.split("\n")
            index = draw(st.integers(0, len(lines) - 1))
            lines.insert(index, lines[index])
            text = "\n".join(lines)
    return text


@FUZZ
@given(st.text())
def test_gift_arbitrary_text(text: str) -> None:
    check(parse_gift, text)


@FUZZ
@given(tokens(GIFT_TOKENS))
def test_gift_syntax_soup(text: str) -> None:
    check(parse_gift, text)


@FUZZ
@given(mutated(SEEDS_GIFT, GIFT_TOKENS))
def test_gift_mutated_documents(text: str) -> None:
    check(parse_gift, text)


@FUZZ
@given(st.text())
def test_aiken_arbitrary_text(text: str) -> None:
    check(parse_aiken, text)


@FUZZ
@given(tokens(AIKEN_TOKENS))
def test_aiken_syntax_soup(text: str) -> None:
    check(parse_aiken, text)


@FUZZ
@given(mutated(SEEDS_AIKEN, AIKEN_TOKENS))
def test_aiken_mutated_documents(text: str) -> None:
    check(parse_aiken, text)


@example(html="<</", fmt="html")  # once left "</" behind
@FUZZ
@given(
    st.lists(
        st.one_of(
            st.sampled_from(
                ["<", ">", "/", "!", "&", "&lt;", "&gt;", "&amp;", "script", "b",
                 "<b>", "</b>", "<!--", "-->", "<script>", "</script>", " ", "\n"]
            ),
            st.text(max_size=3),
        ),
        max_size=30,
    ).map("".join),
    st.sampled_from(["html", "moodle", "markdown"]),
)  # fmt: skip
def test_converted_text_never_holds_markup(html: str, fmt: str) -> None:
    text = to_plain(html, fmt)
    assert not MARKUP.search(text), text
    assert text == text.strip()


@FUZZ
@given(st.text())
def test_xml_arbitrary_text(text: str) -> None:
    check(parse_moodle_xml, text)


@FUZZ
@given(tokens(XML_TOKENS))
def test_xml_syntax_soup(text: str) -> None:
    check(parse_moodle_xml, text)


@FUZZ
@given(mutated(SEEDS_XML, XML_TOKENS))
def test_xml_mutated_documents(text: str) -> None:
    check(parse_moodle_xml, text)


def test_seeds_are_valid() -> None:
    """The mutation seeds parse cleanly, so mutations start from valid input."""
    for seed in SEEDS_XML:
        assert parse_moodle_xml(seed).questions
    for seed in SEEDS_GIFT:
        assert parse_gift(seed).questions
    for seed in SEEDS_AIKEN:
        assert parse_aiken(seed).questions

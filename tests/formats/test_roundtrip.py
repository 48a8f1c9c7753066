"""Writing then reading gives the same questions back (GIFT, Moodle XML, Aiken)."""

from __future__ import annotations

import dataclasses
import re
import string
from pathlib import Path

import pytest
from hypothesis import assume, example, given, seed, settings
from hypothesis import strategies as st

from questions.formats import (
    ExportError,
    ParsedChoice,
    ParsedQuestion,
    parse_aiken,
    parse_gift,
    parse_moodle_xml,
    write_aiken,
    write_gift,
    write_moodle_xml,
)
from questions.formats.moodle import (
    clean_name,
    default_name,
    escape_name,
    multiple_fractions,
    question_tags,
)

DATA = Path(__file__).parent / "data"
C = ParsedChoice


def without_line(questions: tuple[ParsedQuestion, ...]) -> list[ParsedQuestion]:
    """Drop the line numbers, which depend on the layout."""
    return [dataclasses.replace(q, line=0) for q in questions]


def as_written(question: ParsedQuestion) -> ParsedQuestion:
    """What a Moodle writer gives back: rule codes as the first tags, and a
    multiple-answer question weighted as Rulewise grades it (+-1/k)."""
    choices = question.choices
    if question.qtype == "multiple":
        fractions = multiple_fractions([c.correct for c in choices])
        choices = tuple(
            dataclasses.replace(c, fraction=f)
            for c, f in zip(choices, fractions, strict=True)
        )
    return dataclasses.replace(
        question, choices=choices, rules=(), tags=question_tags(question), line=0
    )


def assert_same(back: ParsedQuestion, original: ParsedQuestion) -> None:
    """Check every field the brief promises survives a round trip."""
    expected = as_written(original)
    assert back.qtype == expected.qtype
    assert back.stem == expected.stem
    assert back.title == expected.title
    assert back.general_feedback == expected.general_feedback
    assert back.category == expected.category
    assert back.rules == ()
    assert back.idnumber == expected.idnumber
    assert back.tags == expected.tags
    assert [(c.text, c.correct, c.feedback) for c in back.choices] == [
        (c.text, c.correct, c.feedback) for c in expected.choices
    ]
    assert [c.fraction for c in back.choices] == pytest.approx(
        [c.fraction for c in expected.choices]
    )


# --------------------------------------------------------------------------
# Literal examples


@pytest.mark.parametrize("path", sorted(DATA.glob("*.gift.txt")), ids=lambda p: p.name)
def test_conformance_files_round_trip_exactly(path: Path) -> None:
    original = parse_gift(path.read_text(encoding="utf-8")).questions
    back = parse_gift(write_gift(original))
    assert back.warnings == ()
    assert without_line(back.questions) == [as_written(q) for q in original]


EXAMPLE = (
    ParsedQuestion(
        "single",
        "Which movement is safe\nfor a cervical hernia?",
        (
            C("Sudden twist {fast}", 0.0, "Never: risk of displacement."),
            C("Smooth, gradual strokes", 1.0, "Right = safe."),
            C("Deep pressure on C5", 0.0),
        ),
        title="Safe movement: #1",
        general_feedback="All movements must be gradual ~ smooth.",
        category="Safety/Neck",
        rules=("R-NO-TWIST", "R-SMOOTH"),
        idnumber="SEED-001",
        tags=("neck", "basics"),
    ),
    ParsedQuestion(
        "multiple",
        "Which massages suit a cervical hernia?",
        (
            C("Hydromassage", 0.5),
            C("Ice massage", 0.5, "Cold reduces swelling."),
            C("Twisting manipulation", -1.0, "Dangerous."),
        ),
        category="Safety/Neck",
    ),
    ParsedQuestion(
        "true_false",
        "Massage can remove a hernia for good.",
        (C("True", 0.0, "No: relief is temporary."), C("False", 1.0, "Correct.")),
        general_feedback="It only eases the symptoms.",
        category="",
        rules=("R-HONEST",),
    ),
)

EXAMPLE_GIFT = """\
$CATEGORY: Safety/Neck

// [id:SEED-001] [tag:R-NO-TWIST] [tag:R-SMOOTH] [tag:neck] [tag:basics]
::Safe movement\\: \\#1::Which movement is safe\\nfor a cervical hernia?{
\t~Sudden twist \\{fast\\}#Never\\: risk of displacement.
\t=Smooth, gradual strokes#Right \\= safe.
\t~Deep pressure on C5
\t####All movements must be gradual \\~ smooth.
}

Which massages suit a cervical hernia?{
\t~%50%Hydromassage
\t~%50%Ice massage#Cold reduces swelling.
\t~%-50%Twisting manipulation#Dangerous.
}

$CATEGORY: $course$/top

// [tag:R-HONEST]
Massage can remove a hernia for good.{FALSE#No\\: relief is temporary.#Correct.\
####It only eases the symptoms.}
"""


def test_writer_output_is_exact() -> None:
    assert write_gift(EXAMPLE) == EXAMPLE_GIFT


def test_literal_example_round_trips() -> None:
    back = parse_gift(write_gift(EXAMPLE))
    assert back.warnings == ()
    assert without_line(back.questions) == [as_written(q) for q in EXAMPLE]
    assert back.questions[0].tags == ("R-NO-TWIST", "R-SMOOTH", "neck", "basics")
    assert [c.fraction for c in back.questions[1].choices] == [0.5, 0.5, -0.5]


def test_older_rules_and_idnumber_comments_are_still_read() -> None:
    text = (
        "// rules: R-NO-TWIST, R-SMOOTH\n// idnumber: SEED-001\n"
        "May the therapist twist the neck?{F}\n"
    )
    (question,) = parse_gift(text).questions
    assert question.rules == ("R-NO-TWIST", "R-SMOOTH")
    assert question.idnumber == "SEED-001"
    # Written again, in Moodle's syntax.
    assert write_gift([question]).splitlines()[0] == (
        "// [id:SEED-001] [tag:R-NO-TWIST] [tag:R-SMOOTH]"
    )


def test_texts_the_moodle_format_would_change_get_plain_prefix() -> None:
    question = ParsedQuestion(
        "single",
        "Is 2 <b> 3 & AT&amp;T?",
        (C("[html] literal", 1.0, "<i>x</i>"), C("%50%not a weight", 0.0)),
        title="<b>title</b> &amp;",
    )
    text = write_gift([question])
    assert text == (
        "::&lt;b&gt;title&lt;/b&gt; &amp;amp;::[plain]Is 2 <b> 3 & AT&amp;T?{\n"
        "\t=[plain][html] literal#<i>x</i>\n"
        "\t~[plain]%50%not a weight\n"
        "}\n"
    )
    back = parse_gift(text).questions[0]
    # Titles take no [plain]: tags in them are dropped, as Moodle does.
    assert back == dataclasses.replace(question, title="title &amp;", line=1)


def test_multiple_weights_are_written_as_rulewise_grades() -> None:
    """Right choices 100/k %, wrong ones -100/k %, whatever the fractions given
    (the bank keeps only which choices are right)."""
    question = ParsedQuestion(
        "multiple",
        "Pick the three.",
        (C("a", 1.0), C("b", 1.0), C("c", 0.2), C("d", 0.0), C("e", -1.0)),
    )
    text = write_gift([question])
    assert "~%33.33333%a" in text and "~%-33.33333%d" in text
    assert "~%-33.33333%e" in text
    back = parse_gift(text).questions[0]
    assert [c.fraction for c in back.choices] == pytest.approx(
        [0.3333333, 0.3333333, 0.3333333, -0.3333333, -0.3333333]
    )
    assert back.qtype == "multiple"


def test_one_right_choice_of_several_costs_its_whole_mark_when_wrong() -> None:
    # k = 1: a wrong tick takes back the whole mark, as our grading does.
    question = ParsedQuestion(
        "multiple", "Pick.", (C("a", 1.0), C("b", 0.0), C("c", 0.0))
    )
    assert write_gift([question]) == "Pick.{\n\t~%100%a\n\t~%-100%b\n\t~%-100%c\n}\n"


def test_stem_starting_like_a_comment_or_category() -> None:
    questions = (
        ParsedQuestion(
            "true_false", "// not a comment", (C("True", 1.0), C("False", 0.0))
        ),
        ParsedQuestion(
            "true_false", "$CATEGORY: no", (C("True", 1.0), C("False", 0.0))
        ),
        ParsedQuestion(
            "true_false", "::x:: no title", (C("True", 1.0), C("False", 0.0))
        ),
    )
    back = parse_gift(write_gift(questions))
    assert without_line(back.questions) == list(questions)


@pytest.mark.parametrize(
    ("question", "problem"),
    [
        (
            ParsedQuestion("single", "Q?", (C("a", 1.0), C("b", 1.0))),
            "a single-answer question needs exactly one right choice",
        ),
        (
            ParsedQuestion("multiple", "Q?", (C("a", 0.0), C("b", -1.0))),
            "a multiple-answer question needs a right choice",
        ),
        (
            ParsedQuestion("true_false", "Q?", (C("True", 1.0), C("False", 1.0))),
            "exactly one of True and False must be right",
        ),
        (
            ParsedQuestion("single", " ", (C("a", 1.0), C("b", 0.0))),
            "the question text is empty",
        ),
        (
            ParsedQuestion("single", "Q?", (C("a", 1.0), C("", 0.0))),
            "a choice has no text",
        ),
        (
            ParsedQuestion("single", "Q?", (C("a", 1.0), C("b", 0.0)), rules=("",)),
            "tag '' cannot be written as [tag:...]",
        ),
        (
            ParsedQuestion(
                "single", "Q?", (C("a", 1.0), C("b", 0.0)), idnumber="ends\\"
            ),
            "ID number 'ends\\\\' cannot be written as [id:...] (a line break, a"
            " control character, a final backslash, or [id: or [tag: inside)",
        ),
        (
            ParsedQuestion(
                "multiple",
                "Q?",
                tuple(C(str(i), 1.0) for i in range(11)) + (C("x", 0.0),),
            ),
            "it has 11 right choices and 1/11 is not one of Moodle's grades (1/k is"
            " for k = 1 to 10 and 20), so Moodle could not grade it as Rulewise does",
        ),
        (
            ParsedQuestion("single", "Q?", (C("a", 1.0), C("b", 0.0)), tags=("x]",)),
            "tag 'x]' cannot be written as [tag:...]",
        ),
        (
            ParsedQuestion("single", "Q?", (C("a", 2.0), C("b", 0.0))),
            "fraction 2.0 is outside -1..1",
        ),
    ],
)
def test_unwritable_gift_questions(question: ParsedQuestion, problem: str) -> None:
    good = ParsedQuestion("single", "Fine?", (C("a", 1.0), C("b", 0.0)))
    with pytest.raises(ExportError) as info:
        write_gift([good, question])
    label = question.title or question.stem[:40]
    assert info.value.problems == (f"question 2 ({label!r}): {problem}",)


# The last code points of plane 16 (supplementary private use area B, ending in
# the noncharacters U+10FFFE and U+10FFFF). The reader once used them as
# stand-ins for escaped syntax characters, so text holding them came back as
# U+FFFD; U+10FF7B stood for an escaped "{", U+10FF6E for an escaped line break.
LAST_PLANE = "\U0010ff00 \U0010ff3a\U0010ff7b\U0010ff7d\U0010ff6e \U0010fffe\U0010ffff"


@pytest.mark.parametrize("qtype", ["single", "multiple", "true_false"])
def test_last_plane_private_use_characters_round_trip(qtype: str) -> None:
    mark = LAST_PLANE
    if qtype == "true_false":
        choices = (
            C("True", 1.0, f"right {mark}"),
            C("False", 0.0, f"{mark} wrong"),
        )
    else:
        choices = (
            C(f"choice {mark}", 1.0 if qtype == "single" else 0.5, f"fb {mark}"),
            C(f"{mark}", 0.0 if qtype == "single" else 0.5),
            C(f"{mark}{{x}} #y", -1.0, mark),
        )
    question = ParsedQuestion(
        qtype,  # type: ignore[arg-type]
        f"Stem {mark}\nsecond line {mark}",
        choices,
        title=f"Title {mark}",
        general_feedback=f"Explanation {mark}",
        category=f"Safety {mark}/Neck{mark}",
    )
    text = write_gift([question])
    back = parse_gift(text)
    assert back.warnings == ()
    assert without_line(back.questions) == [as_written(question)]
    assert write_gift(back.questions) == text


def test_last_plane_characters_are_text_not_syntax_when_read() -> None:
    # Literal stand-in code points next to real escapes: each reads as itself.
    text = (
        "::T\U0010ff3a\\:::S \U0010ff7b\\{ \U0010ff7d\\} \U0010ff6e\\nend"
        "{=a\U0010ff23\\##f\U0010ff7e ~b\U0010ff3d\\=\U0010ffff}"
    )
    result = parse_gift(text)
    assert result.warnings == ()
    (q,) = result.questions
    assert q.title == "T\U0010ff3a:"
    assert q.stem == "S \U0010ff7b{ \U0010ff7d} \U0010ff6e\nend"
    assert q.choices == (
        C("a\U0010ff23#", 1.0, "f\U0010ff7e"),
        C("b\U0010ff3d=\U0010ffff", 0.0),
    )


def test_write_nothing() -> None:
    assert write_gift([]) == ""
    assert parse_gift(write_gift([])).questions == ()


# --------------------------------------------------------------------------
# Generated questions

# GIFT's syntax characters, HTML-ish characters, line breaks and any other
# code point, private-use and unassigned ones included (control characters are
# not question text: the reader drops them; surrogates cannot be encoded).
_SPECIAL = list("~=#{}:\\%[]<>&/\n\t -_.!?'\"")
_CHARS = st.one_of(
    st.sampled_from(_SPECIAL),
    st.characters(exclude_categories=("Cc", "Cs")),
)


def _text(max_size: int = 24) -> st.SearchStrategy[str]:
    return st.text(_CHARS, min_size=1, max_size=max_size).map(str.strip).filter(bool)


_TAG = re.compile(r"<[A-Za-z/!?]")
_optional_text = st.one_of(st.just(""), _text())
_category = st.lists(
    st.text(string.ascii_letters + string.digits + " -_", min_size=1, max_size=8)
    .map(str.strip)
    .filter(lambda s: s and s.lower() != "top"),
    max_size=3,
).map("/".join)
_meta = st.fixed_dictionaries(
    {
        # Titles cannot carry [plain], so tag-like text in them is dropped.
        "title": st.one_of(st.just(""), _text().filter(lambda t: not _TAG.search(t))),
        "general_feedback": _optional_text,
        "category": _category,
        "rules": st.lists(
            st.from_regex(r"R-[A-Z0-9-]{1,10}", fullmatch=True),
            max_size=3,
            unique=True,
        ).map(tuple),
        "idnumber": st.from_regex(r"([A-Za-z0-9_-]{1,12})?", fullmatch=True),
        "tags": st.lists(
            st.text(string.ascii_lowercase + " -", min_size=1, max_size=8)
            .map(str.strip)
            .filter(bool),
            max_size=3,
            unique=True,
        ).map(tuple),
    }
)


@st.composite
def _questions(draw: st.DrawFn) -> ParsedQuestion:
    qtype = draw(st.sampled_from(["single", "multiple", "true_false"]))
    meta = draw(_meta)
    stem = draw(_text(60))
    if qtype == "true_false":
        is_true = draw(st.booleans())
        choices: tuple[ParsedChoice, ...] = (
            C("True", 1.0 if is_true else 0.0, draw(_optional_text)),
            C("False", 0.0 if is_true else 1.0, draw(_optional_text)),
        )
    else:
        texts = draw(st.lists(_text(), min_size=2, max_size=5, unique=True))
        feedback = [draw(_optional_text) for _ in texts]
        if qtype == "single":
            right = draw(st.integers(0, len(texts) - 1))
            others = st.sampled_from([0.0, 0.0, 0.5, 0.25, -0.5, -1.0])
            fractions = [1.0 if i == right else draw(others) for i in range(len(texts))]
        else:
            flags = draw(
                st.lists(
                    st.booleans(), min_size=len(texts), max_size=len(texts)
                ).filter(any)
            )
            wrong = st.sampled_from([0.0, -1.0, -0.5])
            fractions = [1.0 if flag else draw(wrong) for flag in flags]
        choices = tuple(
            C(text, fraction, fb)
            for text, fraction, fb in zip(texts, fractions, feedback, strict=True)
        )
    return ParsedQuestion(qtype, stem, choices, **meta)


def check_gift_round_trip(questions: list[ParsedQuestion]) -> None:
    """Write *questions* as GIFT, read them back and compare."""
    text = write_gift(questions)
    result = parse_gift(text)
    assert result.skipped == ()
    assert len(result.questions) == len(questions)
    for back, original in zip(result.questions, questions, strict=True):
        assert_same(back, original)
    # Once normalised, writing is stable.
    assert write_gift(result.questions) == text


# What the test found once the derandomised profile was off: U+10FFFE, one of
# the code points the reader used as stand-ins for escapes, came back as U+FFFD.
@example(
    questions=[
        ParsedQuestion(
            "single", "0", (C("0", 1.0), C("00", 0.0)), general_feedback="\U0010fffe"
        )
    ]
)
@settings(max_examples=200, deadline=None)
@given(st.lists(_questions(), min_size=1, max_size=4))
def test_generated_questions_round_trip_through_gift(
    questions: list[ParsedQuestion],
) -> None:
    check_gift_round_trip(questions)


# The same property from a seed that reproduces the bug: against the old reader
# it failed with a stem, choice or explanation of "\U0010ff00" (shrunk), run
# alone and in the whole suite, with hypothesis 6.170.17. A seed is a weak pin:
# another hypothesis version, or new constants in the project's modules (which
# hypothesis mixes into its draws), can make the same seed draw other inputs.
# The @example above pins the case for good.
@seed(16)
@settings(max_examples=200, deadline=None, database=None)
@given(st.lists(_questions(), min_size=1, max_size=4))
def test_generated_questions_round_trip_through_gift_from_a_fixed_seed(
    questions: list[ParsedQuestion],
) -> None:
    check_gift_round_trip(questions)


def test_last_plane_private_use_characters_round_trip_through_aiken() -> None:
    # Aiken has no escapes and no stand-ins: these characters were never at risk,
    # and this keeps it so.
    question = ParsedQuestion(
        "single",
        f"Stem {LAST_PLANE}",
        (C(f"a {LAST_PLANE}", 0.0), C(LAST_PLANE, 1.0), C(f"{LAST_PLANE} c", 0.0)),
    )
    back = parse_aiken(write_aiken([question]))
    assert back.warnings == ()
    assert without_line(back.questions) == [question]


_line_text = _text().map(lambda s: " ".join(s.split())).filter(lambda s: len(s) > 1)


@st.composite
def _aiken_questions(draw: st.DrawFn) -> ParsedQuestion:
    stem = draw(_line_text.filter(lambda s: s[0].islower() or not s[0].isalpha()))
    texts = draw(
        st.lists(_line_text, min_size=2, max_size=6, unique=True).filter(
            lambda ts: {t.casefold() for t in ts} != {"true", "false"}
        )
    )
    right = draw(st.integers(0, len(texts) - 1))
    choices = tuple(C(t, 1.0 if i == right else 0.0) for i, t in enumerate(texts))
    return ParsedQuestion("single", stem, choices)


@settings(max_examples=200, deadline=None)
@given(st.lists(_aiken_questions(), min_size=1, max_size=4))
def test_generated_questions_round_trip_through_aiken(
    questions: list[ParsedQuestion],
) -> None:
    text = write_aiken(questions)
    back = parse_aiken(text).questions
    assert [(q.qtype, q.stem, q.choices) for q in back] == [
        (q.qtype, q.stem, q.choices) for q in questions
    ]


def test_a_title_that_starts_with_a_byte_order_mark_round_trips_through_gift() -> None:
    """Found by the generated round trip: the HTML reading of a title dropped a
    leading U+FEFF as if it were the file's byte order mark."""
    question = ParsedQuestion(
        qtype="single",
        stem="0",
        choices=(ParsedChoice("0", 1.0), ParsedChoice("1", 0.0)),
        title="\ufeff",
    )
    [back] = parse_gift(write_gift([question])).questions
    assert back.title == "\ufeff"


# --------------------------------------------------------------------------
# Moodle XML


def as_written_xml(question: ParsedQuestion) -> ParsedQuestion:
    """What the XML writer gives back: as :func:`as_written`, and a title that
    is no more than the name made from the question's text reads as none."""
    expected = as_written(question)
    if expected.title == clean_name(escape_name(default_name(expected.stem))):
        expected = dataclasses.replace(expected, title="")
    return expected


def check_xml_round_trip(questions: list[ParsedQuestion]) -> None:
    """Write *questions* as Moodle XML, read them back and compare."""
    text = write_moodle_xml(questions)
    result = parse_moodle_xml(text)
    assert result.skipped == () and result.warnings == ()
    assert without_line(result.questions) == [as_written_xml(q) for q in questions]
    # Once normalised, writing is stable.
    assert write_moodle_xml(result.questions) == text


def _xml_can_carry(questions: list[ParsedQuestion]) -> bool:
    """Whether no text holds U+FFFE or U+FFFF (XML 1.0 has no place for them;
    the writer refuses them: test_moodle_xml.py)."""
    return not any(ch in repr(questions) for ch in "\ufffe\uffff")


def test_literal_example_round_trips_through_xml() -> None:
    check_xml_round_trip(list(EXAMPLE))


@pytest.mark.parametrize("qtype", ["single", "multiple", "true_false"])
def test_last_plane_characters_round_trip_through_xml(qtype: str) -> None:
    mark = LAST_PLANE
    if qtype == "true_false":
        choices = (C("True", 1.0, f"right {mark}"), C("False", 0.0, f"{mark} wrong"))
    else:
        choices = (
            C(f"choice {mark}", 1.0 if qtype == "single" else 0.5, f"fb {mark}"),
            C(f"{mark}", 0.0 if qtype == "single" else 0.5),
            C(f"{mark}]]>{{x}} #y", -1.0, mark),
        )
    check_xml_round_trip(
        [
            ParsedQuestion(
                qtype,  # type: ignore[arg-type]
                f"Stem {mark}\nsecond line {mark} ]]> &amp; <b>",
                choices,
                title=f"Title {mark}",
                general_feedback=f"Explanation {mark}",
                category=f"Safety {mark}/Neck{mark}",
                idnumber="A]<&>",
                tags=("R-A", "x <y> & z"),
            )
        ]
    )


@settings(max_examples=200, deadline=None)
@given(st.lists(_questions(), min_size=1, max_size=4))
def test_generated_questions_round_trip_through_xml(
    questions: list[ParsedQuestion],
) -> None:
    assume(_xml_can_carry(questions))
    check_xml_round_trip(questions)

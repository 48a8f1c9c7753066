"""Tests for the GIFT reader: Moodle conformance files and every construct."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from questions.formats import (
    FormatError,
    ParsedChoice,
    ParsedQuestion,
    ParseResult,
    SkippedQuestion,
    parse_gift,
)

DATA = Path(__file__).parent / "data"
C = ParsedChoice


def single(text: str) -> ParsedQuestion:
    """Parse *text* and return its only question."""
    result = parse_gift(text)
    assert result.skipped == ()
    assert len(result.questions) == 1, result
    return result.questions[0]


def tf(
    title: str,
    stem: str,
    answer: bool,
    fb_true: str = "",
    fb_false: str = "",
    general: str = "",
    **extra: object,
) -> ParsedQuestion:
    """Build the expected true/false question."""
    choices = (
        C("True", 1.0 if answer else 0.0, fb_true),
        C("False", 0.0 if answer else 1.0, fb_false),
    )
    return ParsedQuestion(
        "true_false", stem, choices, title=title, general_feedback=general, **extra
    )  # type: ignore[arg-type]


def mc(
    qtype: str, stem: str, *choices: tuple[object, ...], title: str = ""
) -> ParsedQuestion:
    """Build the expected choice question from (text, fraction[, feedback])."""
    built = tuple(C(*choice) for choice in choices)  # type: ignore[arg-type]
    return ParsedQuestion(qtype, stem, built, title=title)  # type: ignore[arg-type]


SPECTRUM = "What's between orange and green in the spectrum?"
TOMB = "Grant is _____ in Grant's tomb."
TWO = "What two people are entombed in Grant's tomb?"
YELLOW = "wrong, it's yellow"
JAPAN = "Japanese characters originally"
FORTY_TWO = "42 is the Absolute Answer to everything."
ULTIMATE = "42 is the Ultimate Answer."
RIGHT = "You gave the right answer."
GRANT = "Grant is buried in Grant's tomb."
GOOD = "right; good!"

CONFORMANCE: dict[str, list[tuple[int, ParsedQuestion]]] = {
    "01_multichoice_single_feedback.gift.txt": [
        (
            3,
            mc(
                "single",
                SPECTRUM,
                ("yellow", 1.0, GOOD),
                ("red", 0.0, YELLOW),
                ("blue", 0.0, YELLOW),
                title="Q2",
            ),
        ),
        (
            11,
            mc(
                "single",
                "What's the answer to this multiple-choice question?",
                ("wrong answer", 0.0, "feedback comment on the wrong answer"),
                ("another wrong answer", 0.0, "feedback comment on this wrong answer"),
                ("right answer", 1.0, "Very good!"),
            ),
        ),
        (
            17,
            mc(
                "single",
                "Who's buried in Grant's tomb?",
                ("Grant", 0.0),
                ("Jefferson", 0.0),
                ("no one", 1.0),
            ),
        ),
        (20, mc("single", TOMB, ("buried", 0.0), ("entombed", 1.0), ("living", 0.0))),
        (
            23,
            mc(
                "single",
                "The American holiday of Thanksgiving is celebrated on the _____"
                " Thursday of November.",
                ("second", 0.0),
                ("third", 0.0),
                ("fourth", 1.0),
            ),
        ),
        (
            30,
            mc(
                "single",
                JAPAN + " came from what country?",
                ("India", 0.0),
                ("China", 1.0),
                ("Korea", 0.0),
                ("Egypt", 0.0),
            ),
        ),
        (
            37,
            mc(
                "single",
                TOMB,
                ("buried", 0.0, "No one is buried there."),
                ("entombed", 1.0, "Right answer!"),
                ("living", 0.0, "We hope not!"),
                title="Grant's Tomb",
            ),
        ),
        (
            45,
            mc(
                "single",
                JAPAN + "\ncame from what country?",
                ("China", 1.0),
                ("Korea", 0.0),
                ("India", 0.0),
                title="Kanji Origins",
            ),
        ),
    ],
    "02_truefalse_feedback.gift.txt": [
        (3, tf("Q1", FORTY_TWO, False, ULTIMATE, RIGHT)),
        (8, tf("2-08 TSL", "TSL is blablabla.", True)),
        (12, tf("2-08 TSL", "TSL is blablabla.", True)),
        (
            16,
            tf(
                "Q1",
                FORTY_TWO,
                False,
                ULTIMATE,
                RIGHT,
                "This is, of course, a Hitchiker's Guide to the Galaxy reference.",
            ),
        ),
        (
            23,
            tf(
                "True/false question",
                "The answer is true.",
                True,
                "This is the right answer.",
                "This is the wrong answer.",
                "You should have selected true.",
                idnumber="myid",
                tags=("tag1", "tag2"),
            ),
        ),
        (26, tf("", GRANT, False)),
        (28, tf("", "The sun rises in the east.", True)),
        (31, tf("", GRANT, False, "No one is buried in Grant's tomb.", "")),
    ],
    "03_multiple_answer_weights.gift.txt": [
        (
            3,
            mc(
                "multiple",
                SPECTRUM,
                ("yellow", 0.5, GOOD),
                ("red", -1.0, "wrong"),
                ("off-beige", 0.5, GOOD),
                ("blue", -1.0, "wrong"),
                title="colours",
            ),
        ),
        (
            13,
            mc(
                "multiple",
                SPECTRUM,
                ("yellow", 1.0, GOOD),
                ("red", -0.5, "wrong"),
                ("blue", -0.5, "wrong"),
                title="colours",
            ),
        ),
        (
            21,
            mc(
                "multiple",
                TWO,
                ("No one", 0.0),
                ("Grant", 0.5),
                ("Grant's wife", 0.5),
                ("Grant's father", 0.0),
            ),
        ),
        (
            28,
            mc(
                "multiple",
                TWO,
                ("No one", -0.5),
                ("Grant", 0.5),
                ("Grant's wife", 0.5),
                ("Grant's father", -0.5),
            ),
        ),
        (
            35,
            mc(
                "single",
                "Jesus Christ was from _____.",
                ("Jerusalem", 0.0, "This was an important city, but the wrong answer."),
                ("Bethlehem", 0.25, "He was born here, but not raised here."),
                ("Galilee", 0.5, "You need to be more specific."),
                ("Nazareth", 1.0, "Yes! That's right!"),
                title="Jesus' hometown",
            ),
        ),
        (
            42,
            mc(
                "single",
                "Difficult multiple choice question.",
                ("wrong answer", 0.0, "comment on wrong answer"),
                ("half credit answer", 0.5, "comment on answer"),
                ("full credit answer", 1.0, "well done!"),
            ),
        ),
        (
            48,
            mc(
                "single",
                "Difficult question.",
                ("wrong answer", 0.0),
                ("half credit answer", 0.5),
                ("full credit answer", 1.0),
            ),
        ),
    ],
}


@pytest.mark.parametrize("name", sorted(CONFORMANCE))
def test_conformance_file(name: str) -> None:
    """Each Moodle sample file reads exactly as its README table says."""
    result = parse_gift((DATA / name).read_text(encoding="utf-8"))
    expected = CONFORMANCE[name]
    assert result.skipped == ()
    assert result.warnings == ()
    assert len(result.questions) == len(expected)
    for number, (question, (line, want)) in enumerate(
        zip(result.questions, expected, strict=True), 1
    ):
        assert dataclasses.replace(question, line=0) == want, f"question {number}"
        assert question.line == line, f"question {number}"


def test_conformance_files_are_all_covered() -> None:
    """Every data file has expectations, so none is silently ignored."""
    assert sorted(p.name for p in DATA.glob("*.gift.txt")) == sorted(CONFORMANCE)


# --------------------------------------------------------------------------
# Question types


def test_single_choice() -> None:
    q = single("Who's buried in Grant's tomb?{~Grant ~Jefferson =no one}")
    assert q.qtype == "single"
    assert q.stem == "Who's buried in Grant's tomb?"
    assert [(c.text, c.fraction, c.correct) for c in q.choices] == [
        ("Grant", 0.0, False),
        ("Jefferson", 0.0, False),
        ("no one", 1.0, True),
    ]
    assert q.line == 1


def test_single_keeps_partial_credit() -> None:
    q = single("Pick.{=best ~%50%half ~%-25%bad ~none}")
    assert q.qtype == "single"
    assert [c.fraction for c in q.choices] == [1.0, 0.5, -0.25, 0.0]


def test_single_with_zero_weight_answer() -> None:
    q = single("Pick.{~wrong =right ~%0%zero}")
    assert [(c.text, c.fraction) for c in q.choices] == [
        ("wrong", 0.0),
        ("right", 1.0),
        ("zero", 0.0),
    ]


def test_multiple_with_weights_and_decimals() -> None:
    q = single(
        "Which three?{~%33.33333%one ~%33.33333%two ~%33.33334%three ~%-100%four}"
    )
    assert q.qtype == "multiple"
    assert [c.fraction for c in q.choices] == pytest.approx(
        [0.3333333, 0.3333333, 0.3333334, -1.0]
    )
    assert [c.correct for c in q.choices] == [True, True, True, False]


def test_multiple_without_equals_even_with_one_full_answer() -> None:
    q = single("Q?{~%100%only ~%-50%no ~no again}")
    assert q.qtype == "multiple"
    assert [c.fraction for c in q.choices] == [1.0, -0.5, 0.0]


def test_weight_forms() -> None:
    q = single("Q?{~%50%a ~%50.%b ~%.5%c ~% -10 %d}")
    assert [c.fraction for c in q.choices] == pytest.approx([0.5, 0.5, 0.005, -0.1])


@pytest.mark.parametrize(
    ("block", "is_true"),
    [("{T}", True), ("{TRUE}", True), ("{F}", False), ("{FALSE}", False)],
)
def test_truefalse_short_forms(block: str, is_true: bool) -> None:
    q = single("The sun rises in the east." + block)
    assert q.qtype == "true_false"
    assert q.choices == (
        C("True", 1.0 if is_true else 0.0),
        C("False", 0.0 if is_true else 1.0),
    )


def test_truefalse_feedback_order_when_true() -> None:
    q = single("Q is true.{TRUE#shown if wrong#shown if right####general}")
    assert q.choices == (
        C("True", 1.0, "shown if right"),
        C("False", 0.0, "shown if wrong"),
    )
    assert q.general_feedback == "general"


def test_truefalse_feedback_order_when_false() -> None:
    q = single("Q is false.{F#shown if wrong#shown if right}")
    assert q.choices == (
        C("True", 0.0, "shown if wrong"),
        C("False", 1.0, "shown if right"),
    )


def test_truefalse_only_right_feedback() -> None:
    q = single("Q.{T##only right}")
    assert q.choices == (C("True", 1.0, "only right"), C("False", 0.0, ""))


def test_truefalse_lower_case_is_accepted_with_warning() -> None:
    result = parse_gift("Q.{true}")
    assert result.questions[0].qtype == "true_false"
    assert result.questions[0].choices[0].fraction == 1.0
    assert len(result.warnings) == 1
    assert result.warnings[0].startswith("line 1: 'true' is read as true/false")


# --------------------------------------------------------------------------
# Feedback, titles, missing word


def test_answer_and_general_feedback() -> None:
    q = single("Q?{\n=right#Well done.\n~wrong # Not quite.\n~other\n####Because.\n}")
    assert q.choices == (
        C("right", 1.0, "Well done."),
        C("wrong", 0.0, "Not quite."),
        C("other", 0.0, ""),
    )
    assert q.general_feedback == "Because."


def test_general_feedback_is_the_last_four_hashes() -> None:
    q = single("Q?{=a#fb ~b ####general # with a hash}")
    assert q.general_feedback == "general # with a hash"
    assert q.choices[0].feedback == "fb"


def test_title() -> None:
    q = single("::My title:: The question?{T}")
    assert q.title == "My title"
    assert q.stem == "The question?"


def test_title_with_escaped_colons_and_no_title() -> None:
    assert single(r"::Ratio 1\:2::Q?{T}").title == "Ratio 1:2"
    assert single("Q?{T}").title == ""


def test_unclosed_title_is_text_with_warning() -> None:
    result = parse_gift(":: no end Q?{T}")
    assert result.questions[0].title == ""
    assert result.questions[0].stem == "no end Q?"
    assert result.warnings[0].startswith("line 1: '::' opens a title")


def test_missing_word_spacing() -> None:
    assert single("Grant is {~buried =entombed} in the tomb.").stem == (
        "Grant is _____ in the tomb."
    )
    assert single("Jesus was from {~Rome =Nazareth}.").stem == "Jesus was from _____."
    # Block at the very end: no blank, surrounding space trimmed.
    assert single("Who is it? {~a =b}").stem == "Who is it?"
    assert single("{~a =b} is the first letter.").stem == "_____ is the first letter."


def test_multiline_stem_keeps_line_breaks_between_trimmed_lines() -> None:
    q = single("   First line   \n\t  second line\n{~a =b}")
    assert q.stem == "First line\nsecond line"


# --------------------------------------------------------------------------
# Escapes


@pytest.mark.parametrize(
    ("written", "read"),
    [
        (r"\~", "~"),
        (r"\=", "="),
        (r"\#", "#"),
        (r"\{", "{"),
        (r"\}", "}"),
        (r"\:", ":"),
        (r"\n", "\n"),
        ("\\\\", "\\"),
        (r"\a", r"\a"),
        ("\\\\n", "\\n"),
    ],
)
def test_escape_in_every_text(written: str, read: str) -> None:
    q = single(
        f"::T{written}T::S{written}S{{=A{written}A#F{written}F ~B{written}B"
        f"####G{written}G}}"
    )
    assert q.title == f"T{read}T"
    assert q.stem == f"S{read}S"
    assert q.choices[0] == C(f"A{read}A", 1.0, f"F{read}F")
    assert q.choices[1].text == f"B{read}B"
    assert q.general_feedback == f"G{read}G"


def test_escaped_structure_characters_do_not_act() -> None:
    q = single(r"Is 2\=2 \{really\}?{~no\~ =yes \#1 ~maybe\: not}")
    assert q.stem == "Is 2=2 {really}?"
    assert [c.text for c in q.choices] == ["no~", "yes #1", "maybe: not"]
    assert [c.feedback for c in q.choices] == ["", "", ""]


def test_double_backslash_before_brace_still_opens_the_block() -> None:
    q = single("A \\\\{=x ~y}")
    assert q.stem == "A \\"


# --------------------------------------------------------------------------
# File layout: line ends, BOM, blank lines, comments, categories


def test_crlf_cr_and_bom() -> None:
    text = "\ufeff// c\r\nQ1\r\nline two{T}\r\n\r\nQ2{F}\rtail\r\rQ3{T}"
    result = parse_gift(text)
    assert [(q.stem, q.line) for q in result.questions] == [
        ("Q1\nline two", 2),
        ("Q2_____\ntail", 5),
        ("Q3", 8),
    ]
    assert "\r" not in "".join(q.stem for q in result.questions)
    assert parse_gift("\ufeffQ{T}").questions[0].stem == "Q"
    assert parse_gift("\ufeff::T::Q{T}").questions[0].title == "T"


def test_cr_only_file() -> None:
    result = parse_gift("A?{T}\r\rB?{F}\r")
    assert [(q.stem, q.line) for q in result.questions] == [("A?", 1), ("B?", 3)]


def test_whitespace_only_lines_separate_questions() -> None:
    result = parse_gift("A?{T}\n   \t \nB?{F}\n\u00a0\nC?{T}")
    assert [(q.stem, q.line) for q in result.questions] == [
        ("A?", 1),
        ("B?", 3),
        ("C?", 5),
    ]


def test_comment_lines_are_dropped_everywhere() -> None:
    text = (
        "// header comment\n"
        "\n"
        "   // indented comment\n"
        "First line\n"
        "// a comment inside the question is dropped too, as in Moodle\n"
        "second line{\n"
        "// even inside the answer block\n"
        "=yes ~no}"
    )
    q = single(text)
    assert q.stem == "First line\nsecond line"
    assert [c.text for c in q.choices] == ["yes", "no"]
    assert q.line == 4


def test_double_slash_inside_a_line_is_text() -> None:
    q = single("See http://example.org // not a comment{=https://a.b ~x//y}")
    assert q.stem == "See http://example.org // not a comment"
    assert [c.text for c in q.choices] == ["https://a.b", "x//y"]


def test_comment_only_file() -> None:
    assert parse_gift("// one\n\n// two\n") == ParseResult((), (), ())
    assert parse_gift("") == ParseResult((), (), ())


def test_categories() -> None:
    text = (
        "Before?{T}\n\n"
        "$CATEGORY: Safety/Neck\n\n"
        "A?{T}\n\n"
        "B?{F}\n\n"
        "$CATEGORY: $course$/top/Massage/Hernia\n\n"
        "C?{T}\n\n"
        "$CATEGORY: $system$/top\n\n"
        "D?{T}\n\n"
        "$CATEGORY:  top / x//y /  z \n\n"
        "E?{T}"
    )
    result = parse_gift(text)
    assert [(q.stem, q.category) for q in result.questions] == [
        ("Before?", ""),
        ("A?", "Safety/Neck"),
        ("B?", "Safety/Neck"),
        ("C?", "Massage/Hernia"),
        ("D?", ""),
        ("E?", "x//y/z"),
    ]
    assert result.warnings == ()


def test_category_followed_directly_by_a_question() -> None:
    result = parse_gift("// c\n$CATEGORY: a/b\n// rules: R-X\nQ?{T}")
    q = result.questions[0]
    assert (q.category, q.stem, q.rules, q.line) == ("a/b", "Q?", ("R-X",), 4)
    assert result.warnings[0].startswith("line 4: a question follows $CATEGORY")


# --------------------------------------------------------------------------
# Metadata: rules convention, idnumber, Moodle [id:] and [tag:]


def test_rules_and_idnumber_comments_directly_above() -> None:
    text = (
        "// Source: somewhere\n"
        "// rules: R-NO-TWIST, R-SMOOTH\n"
        "// idnumber: SEED-001\n"
        "::t::Q?{T}"
    )
    q = single(text)
    assert q.rules == ("R-NO-TWIST", "R-SMOOTH")
    assert q.idnumber == "SEED-001"


def test_rules_separated_by_blank_line_do_not_apply() -> None:
    q = single("// rules: R-A\n// idnumber: X\n\nQ?{T}")
    assert q.rules == ()
    assert q.idnumber == ""


def test_rules_comment_inside_or_after_a_question_is_ignored() -> None:
    q = single("Q?{\n// rules: R-INSIDE\n=a ~b}\n// rules: R-AFTER")
    assert q.rules == ()


def test_rules_forms() -> None:
    q = single("//rules:R-A,, R-B ,R-A\n//   RULES :  R-C\nQ?{T}")
    assert q.rules == ("R-A", "R-B", "R-C")


def test_moodle_id_and_tags() -> None:
    q = single(
        "// question: 1  name: x\n"
        r"// [id:my\]id] [tag:first] [tag: second ] [tag:first]"
        "\n"
        "Q?{T}"
    )
    assert q.idnumber == "my]id"
    assert q.tags == ("first", "second")


def test_idnumber_comment_wins_over_moodle_id() -> None:
    q = single("// [id:moodle]\n// idnumber: ours\nQ?{T}")
    assert q.idnumber == "ours"


# --------------------------------------------------------------------------
# Text formats and HTML


def test_html_is_converted_to_plain_text() -> None:
    q = single(
        "[html]<p>First &amp; <b>bold</b></p><p>Second<br/>line&nbsp;3 &lt;4</p>"
        "{=<i>yes</i> ~no#<em>feedback</em> ####<p>general</p>}"
    )
    assert q.stem == "First & bold\nSecond\nline\u00a03 <4"
    assert q.choices[0].text == "yes"
    assert q.choices[1].feedback == "feedback"
    assert q.general_feedback == "general"


def test_html_folds_source_white_space() -> None:
    q = single("[html]Some\ntext   here{T}")
    assert q.stem == "Some text here"


def test_moodle_format_keeps_line_breaks_and_strips_tags() -> None:
    q = single("[moodle]Some <b>bold</b>\ntext{T}")
    assert q.stem == "Some bold\ntext"
    assert single("Default <b>is</b> moodle{T}").stem == "Default is moodle"


def test_plain_format_is_literal() -> None:
    q = single(r"[plain]Use <b> for bold &amp; more{=[plain]<i> ~x}")
    assert q.stem == "Use <b> for bold &amp; more"
    assert q.choices[0].text == "<i>"


def test_markdown_keeps_markdown_and_drops_html() -> None:
    q = single("[markdown]**Bold** <span>text</span>{T}")
    assert q.stem == "**Bold** text"


def test_answer_and_feedback_formats_default_to_the_question_format() -> None:
    q = single("[html]Q{=a &amp; b#c &amp; d ~[plain]e &amp; f#g &amp; h}")
    assert q.choices[0] == C("a & b", 1.0, "c & d")
    # [plain] on the answer does not change its feedback's default (Moodle).
    assert q.choices[1] == C("e &amp; f", 0.0, "g & h")


def test_unknown_format_prefix_is_text() -> None:
    assert single("[1] First?{T}").stem == "[1] First?"
    assert single("[HTML]Upper?{T}").stem == "[HTML]Upper?"


@pytest.mark.parametrize("prefix", ["", "[html]", "[moodle]", "[markdown]"])
def test_script_never_survives(prefix: str) -> None:
    payloads = [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
        "<img src=x onerror=alert(1)>",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "<<b></b>script>alert(1)<</b>/script>",
        "<!-- <script>alert(1)</script>",
        "<style>body{}</style>",
    ]
    for payload in payloads:
        escaped = payload.replace("{", "\\{").replace("}", "\\}")
        escaped = escaped.replace("=", "\\=").replace("#", "\\#")
        q = single(
            f"{prefix}Safe {escaped} stem{{={prefix}ok{escaped}#{prefix}"
            f"fb{escaped} ~no####{prefix}gf{escaped}}}"
        )
        texts = [q.stem, q.general_feedback]
        texts += [t for c in q.choices for t in (c.text, c.feedback)]
        for text in texts:
            assert "<script" not in text.lower(), (payload, text)
            assert "alert(1)" not in text, (payload, text)
            assert "<img" not in text.lower(), (payload, text)
            assert "<style" not in text.lower(), (payload, text)
        # An unclosed "<!--" hides the rest of the text, as in a browser.
        assert q.stem.startswith("Safe")


# --------------------------------------------------------------------------
# Unsupported types are skipped, never misread


def test_unsupported_types_are_skipped_with_their_lines() -> None:
    text = (
        "// short answer\n"
        "Who's buried in Grant's tomb?{=no one =nobody}\n"
        "\n"
        "Capital of France?{Paris}\n"
        "\n"
        "::num::When was Grant born?{#1822:5}\n"
        "\n"
        "Match.{\n=Canada -> Ottawa\n=Italy -> Rome\n}\n"
        "\n"
        "::Q8:: How are you? {}\n"
        "\n"
        "Just some text\nwith no block.\n"
        "\n"
        "Supported?{T}\n"
        "\n"
        "Range?{#1..5}\n"
        "\n"
        "Essay with feedback {####Think first.}\n"
        "\n"
        "Weighted short answer{=%50%Cat =Frog}"
    )
    result = parse_gift(text)
    assert [q.stem for q in result.questions] == ["Supported?"]
    assert result.questions[0].line == 18
    assert [(s.line, s.kind) for s in result.skipped] == [
        (2, "short answer"),
        (4, "short answer"),
        (6, "numerical"),
        (8, "matching"),
        (13, "essay"),
        (15, "description"),
        (20, "numerical"),
        (22, "essay"),
        (24, "short answer"),
    ]
    assert result.skipped[0] == SkippedQuestion(
        2,
        "short answer",
        "short answer questions are not supported (it asks for typed text)",
    )


def test_tilde_makes_multichoice_even_with_arrows() -> None:
    q = single("Q?{~a -> b =c}")
    assert q.qtype == "single"
    assert [c.text for c in q.choices] == ["a -> b", "c"]


def test_numerical_with_tilde_feedback_is_numerical() -> None:
    result = parse_gift("Number?{#3:2~#Completely wrong}")
    assert result.questions == ()
    assert result.skipped[0].kind == "numerical"


# --------------------------------------------------------------------------
# Errors


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("Q1{T}\n\nQ2 line one\nline two {~a =b", 4, "'{' is never closed"),
        ("Q?\n~a =b}", 2, "'}' without an opening '{'"),
        ("Q? } then {~a =b}", 1, "'}' comes before"),
        ("Q?{\n~a\n{=b}\n}", 3, "'{' inside the answer block opened on line 1"),
        ("Q?{~a =b}\nmore {~c =d}", 2, "only one answer block"),
        ("Q?{~a =b} and }", 1, "only one answer block"),
        ("Q?{\n=a\n~\n~c}", 3, "empty answer: '~'"),
        ("Q?{=a ~= b}", 1, "empty answer"),
        ("Q?{=a\n~%abc%b}", 2, "invalid weight '%abc%'"),
        ("Q?{=a ~%--50%b}", 1, "invalid weight '%--50%'"),
        ("Q?{~%50%a ~%150%b}", 1, "weight 150% is outside"),
        ("Q?{=a ~%50%}", 1, "empty answer after the weight"),
        ("Q?{=%50%a ~b}", 1, "'=' marks the 100% answer and takes no weight"),
        ("Q?{TRUE FALSE}", 1, "true/false answer 'TRUE' is followed by 'FALSE'"),
        ("Q?{\nT garbage#fb}", 2, "true/false answer 'T' is followed by 'garbage'"),
        ("Q?{=a =b ~c}", 1, "exactly one 100% answer, found 2"),
        ("Q?{~%100%a =b}", 1, "exactly one 100% answer, found 2"),
        ("Q?{=%0%a ~b}", 1, "takes no weight"),
        ("Q?{~a ~b ~c}", 1, "earns credit"),
        ("Q?{~%-50%a ~b}", 1, "earns credit"),
        ("Q?{~only}", 1, "at least two answers"),
        ("Q?{~}", 1, "empty answer"),
        ("Q?{~[html]<b></b> =b}", 1, "an answer has no text"),
        ("::t::{T}", 1, "the question text is empty"),
        ("[html]<p></p>{~a =b}", 1, "the question text is empty"),
        ("Q?{#}", 1, "numerical answer block has no answer"),
        ("Q?{=a -> b =c}", 1, "matching pair 'c' has no '->'"),
        ("Q?{=a -> b}", 1, "at least two pairs"),
        ("Q?{=}", 1, "short-answer block has no answer"),
    ],
)
def test_errors_name_the_line(text: str, line: int, fragment: str) -> None:
    with pytest.raises(FormatError) as info:
        parse_gift(text)
    assert info.value.line == line
    assert fragment in info.value.message
    assert str(info.value) == f"line {line}: {info.value.message}"


def test_format_error_is_a_value_error() -> None:
    error = FormatError(7, "bad thing")
    assert isinstance(error, ValueError)
    assert str(error) == "line 7: bad thing"
    assert (error.line, error.message) == (7, "bad thing")


# --------------------------------------------------------------------------
# Warnings


def test_text_before_the_first_marker_is_a_wrong_answer() -> None:
    result = parse_gift("Q?{oops ~a =b}")
    assert result.questions[0].choices[0] == C("oops", 0.0)
    assert result.warnings == (
        "line 1: text 'oops' before the first '~' or '=' is read as a wrong"
        " answer, as Moodle does",
    )


def test_weights_not_adding_up_warn() -> None:
    result = parse_gift("Q?{\n~%50%a\n~%25%b ~c}")
    assert result.questions[0].qtype == "multiple"
    assert result.warnings == (
        "line 2: the positive weights add up to 75%, not 100% (Moodle warns"
        " about this too)",
    )


def test_duplicate_answers_warn() -> None:
    result = parse_gift("Q?{=a ~a}")
    assert result.warnings == ("line 1: the same answer text appears more than once",)

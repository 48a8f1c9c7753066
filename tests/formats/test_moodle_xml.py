"""Moodle XML read as Moodle's qformat_xml reads it, written as it writes it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from questions.formats import (
    ExportError,
    FormatError,
    ParsedChoice,
    ParsedQuestion,
    parse_moodle_xml,
    write_moodle_xml,
    xml_problem,
)
from questions.formats.moodle_xml import MAX_DEPTH

FIXTURES = Path(__file__).parent / "fixtures"
C = ParsedChoice


def quiz(*questions: str) -> str:
    """A Moodle XML document around *questions*."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n'
        + "".join(questions)
        + "</quiz>\n"
    )


def multichoice(answers: str, single: str | None = "true", extra: str = "") -> str:
    """A multichoice question with the given answers."""
    single_element = f"<single>{single}</single>" if single is not None else ""
    return (
        '<question type="multichoice"><name><text>Q</text></name>'
        '<questiontext format="html"><text>Which?</text></questiontext>'
        f"{single_element}{answers}{extra}</question>\n"
    )


def answer(fraction: str, text: str, feedback: str = "") -> str:
    return (
        f'<answer fraction="{fraction}"><text>{text}</text>'
        f"<feedback><text>{feedback}</text></feedback></answer>"
    )


# --------------------------------------------------------------------------
# Files in the layout of Moodle's exports (tests/formats/fixtures/README.md)


def test_a_moodle_multichoice_export_reads_as_moodle_reads_it() -> None:
    result = parse_moodle_xml((FIXTURES / "multichoice.xml").read_text("utf-8"))

    assert result.skipped == () and result.warnings == ()
    (question,) = result.questions
    assert question == ParsedQuestion(
        qtype="single",
        stem="Listen to the description:\n\nWhich movement belongs in a neck massage?",
        choices=(
            C("A quick twist", 0.0, "No: never twist the neck."),
            C("Slow stroking", 1.0, "Yes: smooth and gradual."),
            C("A sharp jerk", 0.0, "No: no sudden movements."),
            C("Deep pressure", 0.0, "No: no sudden movements."),
        ),
        title="Movements",
        category="Default for Rulewise/Safety",
        line=12,
    )


def test_a_moodle_truefalse_export_reads_as_moodle_reads_it() -> None:
    result = parse_moodle_xml((FIXTURES / "truefalse.xml").read_text("utf-8"))

    assert result.skipped == () and result.warnings == ()
    (question,) = result.questions
    # fraction 0 on "true" and 100 on "false": Moodle's correctanswer is false.
    assert question == ParsedQuestion(
        qtype="true_false",
        stem="A patient may go on with neck self-massage at home between sessions.",
        choices=(
            C("True", 0.0, "Not so: no self-massage at home."),
            C("False", 1.0, "Right: only the therapist massages."),
        ),
        title="Self-massage at home (False)",
        general_feedback="See the rules of the course.",
        category="Default for Rulewise/Home care",
        line=12,
    )


def test_moodles_truefalse_19_example() -> None:
    """xmlformat_test::test_import_truefalse_19: no formats on the feedback."""
    text = quiz(
        '<question type="truefalse"><name><text>True false question</text></name>'
        '<questiontext format="html"><text>The answer is true.</text></questiontext>'
        "<generalfeedback><text>General feedback: You should have chosen true."
        "</text></generalfeedback>"
        + answer("100", "true", "Well done!")
        + answer("0", "false", "Doh!")
        + "</question>"
    )
    (question,) = parse_moodle_xml(text).questions
    assert question.choices == (C("True", 1.0, "Well done!"), C("False", 0.0, "Doh!"))
    assert question.general_feedback == "General feedback: You should have chosen true."
    assert question.title == "True false question"


# --------------------------------------------------------------------------
# Reading, question by question


def test_single_element_decides_single_or_multiple_as_trans_single() -> None:
    answers = answer("50", "a") + answer("50", "b") + answer("-100", "c")
    for value in ("false", "0", ""):
        (q,) = parse_moodle_xml(quiz(multichoice(answers, value))).questions
        assert q.qtype == "multiple", value
        assert [c.fraction for c in q.choices] == [0.5, 0.5, -1.0]
    one_right = answer("100", "a") + answer("0", "b")
    for value in ("true", "1", None):
        (q,) = parse_moodle_xml(quiz(multichoice(one_right, value))).questions
        assert q.qtype == "single", value


def test_fractions_snap_to_moodles_grades() -> None:
    answers = answer("33.333", "a") + answer("33.33333", "b") + answer("33.3333", "c")
    answers += answer("-33.33333", "d")
    (q,) = parse_moodle_xml(quiz(multichoice(answers, "false"))).questions
    assert [c.fraction for c in q.choices] == [0.3333333] * 3 + [-0.3333333]


@pytest.mark.parametrize(
    ("fraction", "message"),
    [
        ("33.33", "answer fraction 33.33% is not one of Moodle's grades"),
        ("12", "answer fraction 12% is not one of Moodle's grades"),
        ("abc", "answer fraction 'abc' is not a number"),
        ("nan", "answer fraction 'nan' is not a number"),
    ],
)
def test_a_fraction_moodle_refuses_is_refused_with_its_line(
    fraction: str, message: str
) -> None:
    text = quiz(multichoice(answer("100", "a") + "\n" + answer(fraction, "b")))
    with pytest.raises(FormatError) as info:
        parse_moodle_xml(text)
    assert info.value.line == 4
    assert info.value.message.startswith(message)


def test_ids_tags_feedback_and_formats() -> None:
    text = quiz(
        '<question type="multichoice"><name><text>N &amp;amp; M</text></name>'
        '<questiontext format="moodle_auto_format"><text>Line 1\nLine 2</text>'
        "</questiontext><generalfeedback><text><![CDATA[<b>General</b>]]></text>"
        "</generalfeedback><idnumber> ID-7 </idnumber>"
        + answer("100", "<![CDATA[<i>yes</i>]]>", "right")
        + '<answer fraction="0" format="plain_text"><text>&lt;b&gt;</text></answer>'
        "<tags><tag><text>R-NO-TWIST</text></tag><tag><text> neck </text></tag>"
        "<tag><text>neck</text></tag><tag><text></text></tag></tags></question>"
    )
    (q,) = parse_moodle_xml(text).questions
    # A name is shown with its entities decoded, as Moodle shows it.
    assert q.title == "N & M" and q.idnumber == "ID-7"
    assert q.stem == "Line 1\nLine 2"
    assert q.general_feedback == "General"
    # Answers default to the question text's format; plain_text is literal.
    assert q.choices == (C("yes", 1.0, "right"), C("<b>", 0.0))
    assert q.tags == ("R-NO-TWIST", "neck")
    assert q.rules == ()


def test_truefalse_answers_not_named_true_and_false_are_taken_in_order() -> None:
    text = quiz(
        '<question type="truefalse"><name><text>T</text></name>'
        "<questiontext><text>Sky is blue.</text></questiontext>"
        + answer("100", "Wahr", "ja")
        + answer("0", "Falsch", "nein")
        + "</question>"
    )
    result = parse_moodle_xml(text)
    (q,) = result.questions
    assert q.choices == (C("True", 1.0, "ja"), C("False", 0.0, "nein"))
    assert "the first is taken as true" in result.warnings[0]


def test_answers_without_text_are_left_out_as_moodle_does() -> None:
    answers = answer("100", "a") + answer("0", "<![CDATA[<img src='x.png'>]]>")
    answers += answer("0", "c")
    result = parse_moodle_xml(quiz(multichoice(answers)))
    assert [c.text for c in result.questions[0].choices] == ["a", "c"]
    assert "answer 2 has no text" in result.warnings[0]


def test_categories_apply_to_the_questions_after_them() -> None:
    one = answer("100", "a") + answer("0", "b")
    text = quiz(
        multichoice(one),
        '<question type="category"><category><text>$course$/top/Safety/Neck'
        "</text></category></question>",
        multichoice(one),
        '<question type="category"><category>$system$/Old style</category></question>',
        multichoice(one),
        '<question type="category"><category><text>$course$/top</text></category>'
        "</question>",
        multichoice(one),
    )
    categories = [q.category for q in parse_moodle_xml(text).questions]
    assert categories == ["", "Safety/Neck", "Old style", ""]


def test_unsupported_types_are_skipped_by_name() -> None:
    text = quiz(
        '<question type="shortanswer"><name><text>S</text></name></question>\n',
        '<question type="essay"/>\n',
        '<question type="ddwtos"/>\n',
        multichoice(answer("100", "a") + answer("0", "b")),
    )
    result = parse_moodle_xml(text)
    assert [(s.line, s.kind) for s in result.skipped] == [
        (3, "shortanswer"),
        (4, "essay"),
        (5, "ddwtos"),
    ]
    assert "not supported" in result.skipped[0].reason
    assert len(result.questions) == 1


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("", 1, "not well-formed XML: no element found"),
        ("<quiz>\n<question type='truefalse'>", 2, "not well-formed XML: no element"),
        ("<quiz>\n<question>&nbsp;</question></quiz>", 2, "not well-formed XML: undefined entity"),
        ("<quiz>\n<a>\x01</a></quiz>", 2, "not well-formed XML: not well-formed"),
        ("<questions/>", 1, "the document is <questions>, not <quiz>"),
        ("<quiz>\n<question/></quiz>", 2, "a <question> has no type attribute"),
        (
            quiz('<question type="multichoice"><questiontext><text>x</text>'
                 "</questiontext></question>"),
            3,
            "the question has no <name><text>",
        ),
        (
            quiz(multichoice(answer("100", "a"))),
            3,
            "a multiple-choice question needs at least two answers",
        ),
        (
            quiz(multichoice(answer("100", "a") + answer("100", "b"))),
            3,
            "a single-answer question (<single>true</single>) needs exactly one"
            " 100% answer, found 2",
        ),
        (
            quiz(multichoice(answer("0", "a") + answer("-50", "b"), "false")),
            3,
            "no answer of this multiple-answer question earns credit",
        ),
        (
            quiz('<question type="truefalse"><name><text>T</text></name>'
                 "<questiontext><text>x</text></questiontext></question>"),
            3,
            "a true/false question needs its true and false answers",
        ),
        (
            quiz('<question type="truefalse"><name><text>T</text></name>'
                 "<questiontext><text><b>x</b></text></questiontext></question>"),
            3,
            "<text> holds a <b> element",
        ),
        (
            quiz('<question type="category"></question>'),
            3,
            "a category entry has no <category> path",
        ),
    ],
)  # fmt: skip
def test_bad_files_are_refused_with_line_and_reason(
    text: str, line: int, message: str
) -> None:
    with pytest.raises(FormatError) as info:
        parse_moodle_xml(text)
    assert info.value.line == line
    assert info.value.message.startswith(message), info.value.message


# --------------------------------------------------------------------------
# What defusedxml refuses

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE quiz [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<quiz><question type="truefalse"><name><text>&lol9;</text></name></question></quiz>
"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE quiz [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<quiz><question type="truefalse"><name><text>&secret;</text></name></question></quiz>
"""

EXTERNAL_DTD = """<?xml version="1.0"?>
<!DOCTYPE quiz SYSTEM "http://attacker.example/quiz.dtd">
<quiz/>
"""


def test_entity_expansion_is_refused() -> None:
    with pytest.raises(FormatError) as info:
        parse_moodle_xml(BILLION_LAUGHS)
    assert info.value.line == 2
    assert "document type declaration" in info.value.message
    assert "entity expansion" in info.value.message


@pytest.mark.parametrize(
    ("text", "target"),
    [(EXTERNAL_ENTITY, None), (EXTERNAL_DTD, "http://attacker.example/quiz.dtd")],
)
def test_external_entities_are_refused(text: str, target: str | None) -> None:
    with pytest.raises(FormatError) as info:
        parse_moodle_xml(text)
    assert info.value.line == 2
    assert "document type declaration" in info.value.message
    if target:
        assert f"names an external file ({target})" in info.value.message


def test_deep_nesting_is_refused() -> None:
    text = "<quiz>" + "<a>" * (MAX_DEPTH + 5) + "</a>" * (MAX_DEPTH + 5) + "</quiz>"
    with pytest.raises(FormatError, match=f"nested more than {MAX_DEPTH} deep"):
        parse_moodle_xml(text)


# --------------------------------------------------------------------------
# Writing


def test_written_xml_is_moodles_layout() -> None:
    question = ParsedQuestion(
        "multiple",
        "Pick <two> & more",
        (C("a", 1.0, "fb"), C("b", 1.0), C("c", 0.0)),
        title="Title",
        category="Safety",
        rules=("R-A",),
        idnumber="X-1",
    )
    text = write_moodle_xml([question])
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n')
    assert "<text>$course$/top/Safety</text>" in text
    assert '<question type="multichoice">' in text
    assert "<single>false</single>" in text
    assert (
        '<questiontext format="plain_text">\n      <text>Pick &lt;two&gt; &amp; more</text>'
        in text
    )
    assert text.count('<answer fraction="50" format="plain_text">') == 2
    assert '<answer fraction="-50" format="plain_text">' in text
    assert "<idnumber>X-1</idnumber>" in text
    assert "<tags>\n      <tag><text>R-A</text></tag>\n    </tags>" in text


def test_a_question_without_title_is_named_after_its_text_and_read_back_untitled() -> (
    None
):
    question = ParsedQuestion(
        "true_false", "Is " + "very " * 30 + "long?", (C("True", 1.0), C("False", 0.0))
    )
    text = write_moodle_xml([question])
    assert "<text>Is very very" in text and "…</text>" in text
    (back,) = parse_moodle_xml(text).questions
    assert dataclasses.replace(back, line=0) == question


@pytest.mark.parametrize(
    ("question", "problem"),
    [
        (
            ParsedQuestion("single", "Q\ufffe?", (C("a", 1.0), C("b", 0.0))),
            "it holds U+FFFE, a character XML 1.0 cannot carry",
        ),
        (
            ParsedQuestion("single", "Q?", (C("a", 1.0), C("b", 0.37))),
            "fraction 0.37 of choice 2 is not one of Moodle's grades",
        ),
        (
            ParsedQuestion("single", "Q?", (C("a", 1.0), C("b", 0.0)), tags=(" x",)),
            "tag ' x' is empty or starts or ends with a space",
        ),
        (
            ParsedQuestion("true_false", "Q?", (C("True", 0.0), C("False", 0.0))),
            "exactly one of True and False must be right",
        ),
    ],
)
def test_unwritable_xml_questions(question: ParsedQuestion, problem: str) -> None:
    assert xml_problem(question) == problem
    with pytest.raises(ExportError) as info:
        write_moodle_xml([question])
    (reported,) = info.value.problems
    assert reported.startswith("question 1 (") and reported.endswith(f"): {problem}")


def test_write_nothing() -> None:
    assert write_moodle_xml([]) == ""

"""Tests for the Aiken reader and writer."""

from __future__ import annotations

import pytest

from questions.formats import (
    ExportError,
    FormatError,
    ParsedChoice,
    ParsedQuestion,
    aiken_problem,
    parse_aiken,
    write_aiken,
)

C = ParsedChoice


def test_dot_and_parenthesis_labels_and_no_blank_line_after_answer() -> None:
    text = (
        "What is the correct answer to this question?\n"
        "A. Is it this one?\n"
        "B. Maybe this answer?\n"
        "C. Possibly this one?\n"
        "D. Must be this one!\n"
        "ANSWER: D\n"
        "Which LMS has the most quiz import formats?\n"
        "A) Moodle\n"
        "B) ATutor\n"
        "C) Claroline\n"
        "ANSWER: A\n"
    )
    result = parse_aiken(text)
    assert result.skipped == ()
    assert result.warnings == ()
    assert result.questions == (
        ParsedQuestion(
            "single",
            "What is the correct answer to this question?",
            (
                C("Is it this one?", 0.0),
                C("Maybe this answer?", 0.0),
                C("Possibly this one?", 0.0),
                C("Must be this one!", 1.0),
            ),
            line=1,
        ),
        ParsedQuestion(
            "single",
            "Which LMS has the most quiz import formats?",
            (C("Moodle", 1.0), C("ATutor", 0.0), C("Claroline", 0.0)),
            line=7,
        ),
    )


def test_moodle_fixture_html_stays_literal_and_true_false_is_mapped() -> None:
    # moodle/moodle question/format/aiken/tests/fixtures/questions.aiken.txt
    text = (
        "The Moodle project was started by:\n"
        "A) Petr Skoda\nB) Martin Dougiamas\nC) Eloy Lafuente\nD) Tim Hunt\n"
        "ANSWER: B\n\n"
        "Moodle's abilities include handling user input that includes "
        '<html class="cool"> & images:\n'
        "A) True\nB) False\nANSWER: A\n"
    )
    first, second = parse_aiken(text).questions
    assert [c.text for c in first.choices if c.correct] == ["Martin Dougiamas"]
    assert second.qtype == "true_false"
    assert second.stem.endswith('includes <html class="cool"> & images:')
    assert second.choices == (C("True", 1.0), C("False", 0.0))
    assert second.line == 8


def test_moodle_error_fixture_good_questions_without_space_after_label() -> None:
    text = (
        "A second good question\n"
        "A)Incorrect (No space)\n"
        "B)Correct (No space)\n"
        "ANSWER: B"
    )
    q = parse_aiken(text).questions[0]
    assert q.choices == (C("Incorrect (No space)", 0.0), C("Correct (No space)", 1.0))


def test_true_false_in_any_order_and_case() -> None:
    q = parse_aiken("Sky is green.\nA. false\nB. TRUE\nANSWER: A").questions[0]
    assert q.qtype == "true_false"
    assert q.choices == (C("True", 0.0), C("False", 1.0))


def test_multiline_stem_crlf_bom_and_blank_lines() -> None:
    text = (
        "\ufeffFirst line of the stem\r\n"
        "   second line   \r\n"
        "\r\n"
        "A) yes\r\n"
        "\r\n"
        "B) no\r\n"
        "ANSWER: A\r\n"
        "\r\n\r\n"
        "Next?\r\nA. x\r\nB. y\r\nANSWER: B"
    )
    first, second = parse_aiken(text).questions
    assert first.stem == "First line of the stem\nsecond line"
    assert first.choices == (C("yes", 1.0), C("no", 0.0))
    assert (second.stem, second.line) == ("Next?", 10)


def test_dotted_abbreviation_inside_a_stem_is_text() -> None:
    text = "Which law?\nU.S. law says so.\nA) First\nB) Second\nANSWER: B"
    q = parse_aiken(text).questions[0]
    assert q.stem == "Which law?\nU.S. law says so."
    assert len(q.choices) == 2


def test_lenient_answer_line_warns() -> None:
    result = parse_aiken("Q?\nA) a\nB) b\nanswer : b")
    assert result.questions[0].choices[1].fraction == 1.0
    assert result.warnings == (
        "line 4: read 'answer : b' as the answer; Moodle only accepts"
        " 'ANSWER: X' with capitals",
    )


def test_answer_letter_with_trailing_punctuation() -> None:
    q = parse_aiken("Q?\nA) a\nB) b\nANSWER: B)").questions[0]
    assert [c.correct for c in q.choices] == [False, True]


def test_lower_case_answer_prose_is_stem_text() -> None:
    q = parse_aiken("Answer: the following.\nA) a\nB) b\nANSWER: A").questions[0]
    assert q.stem == "Answer: the following."


def test_one_character_lines_are_skipped_like_moodle() -> None:
    result = parse_aiken("Q?\nA) a\n-\nB) b\nANSWER: A")
    assert len(result.questions[0].choices) == 2
    assert result.warnings == (
        "line 3: skipped the one-character line '-', as Moodle does",
    )


def test_out_of_order_letters_map_by_letter_and_warn() -> None:
    result = parse_aiken("Q?\nA) a\nC) c\nANSWER: C")
    assert [c.correct for c in result.questions[0].choices] == [False, True]
    assert result.warnings[0].startswith("line 3: option C is out of order")


def test_empty_input() -> None:
    result = parse_aiken("\n\n  \n")
    assert result.questions == () and result.skipped == () and result.warnings == ()


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("A) first\nB) second\nANSWER: A", 1, "comes before any question text"),
        ("Q1?\nA) a\nB) b\nANSWER: A\nA) stray", 5, "comes before any question"),
        ("Q?\nA) only\nANSWER: A", 3, "has 1 option(s); Aiken needs at least two"),
        ("Q?\nANSWER: A", 2, "has 0 option(s)"),
        ("Q?\nA) a\nB) b\n\nNext?\nA) c\nB) d\nANSWER: A", 5, "no 'ANSWER:' line"),
        ("Q?\nA) a\nB) b\n", 1, "the question has no 'ANSWER:' line"),
        ("Q?\n\nR?\nA) a\nB) b\nANSWER: A", 3, "has no options"),
        ("Only a stem", 1, "has no options or 'ANSWER:' line"),
        ("Q?\nA) a\nB) b\nA) again\nANSWER: A", 4, "letter A is used twice"),
        ("Q?\nA) a\nB) b\nANSWER: C", 4, "ANSWER: C is not one of the options (A, B)"),
        ("Q?\nA) a\nB) b\nANSWER: A, B", 4, "must name one option letter"),
        ("Q?\nA) a\nB) b\nANSWER:", 4, "must name one option letter"),
        ("ANSWER: A", 1, "without a question above it"),
        ("Q?\nA)\nB) b\nANSWER: B", 2, "option A has no text"),
    ],
)
def test_errors_name_the_line(text: str, line: int, fragment: str) -> None:
    with pytest.raises(FormatError) as info:
        parse_aiken(text)
    assert info.value.line == line
    assert fragment in info.value.message
    assert str(info.value).startswith(f"line {line}: ")


# --------------------------------------------------------------------------
# Writer


def test_write_single_and_true_false() -> None:
    questions = [
        ParsedQuestion(
            "single",
            "Which is safe?\nPick one.",
            (C("Twisting", 0.0, "no"), C("Smooth strokes", 1.0, "yes")),
            title="lost",
            general_feedback="lost too",
        ),
        ParsedQuestion("true_false", "Ice helps.", (C("True", 1.0), C("False", 0.0))),
        ParsedQuestion("true_false", "Twist hard.", (C("True", 0.0), C("False", 1.0))),
    ]
    assert write_aiken(questions) == (
        "Which is safe? Pick one.\nA. Twisting\nB. Smooth strokes\nANSWER: B\n\n"
        "Ice helps.\nA. True\nB. False\nANSWER: A\n\n"
        "Twist hard.\nA. True\nB. False\nANSWER: B\n"
    )


def test_write_then_read_single_and_true_false() -> None:
    questions = (
        ParsedQuestion("single", "Q1?", (C("a", 0.0), C("b", 1.0), C("c", 0.0))),
        ParsedQuestion("true_false", "Q2?", (C("True", 0.0), C("False", 1.0))),
    )
    back = parse_aiken(write_aiken(questions)).questions
    assert [(q.qtype, q.stem, q.choices) for q in back] == [
        (q.qtype, q.stem, q.choices) for q in questions
    ]


def test_multiple_cannot_be_written() -> None:
    ok = ParsedQuestion("single", "Fine?", (C("a", 1.0), C("b", 0.0)))
    bad = ParsedQuestion(
        "multiple", "Which two?", (C("a", 0.5), C("b", 0.5), C("c", -1.0)), title="T"
    )
    with pytest.raises(ExportError) as info:
        write_aiken([ok, bad, bad])
    assert info.value.problems == (
        "question 2 ('T'): Aiken has no multiple-answer questions",
        "question 3 ('T'): Aiken has no multiple-answer questions",
    )
    assert isinstance(info.value, ValueError)
    assert write_aiken([ok, bad], skip_unsupported=True) == (
        "Fine?\nA. a\nB. b\nANSWER: A\n"
    )


@pytest.mark.parametrize(
    ("question", "problem"),
    [
        (
            ParsedQuestion("single", "A. Lincoln was?", (C("a", 1.0), C("b", 0.0))),
            "the question text would be read as an option or ANSWER line",
        ),
        (
            ParsedQuestion("single", "Q?", (C("a", 1.0), C("b", 1.0))),
            "Aiken needs exactly one right option",
        ),
        (
            ParsedQuestion("single", "Q?", (C("a", 1.0),)),
            "Aiken needs between 2 and 26 options",
        ),
        (
            ParsedQuestion("single", "?", (C("a", 1.0), C("b", 0.0))),
            "the question text is shorter than two characters",
        ),
        (ParsedQuestion("single", "Q?", (C("a", 1.0), C("b", 0.0))), None),
    ],
)
def test_aiken_problem(question: ParsedQuestion, problem: str | None) -> None:
    assert aiken_problem(question) == problem


def test_write_empty() -> None:
    assert write_aiken([]) == ""

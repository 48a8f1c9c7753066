"""The question-file readers and writers speak the active language.

Every error, warning, skip reason and export problem of ``questions/formats``
is a whole translatable sentence, translated when it is made; these tests read
them in Russian, and a static check keeps new plain-English messages out.
"""

import ast
import pickle
from pathlib import Path

import pytest

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from questions.formats import (
    ExportError,
    FormatError,
    ParsedChoice,
    ParsedQuestion,
    parse_aiken,
    parse_gift,
    parse_moodle_xml,
    write_aiken,
    write_gift,
)
from questions.models import Question

FORMATS = Path(__file__).resolve().parents[2] / "questions" / "formats"
BRACES = "(фигурные скобки как текст пишутся \\{ и \\})"


def test_a_gift_error_names_its_line_in_russian():
    with translation.override("ru"), pytest.raises(FormatError) as caught:
        parse_gift("Good?{=a ~b}\n\nBad?{=a")

    assert str(caught.value) == f"строка 3: '{{' нигде не закрыта '}}' {BRACES}"
    assert caught.value.line == 3


def test_the_same_gift_error_stays_english_in_english():
    with translation.override("en"), pytest.raises(FormatError) as caught:
        parse_gift("Good?{=a ~b}\n\nBad?{=a")

    assert str(caught.value) == (
        "line 3: '{' is never closed by '}' (write \\{ and \\} for literal braces)"
    )


def test_a_russian_format_error_survives_pickling_unchanged():
    with translation.override("ru"), pytest.raises(FormatError) as caught:
        parse_gift("Q{=a ~%50%b ~%200%c}")

    with translation.override("en"):
        copy = pickle.loads(pickle.dumps(caught.value))

    message = "строка 1: вес 200% вне диапазона -100%..100%"
    assert str(copy) == str(caught.value) == message


def test_gift_warnings_and_skip_reasons_are_russian():
    with translation.override("ru"):
        result = parse_gift("Q1{true}\n\nQ2{#3}\n\nQ3{~a ~%40%b ~%40%c}")

    assert result.warnings == (
        "строка 1: 'true' прочитано как «верно/неверно»; Moodle знает только T,"
        " TRUE, F и FALSE заглавными буквами и импортировал бы вопрос с коротким"
        " ответом",
        "строка 5: положительные веса в сумме дают 80%, а не 100% (Moodle тоже"
        " предупреждает об этом)",
    )
    assert [s.reason for s in result.skipped] == [
        "числовые вопросы не поддерживаются (в нём нужно ввести число)"
    ]
    assert result.skipped[0].kind == "numerical"


def test_aiken_counts_options_with_russian_plurals():
    with translation.override("ru"), pytest.raises(FormatError) as caught:
        parse_aiken("Is it?\nA. Yes\nANSWER: A\n")

    assert str(caught.value) == (
        "строка 3: у вопроса, начинающегося в строке 1, 1 вариант; для Aiken"
        " нужно не менее двух, например 'A) ...' и 'B) ...'"
    )


def test_moodle_xml_errors_are_russian():
    with translation.override("ru"), pytest.raises(FormatError) as caught:
        parse_moodle_xml("<?xml version='1.0'?>\n<bank></bank>\n")

    assert str(caught.value) == (
        "строка 2: документ — <bank>, а не <quiz>: это не файл вопросов Moodle XML"
    )


def test_export_problems_are_russian():
    multiple = ParsedQuestion(
        "multiple", "Pick", (ParsedChoice("a", 1.0), ParsedChoice("b", 0.0))
    )
    with translation.override("ru"):
        with pytest.raises(ExportError) as aiken:
            write_aiken([multiple])
        with pytest.raises(ExportError) as gift:
            write_gift([ParsedQuestion("single", "One", (ParsedChoice("a", 1.0),))])

    assert aiken.value.problems == (
        "вопрос 1 ('Pick'): в Aiken нет вопросов с несколькими ответами",
    )
    assert gift.value.problems == (
        "вопрос 1 ('One'): нужно не менее двух вариантов ответа",
    )


@pytest.mark.django_db
def test_admin_import_shows_the_bad_line_in_russian(instructor_client):
    instructor_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    # The override puts the language back after the request, which leaves
    # its own (Russian) active on the test's thread.
    with translation.override("ru"):
        response = instructor_client.post(
            reverse("admin:questions_question_import"),
            {"format": "gift", "pasted": "Good?{=a ~b}\n\nBad?{=a", "confirm": "1"},
        )

    html = response.content.decode()
    assert response.status_code == 400
    assert "строка 3: &#x27;{&#x27; нигде не закрыта &#x27;}&#x27;" in html
    assert "is never closed" not in html
    assert not Question.objects.exists()


# Calls whose message argument must come from gettext, never a plain literal.
_MESSAGE_CALLS = {
    "FormatError": 1,
    "_Unwritable": 0,
    "ValueError": 0,
    "error": 1,
    "warn": 1,
    "skip": 1,
    "at_line": 1,
    "append": 0,
}


def _called_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        # Only appends to the lists of warnings and export problems.
        owner = getattr(func.value, "id", "")
        if func.attr == "append" and owner not in ("warnings", "problems"):
            return ""
        return func.attr
    return getattr(func, "id", "")


def _english_messages(source: str) -> list[int]:
    """Lines where a message call is given a literal or f-string, not gettext."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        index = _MESSAGE_CALLS.get(_called_name(node))
        if index is None or len(node.args) <= index:
            continue
        arg = node.args[index]
        literal = isinstance(arg, ast.JoinedStr) or (
            isinstance(arg, ast.Constant) and isinstance(arg.value, str)
        )
        if literal and not (_called_name(node) == "skip" and index == 0):
            lines.append(node.lineno)
    return lines


@pytest.mark.parametrize(
    "name", ["aiken.py", "gift.py", "moodle.py", "moodle_xml.py", "types.py"]
)
def test_no_format_message_is_plain_english(name):
    assert _english_messages((FORMATS / name).read_text()) == []


def test_the_static_check_finds_a_plain_english_message():
    source = (
        "def f(self, warnings):\n"
        "    warnings.append(f'line {n}: oops')\n"
        "    raise FormatError(1, 'bad')\n"
        "    self.warn(0, _('fine'))\n"
    )

    assert _english_messages(source) == [2, 3]

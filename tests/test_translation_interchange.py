"""GIFT, Moodle XML and Aiken in a language (issue 18, item 4): an export writes
the bank's Russian texts, and a file in Russian gives existing questions their
Russian texts, matched by ID number, whole or not at all."""

import io

import pytest

from django.contrib.admin.models import CHANGE, LogEntry
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from questions.formats import parse_aiken, parse_gift, parse_moodle_xml
from questions.interchange import ImportRefusedError, questions_export
from questions.models import Category, Choice, Question, QuestionType
from questions.services import question_bank_load
from questions.translation_interchange import (
    TranslationRefusedError,
    translation_import,
    translation_plan,
)
from quiz.attempts.services import attempt_start
from tests.factories import QuizFactory, take

pytestmark = pytest.mark.django_db

PARSERS = {"gift": parse_gift, "xml": parse_moodle_xml, "aiken": parse_aiken}


@pytest.fixture
def bank(db):
    question_bank_load()


def russian_texts():
    """Every Russian text of the bank, by object, to compare before and after."""
    return (
        {q.idnumber: (q.stem_ru, q.explanation_ru) for q in Question.objects.all()},
        {
            (c.question.idnumber, c.order): (c.text_ru, c.feedback_ru)
            for c in Choice.objects.select_related("question")
        },
        {c.slug: c.name_ru for c in Category.objects.all()},
    )


def forget_translation():
    Question.objects.update(stem_ru="", explanation_ru="")
    Choice.objects.update(text_ru="", feedback_ru="")
    Category.objects.update(name_ru="")


def export_ru(fmt="gift", **filters):
    return questions_export(
        questions=Question.objects.filter(**filters), fmt=fmt, language="ru"
    )


# --- export ------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["gift", "xml", "aiken"])
def test_an_export_in_russian_writes_the_russian_texts(bank, fmt):
    single = Question.objects.get(idnumber="SEED-001")
    true_false = Question.objects.get(idnumber="SEED-002")

    result = export_ru(fmt, idnumber__in=["SEED-001", "SEED-002"])
    parsed = {q.stem: q for q in PARSERS[fmt](result.text).questions}

    assert result.left_out == [] and result.in_english == []
    read = parsed[single.stem_ru]
    assert [c.text for c in read.choices] == [
        c.text_ru for c in single.choices.order_by("order")
    ]
    # True and False are the formats' own keywords: the question stays one.
    assert parsed[true_false.stem_ru].qtype == QuestionType.TRUE_FALSE
    if fmt != "aiken":  # Aiken has no explanations, feedback or categories
        assert read.general_feedback == single.explanation_ru
        assert (
            read.choices[0].feedback == single.choices.order_by("order")[0].feedback_ru
        )
        assert read.category == single.category.name_ru
        assert parsed[true_false.stem_ru].general_feedback == true_false.explanation_ru


def test_an_export_in_russian_writes_an_untranslated_question_in_english_and_says_so(
    bank,
):
    Question.objects.filter(idnumber="SEED-001").update(stem_ru="", explanation_ru="")
    Choice.objects.filter(question__idnumber="SEED-001").update(
        text_ru="", feedback_ru=""
    )

    result = export_ru(idnumber__in=["SEED-001", "SEED-002"])

    english = Question.objects.get(idnumber="SEED-001").stem
    assert result.in_english == ["SEED-001"]
    assert english in [q.stem for q in parse_gift(result.text).questions]


def test_an_export_in_english_is_unchanged_by_the_translation(bank):
    english = questions_export(questions=Question.objects.all(), fmt="gift")

    assert english.in_english == []
    assert "Амаре" not in english.text
    assert (
        english.text
        == questions_export(
            questions=Question.objects.all(), fmt="gift", language="en"
        ).text
    )


# --- import: the whole round trip ---------------------------------------------------


@pytest.mark.parametrize("fmt", ["gift", "xml"])
def test_a_russian_export_imported_as_a_translation_restores_every_russian_text(
    bank, fmt
):
    before = russian_texts()
    text = export_ru(fmt).text
    forget_translation()

    plan = translation_plan(text=text, fmt=fmt, language="ru")
    assert plan.ok, plan.all_problems
    changed = translation_import(plan=plan)

    assert russian_texts() == before
    assert len(changed) == Question.objects.count()
    # and nothing English moved
    assert not Question.objects.filter(stem__startswith="Амаре").exists()


def test_importing_the_same_translation_again_changes_nothing(bank):
    text = export_ru().text

    plan = translation_plan(text=text, fmt="gift")

    assert plan.ok and plan.changed == []
    assert {note for item in plan.items for note in item.notes} == {
        "Unchanged: the bank has this translation."
    }
    assert translation_import(plan=plan) == []


def test_an_improved_translation_replaces_the_russian_and_says_so(bank):
    text = export_ru(idnumber="SEED-001").text
    single = Question.objects.get(idnumber="SEED-001")
    improved = text.replace(single.stem_ru.split(",")[0], "Пациентке 42 года")

    plan = translation_plan(text=improved, fmt="gift")
    translation_import(plan=plan)

    single.refresh_from_db()
    assert plan.items[0].notes == ["Replaces the Russian texts the question has."]
    assert single.stem_ru.startswith("Пациентке 42 года")


def test_a_translation_never_changes_a_past_attempt(bank, trainee):
    question = Question.objects.get(idnumber="SEED-001")
    quiz = QuizFactory(questions=[question])
    with translation.override("ru"):
        attempt = take(quiz, trainee)
    shown = attempt.items.get().snapshot
    assert shown["stem"] == question.stem_ru

    improved = export_ru(idnumber="SEED-001").text.replace("Амаре", "Марине")
    translation_import(plan=translation_plan(text=improved, fmt="gift"))

    attempt.refresh_from_db()
    assert attempt.items.get().snapshot == shown
    question.refresh_from_db()
    assert question.stem_ru.startswith("Марине")


# --- import: refused whole -----------------------------------------------------------


def _swap_first_two_choices(text: str) -> str:
    lines = text.split("\n")
    first = next(
        i
        for i, line in enumerate(lines)
        if line.startswith("\t~") or line.startswith("\t=")
    )
    lines[first], lines[first + 1] = lines[first + 1], lines[first]
    return "\n".join(lines)


def _drop_last_choice(text: str) -> str:
    lines = text.split("\n")
    last = max(i for i, line in enumerate(lines) if line.startswith("\t~"))
    return "\n".join(lines[:last] + lines[last + 1 :])


BROKEN = {
    "unknown ID number": (
        lambda t: t.replace("[id:SEED-001]", "[id:SEED-999]"),
        "No question of the bank has the ID number SEED-999.",
    ),
    "no ID number": (
        lambda t: t.replace("// [id:SEED-001] ", "// "),
        "The question has no ID number: a translation is matched to its question "
        "by ID number.",
    ),
    "the same ID number twice": (
        lambda t: t.replace("[id:SEED-002]", "[id:SEED-001]"),
        "ID number SEED-001 is also on line",
    ),
    "another type": (
        lambda t: t.replace("[id:SEED-002]", "[id:SEED-004]"),
        "SEED-004 is of the type “Multiple choice, several answers” in the bank "
        "and “True / false” in the file.",
    ),
    "another key": (
        _swap_first_two_choices,
        "SEED-001: the right choices are not the bank's (choices are matched in "
        "their order).",
    ),
    "a choice fewer": (
        _drop_last_choice,
        "SEED-001 has 4 choices in the bank and 3 in the file.",
    ),
    "a true/false key turned": (
        lambda t: (
            t.replace("{FALSE#", "{@#")
            .replace("{TRUE#", "{FALSE#")
            .replace("{@#", "{TRUE#")
        ),
        "SEED-002: the file's answer is not the bank's.",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_translation_that_is_not_of_the_same_question_is_refused_whole(bank, case):
    mutate, problem = BROKEN[case]
    text = export_ru(idnumber__in=["SEED-001", "SEED-002"]).text
    assert "{FALSE#" in text or "{TRUE#" in text
    forget_translation()

    plan = translation_plan(text=mutate(text), fmt="gift")

    assert not plan.ok
    assert any(problem in line for line in plan.all_problems), plan.all_problems
    assert all(line.startswith("line ") for line in plan.all_problems)
    with pytest.raises(TranslationRefusedError):
        translation_import(plan=plan)
    assert not Question.objects.exclude(stem_ru="").exists()  # nothing written


def test_an_english_file_imported_as_russian_is_refused(bank):
    english = questions_export(
        questions=Question.objects.filter(idnumber="SEED-001"), fmt="gift"
    ).text

    plan = translation_plan(text=english, fmt="gift")

    assert plan.all_problems == [
        "line 4: SEED-001: the question text is the English one. Is the file in "
        "Russian?"
    ]


def test_an_incomplete_translation_is_refused_naming_what_is_missing(bank):
    text = export_ru(idnumber="SEED-001").text
    lines = text.split("\n")
    without = "\n".join(line for line in lines if not line.startswith("\t####"))
    assert without != text

    plan = translation_plan(text=without, fmt="gift")

    assert plan.all_problems == [
        "line 4: SEED-001: The explanation has no Russian translation."
    ]


def test_a_category_named_two_ways_in_one_file_is_refused(bank):
    text = export_ru(idnumber__in=["SEED-001", "SEED-002"]).text
    name = Question.objects.get(idnumber="SEED-001").category.name_ru
    assert Question.objects.get(idnumber="SEED-002").category.name_ru == name
    renamed = text.replace(f"$CATEGORY: {name}", "$CATEGORY: Одно имя", 1)
    renamed = renamed.replace(
        "// [id:SEED-002]", "$CATEGORY: Другое имя\n\n// [id:SEED-002]"
    )

    plan = translation_plan(text=renamed, fmt="gift")

    assert any(
        "is named “Другое имя” here and “Одно имя” on line" in problem
        for problem in plan.all_problems
    ), plan.all_problems


def test_an_aiken_file_cannot_carry_a_translation(bank):
    text = export_ru("aiken", idnumber="SEED-001").text

    with pytest.raises(ImportRefusedError, match="Aiken file has no ID numbers"):
        translation_plan(text=text, fmt="aiken")


# --- the commands -------------------------------------------------------------------


def test_export_command_in_russian_lists_what_it_wrote_in_english(bank):
    Question.objects.filter(idnumber="SEED-001").update(stem_ru="", explanation_ru="")
    Choice.objects.filter(question__idnumber="SEED-001").update(
        text_ru="", feedback_ru=""
    )
    out, err = io.StringIO(), io.StringIO()

    call_command(
        "export_questions",
        "--format",
        "xml",
        "--language",
        "ru",
        stdout=out,
        stderr=err,
    )

    assert "Амаре" not in out.getvalue()
    assert Question.objects.get(idnumber="SEED-002").stem_ru in out.getvalue()
    assert err.getvalue() == "in English (no ru translation): SEED-001\n"


def test_import_command_imports_a_translation_and_a_dry_run_saves_nothing(
    bank, tmp_path
):
    before = russian_texts()
    path = tmp_path / "ru.gift.txt"
    path.write_text(export_ru().text, encoding="utf-8")
    forget_translation()
    out = io.StringIO()
    n = Question.objects.count()

    call_command(
        "import_questions",
        str(path),
        "--format",
        "gift",
        "--language",
        "ru",
        "--dry-run",
        stdout=out,
    )
    assert not Question.objects.exclude(stem_ru="").exists()
    assert f"would translate {n} questions of {n} in the file (ru)" in out.getvalue()

    call_command(
        "import_questions",
        str(path),
        "--format",
        "gift",
        "--language",
        "ru",
        stdout=out,
    )
    assert russian_texts() == before
    assert f"Translated {n} questions" in out.getvalue()


def test_import_command_refuses_a_bad_translation_naming_each_line(bank, tmp_path):
    path = tmp_path / "ru.gift.txt"
    text = export_ru(idnumber__in=["SEED-001", "SEED-002"]).text
    path.write_text(
        text.replace("[id:SEED-001]", "[id:SEED-998]").replace(
            "[id:SEED-002]", "[id:SEED-999]"
        ),
        encoding="utf-8",
    )

    with pytest.raises(CommandError) as error:
        call_command(
            "import_questions", str(path), "--format", "gift", "--language", "ru"
        )

    message = str(error.value)
    assert "nothing was imported" in message
    assert "SEED-998" in message and "SEED-999" in message


def test_import_command_refuses_a_category_for_a_translation(bank, tmp_path):
    path = tmp_path / "ru.gift.txt"
    path.write_text(export_ru(idnumber="SEED-001").text, encoding="utf-8")

    with pytest.raises(CommandError, match="--category is for new questions"):
        call_command(
            "import_questions",
            str(path),
            "--format",
            "gift",
            "--language",
            "ru",
            "--category",
            "Elsewhere",
        )


# --- the admin ----------------------------------------------------------------------


def import_url():
    return reverse("admin:questions_question_import")


def test_admin_imports_a_translation_after_a_preview_and_logs_each_change(
    instructor_client, instructor, bank
):
    text = export_ru(fmt="xml", idnumber__in=["SEED-001", "SEED-002"]).text
    forget_translation()
    form = {"format": "xml", "language": "ru", "pasted": text}

    preview = instructor_client.post(import_url(), {**form, "preview": "1"})
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "2 questions of 2 in the file will get these Russian texts." in html
    assert 'name="confirm"' in html
    assert not Question.objects.exclude(stem_ru="").exists()

    confirm = instructor_client.post(import_url(), {**form, "confirm": "1"})

    assert confirm.status_code == 302
    assert Question.objects.exclude(stem_ru="").count() == 2
    logged = LogEntry.objects.filter(user=instructor, action_flag=CHANGE)
    assert logged.count() == 3  # two questions and their category
    assert {entry.change_message for entry in logged} == {
        "Russian texts imported from pasted text (Moodle XML)."
    }


def test_admin_shows_why_a_translation_cannot_be_imported_and_offers_no_confirm(
    instructor_client, bank
):
    text = export_ru(idnumber="SEED-001").text.replace("[id:SEED-001]", "[id:SEED-999]")
    form = {"format": "gift", "language": "ru", "pasted": text}

    preview = instructor_client.post(import_url(), {**form, "preview": "1"})
    forced = instructor_client.post(import_url(), {**form, "confirm": "1"})

    for response in (preview, forced):
        html = response.content.decode()
        assert response.status_code == 400
        assert "No question of the bank has the ID number SEED-999." in html
        assert 'name="confirm"' not in html
    assert Question.objects.get(idnumber="SEED-001").stem_ru  # untouched


def test_admin_refuses_an_aiken_translation_with_a_message(instructor_client, bank):
    response = instructor_client.post(
        import_url(),
        {
            "format": "aiken",
            "language": "ru",
            "pasted": "Да?\nA. Да\nB. Нет\nANSWER: A\n",
        },
    )

    assert response.status_code == 400
    assert "Aiken file has no ID numbers" in response.content.decode()


def test_admin_export_action_writes_the_chosen_language(instructor_client, bank):
    single = Question.objects.get(idnumber="SEED-001")
    url = reverse("admin:questions_question_changelist")

    russian = instructor_client.post(
        url,
        {"action": "export_gift", "language": "ru", "_selected_action": [single.pk]},
    )
    english = instructor_client.post(
        url,
        {"action": "export_gift", "language": "en", "_selected_action": [single.pk]},
    )
    forged = instructor_client.post(
        url,
        {"action": "export_gift", "language": "xx", "_selected_action": [single.pk]},
    )

    assert russian["Content-Disposition"].endswith('.ru.gift.txt"')
    assert parse_gift(russian.content.decode()).questions[0].stem == single.stem_ru
    assert parse_gift(english.content.decode()).questions[0].stem == single.stem
    assert forged.status_code == 302  # Django's "No action selected."
    assert 'name="language"' in instructor_client.get(url).content.decode()


def test_an_attempt_started_in_russian_after_an_import_shows_the_imported_texts(
    bank, trainee
):
    question = Question.objects.get(idnumber="SEED-001")
    text = export_ru(idnumber="SEED-001").text.replace("Амаре", "Марине")
    translation_import(plan=translation_plan(text=text, fmt="gift"))
    quiz = QuizFactory(questions=[question])

    with translation.override("ru"):
        attempt = attempt_start(quiz=quiz, user=trainee)

    snapshot = attempt.items.get().snapshot
    assert snapshot["language"] == "ru"
    assert snapshot["stem"].startswith("Марине")


def test_admin_import_refuses_a_forged_language(instructor_client, bank):
    text = export_ru(idnumber="SEED-001").text

    response = instructor_client.post(
        import_url(), {"format": "gift", "language": "xx", "pasted": text}
    )

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_a_partial_credit_choice_is_wrong_in_the_bank_and_in_its_translation(bank):
    english = "// [id:PC-1] [tag:R-NO-TWIST]\nMay the neck be twisted?{=No ~%50%Rarely ~Yes}\n"
    call_command_import(english)
    russian = english.replace("May the neck be twisted?", "Можно ли скручивать шею?")
    russian = (
        russian.replace("=No", "=Нет").replace("Rarely", "Редко").replace("~Yes", "~Да")
    )

    plan = translation_plan(text=russian, fmt="gift")
    translation_import(plan=plan)

    question = Question.objects.get(idnumber="PC-1")
    assert [c.correct for c in question.choices.order_by("order")] == [
        True,
        False,
        False,
    ]
    assert [c.text_ru for c in question.choices.order_by("order")] == [
        "Нет",
        "Редко",
        "Да",
    ]


def call_command_import(text: str) -> None:
    from questions.interchange import import_plan, questions_import

    questions_import(plan=import_plan(text=text, fmt="gift", default_category="C"))


def test_a_nested_category_without_a_russian_name_gets_none_from_its_own_export(bank):
    call_command_import(
        "$CATEGORY: Course/Safety\n\n// [id:NEST-1] [tag:R-NO-TWIST]\n"
        "Twist?{=No ~Yes}\n"
    )
    question = Question.objects.get(idnumber="NEST-1")
    assert question.category.name == "Course / Safety"
    Question.objects.filter(pk=question.pk).update(stem_ru="Скручивать?")
    question.choices.filter(text="No").update(text_ru="Нет")
    question.choices.filter(text="Yes").update(text_ru="Да")

    text = export_ru(idnumber="NEST-1").text
    assert "Course" in text  # the English name, for want of a Russian one
    plan = translation_plan(text=text, fmt="gift")

    assert plan.ok and plan.category_names == {}


def test_an_export_in_russian_names_a_question_translated_only_in_part(bank):
    Choice.objects.filter(question__idnumber="SEED-001", order=1).update(text_ru="")

    result = export_ru(idnumber__in=["SEED-001", "SEED-002"])

    assert result.in_english == ["SEED-001 (in part)"]


def test_a_translation_needs_the_right_to_change_questions(client, bank):
    from django.contrib.auth.models import Permission

    from tests.factories import UserFactory

    adder = UserFactory(is_staff=True)
    adder.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_question", "view_question"])
    )
    client.force_login(adder)
    text = export_ru(idnumber="SEED-001").text
    before = Question.objects.get(idnumber="SEED-001").stem_ru

    english = client.post(
        import_url(), {"format": "gift", "pasted": "Q?{=a ~b}", "preview": "1"}
    )
    russian = client.post(
        import_url(),
        {"format": "gift", "language": "ru", "pasted": text, "confirm": "1"},
    )

    assert english.status_code == 200
    assert russian.status_code == 403
    assert Question.objects.get(idnumber="SEED-001").stem_ru == before

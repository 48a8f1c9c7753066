"""The question bank in two languages (issue 18, item 4): the Russian texts
beside the English ones, the fallback to English, what an attempt and a practice
question freeze, the admin side by side, a translation checked for completeness,
and the seed bank's translation loaded onto a site that had the bank before."""

import json

import pytest

from django.urls import reverse
from django.utils import translation

from questions.models import Category, Choice, Question, QuestionType, Rule
from questions.services import SEED_BANK_PATH, question_bank_load
from questions.translation import bank_language, translated
from questions.validation import TRUE_FALSE_RU, ChoiceData, question_problems
from quiz.attempts.services import attempt_submit
from quiz.practice.services import practice_answer, practice_serve, practice_start
from tests.factories import (
    QuizFactory,
    RuleFactory,
    as_keys,
    correct_answers,
    published_question,
    take,
)

RU_STEM = "Как должен двигаться массажист?"


def translate(question: Question) -> Question:
    """Give a factory question (single answer) a complete Russian translation."""
    for n, choice in enumerate(question.choices.all(), start=1):
        choice.text_ru = f"Вариант {n}"
        choice.feedback_ru = f"Потому что: вариант {n}"
        choice.save()
    question.stem_ru = RU_STEM
    question.explanation_ru = "Все движения должны быть постепенными и плавными."
    question.save()
    rule = question.rules.get()
    rule.title_ru = "Плавность"
    rule.wording_ru = "Все движения во время массажа постепенные и плавные."
    rule.save()
    question.category.name_ru = "Безопасная техника"
    question.category.save()
    return question


# --- reading a text in a language -------------------------------------------------


def test_bank_language_of_a_language_code():
    assert bank_language("ru") == "ru"
    assert bank_language("ru-RU") == "ru"
    assert bank_language("en-GB") == "en"
    assert bank_language("de") == "en"  # no columns of its own: the English
    assert bank_language(None) == "en"


def test_a_missing_translation_falls_back_to_english_field_by_field():
    choice = Choice(text="Smoothly", feedback="Right.", text_ru="Плавно")

    assert translated(choice, "text", "ru") == "Плавно"
    assert translated(choice, "feedback", "ru") == "Right."  # no Russian: English
    assert translated(choice, "text", "en") == "Smoothly"
    assert translated(Choice(text="Smoothly", text_ru="  "), "text", "ru") == (
        "Smoothly"
    )


# --- the snapshot's language --------------------------------------------------------


@pytest.mark.django_db
def test_an_attempt_started_in_russian_shows_russian_whatever_is_active_later(
    trainee, trainee_client
):
    question = translate(published_question())
    quiz = QuizFactory(questions=[question])
    with translation.override("ru"):
        attempt = quiz_start(quiz, trainee)

    snapshot = attempt.items.get().snapshot
    assert snapshot["language"] == "ru"
    assert snapshot["stem"] == RU_STEM
    assert [c["text"] for c in snapshot["choices"]] == [
        "Вариант 1",
        "Вариант 2",
        "Вариант 3",
    ]
    assert snapshot["choices"][0]["feedback"] == "Потому что: вариант 1"
    assert snapshot["explanation"].startswith("Все движения")
    assert snapshot["category"] == "Безопасная техника"
    assert snapshot["rules"][0]["title"] == "Плавность"
    # Later, in English (the default here): the page shows what was snapshotted.
    page = trainee_client.get(reverse("quiz:attempt-detail", args=[attempt.pk]))
    assert RU_STEM in page.content.decode()
    assert question.stem not in page.content.decode()
    # Graded by choice ids, as ever.
    result = attempt_submit(
        attempt=attempt, user=trainee, answers=correct_answers(attempt)
    ).attempt
    assert result.score == 100
    review = trainee_client.get(reverse("quiz:attempt-result", args=[attempt.pk]))
    assert "Потому что: вариант 1" in review.content.decode()


@pytest.mark.django_db
def test_an_attempt_started_in_english_stays_english_when_russian_is_active_later(
    trainee, trainee_client
):
    question = translate(published_question())
    attempt = quiz_start(QuizFactory(questions=[question]), trainee)

    assert attempt.items.get().snapshot["stem"] == question.stem
    with translation.override("ru"):
        data = as_keys(attempt, correct_answers(attempt))
    assert attempt.items.get().snapshot["language"] == "en"
    assert data  # posting by places works the same whatever the language


@pytest.mark.django_db
def test_a_question_without_a_translation_is_snapshotted_in_english(trainee):
    question = published_question()
    with translation.override("ru"):
        attempt = quiz_start(QuizFactory(questions=[question]), trainee)

    snapshot = attempt.items.get().snapshot
    assert snapshot["language"] == "en"
    assert snapshot["stem"] == question.stem
    assert [c["text"] for c in snapshot["choices"]] == [
        "Smoothly",
        "With a sudden twist",
        "Fast",
    ]


@pytest.mark.django_db
def test_a_practice_question_served_in_russian_keeps_its_russian(trainee):
    question = translate(published_question())
    session = practice_start(user=trainee)

    item = practice_serve(user=trainee, session=session, language="ru")

    assert item.snapshot["language"] == "ru"
    assert item.snapshot["stem"] == RU_STEM
    with translation.override("en"):
        # The waiting question is served again as it was, in Russian.
        again = practice_serve(user=trainee, session=session)
    assert again.pk == item.pk and again.snapshot["stem"] == RU_STEM
    right = [c["id"] for c in item.choices if c["correct"]]
    assert practice_answer(user=trainee, item_id=item.pk, choice_ids=right).mark == 1
    assert question.pk == item.card.question_id


def quiz_start(quiz, user):
    from quiz.attempts.services import attempt_start

    return attempt_start(quiz=quiz, user=user)


# --- a translation is complete or absent --------------------------------------------


def problems(qtype=QuestionType.SINGLE, choices=None, **texts) -> list[str]:
    choices = choices or [
        ChoiceData("Smoothly", True, "Плавно", "Right.", "Верно."),
        ChoiceData("Fast", False, "Быстро", "Wrong.", "Неверно."),
    ]
    return question_problems(
        qtype=qtype,
        stem="How?",
        choices=choices,
        rule_count=1,
        explanation=texts.get("explanation", "Because."),
        stem_ru=texts.get("stem_ru", "Как?"),
        explanation_ru=texts.get("explanation_ru", "Потому что."),
    )


def test_a_complete_translation_and_none_at_all_are_publishable():
    assert problems() == []
    english_only = [ChoiceData("Smoothly", True), ChoiceData("Fast", False)]
    assert problems(choices=english_only, stem_ru="", explanation_ru="") == []


def test_a_russian_stem_needs_russian_choices_explanation_and_feedback():
    choices = [
        ChoiceData("Smoothly", True, "", "Right.", ""),
        ChoiceData("Fast", False, "Быстро", "Wrong.", "Неверно."),
    ]
    assert problems(choices=choices, explanation_ru="") == [
        "A choice has no Russian text.",
        "The explanation has no Russian translation.",
        "A choice's feedback has no Russian translation.",
    ]


def test_russian_texts_without_a_russian_stem_are_refused():
    assert problems(stem_ru="") == [
        "The Russian translation has no question text: translate the question "
        "text too, or clear the other Russian fields."
    ]


def test_two_russian_choices_may_not_read_the_same():
    choices = [
        ChoiceData("Smoothly", True, "Плавно", "", ""),
        ChoiceData("Gently", False, " плавно ", "", ""),
    ]
    assert problems(choices=choices) == [
        "Two choices have the same Russian text: “плавно”."
    ]


def test_a_true_false_question_reads_verno_and_neverno_in_russian():
    def tf(true_ru, false_ru):
        return [
            ChoiceData("True", True, true_ru, "", ""),
            ChoiceData("False", False, false_ru, "", ""),
        ]

    assert problems(QuestionType.TRUE_FALSE, tf("Верно", "Неверно")) == []
    assert problems(QuestionType.TRUE_FALSE, tf("Неверно", "Верно")) != []
    assert problems(QuestionType.TRUE_FALSE, tf("Да", "Нет")) != []
    assert TRUE_FALSE_RU == {"True": "Верно", "False": "Неверно"}


@pytest.mark.django_db
def test_a_published_question_cannot_be_saved_with_half_a_translation():
    question = published_question()
    question.stem_ru = RU_STEM  # its choices are not translated

    assert "A choice has no Russian text." in question.publication_problems()
    with pytest.raises(Exception, match="Russian"):
        question.save()


# --- the admin, side by side --------------------------------------------------------


@pytest.mark.django_db
def test_the_question_form_shows_each_text_beside_its_russian(client, admin_user):
    client.force_login(admin_user)
    question = translate(published_question())

    page = client.get(reverse("admin:questions_question_change", args=[question.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    # One row each: Django's admin puts a fieldset's tuple of fields side by side.
    assert 'class="form-row field-stem field-stem_ru"' in html
    assert 'class="form-row field-explanation field-explanation_ru"' in html
    assert 'name="stem_ru"' in html and RU_STEM in html
    # The inline choices: a column for each text and its Russian.
    for name in ["text", "text_ru", "feedback", "feedback_ru"]:
        assert f'name="choices-0-{name}"' in html
    assert "Вариант 1" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "rows"),
    [
        (Rule, ["field-title field-title_ru", "field-wording field-wording_ru"]),
        (
            Category,
            ["field-name field-name_ru", "field-description field-description_ru"],
        ),
    ],
)
def test_the_rule_and_category_forms_show_each_text_beside_its_russian(
    client, admin_user, model, rows
):
    client.force_login(admin_user)
    obj = RuleFactory() if model is Rule else published_question().category
    url = reverse(f"admin:questions_{model._meta.model_name}_change", args=[obj.pk])

    html = client.get(url).content.decode()

    for row in rows:
        assert f'class="form-row {row}"' in html


@pytest.mark.django_db
def test_the_admin_refuses_to_publish_half_a_translation(client, admin_user):
    client.force_login(admin_user)
    question = published_question()
    choices = list(question.choices.all())
    data = {
        "title": question.title,
        "idnumber": "",
        "qtype": question.qtype,
        "category": question.category_id,
        "status": "published",
        "stem": question.stem,
        "stem_ru": RU_STEM,
        "explanation": question.explanation,
        "explanation_ru": "Объяснение.",
        "rules_tested": [str(r.pk) for r in question.rules.all()],
        "choices-TOTAL_FORMS": str(len(choices)),
        "choices-INITIAL_FORMS": str(len(choices)),
        "choices-MIN_NUM_FORMS": "2",
        "choices-MAX_NUM_FORMS": "1000",
    }
    for i, choice in enumerate(choices):
        data |= {
            f"choices-{i}-id": str(choice.pk),
            f"choices-{i}-question": str(question.pk),
            f"choices-{i}-order": str(choice.order),
            f"choices-{i}-text": choice.text,
            f"choices-{i}-text_ru": "" if i == 0 else f"Вариант {i}",
            f"choices-{i}-correct": "on" if choice.correct else "",
            f"choices-{i}-feedback": choice.feedback,
            f"choices-{i}-feedback_ru": f"Отзыв {i}",
        }
    data = {k: v for k, v in data.items() if v != "" or k.endswith("_ru")}

    response = client.post(
        reverse("admin:questions_question_change", args=[question.pk]), data
    )

    assert response.status_code == 200  # the form again, with the reason
    assert "A choice has no Russian text." in response.content.decode()
    question.refresh_from_db()
    assert question.stem_ru == ""


# --- the seed bank's translation -------------------------------------------------------

BANK = json.loads(SEED_BANK_PATH.read_text(encoding="utf-8"))


def english_only(tmp_path):
    """The bank as shipped before its translation: every Russian key removed."""

    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if not k.endswith("_ru")}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    path = tmp_path / "bank.json"
    path.write_text(json.dumps(strip(BANK), ensure_ascii=False), encoding="utf-8")
    return path


def russian_state():
    return (
        list(Category.objects.values_list("slug", "name_ru", "description_ru")),
        list(Rule.objects.values_list("code", "title_ru", "wording_ru")),
        list(Question.objects.values_list("idnumber", "stem_ru", "explanation_ru")),
        list(Choice.objects.values_list("pk", "text_ru", "feedback_ru")),
        list(Question.objects.values_list("idnumber", "stem", "updated_at")),
    )


def test_the_seed_bank_translates_every_rule_and_category():
    assert all(r.get("title_ru") and r.get("wording_ru") for r in BANK["rules"])
    assert all(c.get("name_ru") and c.get("description_ru") for c in BANK["categories"])


def test_every_seed_question_ships_with_a_russian_translation():
    assert [q["idnumber"] for q in BANK["questions"] if not q.get("stem_ru")] == []


def test_every_translated_seed_question_is_complete():
    translated_questions = [q for q in BANK["questions"] if q.get("stem_ru")]
    assert translated_questions
    for q in translated_questions:
        choices = [
            ChoiceData(
                c["text"], c["correct"], c["text_ru"], c["feedback"], c["feedback_ru"]
            )
            for c in q["choices"]
        ]
        assert (
            question_problems(
                qtype=q["type"],
                stem=q["stem"],
                choices=choices,
                rule_count=len(q["rules"]),
                explanation=q["explanation"],
                stem_ru=q["stem_ru"],
                explanation_ru=q["explanation_ru"],
            )
            == []
        ), q["idnumber"]


@pytest.mark.django_db
def test_a_fresh_site_gets_the_translation_with_the_bank():
    question_bank_load()

    shipped = {q["idnumber"]: q for q in BANK["questions"]}
    for question in Question.objects.exclude(stem_ru=""):
        assert question.stem_ru == shipped[question.idnumber]["stem_ru"]
    assert Question.objects.exclude(stem_ru="").count() == sum(
        1 for q in BANK["questions"] if q.get("stem_ru")
    )
    assert not Rule.objects.filter(title_ru="").exists()


@pytest.mark.django_db
def test_the_translation_fills_a_site_loaded_before_it_and_twice_changes_nothing(
    tmp_path,
):
    question_bank_load(path=english_only(tmp_path))
    assert not Question.objects.exclude(stem_ru="").exists()
    # An instructor edits one question's English and translates another
    # question's stem themselves.
    edited = Question.objects.get(idnumber="SEED-001")
    edited.stem = "Edited by an instructor"
    edited.save()
    own = Question.objects.get(idnumber="SEED-002")
    stem_before = own.stem

    report = question_bank_load()

    shipped = {q["idnumber"]: q for q in BANK["questions"] if q.get("stem_ru")}
    filled = Question.objects.exclude(stem_ru="")
    assert set(filled.values_list("idnumber", flat=True)) == set(shipped) - {
        "SEED-001"
    } - {
        idnumber
        for idnumber in shipped
        if not Question.objects.filter(idnumber=idnumber).exists()
    }
    assert report.translated == filled.count() + len(BANK["rules"]) + len(
        BANK["categories"]
    )
    edited.refresh_from_db()
    assert (edited.stem, edited.stem_ru) == ("Edited by an instructor", "")
    assert any("SEED-001 left in English" in line for line in report.untranslated)
    assert "SEED-001 left in English" in " ".join(report.revision_lines())
    own.refresh_from_db()
    assert own.stem == stem_before  # English never touched
    for question in filled.prefetch_related("choices"):
        item = shipped[question.idnumber]
        assert [c.text_ru for c in question.choices.all()] == [
            c["text_ru"] for c in item["choices"]
        ]
        assert question.ensure_publishable() is None

    before = russian_state()
    again = question_bank_load()
    assert russian_state() == before
    assert again.translated == 0


@pytest.mark.django_db
def test_a_russian_text_written_on_the_site_is_never_overwritten(tmp_path):
    question_bank_load(path=english_only(tmp_path))
    rule = Rule.objects.get(code="R-NO-TWIST")
    rule.title_ru = "Своё название"
    rule.save()
    question = Question.objects.get(idnumber="SEED-002")
    choice = question.choices.first()
    choice.text_ru = "Свой вариант"
    choice.save()

    question_bank_load()

    rule.refresh_from_db()
    assert (rule.title_ru, rule.wording_ru) == ("Своё название", "")
    question.refresh_from_db()
    assert question.stem_ru == ""  # a translation begun here is the instructor's
    assert question.choices.first().text_ru == "Свой вариант"


# --- pages, with the language the browser asks for ------------------------------------

BOTH = [("en", "English"), ("ru", "Russian")]  # LANGUAGES once the interface has ru


@pytest.mark.django_db
def test_a_quiz_started_from_a_russian_browser_is_snapshotted_in_russian(
    settings, trainee, trainee_client
):
    settings.LANGUAGES = BOTH
    question = translate(published_question())
    quiz = QuizFactory(questions=[question])

    trainee_client.post(
        reverse("quiz:quiz-start", args=[quiz.slug]), HTTP_ACCEPT_LANGUAGE="ru"
    )

    item = quiz.attempts.get(user=trainee).items.get()
    assert (item.snapshot["language"], item.snapshot["stem"]) == ("ru", RU_STEM)
    # The same attempt read from an English browser: still what was shown.
    page = trainee_client.get(
        reverse("quiz:attempt-detail", args=[item.attempt_id]),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert RU_STEM in page.content.decode()


@pytest.mark.django_db
def test_the_rules_reader_shows_a_rule_in_russian_or_else_in_english(
    settings, trainee_client
):
    settings.LANGUAGES = BOTH
    translated_rule = translate(published_question()).rules.get()
    english_only_rule = published_question().rules.get()
    url = reverse("quiz:rule-list")

    russian = trainee_client.get(url, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    english = trainee_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert translated_rule.title_ru in russian
    assert translated_rule.wording_ru in russian
    assert english_only_rule.title in russian  # no translation: the English
    assert translated_rule.title_ru not in english
    assert translated_rule.title in english


def test_the_supervisors_reports_name_rules_in_russian(
    settings, supervisor_client, trainee, cohort
):
    """Before: the heatmap's weakest rules, the trainee report's weakest safety
    rules and the mastery CSV named every rule in English."""
    settings.LANGUAGES = BOTH
    question = translate(published_question())
    Rule.objects.filter(pk=question.rules.get().pk).update(critical=True)
    take(QuizFactory(questions=[question]), trainee, right=False)

    def russian(url: str) -> str:
        response = supervisor_client.get(url, HTTP_ACCEPT_LANGUAGE="ru")
        if response.streaming:
            return b"".join(response.streaming_content).decode("utf-8-sig")
        return response.content.decode()

    trainee_page = russian(reverse("quiz:report-trainee", args=[trainee.pk]))
    cohort_page = russian(reverse("quiz:report-cohort", args=[cohort.pk]))
    mastery_csv = russian(
        reverse("quiz:report-trainee", args=[trainee.pk]) + "?format=csv&table=mastery"
    )

    assert "Плавность" in trainee_page
    assert "Плавность" in cohort_page
    assert "Плавность" in mastery_csv

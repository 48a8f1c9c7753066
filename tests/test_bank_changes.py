"""A bank change never leaves a published quiz unable to assemble its questions."""

import pytest

from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from questions.models import QuestionStatus
from questions.services import question_unpublish
from quiz.attempts.services import StartRefusedError, attempt_start
from quiz.models import Attempt, QuizDraw
from tests.factories import CategoryFactory, QuizFactory, published_question

pytestmark = pytest.mark.django_db


def change_data(question, **overrides):
    """The admin change form of `question` as it stands, with overrides."""
    choices = list(question.choices.all())
    data = {
        "title": question.title,
        "idnumber": question.idnumber,
        "qtype": question.qtype,
        "category": question.category_id,
        "stem": question.stem,
        "explanation": question.explanation,
        "status": question.status,
        "rules_tested": [rule.pk for rule in question.rules.all()],
        "choices-TOTAL_FORMS": str(len(choices)),
        "choices-INITIAL_FORMS": str(len(choices)),
        "choices-MIN_NUM_FORMS": "0",
        "choices-MAX_NUM_FORMS": "1000",
    }
    for i, choice in enumerate(choices):
        data[f"choices-{i}-id"] = str(choice.pk)
        data[f"choices-{i}-question"] = str(question.pk)
        data[f"choices-{i}-order"] = str(i)
        data[f"choices-{i}-text"] = choice.text
        data[f"choices-{i}-feedback"] = choice.feedback
        if choice.correct:
            data[f"choices-{i}-correct"] = "on"
    data.update(overrides)
    return data


def test_retiring_a_question_of_a_published_quiz_is_refused():
    question = published_question()
    quiz = QuizFactory(title="Final exam", questions=[question])

    with pytest.raises(ValidationError) as info:
        question_unpublish(question=question)

    question.refresh_from_db()
    assert question.status == QuestionStatus.PUBLISHED
    assert "Final exam" in info.value.messages[0]
    assert "no longer published" in info.value.messages[0]
    quiz.published = False
    quiz.save()
    assert question_unpublish(question=question).status == QuestionStatus.DRAFT


def test_retiring_is_refused_only_when_a_draw_would_run_short():
    category = CategoryFactory()
    first, second, third = (published_question(category=category) for _ in range(3))
    quiz = QuizFactory(questions=[])
    QuizDraw.objects.create(quiz=quiz, category=category, count=2)

    question_unpublish(question=first)  # two left for a draw of two: fine
    with pytest.raises(ValidationError, match="asks for 2 questions but only 1"):
        question_unpublish(question=second)

    second.refresh_from_db()
    assert second.status == QuestionStatus.PUBLISHED
    assert third.status == QuestionStatus.PUBLISHED


def test_bulk_retire_reports_the_refused_question_and_retires_the_others(
    instructor_client,
):
    used, free = published_question(title="Used one"), published_question()
    QuizFactory(title="Final exam", questions=[used])

    response = instructor_client.post(
        reverse("admin:questions_question_changelist"),
        {"action": "unpublish_selected", "_selected_action": [used.pk, free.pk]},
        follow=True,
    )

    texts = [str(m) for m in get_messages(response.wsgi_request)]
    used.refresh_from_db()
    free.refresh_from_db()
    assert used.status == QuestionStatus.PUBLISHED
    assert free.status == QuestionStatus.DRAFT
    assert any("Used one" in t and "Final exam" in t for t in texts)


def test_admin_edit_that_would_empty_a_draw_is_refused_and_saves_nothing(
    instructor_client,
):
    category, other = CategoryFactory(), CategoryFactory()
    question = published_question(category=category)
    quiz = QuizFactory(title="Module 9", questions=[])
    QuizDraw.objects.create(quiz=quiz, category=category, count=1)
    url = reverse("admin:questions_question_change", args=[question.pk])

    moved = instructor_client.post(url, change_data(question, category=other.pk))
    retired = instructor_client.post(url, change_data(question, status="draft"))

    question.refresh_from_db()
    assert moved.status_code == retired.status_code == 200
    assert "Module 9" in moved.content.decode()
    assert "could no longer be assembled" in retired.content.decode()
    assert question.category == category and question.status == "published"
    edited = instructor_client.post(url, change_data(question, stem="Reworded?"))
    question.refresh_from_db()
    assert edited.status_code == 302 and question.stem == "Reworded?"


def test_a_quiz_whose_fixed_question_was_retired_anyway_refuses_to_start(trainee):
    question = published_question()
    quiz = QuizFactory(questions=[question, published_question()])
    type(question).objects.filter(pk=question.pk).update(status="draft")

    with pytest.raises(StartRefusedError, match="no longer published"):
        attempt_start(quiz=quiz, user=trainee)

    assert not Attempt.objects.exists()


def test_deleting_a_question_a_draw_needs_is_refused_in_the_admin(instructor_client):
    from questions.models import Question

    category = CategoryFactory()
    needed, spare = (published_question(category=category) for _ in range(2))
    QuizDraw.objects.create(
        quiz=QuizFactory(title="Module 7", questions=[]), category=category, count=2
    )
    url = reverse("admin:questions_question_delete", args=[needed.pk])

    page = instructor_client.get(url).content.decode()
    refused = instructor_client.post(url, {"post": "yes"})

    assert "Module 7" in page and "could no longer be assembled" in page
    assert refused.status_code == 200
    assert Question.objects.filter(pk=needed.pk).exists()
    QuizDraw.objects.update(count=1)
    deleted = instructor_client.post(url, {"post": "yes"})
    assert deleted.status_code == 302
    assert not Question.objects.filter(pk=needed.pk).exists()
    assert Question.objects.filter(pk=spare.pk).exists()


def test_bulk_delete_that_would_empty_a_draw_is_refused(instructor_client):
    from questions.models import Question

    category = CategoryFactory()
    questions = [published_question(category=category) for _ in range(2)]
    QuizDraw.objects.create(
        quiz=QuizFactory(title="Module 8", questions=[]), category=category, count=1
    )

    response = instructor_client.post(
        reverse("admin:questions_question_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [q.pk for q in questions],
            "post": "yes",
        },
    )

    assert response.status_code == 200 and "Module 8" in response.content.decode()
    assert Question.objects.filter(pk__in=[q.pk for q in questions]).count() == 2


def test_a_quiz_broken_before_does_not_block_an_unrelated_edit(instructor_client):
    broken, other = published_question(), published_question()
    QuizFactory(title="Module 5", questions=[broken, other])
    type(broken).objects.filter(pk=broken.pk).update(status="draft")  # a data fix
    url = reverse("admin:questions_question_change", args=[other.pk])

    edited = instructor_client.post(url, change_data(other, stem="Typo fixed?"))

    other.refresh_from_db()
    assert edited.status_code == 302 and other.stem == "Typo fixed?"
    with pytest.raises(ValidationError, match="no longer published") as info:
        question_unpublish(question=other)  # but a new problem is still refused
    assert all(broken.title not in message for message in info.value.messages)


def test_a_change_that_makes_a_short_draw_less_short_is_allowed(instructor_client):
    from questions.models import Question
    from tests.factories import QuestionFactory

    category = CategoryFactory()
    questions = [published_question(category=category) for _ in range(3)]
    QuizDraw.objects.create(
        quiz=QuizFactory(title="Module 3", questions=[]), category=category, count=4
    )
    Question.objects.filter(pk=questions[0].pk).update(status="draft")  # a data fix
    draft = QuestionFactory(category=category)
    url = reverse("admin:questions_question_change", args=[draft.pk])

    response = instructor_client.post(url, change_data(draft, status="published"))

    draft.refresh_from_db()
    assert response.status_code == 302 and draft.status == "published"
    with pytest.raises(ValidationError, match="only 2 published"):
        question_unpublish(question=questions[1])  # shorter again: refused


def test_a_closed_quiz_does_not_block_retiring_its_questions(instructor_client):
    from datetime import timedelta

    from django.utils import timezone

    question = published_question(title="Old one")
    quiz = QuizFactory(title="Exam 2023", questions=[question, published_question()])
    type(quiz).objects.filter(pk=quiz.pk).update(
        closes_at=timezone.now() - timedelta(days=400)
    )

    assert question_unpublish(question=question).status == QuestionStatus.DRAFT


def test_bulk_retire_says_not_retired_and_gives_one_reason(instructor_client):
    used = published_question(title="Only one")
    QuizFactory(title="Final exam", questions=[used])

    response = instructor_client.post(
        reverse("admin:questions_question_changelist"),
        {"action": "unpublish_selected", "_selected_action": [used.pk]},
        follow=True,
    )

    (text,) = [
        str(m) for m in get_messages(response.wsgi_request) if "Only one" in str(m)
    ]
    assert text.startswith("Not retired:") and "Add questions" not in text

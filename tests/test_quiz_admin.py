"""Instructors build quizzes in the admin; an impossible quiz is never published."""

import pytest

from django.contrib.messages import get_messages
from django.urls import reverse

from quiz.models import Quiz
from tests.factories import CategoryFactory, QuestionFactory, published_question

pytestmark = pytest.mark.django_db


def quiz_form(**overrides):
    data = {
        "title": "Safety check",
        "slug": "safety-check",
        "description": "",
        "published": "on",
        "order": "0",
        "layout": "all_on_one",
        "shuffle_choices": "on",
        "pass_mark": "80",
        "grading_method": "highest",
        "review": "immediately",
        "quiz_questions-TOTAL_FORMS": "0",
        "quiz_questions-INITIAL_FORMS": "0",
        "quiz_questions-MIN_NUM_FORMS": "0",
        "quiz_questions-MAX_NUM_FORMS": "1000",
        "draws-TOTAL_FORMS": "0",
        "draws-INITIAL_FORMS": "0",
        "draws-MIN_NUM_FORMS": "0",
        "draws-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_instructor_builds_a_quiz_from_a_fixed_list_and_a_draw(instructor_client):
    category = CategoryFactory()
    fixed = published_question()
    for _ in range(3):
        published_question(category=category)
    data = quiz_form(
        **{
            "quiz_questions-TOTAL_FORMS": "1",
            "quiz_questions-0-order": "1",
            "quiz_questions-0-question": str(fixed.pk),
            "draws-TOTAL_FORMS": "1",
            "draws-0-order": "1",
            "draws-0-count": "2",
            "draws-0-category": str(category.pk),
        }
    )

    response = instructor_client.post(reverse("admin:quiz_quiz_add"), data)

    assert response.status_code == 302
    quiz = Quiz.objects.get(slug="safety-check")
    assert quiz.published
    assert quiz.quiz_questions.get().question == fixed
    assert quiz.draws.get().count == 2


def test_a_draw_asking_for_too_many_questions_leaves_the_quiz_unpublished(
    instructor_client,
):
    category = CategoryFactory()
    published_question(category=category)
    data = quiz_form(
        **{
            "draws-TOTAL_FORMS": "1",
            "draws-0-order": "1",
            "draws-0-count": "5",
            "draws-0-category": str(category.pk),
        }
    )

    response = instructor_client.post(reverse("admin:quiz_quiz_add"), data, follow=True)

    quiz = Quiz.objects.get(slug="safety-check")
    assert quiz.published is False
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any(
        "not published" in t and "asks for 5 questions but only 1" in t for t in texts
    )


def test_a_draft_question_cannot_be_put_in_a_quiz(instructor_client):
    draft = QuestionFactory()
    data = quiz_form(
        **{
            "quiz_questions-TOTAL_FORMS": "1",
            "quiz_questions-0-order": "1",
            "quiz_questions-0-question": str(draft.pk),
        }
    )

    response = instructor_client.post(reverse("admin:quiz_quiz_add"), data)

    assert response.status_code == 200
    assert not Quiz.objects.filter(slug="safety-check").exists()


def test_a_draw_from_both_a_category_and_a_rule_is_refused(instructor_client):
    question = published_question()
    data = quiz_form(
        **{
            "draws-TOTAL_FORMS": "1",
            "draws-0-order": "1",
            "draws-0-count": "1",
            "draws-0-category": str(question.category_id),
            "draws-0-rule": str(question.rules.first().pk),
        }
    )

    response = instructor_client.post(reverse("admin:quiz_quiz_add"), data)

    assert response.status_code == 200
    assert "not both" in response.content.decode()
    assert not Quiz.objects.exists()


def test_review_after_close_needs_a_closing_date(instructor_client):
    response = instructor_client.post(
        reverse("admin:quiz_quiz_add"), quiz_form(review="after_close", published="")
    )

    assert response.status_code == 200
    assert "Set a closing date" in response.content.decode()

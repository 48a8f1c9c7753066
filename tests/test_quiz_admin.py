"""Instructors build quizzes in the admin; an impossible quiz is never published."""

import pytest

from django.contrib.messages import get_messages
from django.urls import reverse

from quiz.models import Quiz, QuizDraw
from quiz.selection import quiz_total
from tests.factories import (
    CategoryFactory,
    QuestionFactory,
    QuizFactory,
    RuleFactory,
    published_question,
)

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
        # The cohorts the quiz is assigned to (quiz/programme): none.
        "assignments-TOTAL_FORMS": "0",
        "assignments-INITIAL_FORMS": "0",
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


# --- The quiz's total: its questions and the safety-critical rules it covers ----


def quiz_with_coverage():
    """A quiz of 4 questions: a fixed one testing critical rule A, a draw from
    critical rule B, two from a category (that may or may not test C)."""
    rule_a = RuleFactory(code="R-A", title="Rule A", critical=True)
    rule_b = RuleFactory(code="R-B", title="Rule B", critical=True)
    rule_c = RuleFactory(code="R-C", title="Rule C", critical=True)
    RuleFactory(code="R-PLAIN")  # not critical: not counted
    category = CategoryFactory()
    for _ in range(2):
        published_question(category=category, rules=[rule_c])
    published_question(rules=[rule_b])
    quiz = QuizFactory(questions=[published_question(rules=[rule_a])])
    QuizDraw.objects.create(quiz=quiz, rule=rule_b, count=1, order=1)
    QuizDraw.objects.create(quiz=quiz, category=category, count=2, order=2)
    return quiz


def test_quiz_form_shows_the_total_and_names_the_critical_rules_not_covered(
    instructor_client,
):
    quiz = quiz_with_coverage()

    response = instructor_client.get(reverse("admin:quiz_quiz_change", args=[quiz.pk]))

    body = response.content.decode()
    assert "4 questions · covers 2 of 3 safety-critical rules" in body
    assert "Not asked in every attempt: R-C (Rule C)" in body
    assert "R-A (Rule A)" not in body


def test_quiz_total_counts_fixed_and_drawn_questions_and_covered_rules():
    quiz = quiz_with_coverage()

    total = quiz_total(Quiz.objects.get(pk=quiz.pk))

    assert total.questions == 4
    assert [rule.code for rule in total.covered] == ["R-A", "R-B"]
    assert [rule.code for rule in total.missing] == ["R-C"]


def test_a_new_quiz_form_says_the_total_comes_once_saved(instructor_client):
    response = instructor_client.get(reverse("admin:quiz_quiz_add"))

    assert "Counted once the quiz is saved." in response.content.decode()


@pytest.mark.parametrize("size", [1, 6])
def test_quiz_total_queries_do_not_grow_with_the_quiz(size, django_assert_num_queries):
    rules = [RuleFactory(critical=True) for _ in range(size)]
    quiz = QuizFactory(questions=[published_question(rules=[r]) for r in rules])
    for order, rule in enumerate(rules):
        published_question(rules=[rule])
        QuizDraw.objects.create(quiz=quiz, rule=rule, count=1, order=order)
    quiz = Quiz.objects.get(pk=quiz.pk)

    # the draws, the fixed questions, the critical rules with "a fixed question
    # tests it"
    with django_assert_num_queries(3):
        total = quiz_total(quiz)

    assert total.questions == 2 * size
    assert len(total.covered) == size


def test_quiz_total_reads_what_the_admin_prefetched(django_assert_num_queries):
    quiz = quiz_with_coverage()
    quiz = Quiz.objects.prefetch_related("draws", "quiz_questions").get(pk=quiz.pk)

    with django_assert_num_queries(1):  # the critical rules
        quiz_total(quiz)

"""Trainee pages run a fixed number of queries, whatever the quiz size."""

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quiz.attempts.services import attempt_save_answers, attempt_start, attempt_submit
from tests.factories import QuizFactory, as_keys, correct_answers

pytestmark = pytest.mark.django_db

# Session, then the user with the permissions the roles come from (one query,
# accounts/backends.py): the price of any signed-in page.
AUTH = 2


def started(trainee, n):
    quiz = QuizFactory(questions__n=n)
    return attempt_start(quiz=quiz, user=trainee)


def count_queries(callable_) -> int:
    with CaptureQueriesContext(connection) as ctx:
        callable_()
    return len(ctx.captured_queries)


@pytest.mark.parametrize("n", [10, 50])
def test_quiz_list_queries(trainee_client, trainee, n, django_assert_num_queries):
    for _ in range(3):
        started(trainee, n)
    # AUTH + overdue attempts to close + quizzes + the trainee's attempts
    with django_assert_num_queries(AUTH + 3):
        assert trainee_client.get(reverse("quiz:quiz-list")).status_code == 200


@pytest.mark.parametrize("n", [10, 50])
def test_attempt_page_queries(trainee_client, trainee, n, django_assert_num_queries):
    attempt = started(trainee, n)
    # AUTH + the attempt's questions, each with the attempt and its quiz (one join)
    with django_assert_num_queries(AUTH + 1):
        response = trainee_client.get(reverse("quiz:attempt-detail", args=[attempt.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("n", [10, 50])
def test_save_answers_queries(trainee_client, trainee, n, django_assert_num_queries):
    attempt = started(trainee, n)
    answers = correct_answers(attempt)
    data = {**as_keys(attempt, answers), "nav": "save"}
    # AUTH + savepoint, the questions with the attempt (locked) and its quiz in
    # one query, bulk update, release: the page's form reads nothing itself
    with django_assert_num_queries(AUTH + 4):
        response = trainee_client.post(
            reverse("quiz:attempt-detail", args=[attempt.pk]), data
        )
    assert response.status_code == 302


@pytest.mark.parametrize("n", [10, 50])
def test_save_and_next_queries(trainee_client, trainee, n, django_assert_num_queries):
    """Moving to another page also stores it as the page "Resume" opens: one
    UPDATE of the attempt more than a save that stays on its page."""
    attempt = started(trainee, n)
    attempt.quiz.layout = "one_per_page"
    attempt.quiz.save(update_fields=["layout"])
    answers = correct_answers(attempt)
    data = {**as_keys(attempt, {1: answers[1]}), "page": "1", "nav": "next"}
    # AUTH + savepoint, the questions with the attempt (locked) and its quiz,
    # bulk update, update of the attempt's page, release
    with django_assert_num_queries(AUTH + 5):
        response = trainee_client.post(
            reverse("quiz:attempt-detail", args=[attempt.pk]), data
        )
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.last_page == 2


@pytest.mark.parametrize("n", [10, 50])
def test_submit_queries(trainee_client, trainee, n, django_assert_num_queries):
    attempt = started(trainee, n)
    attempt_save_answers(
        attempt=attempt, user=trainee, answers=correct_answers(attempt)
    )
    # AUTH + savepoint, the questions with the attempt (locked) and its quiz,
    # bulk update of marks, update of the attempt, release
    with django_assert_num_queries(AUTH + 5):
        response = trainee_client.post(
            reverse("quiz:attempt-submit", args=[attempt.pk])
        )
    assert response.status_code == 302


@pytest.mark.parametrize("n", [10, 50])
def test_result_page_queries(trainee_client, trainee, n, django_assert_num_queries):
    attempt = started(trainee, n)
    attempt_submit(attempt=attempt, user=trainee, answers=correct_answers(attempt))
    # AUTH + attempt with quiz + items
    with django_assert_num_queries(AUTH + 2):
        response = trainee_client.get(reverse("quiz:attempt-result", args=[attempt.pk]))
    assert response.status_code == 200


def test_counts_do_not_grow_from_10_to_50_questions(trainee, client):
    client.force_login(trainee)
    small, large = started(trainee, 10), started(trainee, 50)
    counts = {}
    for label, attempt in [("small", small), ("large", large)]:
        detail = reverse("quiz:attempt-detail", args=[attempt.pk])
        counts[label] = [count_queries(lambda url=detail: client.get(url))]
        attempt_submit(attempt=attempt, user=trainee, answers=correct_answers(attempt))
        result = reverse("quiz:attempt-result", args=[attempt.pk])
        counts[label].append(count_queries(lambda url=result: client.get(url)))
    assert counts["small"] == counts["large"]


def test_quiz_list_counts_questions_without_joining_the_quiz_rows(db, trainee_client):
    """An unused n_fixed annotation cost a JOIN and GROUP BY of every quiz row on
    each dashboard. The cards now show the number of questions: it is read by
    correlated subqueries, never by joining or grouping the quiz rows."""
    QuizFactory(questions__n=3)
    with CaptureQueriesContext(connection) as run:
        response = trainee_client.get(reverse("quiz:quiz-list"))

    assert response.status_code == 200
    assert "3 questions" in response.content.decode()
    [quizzes] = [
        q["sql"] for q in run.captured_queries if 'FROM "quiz_quiz"' in q["sql"]
    ]
    outer = quizzes[quizzes.rindex('FROM "quiz_quiz"') :]
    assert "JOIN" not in outer and "GROUP BY" not in outer

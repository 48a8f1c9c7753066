"""Two requests at once never grade an attempt twice (real transactions, PostgreSQL)."""

import threading

import pytest

from django.db import connection, connections

from quiz.attempts.services import AttemptClosedError, attempt_start, attempt_submit
from quiz.models import Attempt, AttemptState
from tests.factories import QuizFactory, TraineeFactory, correct_answers

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL"
    ),
]


def run_together(target, n=2):
    barrier = threading.Barrier(n)
    results, errors = [], []

    def worker():
        try:
            barrier.wait(timeout=10)
            results.append(target())
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results, errors


def test_concurrent_double_submit_grades_exactly_once():
    trainee = TraineeFactory()
    quiz = QuizFactory(questions__n=5)
    attempt = attempt_start(quiz=quiz, user=trainee)
    answers = correct_answers(attempt)

    results, errors = run_together(
        lambda: attempt_submit(attempt=attempt, user=trainee, answers=answers)
    )

    assert len(results) == 1
    assert len(errors) == 1 and isinstance(errors[0], AttemptClosedError)
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.FINISHED and attempt.score == 100


def test_concurrent_starts_make_one_attempt():
    trainee = TraineeFactory()
    quiz = QuizFactory(questions__n=3)

    results, errors = run_together(lambda: attempt_start(quiz=quiz, user=trainee))

    assert errors == []
    assert len({attempt.pk for attempt in results}) == 1
    assert Attempt.objects.filter(user=trainee, quiz=quiz).count() == 1


def test_concurrent_submits_of_a_passing_attempt_issue_one_certificate():
    from quiz.models import Certificate

    trainee = TraineeFactory()
    quiz = QuizFactory(
        questions__n=3, certificate_on_pass=True, certificate_validity_months=6
    )
    attempt = attempt_start(quiz=quiz, user=trainee)
    answers = correct_answers(attempt)

    results, errors = run_together(
        lambda: attempt_submit(attempt=attempt, user=trainee, answers=answers), n=3
    )

    assert len(results) == 1 and len(errors) == 2
    assert Certificate.objects.filter(user=trainee, quiz=quiz).count() == 1


def test_two_instructors_retiring_at_once_cannot_empty_a_draw_between_them():
    from django.core.exceptions import ValidationError

    from questions.models import Question, QuestionStatus
    from questions.services import question_unpublish
    from quiz.models import QuizDraw
    from tests.factories import CategoryFactory, published_question

    category = CategoryFactory()
    questions = [published_question(category=category) for _ in range(3)]
    QuizDraw.objects.create(quiz=QuizFactory(questions=[]), category=category, count=2)
    queue = iter(questions[:2])
    lock = threading.Lock()

    def retire_one():
        with lock:
            question = next(queue)
        return question_unpublish(question=question)

    results, errors = run_together(retire_one)

    assert len(results) == 1
    assert len(errors) == 1 and isinstance(errors[0], ValidationError)
    assert (
        Question.objects.filter(
            category=category, status=QuestionStatus.PUBLISHED
        ).count()
        == 2
    )

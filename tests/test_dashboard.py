"""The trainee's dashboard says what to do next, and each card's button matches
the quiz's state."""

from decimal import Decimal

import pytest

from django.urls import reverse
from django.utils import timezone

from quiz.attempts.services import attempt_start, attempt_submit
from quiz.models import Attempt
from tests.factories import QuizFactory, correct_answers

pytestmark = pytest.mark.django_db


def _finished(quiz, user, score):
    return Attempt.objects.create(
        quiz=quiz,
        user=user,
        number=Attempt.objects.filter(quiz=quiz, user=user).count() + 1,
        pass_mark=quiz.pass_mark,
        state="finished",
        finished_at=timezone.now(),
        score=Decimal(score),
        passed=Decimal(score) >= quiz.pass_mark,
    )


def test_next_step_is_a_retake_with_grade_and_pass_mark(trainee, trainee_client):
    module = QuizFactory(questions__n=2, title="Module 4", order=1, max_attempts=3)
    QuizFactory(questions__n=1, title="Module 5", order=2)
    _finished(module, trainee, "60")

    html = trainee_client.get(reverse("quiz:home")).content.decode()

    assert "Your next step" in html
    assert "Retake Module 4: your grade is 60%, the pass mark 80%." in html
    assert "0 of 2 passed" in html
    assert ">Retake<" in html and ">Start<" in html


def test_a_passed_certifying_exam_offers_review_and_its_certificate(
    trainee, trainee_client
):
    exam = QuizFactory(questions__n=2, title="Final exam", certificate_on_pass=True)
    attempt = attempt_start(quiz=exam, user=trainee)
    attempt_submit(attempt=attempt, user=trainee, answers=correct_answers(attempt))
    certificate = trainee.certificates.get()

    html = trainee_client.get(reverse("quiz:quiz-list")).content.decode()

    assert reverse("quiz:attempt-result", args=[attempt.pk]) in html
    assert ">Review<" in html
    assert reverse("quiz:certificate-pdf", args=[certificate.display_code]) in html
    assert "2 questions" in html and "no time limit" in html


def test_nothing_to_do_means_no_next_step(trainee, trainee_client):
    module = QuizFactory(questions__n=1, title="Only module")
    _finished(module, trainee, "100")

    html = trainee_client.get(reverse("quiz:home")).content.decode()

    assert "Your next step" not in html
    assert "1 of 1 passed" in html

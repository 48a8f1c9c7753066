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


def test_favicon_is_served_not_a_404(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"].endswith("img/favicon.svg")


def test_trainee_report_speaks_of_the_trainee(supervisor_client, cohort, trainee):
    html = supervisor_client.get(
        reverse("quiz:report-trainee", args=[trainee.pk])
    ).content.decode()

    assert (
        "the trainee&#x27;s latest answers" in html
        or "the trainee's latest answers" in html
    )
    assert "your latest answers" not in html


def test_an_empty_cohort_says_so_instead_of_zero_percent(supervisor_client, supervisor):
    from tests.factories import CohortFactory

    QuizFactory(questions__n=1)
    empty = CohortFactory(trainees=[], supervisors=[supervisor])

    html = supervisor_client.get(
        reverse("quiz:report-cohort", args=[empty.pk])
    ).content.decode()

    assert "This cohort has no trainees yet" in html
    assert "No trainee matches this filter" not in html
    assert "0% <span" not in html  # no completion rate of nobody


def test_result_page_says_when_and_how_long(trainee, trainee_client):
    from datetime import timedelta

    quiz = QuizFactory(questions__n=1)
    attempt = attempt_start(quiz=quiz, user=trainee)
    attempt_submit(attempt=attempt, user=trainee, answers=correct_answers(attempt))
    Attempt.objects.filter(pk=attempt.pk).update(
        started_at=timezone.now() - timedelta(minutes=12, seconds=30)
    )

    html = trainee_client.get(
        reverse("quiz:attempt-result", args=[attempt.pk])
    ).content.decode()

    assert "time taken 13 min" in html and "Started " in html


def test_trainee_report_opens_with_a_summary(supervisor_client, cohort, trainee):
    from tests.factories import RuleFactory, published_question

    twist = RuleFactory(critical=True, code="R-NO-TWIST", title="No twisting")
    exam = QuizFactory(
        questions=[published_question(rules=[twist])],
        title="Final exam",
        certificate_on_pass=True,
        certificate_validity_months=12,
        max_attempts=3,
    )
    module = QuizFactory(questions=[published_question(rules=[twist])], title="M1")
    passed = attempt_start(quiz=exam, user=trainee)
    attempt_submit(attempt=passed, user=trainee, answers=correct_answers(passed))
    for _ in range(2):
        wrong = attempt_start(quiz=module, user=trainee)
        attempt_submit(attempt=wrong, user=trainee, answers={1: []})

    response = supervisor_client.get(reverse("quiz:report-trainee", args=[trainee.pk]))

    html = response.content.decode()
    certificate = trainee.certificates.get()
    assert "Final exam:" in html and "valid until" in html
    assert certificate.expires_at.strftime("%Y") in html
    assert [row.rule.code for row in response.context["weakest"]] == ["R-NO-TWIST"]
    assert "R-NO-TWIST</span> No twisting: 33%" in html
    assert ">2<" in html  # attempts left on the final exam

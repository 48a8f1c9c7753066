"""Values that reach date arithmetic or loops are bounded; one bad record never
stops the cron command grading the others."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest

from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from quiz.attempts.services import attempt_save_answers, attempt_start, attempt_submit
from quiz.models import Attempt, AttemptState, Quiz, QuizDraw
from tests.factories import (
    CategoryFactory,
    QuizFactory,
    TraineeFactory,
    correct_answers,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("certificate_validity_months", 100000),
        ("time_limit_minutes", 10**6),
        ("max_attempts", 10**6),
        ("closes_at", datetime(9999, 12, 31, tzinfo=UTC)),
        ("closes_at", datetime(1, 1, 1, tzinfo=UTC)),
    ],
)
def test_absurd_quiz_settings_are_form_errors(field, value):
    quiz = QuizFactory.build(certificate_on_pass=True, **{field: value})

    with pytest.raises(ValidationError) as info:
        quiz.full_clean(exclude=["slug"])

    assert field in info.value.message_dict


def test_absurd_draw_size_is_a_form_error():
    draw = QuizDraw(quiz=QuizFactory(), category=CategoryFactory(), count=30000)

    with pytest.raises(ValidationError) as info:
        draw.full_clean()

    assert "count" in info.value.message_dict


def test_admin_shows_the_bound_instead_of_saving(admin_client):
    quiz = QuizFactory(questions__n=1, published=False)
    data = {
        "title": quiz.title,
        "slug": quiz.slug,
        "description": "",
        "order": "0",
        "layout": quiz.layout,
        "pass_mark": "80",
        "grading_method": "highest",
        "review": "immediately",
        "closes_at_0": "9999-12-31",
        "closes_at_1": "12:00:00",
        "certificate_on_pass": "on",
        "certificate_validity_months": "100000",
        "quiz_questions-TOTAL_FORMS": "0",
        "quiz_questions-INITIAL_FORMS": "0",
        "draws-TOTAL_FORMS": "0",
        "draws-INITIAL_FORMS": "0",
    }

    response = admin_client.post(
        reverse("admin:quiz_quiz_change", args=[quiz.pk]), data
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "certificate_validity_months" in errors and "closes_at" in errors
    quiz.refresh_from_db()
    assert quiz.closes_at is None and quiz.certificate_validity_months is None


def test_a_legacy_far_closing_date_does_not_break_the_attempt_pages(
    trainee_client, trainee
):
    quiz = QuizFactory(questions__n=1)
    attempt = attempt_start(quiz=quiz, user=trainee)
    Quiz.objects.filter(pk=quiz.pk).update(
        closes_at=datetime(9999, 12, 31, 23, 59, tzinfo=UTC)
    )

    page = trainee_client.get(reverse("quiz:attempt-detail", args=[attempt.pk]))
    listing = trainee_client.get(reverse("quiz:quiz-list"))

    assert page.status_code == 200 and listing.status_code == 200


def test_a_legacy_huge_validity_does_not_fail_a_passing_submit(trainee):
    quiz = QuizFactory(questions__n=1, certificate_on_pass=True)
    Quiz.objects.filter(pk=quiz.pk).update(certificate_validity_months=100000)
    quiz.refresh_from_db()
    attempt = attempt_start(quiz=quiz, user=trainee)

    outcome = attempt_submit(
        attempt=attempt, user=trainee, answers=correct_answers(attempt)
    )

    assert outcome.attempt.passed
    certificate = trainee.certificates.get()
    assert certificate.expires_at.year == certificate.issued_at.year + 10


def test_close_overdue_goes_on_past_an_attempt_that_fails(monkeypatch):
    import quiz.attempts.services as services

    quiz = QuizFactory(questions__n=1, time_limit_minutes=5)
    attempts = []
    for trainee in TraineeFactory.create_batch(3):
        attempt = attempt_start(quiz=quiz, user=trainee)
        attempt_save_answers(
            attempt=attempt, user=trainee, answers=correct_answers(attempt)
        )
        attempts.append(attempt)
    Attempt.objects.update(deadline=timezone.now() - timedelta(hours=1))
    bad = attempts[1].pk
    grade = services._grade_and_finish

    def grade_or_fail(attempt, *, timed_out, items=None):
        if attempt.pk == bad:
            raise ValueError("a record the grading cannot read")
        return grade(attempt, timed_out=timed_out, items=items)

    monkeypatch.setattr(services, "_grade_and_finish", grade_or_fail)
    out = StringIO()

    with pytest.raises(CommandError, match=str(bad)):
        call_command("close_overdue_attempts", stdout=out)

    assert "2 overdue attempts graded." in out.getvalue()
    states = dict(Attempt.objects.values_list("pk", "state"))
    assert states[bad] == AttemptState.IN_PROGRESS
    assert [states[a.pk] for a in attempts if a.pk != bad] == [
        AttemptState.FINISHED
    ] * 2

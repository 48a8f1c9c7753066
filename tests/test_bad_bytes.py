"""Bytes no form sends get a 400 with a message, never a 500, and nothing saved."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from django.test import Client
from django.urls import reverse
from django.utils.http import urlencode

from accounts.models import User
from quiz.attempts.services import attempt_start
from tests.factories import QuizFactory

pytestmark = pytest.mark.django_db
FORM = "application/x-www-form-urlencoded"


@pytest.mark.parametrize("charset", ["utf-16", "utf-32", "latin-1", "shift_jis"])
def test_a_form_post_in_another_charset_is_400(client, charset):
    client.get(reverse("login"))  # holds a CSRF cookie, as a visitor would
    # The test client encodes a str body with the declared charset.
    response = client.post(
        reverse("login"),
        "username=ana&password=x",
        content_type=f"application/x-www-form-urlencoded; charset={charset}",
    )

    assert response.status_code == 400
    assert "UTF-8" in response.content.decode()


def test_a_nul_in_a_posted_field_is_400_and_saves_nothing(trainee_client, trainee):
    quiz = QuizFactory(questions__n=1)
    attempt = attempt_start(quiz=quiz, user=trainee)

    response = trainee_client.post(
        reverse("quiz:attempt-detail", args=[attempt.pk]),
        urlencode({"shown": "1", "q-1": "1\x00", "nav": "save"}),
        content_type=FORM,  # as a browser sends a form without a file
    )

    assert response.status_code == 400
    assert "NUL" in response.content.decode()
    assert attempt.items.get().selected == []


@pytest.mark.parametrize(
    "query",
    [
        "?started_at__year=999999999999999",
        "?started_at__year=99999",
        "?started_at__year=2026&started_at__month=13",
        "?started_at__year=2026&started_at__month=2&started_at__day=%C2%B2",
        "?q=%00",
        "?state=in_progress%00",
    ],
)
def test_admin_filters_with_nul_or_absurd_dates_are_400(admin_client, query):
    response = admin_client.get(reverse("admin:quiz_attempt_changelist") + query)

    assert response.status_code == 400


def test_a_real_date_filter_still_works(admin_client):
    response = admin_client.get(
        reverse("admin:quiz_attempt_changelist") + "?started_at__year=2026"
    )

    assert response.status_code == 200


@settings(max_examples=40, deadline=None)
@given(
    text=st.text(
        alphabet=st.characters(codec="utf-8", categories=["Cc", "L", "N", "P"]),
        max_size=30,
    )
)
def test_any_text_in_the_sign_in_form_is_answered_without_500(text):
    client = Client()
    before = User.objects.count()

    response = client.post(
        reverse("login"),
        urlencode({"username": text, "password": text}),
        content_type=FORM,
    )

    assert response.status_code in (200, 400, 403, 429)  # 429: the lockout
    if "\x00" in text:
        assert response.status_code == 400
    assert User.objects.count() == before


@pytest.mark.parametrize("fmt", ["gift", "aiken"])
def test_an_uploaded_question_file_with_a_nul_is_refused_by_line(admin_client, fmt):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from questions.models import Question

    body = b"Q1?\nA. x\nB. y\nANSWER: A\n\nTwist\x00?\nA. x\nB. y\nANSWER: A\n"
    response = admin_client.post(
        reverse("admin:questions_question_import"),
        {"format": fmt, "category": "", "upload": SimpleUploadedFile("q.txt", body)},
    )

    assert response.status_code == 400
    assert "Line 6 contains a NUL character" in response.content.decode()
    assert not Question.objects.exists()

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


@pytest.mark.parametrize("fmt", ["gift", "aiken", "xml"])
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


XML_HEAD = b'<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n'
XML_QUESTION = (
    b'<question type="truefalse"><name><text>T</text></name>'
    b"<questiontext><text>Sky?</text></questiontext>"
    b'<answer fraction="100"><text>true</text></answer>'
    b'<answer fraction="0"><text>false</text></answer></question>\n'
)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        # Latin-1 bytes, though the file says UTF-8.
        (XML_HEAD + XML_QUESTION.replace(b"Sky", b"Ciel d\xe9j\xe0") + b"</quiz>",
         "The file is not UTF-8 text (byte"),
        # UTF-16, as some editors save XML.
        ("<quiz></quiz>".encode("utf-16"), "The file is not UTF-8 text (byte 0)"),
        # Cut off in the middle of a question.
        (XML_HEAD + XML_QUESTION[:70], "before its XML does: is it complete?"),
        # Binary junk after a valid start.
        (XML_HEAD + b"\x01\x02\x03</quiz>", "line 3: not well-formed XML"),
        (b"", "Choose a file or paste the questions."),
    ],
)  # fmt: skip
def test_bad_bytes_in_an_uploaded_moodle_xml_file_are_a_400_with_the_reason(
    admin_client, body, message
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from questions.models import Question

    response = admin_client.post(
        reverse("admin:questions_question_import"),
        {"format": "xml", "category": "", "upload": SimpleUploadedFile("q.xml", body)},
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Question.objects.exists()


def test_a_huge_moodle_xml_file_is_refused_before_it_is_read(admin_client, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.QUESTION_IMPORT_MAX_BYTES = 64 * 1024
    body = XML_HEAD + XML_QUESTION * 1000 + b"</quiz>"
    assert len(body) > 64 * 1024

    response = admin_client.post(
        reverse("admin:questions_question_import"),
        {"format": "xml", "category": "", "upload": SimpleUploadedFile("q.xml", body)},
    )

    assert response.status_code == 400
    assert "The file is larger than 64 KB" in response.content.decode()


def test_a_moodle_xml_file_with_too_many_questions_is_refused(admin_client, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.QUESTION_IMPORT_MAX_QUESTIONS = 3
    body = XML_HEAD + XML_QUESTION * 4 + b"</quiz>"

    response = admin_client.post(
        reverse("admin:questions_question_import"),
        {"format": "xml", "category": "", "upload": SimpleUploadedFile("q.xml", body)},
    )

    assert response.status_code == 400
    assert "The file has 4 questions; at most 3" in response.content.decode()

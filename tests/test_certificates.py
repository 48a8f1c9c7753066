"""Certificates: issued once by a pass, verifiable by anyone, revocable, never deleted."""

import html
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from pypdf import PdfReader

from django.contrib.messages import get_messages
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from quiz.attempts.services import attempt_start
from quiz.certificates.codes import (
    ALPHABET,
    code_generate,
    code_problem,
    format_code,
    normalise_code,
)
from quiz.certificates.services import add_months, certificate_revoke
from quiz.models import Attempt, Certificate
from tests.factories import (
    CohortFactory,
    InstructorFactory,
    QuizFactory,
    SupervisorFactory,
    TraineeFactory,
    as_keys,
    correct_answers,
    take,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def certifying_quiz(db):
    return QuizFactory(
        questions__n=3, certificate_on_pass=True, certificate_validity_months=12
    )


@pytest.fixture
def certificate(certifying_quiz, trainee, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        take(certifying_quiz, trainee)
    return Certificate.objects.get(user=trainee)


# --- issuing ---------------------------------------------------------------------


def test_first_pass_issues_one_certificate_with_expiry(certifying_quiz, trainee):
    attempt = take(certifying_quiz, trainee)

    certificate = Certificate.objects.get(user=trainee, quiz=certifying_quiz)
    assert certificate.attempt == attempt
    assert certificate.holder_name == trainee.get_full_name()
    assert certificate.score == 100
    assert certificate.expires_at == add_months(certificate.issued_at, 12)
    assert certificate.status == "valid"


def test_second_pass_issues_nothing(certifying_quiz, trainee):
    take(certifying_quiz, trainee)
    take(certifying_quiz, trainee)

    assert Certificate.objects.filter(user=trainee).count() == 1


def test_failed_attempt_and_non_certifying_quiz_issue_nothing(certifying_quiz, trainee):
    take(certifying_quiz, trainee, right=False)
    take(QuizFactory(questions__n=1), trainee)

    assert not Certificate.objects.exists()


def test_pass_after_expiry_issues_a_renewal(certifying_quiz, trainee):
    take(certifying_quiz, trainee)
    old = Certificate.objects.get()
    Certificate.objects.filter(pk=old.pk).update(
        issued_at=timezone.now() - timedelta(days=800),
        expires_at=timezone.now() - timedelta(days=1),
    )

    take(certifying_quiz, trainee)

    assert Certificate.objects.filter(user=trainee).count() == 2
    assert Certificate.objects.exclude(pk=old.pk).get().status == "valid"


def test_issue_mail_is_sent_after_commit(
    certifying_quiz, trainee, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        take(certifying_quiz, trainee)
    assert mail.outbox == []  # nothing before the commit

    for callback in callbacks:
        callback()

    certificate = Certificate.objects.get()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [trainee.email]
    assert certificate.display_code in mail.outbox[0].body
    assert "http://localhost:8000/certificates/verify/" in mail.outbox[0].body


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (
            datetime(2026, 1, 31, 9, tzinfo=UTC),
            1,
            datetime(2026, 2, 28, 9, tzinfo=UTC),
        ),
        (
            datetime(2027, 11, 30, tzinfo=UTC),
            3,
            datetime(2028, 2, 29, tzinfo=UTC),
        ),
        (
            datetime(2026, 5, 15, tzinfo=UTC),
            24,
            datetime(2028, 5, 15, tzinfo=UTC),
        ),
    ],
)
def test_expiry_months_arithmetic(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("zone", "issued", "months", "expires"),
    [
        # 30 January 23:30 in Los Angeles is 31 January in UTC: a month later
        # is 28 February locally, not 27 February.
        ("America/Los_Angeles", (2026, 1, 30, 23, 30), 1, (2026, 2, 28, 23, 30)),
        ("America/Los_Angeles", (2026, 1, 31, 23, 30), 1, (2026, 2, 28, 23, 30)),
        # 31 March 05:00 in Vladivostok is 30 March in UTC: the last day of
        # April locally, not 1 May.
        ("Asia/Vladivostok", (2026, 3, 31, 5, 0), 1, (2026, 4, 30, 5, 0)),
        ("Asia/Vladivostok", (2026, 3, 1, 8, 0), 1, (2026, 4, 1, 8, 0)),
        # 29 February 2028 08:00 there is 28 February in UTC.
        ("Asia/Vladivostok", (2028, 2, 29, 8, 0), 12, (2029, 2, 28, 8, 0)),
        # Across the change to summer time the wall-clock time is kept.
        ("America/Los_Angeles", (2026, 2, 28, 12, 0), 1, (2026, 3, 28, 12, 0)),
    ],
)
def test_expiry_is_counted_in_the_site_time_zone(
    trainee, settings, zone, issued, months, expires
):
    from zoneinfo import ZoneInfo

    from quiz.certificates.services import certificate_issue_for_attempt

    settings.TIME_ZONE = zone
    local = ZoneInfo(zone)
    attempt = take(QuizFactory(questions__n=1), trainee)  # issues nothing
    attempt.quiz.certificate_on_pass = True
    attempt.quiz.certificate_validity_months = months
    # in UTC, as timezone.now() and the database give it
    attempt.finished_at = datetime(*issued, tzinfo=local).astimezone(UTC)

    certificate = certificate_issue_for_attempt(attempt=attempt)

    certificate.refresh_from_db()
    assert timezone.localtime(certificate.issued_at) == datetime(*issued, tzinfo=local)
    assert timezone.localtime(certificate.expires_at).replace(tzinfo=None) == (
        datetime(*expires)
    )


def test_quiz_without_validity_gives_a_certificate_that_never_expires(trainee):
    quiz = QuizFactory(questions__n=1, certificate_on_pass=True)

    take(quiz, trainee)

    assert Certificate.objects.get().expires_at is None


# --- codes -------------------------------------------------------------------------


def test_code_has_100_random_bits_in_readable_groups():
    codes = {code_generate() for _ in range(2000)}

    assert len(codes) == 2000
    assert all(len(c) == 20 and set(c) <= set(ALPHABET) for c in codes)
    assert len(ALPHABET) ** 20 >= 2**100
    assert re.fullmatch(r"RW(-[0-9A-Z]{4}){5}", format_code(next(iter(codes))))


def test_code_is_not_derived_from_ids(certifying_quiz):
    codes = [take(certifying_quiz, TraineeFactory()).certificate.code for _ in range(3)]

    assert len(set(codes)) == 3
    assert not any(code.isdigit() for code in codes)


def test_code_is_unique_by_constraint(certificate, certifying_quiz):
    other = take(QuizFactory(questions__n=1), certificate.user)
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.create(
            code=certificate.code,
            user=certificate.user,
            quiz=certifying_quiz,
            attempt=other,
            holder_name="x",
            quiz_title="x",
            score=100,
        )


@pytest.mark.parametrize(
    "spelling",
    [
        lambda c: format_code(c),
        lambda c: format_code(c).lower(),
        lambda c: c,
        lambda c: c.lower(),
        lambda c: " ".join(c[i : i + 4] for i in range(0, 20, 4)),
        lambda c: "rw" + c,
    ],
)
def test_code_spellings_normalise(spelling):
    code = code_generate()

    assert normalise_code(spelling(code)) == code


def test_letter_o_and_i_read_as_digits():
    assert normalise_code("O" * 19 + "I") == "0" * 19 + "1"


@pytest.mark.parametrize("bad", ["", "RW-", "ABC", "U" * 20, "A" * 21, "<script>"])
def test_malformed_codes_are_rejected(bad):
    assert normalise_code(bad) is None


@pytest.mark.parametrize(
    "spelling",
    [
        lambda c: format_code(c),
        lambda c: format_code(c).lower(),
        lambda c: c,
        lambda c: " ".join(c[i : i + 4] for i in range(0, 20, 4)),
        lambda c: "rw" + c,
        lambda c: c.replace("0", "O").replace("1", "l"),
    ],
)
def test_a_well_formed_code_has_no_problem(spelling):
    assert code_problem(spelling(code_generate())) is None


@pytest.mark.parametrize(
    ("raw", "char"),
    [
        ("RW-7KQ4-M2XD-9TPA-UUUU-0000", "U"),
        ("rw-7kq4-m2xd-9tpa-uuuu-0000", "u"),
        ("RW-7KQ4-M2XD-9TPA-#000-0000", "#"),
        ("RW-7KQ4-M2XD-9TPA-Ä000-0000", "Ä"),
    ],
)
def test_code_problem_names_a_character_outside_the_alphabet(raw, char):
    problem = code_problem(raw)

    assert problem is not None
    assert f"“{char}”" in problem
    assert "I, L, O and U" in problem
    assert "O is read as 0" in problem and "I or L as 1" in problem


def test_code_problem_shows_an_invisible_character_by_its_code_point():
    problem = code_problem("RW-7KQ4-M2XD-9TPA-0000\u200b-0000")

    assert problem is not None and "U+200B" in problem


@pytest.mark.parametrize(
    ("raw", "count"),
    [
        ("RW-7KQ4-M2XD-9TPA-0000", 16),
        ("7KQ4 M2XD 9TPA 0000 000", 19),
        ("RW-7", 1),
    ],
)
def test_code_problem_says_a_short_code_is_short_and_how_short(raw, count):
    problem = code_problem(raw)

    assert problem is not None
    assert problem.startswith("Too short")
    assert f"it has {count} character" in problem
    assert "a certificate code has 20" in problem


def test_code_problem_says_a_long_code_is_long():
    problem = code_problem("RW-7KQ4-M2XD-9TPA-0000-0000-1")

    assert problem is not None
    assert problem.startswith("Too long") and "it has 21 characters" in problem
    assert "a certificate code has 20" in problem


def test_code_problem_of_nothing_but_the_prefix():
    assert (
        code_problem("RW-")
        == code_problem("  ")
        == ("Type the 20 letters and digits printed after RW- on the certificate.")
    )


def test_code_problem_singular_for_one_character():
    assert "has 1 character after RW-" in code_problem("RW-7")


@pytest.mark.parametrize(
    "raw", ["", "RW-", "ABC", "U" * 20, "A" * 21, "<script>", "RW" + "A" * 19, "RWX"]
)
def test_code_problem_exactly_when_the_code_does_not_normalise(raw):
    assert (code_problem(raw) is None) == (normalise_code(raw) is not None)


# --- PDF ----------------------------------------------------------------------------


def pdf_of(client, certificate):
    response = client.get(
        reverse("quiz:certificate-pdf", args=[certificate.display_code])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return PdfReader(io.BytesIO(response.content))


def test_pdf_holds_name_quiz_code_and_verification_url(trainee_client, certificate):
    reader = pdf_of(trainee_client, certificate)

    page = reader.pages[0]
    text = page.extract_text()
    assert len(reader.pages) == 1
    assert page.mediabox.width > page.mediabox.height  # landscape
    assert certificate.holder_name in text
    assert certificate.quiz_title in text
    assert certificate.display_code in text
    assert (
        f"http://localhost:8000/certificates/verify/{certificate.display_code}/" in text
    )
    assert "REVOKED" not in text


def test_pdf_qr_code_decodes_to_the_verification_url(trainee_client, certificate):
    zxingcpp = pytest.importorskip("zxingcpp")
    page = pdf_of(trainee_client, certificate).pages[0]

    [image] = page.images
    decoded = [result.text for result in zxingcpp.read_barcodes(image.image)]

    assert decoded == [
        f"http://localhost:8000/certificates/verify/{certificate.display_code}/"
    ]


def test_revoked_certificate_pdf_is_marked(trainee_client, certificate, instructor):
    certificate_revoke(certificate=certificate, by=instructor, reason="Exam fraud")

    text = pdf_of(trainee_client, certificate).pages[0].extract_text()

    assert "REVOKED" in text


def download_status(client, user, certificate) -> int:
    if user is not None:
        client.force_login(user)
    response = client.get(
        reverse("quiz:certificate-pdf", args=[certificate.display_code])
    )
    return response.status_code


def test_download_permission_matrix(client, certificate):
    holder = certificate.user
    own_supervisor = SupervisorFactory()
    CohortFactory(trainees=[holder], supervisors=[own_supervisor])
    other_supervisor = SupervisorFactory()
    CohortFactory(trainees=[TraineeFactory()], supervisors=[other_supervisor])

    expected = {
        "holder": (holder, 200),
        "instructor": (InstructorFactory(), 200),
        "own supervisor": (own_supervisor, 200),
        "other supervisor": (other_supervisor, 404),
        "other trainee": (TraineeFactory(), 404),
    }
    for label, (user, status) in expected.items():
        client.logout()
        assert download_status(client, user, certificate) == status, label
    client.logout()
    assert download_status(client, None, certificate) == 302


def test_unknown_code_download_is_404(trainee_client):
    assert (
        trainee_client.get(
            reverse("quiz:certificate-pdf", args=["RW-0000"])
        ).status_code
        == 404
    )


# --- trainee pages -------------------------------------------------------------------


def test_certificate_list_shows_status_and_download(trainee_client, certificate):
    html = trainee_client.get(reverse("quiz:certificate-list")).content.decode()

    assert certificate.display_code in html
    assert reverse("quiz:certificate-pdf", args=[certificate.display_code]) in html
    assert "Valid" in html


def test_certificate_list_empty_state(trainee_client):
    assert (
        "No certificate yet"
        in trainee_client.get(reverse("quiz:certificate-list")).content.decode()
    )


def test_result_page_links_to_the_certificate(trainee_client, certificate):
    url = reverse("quiz:attempt-result", args=[certificate.attempt_id])

    html = trainee_client.get(url).content.decode()

    assert reverse("quiz:certificate-pdf", args=[certificate.display_code]) in html


def test_result_page_of_a_pass_after_revocation_says_revoked_not_held(
    trainee_client, trainee, certificate, certifying_quiz, instructor
):
    certificate_revoke(certificate=certificate, by=instructor, reason="Exam fraud")
    retake = take(certifying_quiz, trainee)

    response = trainee_client.get(reverse("quiz:attempt-result", args=[retake.pk]))
    html = response.content.decode()

    assert retake.passed and Certificate.objects.filter(user=trainee).count() == 1
    assert "You already hold a certificate" not in html
    assert "was revoked on" in html and "Revoked</span>" in html
    assert reverse("quiz:certificate-pdf", args=[certificate.display_code]) not in html


def test_result_page_of_an_unpublished_quiz_has_no_dead_links(trainee_client, trainee):
    quiz = QuizFactory(questions__n=2)
    attempt = take(quiz, trainee)
    type(quiz).objects.filter(pk=quiz.pk).update(published=False)

    html = trainee_client.get(
        reverse("quiz:attempt-result", args=[attempt.pk])
    ).content.decode()

    assert reverse("quiz:quiz-detail", args=[quiz.slug]) not in html
    assert quiz.title in html and "2 of 2 questions fully right." in html


def test_a_301_character_name_prints_cut_to_300(certifying_quiz):
    trainee = TraineeFactory(first_name="F" * 150, last_name="L" * 150)

    take(certifying_quiz, trainee)

    assert (
        Certificate.objects.get(user=trainee).holder_name == "F" * 150 + " " + "L" * 149
    )


# --- verification ---------------------------------------------------------------------


def verify(client, code):
    return client.get(reverse("quiz:certificate-verify", args=[code]))


def test_verify_valid_shows_only_holder_quiz_and_date(client, certificate):
    response = verify(client, certificate.display_code)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Valid certificate" in html
    assert certificate.holder_name in html and certificate.quiz_title in html
    assert certificate.issued_at.strftime("%Y") in html
    assert certificate.user.email not in html
    assert "100%" not in html and "score" not in html.lower()


@pytest.mark.parametrize(
    "spelling",
    [str.lower, lambda c: c.replace("-", ""), lambda c: c.replace("-", "").lower()[2:]],
)
def test_verify_accepts_any_spelling(client, certificate, spelling):
    assert (
        "Valid certificate"
        in verify(client, spelling(certificate.display_code)).content.decode()
    )


def test_verify_expired_shows_the_date(client, certificate):
    Certificate.objects.filter(pk=certificate.pk).update(
        issued_at=datetime(2024, 1, 1, tzinfo=UTC),
        expires_at=datetime(2025, 3, 4, tzinfo=UTC),
    )

    html = verify(client, certificate.display_code).content.decode()

    assert "Expired on 4 March 2025" in html


def test_verify_revoked_shows_the_date(client, certificate, instructor):
    certificate_revoke(certificate=certificate, by=instructor, reason="Fraud")

    html = verify(client, certificate.display_code).content.decode()

    assert "Revoked on" in html and "Fraud" not in html


def seal_of(html_text):
    """The status seal: its class and whether screen readers skip it."""
    match = re.search(r'<div class="rw-seal rw-seal-(\w+)"([^>]*)>', html_text)
    assert match, "no seal on the page"
    return match.group(1), 'aria-hidden="true"' in match.group(2)


def test_verify_valid_shows_the_seal_and_valid_until(client, certificate):
    Certificate.objects.filter(pk=certificate.pk).update(
        issued_at=datetime(2026, 1, 10, 12, tzinfo=UTC),
        expires_at=datetime(2099, 1, 10, 12, tzinfo=UTC),
    )

    html_text = verify(client, certificate.display_code).content.decode()

    assert seal_of(html_text) == ("valid", True)
    assert re.search(r"<h1[^>]*>\s*Valid certificate\s*</h1>", html_text)
    assert "10 January 2026" in html_text
    assert "Valid until 10 January 2099" in html_text


def test_verify_without_an_expiry_says_it_does_not_expire(client, certificate):
    Certificate.objects.filter(pk=certificate.pk).update(expires_at=None)

    html_text = verify(client, certificate.display_code).content.decode()

    assert seal_of(html_text) == ("valid", True)
    assert "Does not expire" in html_text and "Valid until" not in html_text


def test_verify_expired_has_the_expired_seal(client, certificate):
    Certificate.objects.filter(pk=certificate.pk).update(
        issued_at=datetime(2024, 1, 1, tzinfo=UTC),
        expires_at=datetime(2025, 3, 4, tzinfo=UTC),
    )

    html_text = verify(client, certificate.display_code).content.decode()

    assert seal_of(html_text) == ("expired", True)
    assert re.search(r"<h1[^>]*>\s*Expired on 4 March 2025\s*</h1>", html_text)
    assert "Valid until" not in html_text and "Valid certificate" not in html_text


def test_verify_revoked_has_the_revoked_seal_and_date(client, certificate, instructor):
    Certificate.objects.filter(pk=certificate.pk).update(
        expires_at=datetime(2099, 5, 6, tzinfo=UTC)
    )
    certificate.refresh_from_db()
    certificate_revoke(certificate=certificate, by=instructor, reason="Fraud")
    revoked_on = timezone.localdate(
        Certificate.objects.get(pk=certificate.pk).revoked_at
    )

    html_text = verify(client, certificate.display_code).content.decode()

    assert seal_of(html_text) == ("revoked", True)
    date_text = f"{revoked_on.day} {revoked_on:%B %Y}"
    assert re.search(rf"<h1[^>]*>\s*Revoked on {date_text}\s*</h1>", html_text)
    assert "Term ending 6 May 2099" in html_text
    assert "Valid until" not in html_text and "Valid certificate" not in html_text
    assert "Fraud" not in html_text and instructor.display_name not in html_text


def test_verify_shows_only_status_holder_quiz_and_dates(client, certificate):
    html_text = verify(client, certificate.display_code).content.decode()

    labels = re.findall(r"<dt[^>]*>(.*?)</dt>", html_text)
    assert labels == ["Holder", "Quiz", "Issued", "Expiry"]
    assert certificate.user.username not in html_text
    assert certificate.user.email not in html_text


def test_verify_unknown_code_is_a_clear_404(client):
    response = verify(client, format_code("0" * 20))

    assert response.status_code == 404
    assert "No such certificate" in response.content.decode()


def test_verify_malformed_code_is_404(client):
    assert verify(client, "not-a-code").status_code == 404


def test_repeated_guessing_is_throttled(client, certificate, settings):
    settings.CERTIFICATE_VERIFY_MAX_MISSES = 5
    for i in range(5):
        assert verify(client, format_code(f"{i:020d}")).status_code == 404

    blocked = verify(client, format_code("9" * 20))
    blocked_valid = verify(client, certificate.display_code)

    assert blocked.status_code == 429
    assert "Too many wrong codes" in blocked.content.decode()
    assert blocked_valid.status_code == 429
    assert int(blocked["Retry-After"]) > 0


def test_valid_lookups_are_not_counted_as_guesses(client, certificate, settings):
    settings.CERTIFICATE_VERIFY_MAX_MISSES = 2
    for _ in range(5):
        assert verify(client, certificate.display_code).status_code == 200


def test_verify_form_redirects_to_the_code_page(client, certificate):
    response = client.get(
        reverse("quiz:certificate-verify-form"),
        {"code": certificate.display_code.lower()},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse(
        "quiz:certificate-verify", args=[certificate.code]
    )


def verify_form_errors(client, code):
    response = client.get(reverse("quiz:certificate-verify-form"), {"code": code})
    assert response.status_code == 400
    return response.context["form"].errors["code"]


def test_verify_form_with_a_bad_code_is_400_with_a_message(client):
    response = client.get(reverse("quiz:certificate-verify-form"), {"code": "hello"})

    assert response.status_code == 400
    assert "Too short" in html.unescape(response.content.decode())


def test_verify_form_names_the_character_that_is_not_in_codes(client):
    response = client.get(
        reverse("quiz:certificate-verify-form"),
        {"code": "RW-7KQ4-M2XD-9TPU-0000-0000"},
    )

    page = html.unescape(response.content.decode())
    assert response.status_code == 400
    assert "“U” is not used in certificate codes" in page
    assert "20 letters and digits" not in page


def test_verify_form_says_how_many_characters_a_short_code_has(client):
    errors = verify_form_errors(client, "RW-7KQ4-M2XD-9TPA-0000")

    assert errors == [
        "Too short: it has 16 characters after RW- (not counting dashes and spaces);"
        " a certificate code has 20."
    ]


def test_verify_form_says_a_long_code_is_long(client):
    errors = verify_form_errors(client, "RW-7KQ4-M2XD-9TPA-0000-0000-00")

    assert errors == [
        "Too long: it has 22 characters after RW- (not counting dashes and spaces);"
        " a certificate code has 20."
    ]


def test_verify_form_escapes_the_character_it_names(client):
    response = client.get(
        reverse("quiz:certificate-verify-form"), {"code": "RW-7KQ4-<b>"}
    )

    assert "<b>" not in response.content.decode()
    assert "“&lt;”" in response.content.decode()


def test_verify_form_page_renders(client):
    assert client.get(reverse("quiz:certificate-verify-form")).status_code == 200


# --- revocation in the admin ------------------------------------------------------------


def revoke_post(client, certificate, reason):
    data = {
        "action": "revoke_selected",
        "_selected_action": [certificate.pk],
        "confirm": "yes",
    }
    if reason is not None:
        data["reason"] = reason
    return client.post(reverse("admin:quiz_certificate_changelist"), data, follow=True)


def test_admin_revocation_needs_a_reason(instructor_client, certificate):
    response = revoke_post(instructor_client, certificate, "  ")

    certificate.refresh_from_db()
    assert certificate.revoked_at is None
    assert "Please give the reason" in response.content.decode()


def test_admin_revocation_records_who_when_why_and_keeps_the_row(
    instructor_client, instructor, certificate
):
    response = revoke_post(instructor_client, certificate, "Identity fraud at the exam")

    certificate.refresh_from_db()
    assert certificate.revoked_by == instructor
    assert certificate.revoked_at is not None
    assert certificate.revoke_reason == "Identity fraud at the exam"
    assert certificate.status == "revoked"
    assert "1 certificate revoked." in [
        str(m) for m in get_messages(response.wsgi_request)
    ]


def test_certificates_cannot_be_deleted_or_edited_in_the_admin(
    instructor_client, certificate
):
    delete = instructor_client.post(
        reverse("admin:quiz_certificate_delete", args=[certificate.pk]), {"post": "yes"}
    )

    assert delete.status_code == 403
    assert Certificate.objects.filter(pk=certificate.pk).exists()
    changelist = instructor_client.get(
        reverse("admin:quiz_certificate_changelist")
    ).content.decode()
    assert "delete_selected" not in changelist


def test_revoking_twice_is_refused(certificate, instructor):
    from django.core.exceptions import ValidationError

    certificate_revoke(certificate=certificate, by=instructor, reason="First")
    with pytest.raises(ValidationError, match="already revoked"):
        certificate_revoke(certificate=certificate, by=instructor, reason="Second")


def test_attempt_with_a_certificate_cannot_be_deleted(certificate):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        Attempt.objects.filter(pk=certificate.attempt_id).delete()


def test_a_failing_mail_server_does_not_turn_a_pass_into_an_error(
    trainee_client,
    trainee,
    certifying_quiz,
    settings,
    django_capture_on_commit_callbacks,
):
    from tests.test_enrollment import BrokenMailBackend

    settings.EMAIL_BACKEND = "tests.test_enrollment.BrokenMailBackend"
    BrokenMailBackend.tried = []
    attempt = attempt_start(quiz=certifying_quiz, user=trainee)
    data = {**as_keys(attempt, correct_answers(attempt)), "nav": "submit"}

    with django_capture_on_commit_callbacks(execute=True):
        response = trainee_client.post(
            reverse("quiz:attempt-detail", args=[attempt.pk]), data
        )

    assert response.status_code == 302
    assert Certificate.objects.filter(user=trainee).count() == 1
    assert trainee.email in BrokenMailBackend.tried


def test_retaking_the_exam_does_not_undo_a_revocation(
    certifying_quiz, trainee, instructor
):
    take(certifying_quiz, trainee)
    certificate_revoke(
        certificate=Certificate.objects.get(), by=instructor, reason="Fraud"
    )

    take(certifying_quiz, trainee)

    assert [c.status for c in Certificate.objects.filter(user=trainee)] == ["revoked"]


def test_a_revoked_certificate_past_its_term_no_longer_blocks_renewal(
    certifying_quiz, trainee, instructor
):
    take(certifying_quiz, trainee)
    old = Certificate.objects.get()
    certificate_revoke(certificate=old, by=instructor, reason="Fraud")
    Certificate.objects.filter(pk=old.pk).update(
        issued_at=timezone.now() - timedelta(days=800),
        expires_at=timezone.now() - timedelta(days=1),
    )

    take(certifying_quiz, trainee)

    assert Certificate.objects.exclude(pk=old.pk).get().status == "valid"


def test_pdf_prints_names_in_any_script():
    from datetime import date

    from quiz.certificates.pdf import CertificateData, render_certificate

    name = "Łukasz Wąsowski-Ольга Nguyễn"
    pdf = render_certificate(
        CertificateData(
            holder_name=name,
            quiz_title="Экзамен: массаж",
            issued_on=date(2026, 11, 25),
            score="95%",
            code="RW-0000-0000-0000-0000-0000",
            verify_url="http://localhost:8000/certificates/verify/RW-0000-0000-0000-0000-0000/",
        )
    )

    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert name in text
    assert "Экзамен: массаж" in text


# The PDF's fonts by their PostScript names, as pypdf reports them (subset prefix cut).
PDF_FONTS = {
    "DejaVuSans": "RW-Sans",
    "DejaVuSans-Bold": "RW-Sans-Bold",
    "DejaVuSerif-Bold": "RW-Serif-Bold",
    "DejaVuSerif-BoldItalic": "RW-Serif-BoldItalic",
}
VERIFY_URL = "http://localhost:8000/certificates/verify/RW-0000-0000-0000-0000-0000/"


def long_text(letter: str, length: int) -> str:
    """Numbered words of wide letters ("WWWWWWWW07 ..."), cut to exactly `length`."""
    words = [f"{letter * 8}{i:02d}" for i in range(length // 11 + 1)]
    text = " ".join(words)[:length]
    assert len(text) == length and text == text.strip()
    return text


def render_long(holder_name: str, quiz_title: str, **extra) -> bytes:
    from datetime import date

    from quiz.certificates.pdf import CertificateData, render_certificate

    return render_certificate(
        CertificateData(
            holder_name=holder_name,
            quiz_title=quiz_title,
            issued_on=date(2026, 11, 25),
            expires_on=date(2027, 11, 25),
            score="95%",
            code="RW-0000-0000-0000-0000-0000",
            verify_url=VERIFY_URL,
            **extra,
        )
    )


def text_runs(page) -> list[tuple[str, float, float, float, float]]:
    """(text, left x, right x, baseline y, size) of every text run, in points."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    runs = []

    def visit(text, cm, tm, font, size):
        text = text.strip()
        if not text or font is None:
            return
        # text space -> page: the text matrix, then the current transformation.
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = tm[0] * cm[0] + tm[1] * cm[2]
        name = PDF_FONTS[str(font["/BaseFont"]).lstrip("/").split("+")[-1]]
        width = stringWidth(text, name, size) * scale
        runs.append((text, x, x + width, y, size * scale))

    page.extract_text(visitor_text=visit)
    return runs


@pytest.mark.parametrize(
    ("title_letter", "name_letter"), [("W", "W"), ("Ж", "Щ"), ("W", "Ш")]
)
def test_pdf_wraps_the_longest_title_and_name_inside_the_border(
    title_letter, name_letter
):
    from reportlab.lib.units import mm

    title = long_text(title_letter, 200)  # Quiz.title and Certificate.quiz_title
    name = long_text(name_letter, 300)  # Certificate.holder_name

    reader = PdfReader(io.BytesIO(render_long(name, title)))

    assert len(reader.pages) == 1
    page = reader.pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    text = page.extract_text()
    words = set(text.split())
    assert set(title.split()) <= words
    assert set(name.split()) <= words
    assert VERIFY_URL in text and "Scan to verify" in text
    assert len(page.images) == 1  # the QR code
    runs = text_runs(page)
    assert runs
    for run, left, right, baseline, _size in runs:
        # inside the inner rule of the border (19 mm from the edge)
        assert 19 * mm <= left and right <= width - 19 * mm, run
        assert 19 * mm <= baseline <= height - 19 * mm, run
    # The name and title stay above the details, the verification URL and the
    # QR code (whose top is 64 mm up), and below the heading.
    [heading] = [r for r in runs if r[0] == "This certifies that"]
    [date_label] = [r for r in runs if r[0] == "DATE"]
    wrapped = [
        r for r in runs if re.fullmatch(f"[{title_letter}{name_letter}0-9 ]+", r[0])
    ]
    assert len(wrapped) >= 4  # several lines each
    for run, _left, _right, baseline, size in wrapped:
        assert baseline - 0.25 * size > 64 * mm, run
        assert baseline - 0.25 * size > date_label[3] + date_label[4], run
        assert baseline + size < heading[3], run


def test_pdf_fits_unbroken_long_words_and_the_revocation_notice():
    from datetime import date

    from reportlab.lib.units import mm

    title, name = "W" * 200, "Щ" * 300

    reader = PdfReader(
        io.BytesIO(render_long(name, title, revoked_on=date(2027, 1, 2)))
    )

    page = reader.pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    joined = "".join(page.extract_text().split())
    assert len(reader.pages) == 1
    assert title in joined and name in joined
    assert "REVOKEDon2January2027" in joined
    for run, left, right, baseline, _size in text_runs(page):
        if run == "REVOKED":  # the watermark, drawn at an angle
            continue
        assert 19 * mm <= left and right <= width - 19 * mm, run
        assert 19 * mm <= baseline <= height - 19 * mm, run


def test_pdf_prints_markup_characters_in_names_as_they_are():
    name = "Anna <b>O'Brien</b> & Co &amp;"
    title = "Neck & <i>back</i> safety"

    text = PdfReader(io.BytesIO(render_long(name, title))).pages[0].extract_text()

    assert name in text
    assert title in text


def test_a_pass_graded_after_its_term_ended_is_recorded_but_not_mailed(
    trainee, django_capture_on_commit_callbacks
):
    from quiz.attempts.services import attempt_close_if_overdue
    from tests.factories import passed_attempt_left_overdue

    attempt = passed_attempt_left_overdue(trainee, days_ago=60, validity_months=1)

    with django_capture_on_commit_callbacks(execute=True):
        attempt_close_if_overdue(attempt=attempt)

    assert trainee.certificates.get().status == "expired"
    assert mail.outbox == []


# --- a new certificate after a revocation ------------------------------------------------


@pytest.fixture
def lifelong_quiz(db):
    """A certifying quiz whose certificates never expire."""
    return QuizFactory(questions__n=2, certificate_on_pass=True)


def revoked_lifelong(quiz, trainee, instructor) -> Certificate:
    take(quiz, trainee)
    certificate = Certificate.objects.get(user=trainee, quiz=quiz)
    return certificate_revoke(certificate=certificate, by=instructor, reason="Fraud")


def assert_revocation_kept(certificate, instructor):
    certificate.refresh_from_db()
    assert certificate.status == "revoked"
    assert certificate.revoked_at is not None
    assert certificate.revoked_by == instructor
    assert certificate.revoke_reason == "Fraud"


def test_a_revoked_lifelong_certificate_blocks_a_new_one_until_renewal_is_allowed(
    lifelong_quiz, trainee, instructor
):
    from quiz.certificates.services import certificate_allow_renewal

    old = revoked_lifelong(lifelong_quiz, trainee, instructor)
    take(lifelong_quiz, trainee)
    assert list(Certificate.objects.filter(user=trainee)) == [old]  # still blocked

    allowed = certificate_allow_renewal(certificate=old, by=instructor)
    assert Certificate.objects.filter(user=trainee).count() == 1  # nothing issued yet
    retake = take(lifelong_quiz, trainee)

    new = Certificate.objects.exclude(pk=old.pk).get(user=trainee)
    assert new.attempt == retake and new.status == "valid"
    assert new.expires_at is None
    assert_revocation_kept(old, instructor)
    assert old.renewal_allowed_by == instructor
    assert old.renewal_allowed_at == allowed.renewal_allowed_at is not None
    # One new certificate, not one per pass.
    take(lifelong_quiz, trainee)
    assert Certificate.objects.filter(user=trainee).count() == 2


def test_renewal_can_be_allowed_only_once_and_only_on_a_revoked_certificate(
    lifelong_quiz, trainee, instructor
):
    from django.core.exceptions import ValidationError

    from quiz.certificates.services import certificate_allow_renewal

    take(lifelong_quiz, trainee)
    valid = Certificate.objects.get(user=trainee)
    with pytest.raises(ValidationError, match="Only a revoked certificate"):
        certificate_allow_renewal(certificate=valid, by=instructor)
    valid.refresh_from_db()
    assert valid.renewal_allowed_at is None and valid.renewal_allowed_by is None

    certificate_revoke(certificate=valid, by=instructor, reason="Fraud")
    certificate_allow_renewal(certificate=valid, by=instructor)
    with pytest.raises(ValidationError, match="already allowed"):
        certificate_allow_renewal(certificate=valid, by=InstructorFactory())
    valid.refresh_from_db()
    assert valid.renewal_allowed_by == instructor


def test_the_database_refuses_renewal_on_a_certificate_that_is_not_revoked(
    certificate, instructor
):
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.filter(pk=certificate.pk).update(
            renewal_allowed_at=timezone.now(), renewal_allowed_by=instructor
        )
    certificate_revoke(certificate=certificate, by=instructor, reason="Fraud")
    with pytest.raises(IntegrityError), transaction.atomic():  # who, not only when
        Certificate.objects.filter(pk=certificate.pk).update(
            renewal_allowed_at=timezone.now()
        )


def allow_renewal_post(client, *certificates):
    return client.post(
        reverse("admin:quiz_certificate_changelist"),
        {
            "action": "allow_renewal_selected",
            "_selected_action": [c.pk for c in certificates],
        },
        follow=True,
    )


def test_admin_allows_a_new_certificate_and_records_it_in_the_log(
    instructor_client, instructor, lifelong_quiz, trainee
):
    from django.contrib.admin.models import CHANGE, LogEntry

    old = revoked_lifelong(lifelong_quiz, trainee, instructor)

    response = allow_renewal_post(instructor_client, old)

    assert response.status_code == 200
    assert "1 revoked certificate may now be replaced by a new pass." in [
        str(m) for m in get_messages(response.wsgi_request)
    ]
    old.refresh_from_db()
    assert old.renewal_allowed_by == instructor and old.renewal_allowed_at
    [entry] = LogEntry.objects.filter(
        user=instructor, action_flag=CHANGE, object_id=str(old.pk)
    ).exclude(change_message__startswith="Revoked")
    assert "new certificate" in entry.get_change_message()
    take(lifelong_quiz, trainee)
    assert Certificate.objects.exclude(pk=old.pk).get(user=trainee).is_valid
    assert_revocation_kept(old, instructor)


def test_admin_refuses_to_allow_renewal_of_certificates_that_are_not_revoked(
    instructor_client, instructor, lifelong_quiz, trainee
):
    from django.contrib.admin.models import LogEntry

    revoked = revoked_lifelong(lifelong_quiz, trainee, instructor)
    take(QuizFactory(questions__n=1, certificate_on_pass=True), trainee)
    valid = Certificate.objects.get(user=trainee, revoked_at__isnull=True)
    allow_renewal_post(instructor_client, revoked)
    log_before = LogEntry.objects.count()

    response = allow_renewal_post(instructor_client, valid, revoked)

    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert f"{valid.display_code}: Only a revoked certificate" in " ".join(messages)
    assert f"{revoked.display_code}: A new certificate is already allowed" in (
        " ".join(messages)
    )
    assert not any("may now be replaced" in m for m in messages)
    valid.refresh_from_db()
    assert valid.renewal_allowed_at is None and valid.status == "valid"
    assert LogEntry.objects.count() == log_before


def test_allowing_renewal_needs_the_revoke_permission(client, certificate, instructor):
    from django.contrib.auth.models import Permission

    from tests.factories import UserFactory

    certificate_revoke(certificate=certificate, by=instructor, reason="Fraud")
    clerk = UserFactory(is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_certificate"))
    client.force_login(clerk)

    changelist = client.get(reverse("admin:quiz_certificate_changelist"))
    allow_renewal_post(client, certificate)

    assert changelist.status_code == 200
    assert "allow_renewal_selected" not in changelist.content.decode()
    certificate.refresh_from_db()
    assert certificate.renewal_allowed_at is None

"""Bulk enrolment of trainees from CSV: all or nothing, errors by line."""

import pytest

from django.core import mail
from django.urls import reverse

from accounts.enrollment import EnrollmentError, parse_enrollment_csv
from accounts.models import Cohort, OutgoingMail, User
from tests.factories import (
    CohortFactory,
    InstructorFactory,
    TraineeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def enroll(client, cohort, text):
    return client.post(
        reverse("admin:accounts_cohort_enroll", args=[cohort.pk]), {"text": text}
    )


def test_parse_accepts_header_bom_and_blank_lines():
    rows = parse_enrollment_csv(
        "\ufeffname,email\nAna Costa,ana@example.com\n\nBo Li,bo@example.com\n"
    )

    assert [(r.line, r.first_name, r.last_name, r.email) for r in rows] == [
        (2, "Ana", "Costa", "ana@example.com"),
        (4, "Bo", "Li", "bo@example.com"),
    ]


def test_parse_reports_every_bad_row_by_line():
    text = "Ana,ana@example.com\n,empty@example.com\nBob,not-an-email\nAna Again,ANA@example.com\nA,b,c\n"

    with pytest.raises(EnrollmentError) as excinfo:
        parse_enrollment_csv(text)

    problems = excinfo.value.problems
    assert any(p.startswith("line 2:") and "name is empty" in p for p in problems)
    assert any(p.startswith("line 3:") and "not an email" in p for p in problems)
    assert any(p.startswith("line 4:") and "already on line 1" in p for p in problems)
    assert any(p.startswith("line 5:") and "2 columns" in p for p in problems)


def test_enrolment_creates_trainees_adds_them_and_mails_a_password_link(
    admin_client, django_capture_on_commit_callbacks
):
    cohort = CohortFactory()
    existing = TraineeFactory(email="old@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        response = enroll(
            admin_client, cohort, "Ana Costa,ana@example.com\nOld One,old@example.com\n"
        )

    assert response.status_code == 302
    ana = User.objects.get(email="ana@example.com")
    assert ana.groups.filter(name="Trainee").exists()
    assert not ana.has_usable_password()
    assert set(cohort.trainees.all()) == {ana, existing}
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ana@example.com"]
    assert "/accounts/reset/" in mail.outbox[0].body
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("a mail with a link to set a password is queued" in m for m in messages)


def test_a_file_with_errors_creates_nothing(admin_client):
    cohort = CohortFactory()
    before = User.objects.count()

    response = enroll(admin_client, cohort, "Ana,ana@example.com\nBob,bob-at-example\n")

    assert response.status_code == 400
    assert (
        "line 2" in response.content.decode()
        and "Nothing was created" in response.content.decode()
    )
    assert User.objects.count() == before
    assert not cohort.trainees.exists()


def test_email_of_a_staff_account_is_refused(admin_client):
    cohort = CohortFactory()
    InstructorFactory(email="teacher@example.com")

    response = enroll(
        admin_client, cohort, "Ana,ana@example.com\nTeacher,teacher@example.com\n"
    )

    assert response.status_code == 400
    assert "not a trainee" in response.content.decode()
    assert not User.objects.filter(email="ana@example.com").exists()


def test_upload_that_is_not_utf8_is_refused(admin_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    cohort = CohortFactory()
    upload = SimpleUploadedFile("t.csv", "Zoë,zoe@example.com".encode("latin-1"))

    response = admin_client.post(
        reverse("admin:accounts_cohort_enroll", args=[cohort.pk]), {"file": upload}
    )

    assert response.status_code == 400
    assert "not UTF-8" in response.content.decode()


def test_cohort_admin_offers_only_trainees_and_supervisors(admin_client):
    trainee, instructor = TraineeFactory(), InstructorFactory()
    cohort = CohortFactory()

    form = (
        admin_client.get(reverse("admin:accounts_cohort_change", args=[cohort.pk]))
        .context["adminform"]
        .form
    )

    assert trainee in form.fields["trainees"].queryset
    assert instructor not in form.fields["trainees"].queryset
    assert instructor not in form.fields["supervisors"].queryset


def test_instructors_cannot_enroll(instructor_client):
    cohort = CohortFactory()

    assert enroll(instructor_client, cohort, "Ana,ana@example.com").status_code == 403


def test_username_collisions_get_a_free_name(admin_client):
    TraineeFactory(username="john", email="first@example.org")
    TraineeFactory(username="john2", email="second@example.org")
    cohort = CohortFactory()

    response = enroll(admin_client, cohort, "John Smith,john@example.com\n")

    assert response.status_code == 302
    assert User.objects.get(email="john@example.com").username == "john3"


def test_too_long_email_is_reported_by_line(admin_client):
    cohort = CohortFactory()
    long_email = "a" * 60 + "@" + ".".join(["b" * 60] * 4) + ".com"

    response = enroll(admin_client, cohort, f"Ana,ana@example.com\nLong,{long_email}\n")

    assert response.status_code == 400
    assert "line 2" in response.content.decode()
    assert not User.objects.filter(email="ana@example.com").exists()


def test_enrolled_trainee_can_use_forgotten_password(
    admin_client, client, django_capture_on_commit_callbacks
):
    cohort = CohortFactory()
    enroll(admin_client, cohort, "Ana Costa,ana@example.com\n")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": "ana@example.com"})

    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ana@example.com"]


def test_a_failing_mail_server_does_not_break_enrolment(
    admin_client, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.test_enrollment.BrokenMailBackend"
    BrokenMailBackend.tried = []
    cohort = CohortFactory()

    with django_capture_on_commit_callbacks(execute=True):
        response = enroll(
            admin_client, cohort, "Ana,ana@example.com\nBo,bo@example.com\n"
        )

    assert response.status_code == 302
    assert cohort.trainees.count() == 2
    assert BrokenMailBackend.tried == ["ana@example.com", "bo@example.com"]


class BrokenMailBackend:
    """A mail server that is down; remembers whom it was asked to mail."""

    tried: list = []

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        BrokenMailBackend.tried.extend(m.to[0] for m in messages)
        raise OSError("mail server down")


# --------------------------------------------------------------------------
# Large files: lookups in batches, never one OR tree over every row


def many_rows(count: int, start: int = 0) -> str:
    return "".join(
        f"Trainee {n},trainee{n}@example.com\n" for n in range(start, start + count)
    )


@pytest.mark.parametrize("count", [1200, 5000])
def test_a_large_file_enrolls_every_trainee_exactly_once(admin_client, count):
    # SQLite refused the single OR of every new username prefix with
    # "Expression tree is too large (maximum depth 1000)": a 500.
    cohort = CohortFactory()
    TraineeFactory(username="trainee7", email="someone@example.org")
    old = TraineeFactory(username="old", email="TRAINEE3@example.com")

    response = enroll(admin_client, cohort, many_rows(count))

    assert response.status_code == 302
    emails = [f"trainee{n}@example.com" for n in range(count) if n != 3]
    created = User.objects.filter(email__in=emails)
    assert created.count() == count - 1
    assert sorted(created.values_list("email", flat=True)) == sorted(emails)
    usernames = set(created.values_list("username", flat=True))
    assert len(usernames) == count - 1 and "trainee7" not in usernames
    assert User.objects.get(email="trainee7@example.com").username == "trainee72"
    assert created.filter(groups__name="Trainee").count() == count - 1
    assert cohort.trainees.count() == count
    assert cohort.trainees.filter(pk=old.pk).exists()


def enroll_queries(count: int) -> int:
    """The queries of one enrolment of *count* new trainees: a fixed few, two
    lookups per BATCH rows, and the inserts in the batches the backend allows."""
    from math import ceil

    from django.db import connection

    from accounts.enrollment import BATCH

    def insert_batch(model) -> int:
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        return connection.ops.bulk_batch_size(fields, range(count))

    lookups = ceil(count / BATCH)
    return (
        2  # the savepoint inside the test's transaction, and its release
        + 1  # the trainee group
        + lookups  # existing accounts by email, each with a trainee flag
        + lookups  # usernames that new ones could collide with
        + ceil(count / min(BATCH, insert_batch(User)))  # the new accounts
        + ceil(count / insert_batch(User.groups.through))  # into the group
        + ceil(count / insert_batch(Cohort.trainees.through))  # into the cohort
        # their welcome mails, queued with the accounts (each is enqueued for
        # the worker after the commit, outside this count)
        + ceil(count / insert_batch(OutgoingMail))
    )


@pytest.mark.parametrize("count", [1200, 5000])
def test_enrolment_queries_grow_with_batches_not_rows(count, django_assert_num_queries):
    from accounts.enrollment import BATCH, trainees_enroll

    cohort = CohortFactory()
    rows = parse_enrollment_csv(many_rows(count))
    assert count > 2 * BATCH

    with django_assert_num_queries(enroll_queries(count)):
        result = trainees_enroll(cohort=cohort, rows=rows)

    assert len(result.created) == count and result.existing == []
    assert cohort.trainees.count() == count


# --------------------------------------------------------------------------
# Input that is not text: a clear error by line, a 400, nothing written


@pytest.mark.parametrize("how", ["pasted", "uploaded"])
def test_a_nul_character_is_refused_by_line(admin_client, how):
    # PostgreSQL cannot store NUL in text: this was a 500 there. Pasted, the
    # form said "Upload a file or paste the rows." as if nothing had been sent.
    from django.core.files.uploadedfile import SimpleUploadedFile

    cohort = CohortFactory()
    before = User.objects.count()
    text = "Ana,ana@example.com\nBo\x00 Li,bo@example.com\nCy,cy@example.com\n"
    url = reverse("admin:accounts_cohort_enroll", args=[cohort.pk])
    if how == "pasted":
        response = admin_client.post(url, {"text": text})
    else:
        upload = SimpleUploadedFile("t.csv", text.encode())
        response = admin_client.post(url, {"file": upload})

    assert response.status_code == 400
    page = response.content.decode()
    assert "line 2:" in page and "NUL" in page
    assert "Upload a file or paste the rows" not in page
    assert "Null characters are not allowed" not in page
    assert User.objects.count() == before
    assert not cohort.trainees.exists()


def test_parse_names_every_line_with_a_nul_character():
    with pytest.raises(EnrollmentError) as excinfo:
        parse_enrollment_csv("A,a@example.com\nB,b\x00@example.com\n\x00\nC,c@e.com\n")

    assert [p.split(":")[0] for p in excinfo.value.problems] == ["line 2", "line 3"]
    assert all("NUL" in p for p in excinfo.value.problems)


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_upload_that_is_not_utf8_names_the_line(admin_client, bom):
    from django.core.files.uploadedfile import SimpleUploadedFile

    cohort = CohortFactory()
    data = "Ana,ana@example.com\nBo,bo@example.com\nZoë,zoe@example.com\n"
    upload = SimpleUploadedFile("t.csv", bom + data.encode("latin-1"))

    response = admin_client.post(
        reverse("admin:accounts_cohort_enroll", args=[cohort.pk]), {"file": upload}
    )

    assert response.status_code == 400
    assert "line 3" in response.content.decode()
    assert not User.objects.filter(email="ana@example.com").exists()


def test_without_a_mail_server_the_admin_does_not_claim_links_were_mailed(
    admin_client, cohort, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

    response = enroll(admin_client, cohort, "Ana Costa,ana.new@example.com\n")

    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("no link was e-mailed" in m for m in messages), messages
    assert not any("emailed a link" in m for m in messages)


def test_check_deploy_warns_when_mail_is_printed_not_sent(settings):
    from accounts.mail import check_mail_configured

    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    assert [w.id for w in check_mail_configured()] == ["rulewise.W001"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    assert check_mail_configured() == []

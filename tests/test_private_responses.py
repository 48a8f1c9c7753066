"""What private responses say about themselves: download names any browser reads,
and no copy kept by a browser or a proxy."""

import pytest

from django.urls import reverse

from accounts.http import ascii_filename, attachment_header
from quiz.attempts.services import attempt_start, attempt_submit
from quiz.models import Certificate
from tests.factories import (
    CohortFactory,
    QuizFactory,
    TraineeFactory,
    correct_answers,
)

pytestmark = pytest.mark.django_db


def take(quiz, user):
    attempt = attempt_start(quiz=quiz, user=user)
    return attempt_submit(
        attempt=attempt, user=user, answers=correct_answers(attempt)
    ).attempt


# --- download names ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("rulewise-cohort-3.csv", "rulewise-cohort-3.csv"),
        ("rulewise-attempts-José.csv", "rulewise-attempts-Jose.csv"),
        ("rulewise-attempts-иван.csv", "rulewise-attempts-_.csv"),
        ('a "quoted" name\\.csv', "a_quoted_name_.csv"),
    ],
)
def test_ascii_filename(name, expected):
    assert ascii_filename(name) == expected


def test_an_ascii_name_is_sent_as_it_is():
    assert attachment_header("rulewise-cohort-3.csv") == (
        'attachment; filename="rulewise-cohort-3.csv"'
    )


@pytest.fixture
def cyrillic_trainee(cohort):
    trainee = TraineeFactory(username="иван", first_name="Иван", last_name="Петров")
    cohort.trainees.add(trainee)
    return trainee


@pytest.mark.parametrize("table", ["attempts", "mastery"])
def test_csv_of_a_cyrillic_username_has_an_ascii_name_and_the_exact_one(
    supervisor_client, cyrillic_trainee, table
):
    take(QuizFactory(questions__n=1), cyrillic_trainee)

    response = supervisor_client.get(
        reverse("quiz:report-trainee", args=[cyrillic_trainee.pk]),
        {"format": "csv", "table": table},
    )

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="rulewise-{table}-_.csv"; '
        f"filename*=UTF-8''rulewise-{table}-%D0%B8%D0%B2%D0%B0%D0%BD.csv"
    )


def test_certificate_pdf_of_a_cyrillic_holder_has_a_plain_ascii_name(client):
    holder = TraineeFactory(username="иван", first_name="Иван", last_name="Петров")
    take(QuizFactory(questions__n=1, certificate_on_pass=True), holder)
    certificate = Certificate.objects.get(user=holder)
    client.force_login(holder)

    response = client.get(
        reverse("quiz:certificate-pdf", args=[certificate.display_code])
    )

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="rulewise-certificate-{certificate.display_code}.pdf"'
    )


def test_the_cohort_csv_of_a_cyrillic_cohort_still_downloads(supervisor, client):
    cohort = CohortFactory(name="Группа", supervisors=[supervisor])
    client.force_login(supervisor)

    response = client.get(
        reverse("quiz:report-cohort", args=[cohort.pk]), {"format": "csv"}
    )

    assert response["Content-Disposition"] == (
        f'attachment; filename="rulewise-cohort-{cohort.pk}.csv"'
    )


# --- no copies kept ----------------------------------------------------------------


def no_store(response) -> bool:
    directives = {
        part.strip() for part in response.get("Cache-Control", "").split(",") if part
    }
    return {"private", "no-store"} <= directives


@pytest.fixture
def finished(cohort, trainee):
    return take(QuizFactory(questions__n=1, certificate_on_pass=True), trainee)


def test_every_signed_in_trainee_page_is_private_and_not_stored(
    trainee_client, finished
):
    certificate = Certificate.objects.get(attempt=finished)
    urls = [
        reverse("quiz:home"),
        reverse("quiz:quiz-list"),
        reverse("quiz:quiz-detail", args=[finished.quiz.slug]),
        reverse("quiz:attempt-history"),
        reverse("quiz:attempt-result", args=[finished.pk]),
        reverse("quiz:certificate-list"),
        reverse("quiz:certificate-pdf", args=[certificate.display_code]),
        reverse("password_change"),
    ]
    for url in urls:
        response = trainee_client.get(url)
        assert response.status_code == 200, url
        assert no_store(response), (url, response.get("Cache-Control"))


def test_reports_and_their_csv_are_private_and_not_stored(
    supervisor_client, cohort, trainee, finished
):
    urls = [
        reverse("quiz:reports"),
        reverse("quiz:reports") + "?format=csv",
        reverse("quiz:report-cohort", args=[cohort.pk]),
        reverse("quiz:report-cohort", args=[cohort.pk]) + "?format=csv",
        reverse("quiz:report-trainee", args=[trainee.pk]),
        reverse("quiz:report-trainee", args=[trainee.pk]) + "?format=csv",
        reverse("quiz:report-attempt", args=[finished.pk]),
    ]
    for url in urls:
        response = supervisor_client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "private, no-store", url


def test_an_error_page_for_a_signed_in_user_is_not_stored_either(trainee_client):
    response = trainee_client.get(reverse("quiz:attempt-result", args=[999999]))

    assert response.status_code == 404
    assert no_store(response)


def test_a_view_that_sets_its_own_cache_control_keeps_it(trainee_client):
    response = trainee_client.get(reverse("healthz"))

    # never_cache's header, not replaced.
    assert response["Cache-Control"].startswith("max-age=0")


def test_public_pages_stay_cacheable_for_anonymous_visitors(client, finished):
    certificate = Certificate.objects.get(attempt=finished)
    for url in [
        reverse("quiz:home"),
        reverse("quiz:certificate-verify-form"),
        reverse("quiz:certificate-verify", args=[certificate.display_code]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" not in response.get("Cache-Control", ""), url

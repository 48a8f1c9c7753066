"""The admin's audit log: who may see whose name in it, and what goes in it."""

import pytest

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from accounts.models import User
from questions.models import Category, Question
from tests.factories import (
    InstructorFactory,
    TraineeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def log(user, model, obj_repr="something") -> LogEntry:
    return LogEntry.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(model),
        object_repr=obj_repr,
        action_flag=CHANGE,
    )


def user_filter_names(client) -> set[str]:
    """The names the log's "By user" filter offers."""
    response = client.get(reverse("admin:admin_logentry_changelist"))
    assert response.status_code == 200
    [spec] = [
        spec
        for spec in response.context_data["cl"].filter_specs
        if getattr(spec, "field_path", "") == "user"
    ]
    return {name for _pk, name in spec.lookup_choices}


@pytest.fixture
def authors():
    """An instructor who changed a question, a superuser who changed an account,
    a (once staff) trainee who changed a question, and a trainee who wrote nothing."""
    colleague = InstructorFactory(username="colleague")
    log(colleague, Question)
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    log(admin, User, "an account")
    writer = TraineeFactory(username="trainee-writer")
    log(writer, Question)
    TraineeFactory(username="silent-trainee")
    return colleague, admin, writer


def test_the_log_user_filter_offers_an_instructor_only_authors_they_can_read(
    authors, instructor_client, instructor
):
    log(instructor, Question)

    names = user_filter_names(instructor_client)

    # Not the superuser (their entries are about accounts, hidden from
    # instructors), no trainee, nobody who wrote nothing.
    assert names == {"colleague", instructor.username}


def test_the_log_user_filter_offers_a_superuser_every_author(authors):
    colleague, admin, writer = authors
    client = Client()
    client.force_login(admin)

    names = user_filter_names(client)

    assert names == {"colleague", "root", "trainee-writer"}
    assert "silent-trainee" not in names


# --- what goes in it ----------------------------------------------------------------


GIFT = """::Twist::May the therapist twist the neck?{FALSE}

$CATEGORY: Aftercare
::Rest::Should the patient rest after the massage?{TRUE}
"""


def entries(user, model, flag):
    return LogEntry.objects.filter(
        user=user,
        content_type=ContentType.objects.get_for_model(model),
        action_flag=flag,
    )


def test_an_admin_import_logs_an_addition_per_question_naming_the_import(
    instructor_client, instructor
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("admin:questions_question_import")
    upload = SimpleUploadedFile("course-week-3.gift.txt", GIFT.encode())
    preview = instructor_client.post(
        url, {"format": "gift", "category": "Imported", "upload": upload}
    )
    confirm_form = preview.context["form"]
    assert confirm_form.initial["source_name"] == "course-week-3.gift.txt"

    response = instructor_client.post(
        url, {**confirm_form.initial, "format": "gift", "confirm": "1"}
    )

    assert response.status_code == 302
    created = set(Question.objects.values_list("pk", flat=True))
    logged = entries(instructor, Question, ADDITION)
    assert {int(e.object_id) for e in logged} == created and len(created) == 2
    for entry in logged:
        message = entry.get_change_message()
        assert "Imported" in message and "course-week-3.gift.txt" in message
        assert "GIFT" in message
    new_categories = entries(instructor, Category, ADDITION)
    assert {e.object_repr for e in new_categories} == {"Imported", "Aftercare"}
    assert all("course-week-3.gift.txt" in e.change_message for e in new_categories)


def test_pasted_questions_are_logged_as_a_pasted_import(instructor_client, instructor):
    instructor_client.post(
        reverse("admin:questions_question_import"),
        {"format": "gift", "pasted": GIFT, "confirm": "1"},
    )

    logged = entries(instructor, Question, ADDITION)
    assert logged.count() == 2
    assert all("pasted" in e.get_change_message() for e in logged)


def bulk(client, action, questions):
    return client.post(
        reverse("admin:questions_question_changelist"),
        {"action": action, "_selected_action": [q.pk for q in questions]},
    )


def test_bulk_publish_and_retire_are_logged_per_question(instructor_client, instructor):
    from tests.factories import QuestionFactory

    questions = [QuestionFactory(), QuestionFactory()]

    bulk(instructor_client, "publish_selected", questions)
    bulk(instructor_client, "unpublish_selected", questions)

    messages = sorted(
        (int(e.object_id), e.get_change_message())
        for e in entries(instructor, Question, CHANGE)
    )
    assert messages == sorted(
        [(q.pk, "Published (bulk action).") for q in questions]
        + [(q.pk, "Retired to draft (bulk action).") for q in questions]
    )


def test_revoking_a_certificate_is_logged(instructor_client, instructor, trainee):
    from quiz.attempts.services import attempt_start, attempt_submit
    from quiz.models import Certificate
    from tests.factories import QuizFactory, correct_answers

    quiz = QuizFactory(questions__n=1, certificate_on_pass=True)
    attempt = attempt_start(quiz=quiz, user=trainee)
    attempt_submit(attempt=attempt, user=trainee, answers=correct_answers(attempt))
    certificate = Certificate.objects.get(user=trainee)

    instructor_client.post(
        reverse("admin:quiz_certificate_changelist"),
        {
            "action": "revoke_selected",
            "_selected_action": [certificate.pk],
            "confirm": "yes",
            "reason": "Copied answers",
        },
    )

    [entry] = entries(instructor, Certificate, CHANGE)
    assert entry.object_id == str(certificate.pk)
    assert entry.get_change_message() == "Revoked: Copied answers"


def test_enrolling_trainees_from_csv_is_logged(cohort):
    from accounts.models import Cohort

    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    existing = TraineeFactory(email="old@example.com")
    client = Client()
    client.force_login(admin)

    response = client.post(
        reverse("admin:accounts_cohort_enroll", args=[cohort.pk]),
        {"text": "Ana Costa,ana@example.com\nOld One,old@example.com\n"},
    )

    assert response.status_code == 302
    new = User.objects.get(email="ana@example.com")
    [added] = entries(admin, User, ADDITION)
    assert added.object_id == str(new.pk)
    assert cohort.name in added.get_change_message()
    [changed] = entries(admin, Cohort, CHANGE)
    message = changed.get_change_message()
    assert new.username in message and existing.username in message

"""The admin's audit log: who may see whose name in it, and what goes in it."""

import pytest

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from accounts.models import User
from questions.models import Question
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

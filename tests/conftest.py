import os

import pytest
from hypothesis import settings as hypothesis_settings

from tests.factories import (
    PASSWORD,
    CohortFactory,
    InstructorFactory,
    SupervisorFactory,
    TraineeFactory,
)

# In CI the property tests replay a fixed set of examples: a red build then
# always means a change broke something, never a new random draw. Locally
# they explore afresh on every run.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
hypothesis_settings.register_profile("dev", print_blob=True)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def trainee(db):
    return TraineeFactory()


@pytest.fixture
def instructor(db):
    return InstructorFactory()


@pytest.fixture
def supervisor(db):
    return SupervisorFactory()


@pytest.fixture
def cohort(db, trainee, supervisor):
    return CohortFactory(trainees=[trainee], supervisors=[supervisor])


@pytest.fixture
def trainee_client(client, trainee):
    client.force_login(trainee)
    return client


@pytest.fixture
def instructor_client(client, instructor):
    client.force_login(instructor)
    return client


@pytest.fixture
def supervisor_client(client, supervisor):
    client.force_login(supervisor)
    return client


@pytest.fixture(autouse=True)
def _clear_cache():
    """Throttling counters live in the cache, attempt pages' markup in the
    render cache; no test inherits another's."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()
    yield
    for cache in caches.all():
        cache.clear()


@pytest.fixture
def send_reminders(django_capture_on_commit_callbacks):
    """send_reminders as cron runs it, returning what it printed; the queued
    mails sent (immediate task backend)."""
    from io import StringIO

    from django.core.management import call_command

    def run_command() -> str:
        out = StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_reminders", stdout=out)
        return out.getvalue()

    return run_command

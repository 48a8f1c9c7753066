import pytest

from tests.factories import (
    PASSWORD,
    CohortFactory,
    InstructorFactory,
    SupervisorFactory,
    TraineeFactory,
)


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
    """Throttling counters live in the cache; no test inherits another's."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()

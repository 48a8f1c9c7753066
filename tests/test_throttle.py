"""Throttles count exactly, with windows as long as their settings, whatever the
cache backend (their counters are in the database)."""

from datetime import timedelta

import pytest

from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from accounts import throttle
from accounts.models import RateCounter

DATABASE_CACHE = {
    "default": {
        "BACKEND": "config.cache.TolerantDatabaseCache",
        "LOCATION": "rulewise_cache",
    }
}


@pytest.fixture
def frozen(monkeypatch):
    """Time stands still in the middle of a ten-minute window (no test may cross
    a window's end by chance)."""
    now = throttle.Window.of(600).start + timedelta(seconds=300)
    monkeypatch.setattr(timezone, "now", lambda: now)
    return now


def test_a_window_is_exactly_as_long_as_asked():
    now = timezone.now()
    window = throttle.Window.of(600, now)

    assert window.end - window.start == timedelta(seconds=600)
    assert window.start <= now < window.end
    assert 1 <= window.retry_after(now) <= 600


@pytest.mark.django_db
def test_hits_count_up_and_a_new_window_starts_from_zero(frozen, monkeypatch):
    for expected in (1, 2, 3):
        assert throttle.hit("k", 60) == expected
    assert throttle.hits("k", 60) == 3

    later = frozen + timedelta(seconds=61)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert throttle.hits("k", 60) == 0
    assert throttle.hit("k", 60) == 1


@pytest.mark.django_db
def test_expired_counters_are_pruned(frozen, monkeypatch):
    throttle.hit("old", 60)
    later = frozen + timedelta(days=3)
    monkeypatch.setattr(timezone, "now", lambda: later)

    throttle.hit("new", 60)

    assert list(RateCounter.objects.values_list("key", flat=True)) == ["new"]


@pytest.mark.django_db
@override_settings(
    CACHES=DATABASE_CACHE,
    CERTIFICATE_VERIFY_MAX_MISSES=3,
    CERTIFICATE_VERIFY_WINDOW_SECONDS=600,
)
def test_verification_is_refused_after_the_limit_with_the_real_retry_after(frozen):
    client = Client()
    url = reverse("quiz:certificate-verify", args=["RW-0000-0000-0000-0000-0000"])

    statuses = [client.get(url).status_code for _ in range(5)]

    assert statuses == [404, 404, 404, 429, 429]
    refused = client.get(url)
    assert refused["Retry-After"] == "300"  # the rest of this 600-second window


# Plain transaction=True, not serialized_rollback: it needs no data, and loading
# the serialized database after another transactional test's flush (which
# re-creates the content types) collides on PostgreSQL.
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"
)
@override_settings(
    CACHES=DATABASE_CACHE,
    CERTIFICATE_VERIFY_MAX_MISSES=20,
    CERTIFICATE_VERIFY_WINDOW_SECONDS=600,
)
def test_concurrent_wrong_codes_get_exactly_the_limit_of_answers(frozen):
    from tests.test_concurrency import run_together

    url = reverse("quiz:certificate-verify", args=["RW-0000-0000-0000-0000-0000"])

    statuses, errors = run_together(lambda: Client().get(url).status_code, n=24)

    assert errors == []
    assert sorted(statuses) == [404] * 20 + [429] * 4
    # Requests that found the limit already reached were refused uncounted.
    assert 20 <= RateCounter.objects.get().hits <= 24


@pytest.mark.django_db
@override_settings(PASSWORD_RESET_MAX_PER_ADDRESS=3, PASSWORD_RESET_MAX_PER_EMAIL=2)
def test_password_reset_is_limited_per_email_and_per_address(
    frozen, mailoutbox, django_capture_on_commit_callbacks
):
    from tests.factories import TraineeFactory

    trainee = TraineeFactory(email="ana@example.com")
    url = reverse("password_reset")
    client = Client(REMOTE_ADDR="10.1.1.1")

    with django_capture_on_commit_callbacks(execute=True):
        first = [client.post(url, {"email": "ANA@example.com"}) for _ in range(3)]
    fourth = client.post(url, {"email": trainee.email})
    other_address = Client(REMOTE_ADDR="10.1.1.2").post(url, {"email": "x@example.com"})

    assert [r.status_code for r in first] == [302, 302, 302]
    assert len(mailoutbox) == 2  # the third asked for the same e-mail: no mail
    assert fourth.status_code == 429
    assert fourth["Retry-After"] == str(throttle.Window.of(3600).retry_after())
    assert other_address.status_code == 302

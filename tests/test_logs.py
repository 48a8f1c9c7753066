"""A cache outage is logged once with its traceback, then a line a minute: not a
traceback per cache call (config/logs.py)."""

import logging
import sys

import pytest

from config.logs import Repeated


def record(message="Exception ignored", name="rulewise.cache") -> logging.LogRecord:
    try:
        raise ConnectionError("Redis is down")
    except ConnectionError:
        exc_info = sys.exc_info()
    return logging.LogRecord(name, logging.ERROR, __file__, 1, message, (), exc_info)


def test_the_first_passes_whole_then_the_window_holds_the_rest(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr("config.logs.time.monotonic", lambda: clock[0])
    repeated = Repeated(seconds=60)

    first = record()
    passed = [repeated.filter(first)] + [repeated.filter(record()) for _ in range(49)]
    clock[0] += 61
    later = record()
    passed_later = repeated.filter(later)

    assert passed == [True] + [False] * 49
    assert first.exc_info is not None  # the traceback of the outage's start
    assert passed_later and later.exc_info is None
    assert later.getMessage() == (
        "Exception ignored (49 more like it in the last window)"
    )


def test_other_messages_and_loggers_are_not_held_back(monkeypatch):
    repeated = Repeated(seconds=60)

    assert repeated.filter(record())
    assert repeated.filter(record(message="Something else"))
    assert repeated.filter(record(name="rulewise.other"))
    assert not repeated.filter(record())


def test_a_dead_redis_logs_one_traceback_for_many_calls(settings, caplog):
    from django_redis.cache import RedisCache

    settings.DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    settings.DJANGO_REDIS_LOGGER = "rulewise.cache"
    cache = RedisCache(
        "redis://127.0.0.1:1/0",  # nothing listens on port 1
        {
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.2,
                "SOCKET_TIMEOUT": 0.2,
            }
        },
    )
    logging.getLogger("rulewise.cache").filters[0]._seen.clear()

    with caplog.at_level(logging.ERROR, logger="rulewise.cache"):
        misses = [cache.get(f"key-{n}") for n in range(20)]

    assert misses == [None] * 20
    cache_records = [r for r in caplog.records if r.name == "rulewise.cache"]
    assert len(cache_records) == 1 and cache_records[0].exc_info is not None


@pytest.fixture(autouse=True)
def _fresh_filter():
    for f in logging.getLogger("rulewise.cache").filters:
        f._seen.clear()
    yield

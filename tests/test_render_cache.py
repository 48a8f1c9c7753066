"""The attempt page keeps its questions' markup (quiz/attempts/rendering.py)
and fills in the saved answers and flags on every request: what it shows is
always what was saved, on every cache the settings may name."""

import socket

import pytest

from django.core.cache import caches
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quiz.attempts.rendering import _key, kept
from quiz.attempts.services import attempt_start
from tests.factories import QuizFactory, as_keys, correct_answers, wrong_answers

pytestmark = pytest.mark.django_db

LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
DATABASE = {
    "BACKEND": "config.cache.TolerantDatabaseCache",
    "LOCATION": "rulewise_render_test",
}
REDIS = {
    "BACKEND": "django_redis.cache.RedisCache",
    "LOCATION": "redis://127.0.0.1:6379/0",
    "KEY_PREFIX": "rulewise-render-test",
}


def redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


BACKENDS = [
    pytest.param(DATABASE, id="database"),
    pytest.param(
        REDIS,
        id="redis",
        marks=pytest.mark.skipif(not redis_up(), reason="no Redis on 127.0.0.1:6379"),
    ),
]


def checked_places(html: str, position: int) -> list[int]:
    import re

    return [
        int(m)
        for m in re.findall(
            rf'name="q-{position}" id="q-{position}-\d+" value="(\d+)" checked', html
        )
    ]


@pytest.mark.parametrize("render", BACKENDS)
def test_a_reload_after_a_save_shows_the_new_answer_and_flag(
    trainee_client, trainee, render
):
    if render is DATABASE:
        from django.core.management import call_command

        call_command("createcachetable", "rulewise_render_test", verbosity=0)
    with override_settings(CACHES={"default": LOCMEM, "render": render}):
        caches["render"].clear()
        attempt = attempt_start(
            quiz=QuizFactory(questions__n=2, layout="one_per_page"), user=trainee
        )
        url = reverse("quiz:attempt-detail", args=[attempt.pk])
        right, wrong = correct_answers(attempt), wrong_answers(attempt)
        item = attempt.items.get(position=1)
        place = {c["id"]: n for n, c in enumerate(item.choices, start=1)}

        first = trainee_client.get(url, {"page": 1}).content.decode()
        assert checked_places(first, 1) == []
        assert kept(attempt.pk, 1) is not None  # kept on the render cache

        for answer, flag in ((right[1], True), (wrong[1], False), (right[1], True)):
            posted = {**as_keys(attempt, {1: answer}), "page": "1", "nav": "save"}
            if flag:
                posted["flag"] = ["1"]
            assert trainee_client.post(url, posted).status_code == 302
            html = trainee_client.get(url, {"page": 1}).content.decode()
            assert checked_places(html, 1) == [place[i] for i in answer]
            assert ('value="1" id="flag-1" autocomplete="off" checked>' in html) is flag
        caches["render"].clear()


def test_a_kept_page_is_read_without_the_snapshots(trainee_client, trainee):
    attempt = attempt_start(
        quiz=QuizFactory(questions__n=3, layout="one_per_page"), user=trainee
    )
    url = reverse("quiz:attempt-detail", args=[attempt.pk])
    trainee_client.get(url, {"page": 2})
    with CaptureQueriesContext(connection) as ctx:
        html = trainee_client.get(url, {"page": 2}).content.decode()
    [items_query] = [
        q["sql"] for q in ctx.captured_queries if "quiz_attemptquestion" in q["sql"]
    ]
    assert '"quiz_attemptquestion"."snapshot"' not in items_query
    assert 'name="shown" value="2"' in html
    assert attempt.items.get(position=2).snapshot["stem"] in html


def test_kept_markup_of_another_attempt_under_the_same_key_is_never_shown(
    trainee_client, trainee
):
    """An attempt id can come back (a database restored beside a live Redis):
    the markup kept under it is checked against the page's own rows first."""
    attempt = attempt_start(
        quiz=QuizFactory(questions__n=2, layout="one_per_page"), user=trainee
    )
    stale = (("2020-01-01T00:00:00+00:00", 999999), ["<p>SOMEONE ELSE'S QUESTION</p>"])
    caches["render"].set(_key(attempt.pk, 1), stale)
    url = reverse("quiz:attempt-detail", args=[attempt.pk])

    html = trainee_client.get(url, {"page": 1}).content.decode()

    assert "SOMEONE ELSE" not in html
    assert attempt.items.get(position=1).snapshot["stem"] in html
    assert kept(attempt.pk, 1)[0] != stale[0]  # replaced by the page's own


def _items_queries(ctx) -> list[str]:
    return [
        q["sql"] for q in ctx.captured_queries if "quiz_attemptquestion" in q["sql"]
    ]


def test_a_quiz_on_one_page_resumed_reads_no_snapshots(trainee_client, trainee):
    """ "Resume" names no page: a quiz on one page has only page 1, kept after
    the first view, so its snapshots are not read again."""
    attempt = attempt_start(quiz=QuizFactory(questions__n=3), user=trainee)
    url = reverse("quiz:attempt-detail", args=[attempt.pk])
    trainee_client.get(url)
    answers = correct_answers(attempt)
    posted = {**as_keys(attempt, answers), "page": "1", "nav": "save"}
    assert trainee_client.post(url, posted).status_code == 302
    with CaptureQueriesContext(connection) as ctx:
        html = trainee_client.get(url).content.decode()
    [items_query] = _items_queries(ctx)
    assert '"quiz_attemptquestion"."snapshot"' not in items_query
    for position, ids in answers.items():
        item = attempt.items.get(position=position)
        places = [n for n, c in enumerate(item.choices, start=1) if c["id"] in ids]
        assert checked_places(html, position) == places


@pytest.mark.parametrize("third_kept", [True, False])
def test_resume_opens_the_page_left_off_with_its_answers(
    trainee_client, trainee, third_kept
):
    """Resuming a quiz of a page per question at page 3: page 1's markup is
    looked up first; page 3 is shown, from its kept markup or, when it is not
    kept, after one query more for its snapshot."""
    attempt = attempt_start(
        quiz=QuizFactory(questions__n=3, layout="one_per_page"), user=trainee
    )
    url = reverse("quiz:attempt-detail", args=[attempt.pk])
    trainee_client.get(url, {"page": 1})
    answer = wrong_answers(attempt)[3]
    posted = {**as_keys(attempt, {3: answer}), "page": "3", "nav": "save"}
    assert trainee_client.post(url, posted).status_code == 302
    if third_kept:
        trainee_client.get(url, {"page": 3})
    else:
        caches["render"].delete(_key(attempt.pk, 3))
    attempt.refresh_from_db()
    assert attempt.last_page == 3

    with CaptureQueriesContext(connection) as ctx:
        html = trainee_client.get(url).content.decode()

    assert len(_items_queries(ctx)) == (1 if third_kept else 2)
    assert 'name="shown" value="3"' in html
    item = attempt.items.get(position=3)
    assert item.snapshot["stem"] in html
    places = [n for n, c in enumerate(item.choices, start=1) if c["id"] in answer]
    assert checked_places(html, 3) == places

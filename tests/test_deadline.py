"""The attempt deadline is one rule: Python (pages) and SQL (the cron command)
agree on which attempts are overdue."""

import random
from datetime import timedelta

import pytest

from django.utils import timezone

from quiz.attempts import timing
from quiz.models import Attempt, AttemptState
from tests.factories import QuizFactory, TraineeFactory

pytestmark = pytest.mark.django_db


def test_python_and_sql_agree_on_overdue_attempts():
    rng = random.Random("deadline-parity")
    now = timezone.now()
    grace = timedelta(seconds=10)
    offsets = [None, -3600, -11, -10, -9, 0, 9, 11, 3600]
    attempts = []
    for _ in range(60):
        close = rng.choice(offsets)
        quiz = QuizFactory(
            questions=[],
            published=False,
            closes_at=None if close is None else now + timedelta(seconds=close),
        )
        own = rng.choice(offsets)
        attempts.append(
            Attempt.objects.create(
                quiz=quiz,
                user=TraineeFactory(),
                number=1,
                pass_mark=80,
                started_at=now - timedelta(hours=2),
                deadline=None if own is None else now + timedelta(seconds=own),
                state=AttemptState.IN_PROGRESS,
            )
        )

    in_sql = set(
        Attempt.objects.overdue(now=now, grace=grace).values_list("pk", flat=True)
    )
    in_python = {a.pk for a in attempts if a.is_overdue(now=now, grace=grace)}

    assert in_sql == in_python
    assert 0 < len(in_python) < len(attempts)


def test_deadline_at_start_is_the_earlier_of_limit_and_close():
    start = timezone.now()
    close = start + timedelta(minutes=10)

    assert (
        timing.deadline_at_start(
            started_at=start, time_limit=timedelta(minutes=30), closes_at=close
        )
        == close
    )
    assert timing.deadline_at_start(
        started_at=start, time_limit=timedelta(minutes=5), closes_at=close
    ) == start + timedelta(minutes=5)
    assert (
        timing.deadline_at_start(started_at=start, time_limit=None, closes_at=None)
        is None
    )

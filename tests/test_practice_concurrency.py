"""Two tabs practising at once never schedule a card twice (real transactions,
PostgreSQL: the rows are locked)."""

import pytest

from django.db import connection

from quiz.practice.models import PracticeCard, PracticeItem, PracticeSession
from quiz.practice.services import (
    AlreadyAnsweredError,
    practice_answer,
    practice_serve,
    practice_start,
)
from tests.factories import RuleFactory, TraineeFactory, published_question
from tests.test_concurrency import run_together

# A plain flush, not serialized_rollback: loading the serialized database after
# another transactional test's flush collides on content types on PostgreSQL.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL"
    ),
]


def bank(n=3):
    rule = RuleFactory(critical=True)
    return [published_question(rules=[rule]) for _ in range(n)]


def test_two_tabs_answering_at_once_schedule_the_card_once():
    bank()
    trainee = TraineeFactory()
    session = practice_start(user=trainee)
    item = practice_serve(user=trainee, session=session)
    right = [c["id"] for c in item.choices if c["correct"]]

    results, errors = run_together(
        lambda: practice_answer(user=trainee, item_id=item.pk, choice_ids=right), n=3
    )

    assert len(results) == 1
    assert len(errors) == 2
    assert all(isinstance(error, AlreadyAnsweredError) for error in errors)
    assert PracticeCard.objects.get(pk=item.card_id).reps == 1


def test_two_tabs_asking_for_the_next_question_get_the_same_one():
    bank()
    trainee = TraineeFactory()
    session = practice_start(user=trainee)

    results, errors = run_together(
        lambda: practice_serve(user=trainee, session=session), n=3
    )

    assert errors == []
    assert len({item.pk for item in results}) == 1
    assert PracticeItem.objects.filter(answered_at__isnull=True).count() == 1


def test_two_tabs_starting_at_once_open_one_session():
    bank()
    trainee = TraineeFactory()

    results, errors = run_together(lambda: practice_start(user=trainee), n=3)

    assert errors == []
    assert len({session.pk for session in results}) == 1
    assert (
        PracticeSession.objects.filter(user=trainee, ended_at__isnull=True).count() == 1
    )

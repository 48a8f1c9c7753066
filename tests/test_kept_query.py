"""The attempt page's query compiled once and kept (quiz/compiled.py): it reads
exactly what the ORM reads from the same queryset (the closing date per trainee
included), on every database the site runs on, and refuses what it cannot keep."""

import random
import threading
from datetime import timedelta

import pytest

from django.db import connection, connections
from django.utils import timezone

from quiz.attempts.models import AttemptQuestion, attempt_closes_from
from quiz.attempts.selectors import (
    PAGE_FIELDS,
    PAGE_QUERY,
    _page_rows,
    attempt_items,
)
from quiz.attempts.services import attempt_save_answers, attempt_start
from quiz.compiled import MARK_BASE, KeptQuery
from quiz.models import Assignment, Override, Quiz
from quiz.programme import effective
from tests.factories import (
    CohortFactory,
    QuizFactory,
    SupervisorFactory,
    TraineeFactory,
    wrong_answers,
)

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def loaded(obj) -> dict:
    """An instance as read: its loaded values and which fields were left out."""
    values = {k: v for k, v in vars(obj).items() if not k.startswith("_")}
    return {"values": values, "deferred": obj.get_deferred_fields()}


def as_read(items: list) -> list:
    return [
        (
            loaded(item),
            loaded(item.attempt),
            loaded(item.attempt.quiz),
            item.attempt.p_closes_at,
        )
        for item in items
    ]


def orm_items(*, user, pk: int, snapshots: bool) -> list:
    """The same queryset evaluated by the ORM, as attempt_items did before."""
    fields = PAGE_FIELDS if snapshots else PAGE_FIELDS[1:]
    items = list(_page_rows(fields=fields)(pk=pk, user=user.pk))
    attempt_closes_from(items)
    for item in items[1:]:
        item.attempt = items[0].attempt
    return items


def test_the_kept_page_query_reads_what_the_orm_reads():
    rng = random.Random("kept-page-query")
    now = timezone.now().replace(microsecond=0)

    def when(days):
        return None if days is None else now + days * DAY

    quizzes = [
        QuizFactory(questions__n=3, closes_at=when(20)),
        QuizFactory(questions__n=2, closes_at=None, time_limit_minutes=30),
    ]
    cohorts = [CohortFactory() for _ in range(3)]
    trainees = [TraineeFactory() for _ in range(8)]
    granter = SupervisorFactory()
    for trainee in trainees:
        for cohort in rng.sample(cohorts, rng.randint(0, 2)):
            cohort.trainees.add(trainee)
    # Started first: an assignment hides the quiz from other cohorts' trainees.
    attempts = []
    for trainee in trainees:
        for quiz in quizzes:
            attempt = attempt_start(quiz=quiz, user=trainee)
            if rng.random() < 0.5:
                attempt_save_answers(
                    attempt=attempt,
                    user=trainee,
                    answers=dict(list(wrong_answers(attempt).items())[:1]),
                    flags={1: True},
                )
            attempts.append((trainee, attempt))

    for quiz in quizzes:
        for cohort in rng.sample(cohorts, rng.randint(0, 3)):
            Assignment.objects.create(
                quiz=quiz, cohort=cohort, closes_at=when(rng.choice([None, 2, 9]))
            )
        for trainee in rng.sample(trainees, 3):
            Override.objects.create(
                quiz=quiz,
                user=trainee,
                granted_by=granter,
                reason="r",
                closes_at=when(rng.choice([None, 30])),
            )

    closes = set()
    for trainee, attempt in attempts:
        for snapshots in (True, False):
            kept = attempt_items(user=trainee, pk=attempt.pk, snapshots=snapshots)
            orm = orm_items(user=trainee, pk=attempt.pk, snapshots=snapshots)
            assert len(kept) == attempt.quiz.quiz_questions.count()
            assert as_read(kept) == as_read(orm)
        expected = effective.effective_for(user=trainee, quiz=attempt.quiz).closes_at
        assert kept[0].attempt.closes_at == expected
        closes.add(expected)
        # One Attempt and one Quiz for the page, not one per question.
        assert {id(item.attempt) for item in kept} == {id(kept[0].attempt)}
    assert len(closes) >= 3  # the data reaches several closing rules


def test_another_trainees_attempt_reads_nothing():
    quiz = QuizFactory(questions__n=2)
    owner, other = TraineeFactory(), TraineeFactory()
    attempt = attempt_start(quiz=quiz, user=owner)
    assert attempt_items(user=other, pk=attempt.pk) == []
    assert attempt_items(user=owner, pk=attempt.pk + 1000) == []


def test_the_kept_query_is_one_query_and_sees_a_new_answer(django_assert_num_queries):
    quiz = QuizFactory(questions__n=2)
    trainee = TraineeFactory()
    attempt = attempt_start(quiz=quiz, user=trainee)
    attempt_items(user=trainee, pk=attempt.pk)  # compiled, if not yet
    answers = wrong_answers(attempt)
    attempt_save_answers(attempt=attempt, user=trainee, answers=answers)
    with django_assert_num_queries(1):
        items = attempt_items(user=trainee, pk=attempt.pk, snapshots=False)
    assert {item.position: item.selected for item in items} == answers


def test_the_sql_is_built_once_per_connection():
    built = []

    def build(*, pk: int):
        built.append(pk)
        return Quiz.objects.filter(pk=pk)

    kept = KeptQuery(Quiz, build, ("pk",))
    quiz = QuizFactory(questions__n=1)
    assert kept(pk=quiz.pk) == [quiz]
    assert kept(pk=quiz.pk + 1) == []
    assert len(built) == 1

    def other_thread():
        kept.sql()  # this thread's own connection compiles its own
        connections.close_all()

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    assert len(built) == 2


def test_values_written_into_the_sql_are_refused():
    # LIMIT is written into the SQL, not passed as a parameter.
    kept = KeptQuery(Quiz, lambda *, n: Quiz.objects.all()[:-n], ("n",))
    with pytest.raises(ValueError, match="n is in the parameters 0 times"):
        kept(n=-3)
    twice = KeptQuery(
        Quiz, lambda *, n: Quiz.objects.filter(pk=n).exclude(pk=n), ("n",)
    )
    with pytest.raises(ValueError, match="n is in the parameters 2 times"):
        twice(n=3)
    # A positive column: the ORM drops a condition no value in range can meet.
    positive = KeptQuery(Quiz, lambda *, n: Quiz.objects.filter(max_attempts=n), ("n",))
    with pytest.raises(ValueError, match="cannot be kept"):
        positive(n=3)


def test_values_must_be_integers_and_all_named():
    kept = KeptQuery(Quiz, lambda *, pk: Quiz.objects.filter(pk=pk), ("pk",))
    with pytest.raises(TypeError, match="pk must be an int"):
        kept(pk="1")
    with pytest.raises(TypeError, match="expected the values"):
        kept(pk=1, user=2)


def test_shared_related_objects_must_be_one_parents():
    first, second = QuizFactory(questions__n=1), QuizFactory(questions__n=1)
    trainee = TraineeFactory()
    for quiz in (first, second):
        attempt_start(quiz=quiz, user=trainee)
    kept = KeptQuery(
        AttemptQuestion,
        lambda *, user: AttemptQuestion.objects.select_related("attempt").filter(
            attempt__user=user
        ),
        ("user",),
        shared_related=True,
    )
    with pytest.raises(ValueError, match="rows with different attempt"):
        kept(user=trainee.pk)


def test_the_kept_sql_is_the_orms_own():
    """The page's SQL, closing-date subqueries included, is what the ORM
    compiles from the same queryset on this database, with the markers."""
    marks = {"pk": MARK_BASE, "user": MARK_BASE - 1}
    queryset = _page_rows(fields=PAGE_FIELDS)(**marks)
    expected = queryset.query.get_compiler(connection=connection).as_sql()
    assert PAGE_QUERY.sql() == (expected[0], tuple(expected[1]))
    assert "p_closes_at" in expected[0]


ON_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements: PostgreSQL"
)


def _prepared_page_statements() -> list[tuple[str, int]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement, generic_plans FROM pg_prepared_statements "
            "WHERE statement LIKE %s",
            ['%"quiz_attemptquestion"."position"%'],
        )
        return cursor.fetchall()


@ON_POSTGRESQL
def test_on_postgresql_the_kept_query_is_prepared_and_planned_once():
    quiz = QuizFactory(questions__n=2)
    trainee = TraineeFactory()
    attempt = attempt_start(quiz=quiz, user=trainee)
    other = TraineeFactory()

    for _ in range(4):
        assert len(attempt_items(user=trainee, pk=attempt.pk)) == 2
    for _ in range(4):  # new values, the same statement
        assert attempt_items(user=other, pk=attempt.pk) == []

    (statement, generic_plans), *more = _prepared_page_statements()
    assert more == []
    assert "$1" in statement and "%s" not in statement
    # PostgreSQL plans the first five runs for their values, then keeps one
    # plan for any values: the last three runs were not planned.
    assert generic_plans == 3


@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_a_migration_that_changes_a_column_type_does_not_break_the_page():
    """PostgreSQL refuses to run a prepared statement whose result type changed
    ("cached plan must not change result type"): the page query reconnects and
    prepares it anew, instead of failing on that connection until it closes."""
    import psycopg

    quiz = QuizFactory(questions__n=2)
    trainee = TraineeFactory()
    attempt = attempt_start(quiz=quiz, user=trainee)
    assert len(attempt_items(user=trainee, pk=attempt.pk)) == 2  # prepared
    settings = connection.settings_dict
    migration = psycopg.connect(
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=settings["USER"],
        dbname=settings["NAME"],
        autocommit=True,
    )
    try:
        migration.execute('ALTER TABLE "quiz_quiz" ALTER COLUMN "title" TYPE text')
        items = attempt_items(user=trainee, pk=attempt.pk)
        assert [item.attempt.quiz.title for item in items] == [quiz.title] * 2
    finally:
        migration.execute(
            'ALTER TABLE "quiz_quiz" ALTER COLUMN "title" TYPE varchar(200)'
        )
        migration.close()
    assert len(attempt_items(user=trainee, pk=attempt.pk)) == 2  # and back

"""Reads on the programme: the quizzes open to a trainee, with their dates."""

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from quiz.models import Quiz
from quiz.programme import effective


def visible_to(user) -> QuerySet:
    """The published quizzes the trainee may see (assigned to one of their
    cohorts, or open to all), whether or not they have opened yet."""
    key = f"{effective.PREFIX}visible"
    visible = effective.annotations(user=user, quiz="pk")[key]
    return Quiz.objects.published().alias(**{key: visible}).filter(**{key: True})


def with_effective(quizzes: QuerySet, *, user) -> QuerySet:
    """Quizzes annotated with what the trainee has on each (effective.from_row)."""
    return quizzes.annotate(**effective.annotations(user=user, quiz="pk"))


def open_to(quizzes: QuerySet, *, user, now: datetime | None = None) -> list[Quiz]:
    """The published quizzes (of those given) the trainee may see now, assigned
    to one of their cohorts or open to all and already open, soonest due first.

    The annotations are computed once, in the SELECT; which rows pass and their
    order are decided here from them (a school has tens of quizzes, not
    thousands): filtering and sorting on them in SQL would repeat every
    subquery in the WHERE and ORDER BY clauses, which PostgreSQL then plans
    three times."""
    now = now or timezone.now()
    shown = []
    for quiz in with_effective(quizzes.filter(published=True), user=user):
        mine = effective.from_row(quiz, quiz)
        if mine.visible and mine.has_opened(now):
            shown.append((mine.due_at is None, mine.due_at or now, quiz))
    shown.sort(key=lambda row: (row[0], row[1], row[2].order, row[2].title))
    return [quiz for _none, _due, quiz in shown]


def quiz_open_to(*, user, slug: str) -> Quiz | None:
    """One published quiz the trainee may see now, by slug (None otherwise)."""
    found = open_to(Quiz.objects.filter(slug=slug), user=user)
    return found[0] if found else None

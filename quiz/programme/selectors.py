"""Reads on the programme: the quizzes open to a trainee, with their dates."""

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from quiz.models import Quiz
from quiz.programme import effective


def with_effective(quizzes: QuerySet, *, user) -> QuerySet:
    """Quizzes annotated with what the trainee has on each (effective.from_row)."""
    return quizzes.annotate(**effective.annotations(user=user, quiz="pk"))


def open_to(quizzes: QuerySet, *, user, now=None) -> QuerySet:
    """The published quizzes the trainee may see now (assigned to one of their
    cohorts or open to all, and already open), soonest due first."""
    now = now or timezone.now()
    visible = effective.PREFIX + "visible"
    opens = effective.PREFIX + "opens_at"
    return (
        with_effective(quizzes.filter(published=True), user=user)
        .filter(**{visible: True})
        .filter(Q(**{f"{opens}__isnull": True}) | Q(**{f"{opens}__lte": now}))
        .order_by(F(effective.PREFIX + "due_at").asc(nulls_last=True), "order", "title")
    )


def quiz_open_to(*, user, slug: str) -> Quiz | None:
    """One published quiz the trainee may see now, by slug (None otherwise)."""
    return open_to(Quiz.objects.filter(slug=slug), user=user).first()

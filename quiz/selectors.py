"""Reads the trainee pages need, each in a fixed number of queries."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count

from quiz.grading import quiz_grade
from quiz.models import Attempt, AttemptState, Quiz


@dataclass
class QuizStatus:
    """Where a trainee stands on one quiz."""

    quiz: Quiz
    finished: list = field(default_factory=list)  # oldest first
    in_progress: Attempt | None = None
    used: int = 0

    @property
    def passed(self) -> bool:
        return any(a.passed for a in self.finished)

    @property
    def grade(self) -> Decimal | None:
        return quiz_grade(self.quiz.grading_method, [a.score for a in self.finished])

    @property
    def best(self) -> Decimal | None:
        return max((a.score for a in self.finished), default=None)

    @property
    def attempts_left(self) -> int | None:
        if self.quiz.max_attempts is None:
            return None
        return max(0, self.quiz.max_attempts - self.used)

    @property
    def can_start(self) -> bool:
        if self.in_progress is not None:
            return True
        return not self.quiz.is_closed and self.attempts_left != 0

    @property
    def label(self) -> str:
        if self.in_progress is not None:
            return "in_progress"
        if self.passed:
            return "passed"
        if self.finished:
            return "failed"
        return "not_started"


def quiz_statuses(*, user, quizzes=None) -> list[QuizStatus]:
    """Every published quiz (or the given ones) with the user's standing: 2 queries."""
    if quizzes is None:
        quizzes = Quiz.objects.published().annotate(
            n_fixed=Count("quiz_questions", distinct=True)
        )
    statuses = {quiz.pk: QuizStatus(quiz=quiz) for quiz in quizzes}
    attempts = Attempt.objects.filter(user=user, quiz_id__in=statuses.keys()).order_by(
        "started_at", "pk"
    )
    for attempt in attempts:
        status = statuses[attempt.quiz_id]
        status.used += 1
        if attempt.state == AttemptState.IN_PROGRESS:
            status.in_progress = attempt
        else:
            status.finished.append(attempt)
    return list(statuses.values())

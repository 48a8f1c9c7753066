"""Writes on quizzes: publishing."""

from django.core.exceptions import ValidationError
from django.db import transaction

from quiz.models import Quiz


@transaction.atomic
def quiz_publish(*, quiz: Quiz) -> Quiz:
    """Publish a quiz whose questions can be assembled, or raise ValidationError."""
    problems = quiz.publication_problems()
    if problems:
        raise ValidationError(problems)
    quiz.published = True
    quiz.save(update_fields=["published", "updated_at"])
    return quiz

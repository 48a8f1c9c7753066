"""The quiz app's answers to changes in the question bank."""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.dispatch import receiver
from django.utils.translation import gettext as _

from questions.services import bank_changed
from quiz.models import Quiz
from quiz.selection import selection_problems


@receiver(bank_changed, dispatch_uid="quiz-refuse-breaking-published-quizzes")
def refuse_breaking_published_quizzes(
    sender, *, question_ids, category_ids, rule_ids, **kwargs
) -> None:
    """Refuse a bank change after which a published quiz could not be assembled.

    Without this, retiring a question of the final exam's fixed list would have
    every later attempt refused, and a draw left short the same; an instructor
    must unpublish or change the quiz first, knowingly.
    """
    quizzes = (
        Quiz.objects.published()
        .filter(
            Q(quiz_questions__question_id__in=question_ids)
            | Q(draws__category_id__in=category_ids)
            | Q(draws__rule_id__in=rule_ids)
        )
        .distinct()
        .order_by("title")
    )
    problems = [
        _(
            "The published quiz “%(quiz)s” could no longer be assembled: %(problem)s "
            "Unpublish the quiz or change it first."
        )
        % {"quiz": quiz.title, "problem": problem}
        for quiz in quizzes
        for problem in selection_problems(quiz)
    ]
    if problems:
        raise ValidationError(problems)

"""The quiz app's answers to changes in the question bank."""

from django.db.models import Q
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from questions.services import bank_changed
from quiz.models import Quiz
from quiz.selection import selection_shortfalls


@receiver(bank_changed, dispatch_uid="quiz-published-quiz-shortfalls")
def published_quiz_shortfalls(
    sender, *, question_ids, category_ids, rule_ids, **kwargs
) -> list[tuple[tuple, int, str]]:
    """What the open published quizzes using these questions, categories or rules
    cannot assemble: (key, amount, message) for each problem.

    The questions app refuses a change that adds a problem or makes one worse:
    without that, retiring a question of the final exam's fixed list would have
    every later attempt refused, and a draw left short the same. The quizzes are
    locked, so two instructors retiring at once are checked one after the other.
    Quizzes already closed are left out: reopening one checks it again.
    """
    in_scope = (
        Quiz.objects.published()
        .exclude(closes_at__lte=timezone.now())
        .filter(
            Q(quiz_questions__question_id__in=question_ids)
            | Q(draws__category_id__in=category_ids)
            | Q(draws__rule_id__in=rule_ids)
        )
    )
    quizzes = (
        Quiz.objects.filter(pk__in=in_scope.values("pk"))
        .select_for_update()
        .order_by("title", "pk")
    )
    return [
        (
            (quiz.pk, *problem.key),
            problem.amount,
            _(
                "The published quiz “%(quiz)s” could no longer be assembled: "
                "%(problem)s Unpublish the quiz or change it first."
            )
            % {"quiz": quiz.title, "problem": problem.message},
        )
        for quiz in quizzes
        for problem in selection_shortfalls(quiz)
    ]

"""Writes on quizzes: publishing. A published quiz can always be assembled:
every way of publishing one goes through here, and the question bank asks here
before a change that could break one (settings.QUESTION_BANK_GUARDS)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from quiz.models import Quiz, QuizQuestion
from quiz.selection import selection_problems, selection_shortfalls


def quiz_publication_problems(*, quiz: Quiz) -> list[str]:
    """Why this quiz, as saved, cannot be published (empty when it can)."""
    return selection_problems(quiz)


@transaction.atomic
def quiz_publish(*, quiz: Quiz) -> Quiz:
    """Publish a quiz whose questions can be assembled, or raise ValidationError.

    Read again under a lock: what the caller holds may carry questions prefetched
    before an edit (the admin's change form), and two publishers go one by one."""
    stored = Quiz.objects.select_for_update().get(pk=quiz.pk)
    problems = quiz_publication_problems(quiz=stored)
    if problems:
        raise ValidationError(problems, code="not_publishable")
    stored.published = True
    stored.save(update_fields=["published", "updated_at"])
    quiz.published = True
    return stored


@transaction.atomic
def quiz_save_published_or_draft(*, quiz: Quiz, published: bool) -> list[str]:
    """After an edit saved with its questions (the admin form, then its inlines):
    publish the quiz if asked and it can be assembled, else leave it a draft.
    Returns why it is not published (empty when it is, or was not asked to be)."""
    if not published:
        return []
    try:
        quiz_publish(quiz=quiz)
    except ValidationError as exc:
        Quiz.objects.filter(pk=quiz.pk).update(
            published=False, updated_at=timezone.now()
        )
        quiz.published = False
        return exc.messages
    return []


def published_quiz_problems(
    *, question_ids, category_ids, rule_ids
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


def quiz_questions_succeed(*, old_id: int, new_id: int) -> list[str]:
    """Where a seed-bank revision retires a question for its successor, the
    successor takes its place in every quiz's fixed list (the same position; or
    the old entry goes when the quiz already asks the successor). Attempts keep
    their own questions and snapshots; only later attempts ask the successor.
    The caller checks in the same transaction that every published quiz can
    still be assembled. Returns the titles of the quizzes changed."""
    changed = []
    entries = QuizQuestion.objects.filter(question_id=old_id).select_related("quiz")
    for entry in entries.order_by("quiz__title", "quiz_id"):
        if QuizQuestion.objects.filter(
            quiz_id=entry.quiz_id, question_id=new_id
        ).exists():
            entry.delete()
        else:
            entry.question_id = new_id
            entry.save(update_fields=["question"])
        changed.append(entry.quiz.title)
    return changed

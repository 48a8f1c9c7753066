"""The dashboard and the quiz pages: what a trainee may take, and starting it."""

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.models import Cohort
from accounts.policy import trainee_required
from accounts.roles import is_instructor, is_supervisor, is_trainee
from questions.models import Question, QuestionStatus, Rule
from quiz.attempts.progress import ProgressStatus
from quiz.attempts.selectors import (
    MASTERY_THRESHOLD,
    next_step,
    quiz_statuses,
    rule_mastery,
    with_question_count,
)
from quiz.attempts.services import StartRefusedError, attempt_start
from quiz.models import Quiz
from quiz.practice.selectors import practice_glance
from quiz.programme import effective
from quiz.programme.attention import attention_summary_cached
from quiz.programme.selectors import open_to

# --- home -------------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    """The landing page for visitors; a dashboard that fits the role once signed in."""
    if not request.user.is_authenticated:
        return render(request, "quiz/landing.html", {"bank": _bank_summary()})
    user = request.user
    context: dict = {}
    if is_instructor(user):
        context["bank"] = _bank_summary()
    if is_supervisor(user) or is_instructor(user):
        context["cohorts"] = Cohort.objects.visible_to(user).annotate(
            n_trainees=Count("trainees", distinct=True)
        )
    if is_supervisor(user):
        context["attention"] = attention_summary_cached(user)
    context["show_trainee"] = is_trainee(user)
    if context["show_trainee"]:
        context["statuses"] = quiz_statuses(user=user)
        context["next_step"] = next_step(context["statuses"])
        context["n_passed"] = sum(
            1 for s in context["statuses"] if s.progress is ProgressStatus.PASSED
        )
        context["mastery"] = rule_mastery(user=user, reviewable_only=True)
        context["threshold"] = MASTERY_THRESHOLD
        context["practice"] = practice_glance(user=user)
    return render(request, "quiz/dashboard.html", context)


def _bank_summary() -> dict:
    counts = Question.objects.aggregate(
        published=Count("pk", filter=Q(status=QuestionStatus.PUBLISHED)),
        drafts=Count("pk", filter=Q(status=QuestionStatus.DRAFT)),
    )
    rules = Rule.objects.aggregate(
        total=Count("pk"), critical=Count("pk", filter=Q(critical=True))
    )
    return {**counts, "rules": rules["total"], "critical_rules": rules["critical"]}


# --- quizzes ------------------------------------------------------------------


@trainee_required
def quiz_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "quiz/quiz_list.html", {"statuses": quiz_statuses(user=request.user)}
    )


def _quiz_detail_context(request, quiz: Quiz) -> dict:
    [status] = quiz_statuses(user=request.user, quizzes=[quiz])
    return {"quiz": quiz, "status": status}


def _open_quiz(request, slug: str) -> Quiz:
    """A quiz open to the trainee now (assigned to them or to all), else 404."""
    found = open_to(
        with_question_count(Quiz.objects.filter(slug=slug)), user=request.user
    )
    if not found:
        raise Http404("No such quiz is open to you.")
    return found[0]


@trainee_required
def quiz_detail(request: HttpRequest, slug: str) -> HttpResponse:
    quiz = _open_quiz(request, slug)
    return render(request, "quiz/quiz_detail.html", _quiz_detail_context(request, quiz))


@require_POST
@trainee_required
def quiz_start(request: HttpRequest, slug: str) -> HttpResponse:
    quiz = _open_quiz(request, slug)
    try:
        attempt = attempt_start(
            quiz=quiz, user=request.user, settings=effective.from_row(quiz, quiz)
        )
    except StartRefusedError as exc:
        messages.error(request, str(exc))
        return render(
            request,
            "quiz/quiz_detail.html",
            _quiz_detail_context(request, quiz),
            status=403,
        )
    return redirect("quiz:attempt-detail", attempt.pk)

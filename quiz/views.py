from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import Cohort
from accounts.roles import is_instructor, is_supervisor, is_trainee
from questions.models import Question, QuestionStatus, Rule


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
    context["show_trainee"] = is_trainee(user)
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

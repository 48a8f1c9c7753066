"""Acting on a trainee from the reports (supervisors: their own cohorts'
trainees): granting an override, sending a reminder from the needs-attention
list."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from accounts.policy import reports_required
from quiz.models import Override
from quiz.programme.forms import OverrideForm, ReminderForm
from quiz.programme.reminders import ReminderRefused, attention_remind
from quiz.programme.services import override_grant, override_summary


@require_http_methods(["GET", "POST"])
@reports_required
def override_grant_view(request: HttpRequest, pk: int) -> HttpResponse:
    trainee = get_object_or_404(User.objects.visible_to(request.user), pk=pk)
    if request.method == "GET":
        form = OverrideForm(initial={"quiz": request.GET.get("quiz")}, trainee=trainee)
    else:
        form = OverrideForm(request.POST, trainee=trainee)
        if form.is_valid():
            override = override_grant(
                trainee=trainee, granted_by=request.user, **form.cleaned_data
            )
            messages.success(
                request,
                _("Override granted on “%(quiz)s”: %(what)s.")
                % {"quiz": override.quiz.title, "what": override_summary(override)},
            )
            return redirect("quiz:report-trainee", trainee.pk)
    current = Override.objects.filter(user=trainee).select_related("quiz", "granted_by")
    return render(
        request,
        "quiz/programme/override_form.html",
        {"trainee": trainee, "form": form, "overrides": current},
        status=400 if form.is_bound else 200,
    )


def _attention_list(inactive: int | None) -> str:
    """Back to the list as the supervisor had it (its inactivity setting)."""
    url = reverse("quiz:report-attention")
    return f"{url}?inactive={inactive}" if inactive else url


@require_POST
@reports_required
def attention_remind_view(request: HttpRequest, pk: int) -> HttpResponse:
    trainee = get_object_or_404(User.objects.visible_to(request.user), pk=pk)
    form = ReminderForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "quiz/programme/reminder_refused.html",
            {"trainee": trainee, "errors": form.errors},
            status=400,
        )
    data = form.cleaned_data
    name = {"name": trainee.display_name}
    try:
        queued = attention_remind(
            sender=request.user,
            trainee=trainee,
            reason=data["reason"],
            quiz=data["quiz"],
            inactive_days=data["inactive"],
        )
    except ReminderRefused as refused:
        messages.warning(request, str(refused))
    else:
        if queued:
            messages.success(request, _("Reminder sent to %(name)s.") % name)
        else:
            messages.info(
                request, _("%(name)s was already reminded of this today.") % name
            )
    return redirect(_attention_list(data["inactive"]))

"""Granting an override from a trainee's report (supervisors: their own cohorts)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import User
from accounts.policy import reports_required
from quiz.models import Override
from quiz.programme.forms import OverrideForm
from quiz.programme.services import override_grant, override_summary


@require_http_methods(["GET", "POST"])
@reports_required
def override_grant_view(request: HttpRequest, pk: int) -> HttpResponse:
    trainee = get_object_or_404(User.objects.visible_to(request.user), pk=pk)
    if request.method == "GET":
        form = OverrideForm(initial={"quiz": request.GET.get("quiz")})
    else:
        form = OverrideForm(request.POST)
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

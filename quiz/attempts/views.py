"""The attempt pages: answering, the review before submitting, the result."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.policy import trainee_required
from quiz.attempts import timing
from quiz.attempts.forms import AttemptPageForm, Navigation, PageForm
from quiz.attempts.models import Attempt
from quiz.attempts.selectors import (
    attempt_review,
    next_try,
    result_attempt,
    result_grade,
    review_visible,
)
from quiz.attempts.services import (
    AttemptClosedError,
    InvalidAnswerError,
    SaveOutcome,
    attempt_close_if_overdue,
    attempt_save_answers,
    attempt_submit,
)
from quiz.certificates.models import Certificate
from quiz.models import Layout

# --- attempts -----------------------------------------------------------------

TIME_UP = gettext_lazy(
    "Time was up: your attempt was graded with the answers saved before the deadline."
)
ALREADY_SUBMITTED = gettext_lazy(
    "This attempt was already submitted; nothing was changed."
)


def _own_attempt(request, pk: int) -> Attempt:
    return get_object_or_404(
        Attempt.objects.for_user(request.user).select_related("quiz"), pk=pk
    )


def _exam_screen(attempt: Attempt, items: list) -> dict:
    """What the attempt page and the summary page both show: the countdown, how
    many questions are answered and flagged, and when an answer was last saved."""
    saved = [item.answered_at for item in items if item.answered_at]
    return {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "items": items,
        "one_per_page": attempt.quiz.layout == Layout.ONE_PER_PAGE,
        "time_left": timing.time_left(
            ends=attempt.effective_deadline, now=timezone.now()
        ),
        "answered": sum(1 for item in items if item.selected),
        "unanswered": sum(1 for item in items if not item.selected),
        "flagged": sum(1 for item in items if item.flagged),
        "saved_at": max(saved) if saved else None,
    }


def _attempt_page(
    request, attempt: Attempt, page: int, *, items=None, error: str = "", status=200
):
    items = list(attempt.items.all()) if items is None else items
    context = _exam_screen(attempt, items)
    one_per_page = context["one_per_page"]
    context.update(
        shown=[items[page - 1]] if one_per_page else items,
        page=page,
        pages=len(items) if one_per_page else 1,
        error=error,
    )
    return render(request, "quiz/attempt_detail.html", context, status=status)


def _to_result(request, attempt: Attempt, message: str, level=messages.WARNING):
    messages.add_message(request, level, message)
    return redirect("quiz:attempt-result", attempt.pk)


def _closed_attempt_response(request, attempt: Attempt) -> HttpResponse | None:
    """To the result page when the attempt is over (graded now if its time is up)."""
    if attempt.is_finished:
        if request.method == "POST":
            return _to_result(request, attempt, ALREADY_SUBMITTED)
        return redirect("quiz:attempt-result", attempt.pk)
    if attempt_close_if_overdue(attempt=attempt):
        return _to_result(request, attempt, TIME_UP)
    return None


@require_http_methods(["GET", "POST"])
@trainee_required
def attempt_detail(request: HttpRequest, pk: int) -> HttpResponse:
    attempt = _own_attempt(request, pk)
    if closed := _closed_attempt_response(request, attempt):
        return closed
    # One query for the questions: the page count and the form use the same list.
    items = list(attempt.items.all())
    pages = len(items) if attempt.quiz.layout == Layout.ONE_PER_PAGE else 1
    if request.method == "GET":
        shown = PageForm(request.GET, pages=pages, resume=attempt.last_page)
        if not shown.is_valid():
            raise Http404(_("No such page in this attempt."))
        return _attempt_page(request, attempt, shown.cleaned_data["page"], items=items)
    form = AttemptPageForm(request.POST, items=items, pages=pages)
    if not form.is_valid():
        if "page" in form.errors:
            raise Http404(_("No such page in this attempt."))
        page = form.cleaned_data["page"]
        error = form.error_message()
        return _attempt_page(request, attempt, page, error=error, status=400)
    return _save_page(request, attempt, form.cleaned_data, pages)


def _save_page(request, attempt: Attempt, data: dict, pages: int) -> HttpResponse:
    """Save (or submit) a valid page, then go where the trainee asked."""
    nav: Navigation = data["nav"]
    answers = data["answers"]
    target = nav.target(data["page"], pages)
    try:
        if nav.action == "submit":
            outcome = attempt_submit(
                attempt=attempt, user=request.user, answers=answers
            )
            if outcome.late:
                return _to_result(request, attempt, TIME_UP)
            return redirect("quiz:attempt-result", attempt.pk)
        saved = attempt_save_answers(
            attempt=attempt,
            user=request.user,
            answers=answers,
            flags=data["flags"],
            page=target,
        )
    except InvalidAnswerError as exc:
        return _attempt_page(request, attempt, data["page"], error=str(exc), status=400)
    except AttemptClosedError as exc:
        return _to_result(request, attempt, str(exc))
    if saved is SaveOutcome.TIMED_OUT:
        return _to_result(request, attempt, TIME_UP)
    if request.headers.get("x-requested-with") == "fetch":
        return _autosaved(attempt)
    return _go_on(request, attempt, nav, target, pages)


def _autosaved(attempt: Attempt) -> HttpResponse:
    """Autosave: no page, but the answered count for the progress bar."""
    response = HttpResponse(status=204)
    selections = attempt.items.values_list("selected", flat=True)
    response["X-Answered"] = str(sum(1 for selected in selections if selected))
    return response


def _go_on(request, attempt: Attempt, nav: Navigation, target, pages: int):
    """After a save: the page asked for (next, previous, a number), the summary
    before submitting, or the same page with a word that it was saved."""
    if target is None:
        return redirect("quiz:attempt-submit", attempt.pk)
    if nav.action == "save":
        messages.success(request, _("Your answers are saved."))
    url = reverse("quiz:attempt-detail", args=[attempt.pk])
    return redirect(f"{url}?page={target}" if pages > 1 else url)


@require_http_methods(["GET", "POST"])
@trainee_required
def attempt_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    attempt = _own_attempt(request, pk)
    if closed := _closed_attempt_response(request, attempt):
        return closed
    if request.method == "GET":
        context = _exam_screen(attempt, list(attempt.items.all()))
        return render(request, "quiz/attempt_submit.html", context)
    try:
        outcome = attempt_submit(attempt=attempt, user=request.user)
    except AttemptClosedError as exc:
        return _to_result(request, attempt, str(exc))
    if outcome.late:
        return _to_result(
            request,
            attempt,
            TIME_UP,
        )
    return redirect("quiz:attempt-result", attempt.pk)


@trainee_required
def attempt_result(request: HttpRequest, pk: int) -> HttpResponse:
    attempt = result_attempt(user=request.user, pk=pk)
    if attempt is None:
        raise Http404(_("No such attempt."))
    if not attempt.is_finished and not attempt_close_if_overdue(attempt=attempt):
        return redirect("quiz:attempt-detail", attempt.pk)
    context = attempt_review(
        attempt,
        show_review=review_visible(attempt),
        mistakes_only=request.GET.get("show") == "mistakes",
    )
    context.update(
        certificate=_certificate_for(attempt),
        next_try=next_try(attempt),
        grade=result_grade(attempt),
    )
    return render(request, "quiz/attempt_result.html", context)


def _certificate_for(attempt: Attempt):
    """The certificate this passing attempt earned, or the one the trainee holds."""
    if not (attempt.passed and attempt.quiz.certificate_on_pass):
        return None
    return (
        Certificate.objects.filter(user=attempt.user_id, quiz=attempt.quiz_id)
        .order_by("-issued_at")
        .first()
    )


@trainee_required
def attempt_history(request: HttpRequest) -> HttpResponse:
    attempts = Attempt.objects.for_user(request.user).select_related("quiz")
    return render(request, "quiz/attempt_history.html", {"attempts": attempts})

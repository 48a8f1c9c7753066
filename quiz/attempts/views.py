"""The attempt pages: answering, the review before submitting, the result."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.policy import trainee_required
from quiz.attempts import timing
from quiz.attempts.forms import POSITION, AttemptPageForm, PageForm
from quiz.attempts.models import Attempt
from quiz.attempts.navigation import Navigation
from quiz.attempts.rendering import kept, render_questions
from quiz.attempts.selectors import (
    attempt_items,
    attempt_review,
    next_try,
    result_attempt,
    result_grade,
    review_visible,
)
from quiz.attempts.services import (
    AttemptClosedError,
    InvalidAnswerError,
    NoSuchPageError,
    PageSaved,
    SaveOutcome,
    attempt_close_if_overdue,
    attempt_save_page,
    attempt_submit,
)
from quiz.certificates.models import Certificate

# --- attempts -----------------------------------------------------------------

TIME_UP = gettext_lazy(
    "Time was up: your attempt was graded with the answers saved before the deadline."
)
ALREADY_SUBMITTED = gettext_lazy(
    "This attempt was already submitted; nothing was changed."
)


def _own_items(request, pk: int, *, snapshots: bool = True) -> list:
    """The attempt's questions, each with the attempt and quiz (one query)."""
    items = attempt_items(user=request.user, pk=pk, snapshots=snapshots)
    if not items:
        raise Http404(_("No such attempt."))
    return items


def _exam_screen(attempt: Attempt, items: list) -> dict:
    """What the attempt page and the summary page both show: the countdown, how
    many questions are answered and flagged, and when an answer was last saved."""
    saved = [item.answered_at for item in items if item.answered_at]
    return {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "items": items,
        "one_per_page": attempt.quiz.one_per_page,
        "time_left": timing.time_left(
            ends=attempt.effective_deadline, now=timezone.now()
        ),
        "answered": sum(1 for item in items if item.selected),
        "unanswered": sum(1 for item in items if not item.selected),
        "flagged": sum(1 for item in items if item.flagged),
        "saved_at": max(saved) if saved else None,
    }


def _attempt_page(
    request, items: list, page: int, *, error: str = "", status=200, kept_page=None
):
    attempt = items[0].attempt
    context = _exam_screen(attempt, items)
    shown = [items[page - 1]] if context["one_per_page"] else items
    context.update(
        shown=shown,
        questions=render_questions(
            attempt, page, shown, total=len(items), kept_page=kept_page
        ),
        page=page,
        pages=attempt.quiz.page_count(len(items)),
        error=error,
    )
    return render(request, "quiz/attempt_detail.html", context, status=status)


def _to_result(request, attempt: Attempt, message: str, level=messages.WARNING):
    return _to_result_pk(request, attempt.pk, message, level)


def _to_result_pk(request, pk: int, message: str, level=messages.WARNING):
    messages.add_message(request, level, message)
    return redirect("quiz:attempt-result", pk)


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
    if request.method == "POST":
        return _post_page(request, pk)
    # The page asked for may be kept rendered: then its snapshots are not read.
    # Without ?page= ("Resume") it is where the trainee left off, known only
    # from the read: page 1 is looked up (always right for a quiz on one page);
    # when wrong, only a page not kept either costs its snapshots' query.
    asked = request.GET.get("page", "")
    guess = int(asked) if POSITION.match(asked) else 1
    known = kept(pk, guess)
    items = _own_items(request, pk, snapshots=known is None)
    attempt = items[0].attempt
    if closed := _closed_attempt_response(request, attempt):
        return closed
    pages = attempt.quiz.page_count(len(items))
    shown = PageForm(request.GET, pages=pages, resume=attempt.last_page)
    if not shown.is_valid():
        raise Http404(_("No such page in this attempt."))
    page = shown.cleaned_data["page"]
    return _attempt_page(
        request, items, page, kept_page=known if page == guess else None
    )


def _post_page(request, pk: int) -> HttpResponse:
    """Save (or submit) a posted page, then go where the trainee asked. The
    attempt is read once, by the service, under its lock."""
    form = AttemptPageForm(request.POST)
    if not form.is_valid():
        return _refused(
            request, pk, form.cleaned_data.get("page", 1), form.error_message()
        )
    data = form.cleaned_data
    try:
        saved = attempt_save_page(
            attempt_id=pk,
            user=request.user,
            answers=data["answers"],
            flags=data["flags"],
            page=data["page"],
            nav=data["nav"],
        )
    except (Attempt.DoesNotExist, NoSuchPageError) as exc:
        raise Http404(_("No such page in this attempt.")) from exc
    except InvalidAnswerError as exc:
        return _refused(request, pk, data["page"], str(exc))
    except AttemptClosedError:
        return _to_result_pk(request, pk, ALREADY_SUBMITTED)
    return _after_save(request, pk, saved, data["nav"])


def _refused(request, pk: int, page: int, error: str) -> HttpResponse:
    """The page again, with what was wrong and nothing saved (400)."""
    items = _own_items(request, pk)
    attempt = items[0].attempt
    if closed := _closed_attempt_response(request, attempt):
        return closed
    pages = attempt.quiz.page_count(len(items))
    if not 1 <= page <= pages:
        raise Http404(_("No such page in this attempt."))
    return _attempt_page(request, items, page, error=error, status=400)


def _after_save(request, pk: int, saved: PageSaved, nav: Navigation) -> HttpResponse:
    if saved.outcome is SaveOutcome.TIMED_OUT:
        return _to_result_pk(request, pk, TIME_UP)
    if saved.outcome is SaveOutcome.SUBMITTED:
        return redirect("quiz:attempt-result", pk)
    if request.headers.get("x-requested-with") == "fetch":
        return _autosaved(saved.answered)
    if saved.target is None:
        return redirect("quiz:attempt-submit", pk)
    if nav.action == "save":
        messages.success(request, _("Your answers are saved."))
    url = reverse("quiz:attempt-detail", args=[pk])
    return redirect(f"{url}?page={saved.target}" if saved.pages > 1 else url)


def _autosaved(answered: int) -> HttpResponse:
    """Autosave: no page, but the answered count for the progress bar."""
    response = HttpResponse(status=204)
    response["X-Answered"] = str(answered)
    return response


@require_http_methods(["GET", "POST"])
@trainee_required
def attempt_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method == "GET":
        items = _own_items(request, pk)
        if closed := _closed_attempt_response(request, items[0].attempt):
            return closed
        context = _exam_screen(items[0].attempt, items)
        return render(request, "quiz/attempt_submit.html", context)
    try:
        outcome = attempt_submit(attempt=pk, user=request.user)
    except Attempt.DoesNotExist as exc:
        raise Http404(_("No such attempt.")) from exc
    except AttemptClosedError:
        return _to_result_pk(request, pk, ALREADY_SUBMITTED)
    if outcome.late:
        return _to_result_pk(request, pk, TIME_UP)
    return redirect("quiz:attempt-result", pk)


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

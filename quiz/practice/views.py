"""The rules reader and the practice pages.

The rules reader lives here rather than in questions/: it shows a trainee's
exam and practice mastery beside each rule and links to practice, and the
question bank never imports quiz.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.policy import trainee_required
from questions.models import Rule
from questions.templatetags.question_tags import fieldset_words
from quiz.attempts.selectors import MASTERY_THRESHOLD
from quiz.practice.forms import FIELD, PracticeAnswerForm
from quiz.practice.models import PracticeItem, PracticeSession
from quiz.practice.selectors import (
    open_session,
    practice_glance,
    rules_reader,
    session_tally,
)
from quiz.practice.services import (
    PracticeError,
    practice_answer,
    practice_serve,
    practice_start,
    practice_stop,
)

# --- the rules reader ---------------------------------------------------------


@login_required
def rule_list(request: HttpRequest) -> HttpResponse:
    entries = rules_reader(user=request.user)
    return render(
        request,
        "quiz/practice/rule_list.html",
        {"entries": entries, "threshold": MASTERY_THRESHOLD},
    )


@login_required
def rule_detail(request: HttpRequest, code: str) -> HttpResponse:
    entries = rules_reader(user=request.user, code=code)
    if not entries:
        raise Http404(_("There is no rule with this code."))
    return render(
        request,
        "quiz/practice/rule_detail.html",
        {"entry": entries[0], "threshold": MASTERY_THRESHOLD},
    )


# --- practice -----------------------------------------------------------------


@trainee_required
def practice_home(request: HttpRequest) -> HttpResponse:
    """GET: what is due and the streak; POST: start (or continue) a session."""
    if request.method == "POST":
        return _start(request, rule=None)
    context = {
        "glance": practice_glance(user=request.user),
        "session": open_session(user=request.user),
    }
    return render(request, "quiz/practice/home.html", context)


@trainee_required
def practice_rule(request: HttpRequest, code: str) -> HttpResponse:
    """GET: one rule and what practising it offers; POST: practise it."""
    rule = get_object_or_404(Rule, code=code)
    if request.method == "POST":
        return _start(request, rule=rule)
    entries = rules_reader(user=request.user, code=code)
    return render(
        request,
        "quiz/practice/rule_practice.html",
        {"entry": entries[0], "rule": rule, "threshold": MASTERY_THRESHOLD},
    )


def _start(request: HttpRequest, *, rule: Rule | None) -> HttpResponse:
    session = practice_start(user=request.user, rule=rule)
    return _serve_or_finish(request, session)


def _serve_or_finish(request: HttpRequest, session: PracticeSession) -> HttpResponse:
    item = practice_serve(user=request.user, session=session)
    if item is not None:
        return redirect("quiz:practice-item", item.pk)
    tally = session_tally(session)
    if tally["answered"]:
        messages.success(
            request,
            _("Session complete: %(right)d of %(answered)d right.") % tally,
        )
    else:
        messages.info(request, _("Nothing to practise right now: come back later."))
    return redirect("quiz:practice")


@trainee_required
def practice_item(request: HttpRequest, pk: int) -> HttpResponse:
    """A served question (GET) and its answer (POST); once answered, the feedback."""
    item = get_object_or_404(
        PracticeItem.objects.select_related("session__rule"),
        pk=pk,
        session__user=request.user,
    )
    status, error = 200, None
    if request.method == "POST":
        form = PracticeAnswerForm(request.POST, item=item)
        if not form.is_valid():
            status, error = 400, form.error_message()
        else:
            try:
                practice_answer(
                    user=request.user,
                    item_id=item.pk,
                    choice_ids=form.cleaned_data["choice_ids"],
                )
            except PracticeItem.DoesNotExist as exc:
                raise Http404(
                    _("This question is no longer waiting for an answer.")
                ) from exc
            except PracticeError as exc:  # answered meanwhile, in another tab
                item.refresh_from_db()
                status, error = 409, str(exc)
            else:
                return redirect("quiz:practice-item", item.pk)
    return render(
        request,
        "quiz/practice/item.html",
        _item_context(item, error),
        status=status,
    )


def _item_context(item: PracticeItem, error: str | None) -> dict:
    selected = set(item.selected)
    return {
        "item": item,
        "session": item.session,
        "error": error,
        "field": FIELD,
        "words": fieldset_words(),
        "choices": [{**c, "selected": c["id"] in selected} for c in item.choices],
    }


@require_POST
@trainee_required
def practice_next(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(PracticeSession, pk=pk, user=request.user)
    return _serve_or_finish(request, session)


@require_POST
@trainee_required
def practice_end(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(PracticeSession, pk=pk, user=request.user)
    practice_stop(user=request.user, session=session)
    tally = session_tally(session)
    messages.info(request, _("Session ended: %(right)d of %(answered)d right.") % tally)
    return redirect("quiz:practice")

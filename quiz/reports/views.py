"""Progress reports for supervisors (their cohorts) and staff (everyone).

Each view: scope the lookup to the user, parse the query string with a form, ask
the selectors, render the page or its CSV (quiz/reports/tables.py)."""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from accounts.models import Cohort, User
from accounts.policy import reports_required
from accounts.roles import can_see_all_reports
from quiz.attempts import selectors as progress
from quiz.attempts.selectors import MASTERY_THRESHOLD, rule_mastery
from quiz.models import Attempt, Quiz
from quiz.practice.selectors import practice_by_rule
from quiz.programme.attention import Reason, attention_summary, needs_attention
from quiz.reports import charts, tables
from quiz.reports.forms import SORTS, AttentionForm, CohortFilterForm, StatsFilterForm
from quiz.reports.selectors import (
    STATUS_FILTERS,
    StatsFilter,
    cohort_heatmap,
    cohort_totals,
    cohort_trainees,
    cohorts_with_completion,
    grade_cells,
    question_statistics_cached,
    question_stats_rows,
    score_series,
    trainee_attempts,
    weakest_critical_rules,
)
from quiz.reports.statistics import Flag, min_attempts
from quiz.rounding import whole_percent

PAGE_SIZE = 50
ATTENTION_PAGE_SIZE = 100


def wants_csv(request: HttpRequest) -> bool:
    return request.GET.get("format") == "csv"


# --- cohorts -------------------------------------------------------------------------


def paged(request: HttpRequest, rows, size: int) -> tuple:
    """The page of rows asked for (?page=), and the query string without the
    page number, for the pager's links."""
    page = Paginator(rows, size).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


@reports_required
def reports_index(request: HttpRequest) -> HttpResponse:
    cohorts = cohorts_with_completion(request.user)
    if wants_csv(request):
        return tables.cohorts_csv(cohorts)
    chart = charts.bar_chart(
        [(c.name, c.completion if c.n_trainees else None, False) for c in cohorts],
        title=str(_("Share of each cohort's trainees who hold a valid certificate")),
        uid="chart-cohorts",
        empty=str(_("no trainees yet")),
    )
    return render(
        request, "quiz/reports/index.html", {"cohorts": cohorts, "chart": chart}
    )


@reports_required
def cohort_report(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = get_object_or_404(Cohort.objects.visible_to(request.user), pk=pk)
    quizzes = list(Quiz.objects.published())
    form = CohortFilterForm(request.GET, quizzes=quizzes)
    if not form.is_valid():
        raise Http404(_("No such quiz or status filter."))
    quiz, status = form.cleaned_data["quiz"], form.cleaned_data["status"]
    trainees = cohort_trainees(
        cohort, quiz=quiz, status=status, sort=form.cleaned_data["sort"]
    )
    if wants_csv(request):
        return tables.cohort_csv(cohort, quizzes, trainees)
    page, query = paged(request, trainees, PAGE_SIZE)
    context = {
        "cohort": cohort,
        "quiz": quiz,
        "status": status,
        "status_filters": STATUS_FILTERS,
        "sort": form.cleaned_data["sort"],
        "sorts": SORTS,
        "query": query,
        **cohort_page(cohort, quizzes, page),
    }
    return render(request, "quiz/reports/cohort.html", context)


def cohort_page(cohort, quizzes, page) -> dict:
    """The grid of the page's trainees, the cohort's totals, the rule heatmap."""
    cells = grade_cells([t.pk for t in page], quizzes)
    totals = cohort_totals(cohort, quizzes)
    return {
        "quizzes": quizzes,
        "page": page,
        "rows": [(t, [cells.get((t.pk, q.pk)) for q in quizzes]) for t in page],
        "totals": totals,
        "chart": completion_chart(totals),
        "heatmap": cohort_heatmap(list(page)),
        "threshold": MASTERY_THRESHOLD,
    }


def completion_chart(totals):
    return charts.bar_chart(
        [(t.quiz.title, t.completion if t.trainees else None, False) for t in totals],
        title=str(_("Share of the cohort who passed each quiz")),
        uid="chart-completion",
        empty=str(_("no trainees yet")),
    )


# --- a trainee ---------------------------------------------------------------------------


@reports_required
def trainee_report(request: HttpRequest, pk: int) -> HttpResponse:
    trainee = get_object_or_404(User.objects.visible_to(request.user), pk=pk)
    attempts = list(trainee_attempts(trainee))
    mastery = rule_mastery(user=trainee)
    statuses = progress.statuses_from_attempts(attempts)
    if wants_csv(request):
        if request.GET.get("table") == "mastery":
            return tables.mastery_csv(trainee, mastery)
        return tables.attempts_csv(trainee, attempts)
    context = {
        "trainee": trainee,
        "attempts": list(reversed(attempts)),
        "statuses": statuses,
        "certificates": [s.certificate for s in statuses if s.certificate],
        "weakest": weakest_critical_rules(mastery),
        "mastery": mastery,
        "practice": practice_by_rule(trainee, [m.rule for m in mastery]),
        "threshold": MASTERY_THRESHOLD,
        "score_chart": score_chart(score_series(attempts)),
        **mastery_charts(mastery),
    }
    return render(request, "quiz/reports/trainee.html", context)


def score_chart(series):
    return charts.line_chart(
        [
            (quiz.title, [(a.finished_at, float(a.score)) for a in points])
            for quiz, points in series.items()
        ],
        title=str(_("Score over time, per quiz")),
        uid="chart-scores",
    )


def mastery_charts(mastery):
    """The safety-critical rules' chart, shown; the other rules', drawn on demand.

    A course without critical rules shows the others' chart instead."""
    critical = [m for m in mastery if m.rule.critical]
    other = [m for m in mastery if not m.rule.critical]
    if not critical:
        return {
            "mastery_chart": mastery_chart(
                other,
                uid="chart-mastery",
                title=_(
                    "Rule mastery: share of the latest answers on each rule fully right"
                ),
            )
        }
    return {
        "mastery_chart": mastery_chart(
            critical,
            uid="chart-mastery",
            title=_("Safety-critical rules: share of the latest answers fully right"),
        ),
        "mastery_other_chart": (
            mastery_chart(
                other,
                uid="chart-mastery-other",
                title=_("Other rules: share of the latest answers fully right"),
            )
            if other
            else None
        ),
        "mastery_other_count": len(other),
    }


def mastery_chart(rows, *, uid: str, title):
    return charts.bar_chart(
        [(m.rule.title, m.share, not m.mastered) for m in rows],
        title=str(title),
        uid=uid,
        threshold=MASTERY_THRESHOLD,
        threshold_label=str(
            _("mastered at %(t)s%%") % {"t": whole_percent(MASTERY_THRESHOLD)}
        ),
        flagged_label=str(_("not yet mastered")),
    )


@reports_required
def attempt_review(request: HttpRequest, pk: int) -> HttpResponse:
    attempt = get_object_or_404(
        Attempt.objects.visible_to(request.user).select_related("quiz", "user"), pk=pk
    )
    if not attempt.is_finished:
        raise Http404(_("This attempt is still in progress."))
    context = progress.attempt_review(
        attempt,
        show_review=True,
        mistakes_only=request.GET.get("show") == "mistakes",
    )
    context["reviewer"] = True
    return render(request, "quiz/attempt_result.html", context)


# --- needs attention ---------------------------------------------------------------------


@reports_required
def attention(request: HttpRequest) -> HttpResponse:
    form = AttentionForm(request.GET)
    if not form.is_valid():
        return render(
            request, "quiz/reports/attention.html", {"form": form}, status=400
        )
    lines = needs_attention(request.user, inactive_days=form.cleaned_data["inactive"])
    if wants_csv(request):
        return tables.attention_csv(lines)
    # Paged: a cohort of thousands has thousands of lines (the CSV has them all).
    page, query = paged(request, lines, ATTENTION_PAGE_SIZE)
    context = {
        "form": form,
        "lines": lines,
        "page": page,
        "summary": attention_summary(lines),
        "reasons": Reason,
        "default_inactive": settings.ATTENTION_INACTIVE_DAYS,
        "inactive": form.cleaned_data["inactive"],
        "query": query,
    }
    return render(request, "quiz/reports/attention.html", context)


# --- question statistics ---------------------------------------------------------------------


@reports_required
def question_stats(request: HttpRequest) -> HttpResponse:
    form = StatsFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        if "cohort" in form.errors:
            raise Http404(_("No such cohort."))
        status = 400 if request.GET else 200
        return render(
            request, "quiz/reports/questions.html", {"form": form}, status=status
        )
    flt = StatsFilter.from_form(form.cleaned_data)
    computed = question_statistics_cached(
        request.user, flt, refresh=request.GET.get("refresh") == "1"
    )
    if wants_csv(request) and request.GET.get("table") == "quiz":
        return tables.quiz_stats_csv(flt.quiz, computed.quiz)
    rows = question_stats_rows(computed.analysis)
    if wants_csv(request):
        return tables.question_stats_csv(flt.quiz, rows)
    context = {
        **stats_page(flt, computed, rows),
        "form": form,
        "query": form.data.urlencode(),
        "can_refresh": can_see_all_reports(request.user),
    }
    return render(request, "quiz/reports/questions.html", context)


def stats_page(flt, computed, rows) -> dict:
    """The statistics page's figures, charts and flags' legend."""
    return {
        "filter": flt,
        "rows": rows,
        "quiz_stats": computed.quiz,
        "computed": computed,
        "chart": charts.histogram(
            computed.quiz.bins,
            title=str(_("Score distribution of the attempts")),
            uid="chart-distribution",
            pass_mark=flt.quiz.pass_mark,
        ),
        "positions_chart": positions_chart(computed.analysis),
        "flag_legend": [(flag.label, flag.rule) for flag in Flag],
        "min_attempts": min_attempts(),
    }


def positions_chart(analysis):
    return charts.position_chart(
        [(s.slot, s.facility, s.discrimination, bool(s.flags)) for s in analysis.slots],
        title=str(_("Facility and discrimination by question position")),
        uid="chart-positions",
    )

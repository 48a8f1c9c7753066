"""Progress reports for supervisors (their cohorts) and staff (everyone)."""

from django import forms
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from accounts.models import Cohort, User
from accounts.policy import reports_required
from questions.models import Choice, Question
from quiz.attempts import selectors as progress
from quiz.attempts.progress import ProgressStatus
from quiz.attempts.selectors import MASTERY_THRESHOLD, rule_mastery
from quiz.models import Attempt, Quiz
from quiz.parsing import is_number
from quiz.reports import charts
from quiz.reports.csv_export import csv_response
from quiz.reports.selectors import (
    STATUS_FILTERS,
    StatsFilter,
    cohort_totals,
    cohort_trainees,
    cohorts_with_completion,
    grade_cells,
    question_statistics_cached,
    score_series,
    trainee_attempts,
)

PAGE_SIZE = 50
CSV_CHUNK = 500


def wants_csv(request: HttpRequest) -> bool:
    return request.GET.get("format") == "csv"


def _pct(value) -> str:
    return "" if value is None else f"{value:.1f}"


# --- cohorts -------------------------------------------------------------------------


@reports_required
def reports_index(request: HttpRequest) -> HttpResponse:
    cohorts = cohorts_with_completion(request.user)
    if wants_csv(request):
        return csv_response(
            "rulewise-cohorts.csv",
            ["cohort", "trainees", "certified", "completion_percent"],
            (
                [c.name, c.n_trainees, c.n_certified, round(c.completion, 1)]
                for c in cohorts
            ),
        )
    chart = charts.bar_chart(
        [(c.name, c.completion if c.n_trainees else None, False) for c in cohorts],
        title=str(_("Share of each cohort's trainees who passed a certifying exam")),
        uid="chart-cohorts",
    )
    return render(
        request, "quiz/reports/index.html", {"cohorts": cohorts, "chart": chart}
    )


def _selected_quiz(request, quizzes) -> Quiz | None:
    slug = request.GET.get("quiz")
    if slug:
        for quiz in quizzes:
            if quiz.slug == slug:
                return quiz
        raise Http404(_("No such quiz."))
    certifying = [q for q in quizzes if q.certificate_on_pass]
    return (certifying or list(quizzes) or [None])[0]


@reports_required
def cohort_report(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = get_object_or_404(Cohort.objects.visible_to(request.user), pk=pk)
    quizzes = list(Quiz.objects.published())
    quiz = _selected_quiz(request, quizzes)
    status = request.GET.get("status", "")
    if status and status not in dict(STATUS_FILTERS):
        raise Http404(_("Unknown status filter."))
    sort = request.GET.get("sort", "name")
    trainees = cohort_trainees(cohort, quiz=quiz, status=status, sort=sort)
    if wants_csv(request):
        return _cohort_csv(cohort, quizzes, trainees)
    page = Paginator(trainees, PAGE_SIZE).get_page(request.GET.get("page"))
    cells = grade_cells([t.pk for t in page], quizzes)
    rows = [
        (trainee, [cells.get((trainee.pk, q.pk)) for q in quizzes]) for trainee in page
    ]
    totals = cohort_totals(cohort, quizzes)
    chart = charts.bar_chart(
        [(t.quiz.title, t.completion if t.trainees else None, False) for t in totals],
        title=str(_("Share of the cohort who passed each quiz")),
        uid="chart-completion",
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "quiz/reports/cohort.html",
        {
            "cohort": cohort,
            "quizzes": quizzes,
            "quiz": quiz,
            "status": status,
            "status_filters": STATUS_FILTERS,
            "sort": sort,
            "page": page,
            "rows": rows,
            "totals": totals,
            "chart": chart,
            "query": query.urlencode(),
        },
    )


def _cohort_csv(cohort, quizzes, trainees):
    header = ["username", "name", "email"]
    for quiz in quizzes:
        header += [
            f"{quiz.slug}_grade",
            f"{quiz.slug}_attempts",
            f"{quiz.slug}_passed",
            f"{quiz.slug}_certificate",
        ]

    def rows():
        # Chunks keep memory flat: one grade query per CSV_CHUNK trainees.
        chunk = []
        for trainee in trainees.iterator(chunk_size=CSV_CHUNK):
            chunk.append(trainee)
            if len(chunk) == CSV_CHUNK:
                yield from _cohort_rows(chunk, quizzes)
                chunk = []
        if chunk:
            yield from _cohort_rows(chunk, quizzes)

    return csv_response(f"rulewise-cohort-{cohort.pk}.csv", header, rows())


def _cohort_rows(trainees, quizzes):
    cells = grade_cells([t.pk for t in trainees], quizzes)
    for trainee in trainees:
        row = [trainee.username, trainee.get_full_name(), trainee.email]
        for quiz in quizzes:
            cell = cells.get((trainee.pk, quiz.pk))
            if cell is None:
                row += ["", 0, "no", ""]
            else:
                row += [
                    "" if cell.grade is None else str(cell.grade),
                    cell.attempts,
                    "yes" if cell.progress is ProgressStatus.PASSED else "no",
                    cell.certificate.status if cell.certificate else "",
                ]
        yield row


# --- a trainee ---------------------------------------------------------------------------


@reports_required
def trainee_report(request: HttpRequest, pk: int) -> HttpResponse:
    trainee = get_object_or_404(User.objects.visible_to(request.user), pk=pk)
    attempts = list(trainee_attempts(trainee))
    mastery = rule_mastery(user=trainee)
    if wants_csv(request):
        if request.GET.get("table") == "mastery":
            return csv_response(
                f"rulewise-mastery-{trainee.username}.csv",
                [
                    "rule",
                    "title",
                    "critical",
                    "answers",
                    "fully_correct",
                    "percent",
                    "mastered",
                ],
                (
                    [
                        m.rule.code,
                        m.rule.title,
                        "yes" if m.rule.critical else "no",
                        m.answers,
                        m.correct,
                        _pct(m.share),
                        "yes" if m.mastered else "no",
                    ]
                    for m in mastery
                ),
            )
        return csv_response(
            f"rulewise-attempts-{trainee.username}.csv",
            [
                "quiz",
                "attempt",
                "started",
                "finished",
                "score",
                "passed",
                "failed_critical",
            ],
            (
                [
                    a.quiz.title,
                    a.number,
                    a.started_at.isoformat(),
                    a.finished_at.isoformat() if a.finished_at else "",
                    "" if a.score is None else str(a.score),
                    "" if a.passed is None else ("yes" if a.passed else "no"),
                    "yes" if a.failed_critical else "no",
                ]
                for a in attempts
            ),
        )
    series = score_series(attempts)
    context = {
        "trainee": trainee,
        "attempts": list(reversed(attempts)),
        "mastery": mastery,
        "threshold": MASTERY_THRESHOLD,
        "score_chart": charts.line_chart(
            [
                (quiz.title, [(a.finished_at, float(a.score)) for a in points])
                for quiz, points in series.items()
            ],
            title=str(_("Score over time, per quiz")),
            uid="chart-scores",
        ),
        "mastery_chart": mastery_chart(mastery),
    }
    return render(request, "quiz/reports/trainee.html", context)


def mastery_chart(mastery):
    return charts.bar_chart(
        [
            (
                f"{m.rule.code}{' (critical)' if m.rule.critical else ''}",
                m.share,
                not m.mastered,
            )
            for m in mastery
        ],
        title=str(
            _("Rule mastery: share of the latest answers on each rule fully right")
        ),
        uid="chart-mastery",
        threshold=MASTERY_THRESHOLD,
    )


@reports_required
def attempt_review(request: HttpRequest, pk: int) -> HttpResponse:
    attempt = get_object_or_404(
        Attempt.objects.visible_to(request.user).select_related("quiz", "user"), pk=pk
    )
    if not attempt.is_finished:
        raise Http404(_("This attempt is still in progress."))
    context = progress.attempt_review(attempt, show_review=True)
    context["reviewer"] = True
    return render(request, "quiz/attempt_result.html", context)


# --- question statistics ---------------------------------------------------------------------


class StatsFilterForm(forms.Form):
    quiz = forms.ModelChoiceField(queryset=Quiz.objects.none(), label=_("Quiz"))
    cohort = forms.ModelChoiceField(
        queryset=Cohort.objects.none(),
        required=False,
        label=_("Cohort"),
        empty_label=_("All my cohorts"),
    )
    date_from = forms.DateField(
        required=False, label=_("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label=_("To"), widget=forms.DateInput(attrs={"type": "date"})
    )
    attempts = forms.ChoiceField(
        choices=[("all", _("All attempts")), ("first", _("First attempts only"))],
        required=False,
        initial="all",
        label=_("Attempts"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quiz"].queryset = Quiz.objects.all()
        self.fields["cohort"].queryset = Cohort.objects.visible_to(user)

    def clean(self):
        data = super().clean()
        if (
            data.get("date_from")
            and data.get("date_to")
            and data["date_from"] > data["date_to"]
        ):
            raise forms.ValidationError(_("The start date is after the end date."))
        return data


def _choice_rows(stat, current: list) -> list[tuple[dict, int]]:
    """({"text", "correct"}, times chosen) per choice: labelled as the trainees saw
    it (the latest snapshot counted), in the bank's order, then choices removed
    from the bank since."""
    seen, counts = stat.choice_labels, stat.choice_counts
    rows = [
        (seen.get(c.pk) or {"text": c.text, "correct": c.correct}, counts.get(c.pk, 0))
        for c in current
    ]
    in_bank = {c.pk for c in current}
    for choice_id in sorted((seen.keys() | counts.keys()) - in_bank):
        label = seen.get(
            choice_id, {"text": _("a choice shown earlier"), "correct": None}
        )
        removed = {
            "text": _("%(text)s (removed from the question since)")
            % {"text": label["text"]},
            "correct": label["correct"],
        }
        rows.append((removed, counts.get(choice_id, 0)))
    return rows


@reports_required
def question_stats(request: HttpRequest) -> HttpResponse:
    params = request.GET.copy()
    params.pop("format", None)
    params.pop("refresh", None)
    if "quiz" not in params:
        first = Quiz.objects.filter(attempts__isnull=False).order_by(
            "order", "pk"
        ).first() or (Quiz.objects.order_by("order", "pk").first())
        if first is not None:
            params["quiz"] = str(first.pk)
    cohort_id = params.get("cohort")
    if cohort_id and not (
        is_number(cohort_id)
        and Cohort.objects.visible_to(request.user).filter(pk=cohort_id).exists()
    ):
        raise Http404(_("No such cohort."))
    form = StatsFilterForm(params, user=request.user)
    if not form.is_valid():
        status = 400 if request.GET else 200
        return render(
            request, "quiz/reports/questions.html", {"form": form}, status=status
        )
    data = form.cleaned_data
    flt = StatsFilter(
        quiz=data["quiz"],
        cohort=data.get("cohort"),
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        first_only=data.get("attempts") == "first",
    )
    computed = question_statistics_cached(
        request.user, flt, refresh=request.GET.get("refresh") == "1"
    )
    stats, quiz_stats = computed.questions, computed.quiz
    questions = Question.objects.in_bulk([s.question_id for s in stats])
    choices = {}
    for choice in Choice.objects.filter(question_id__in=questions):
        choices.setdefault(choice.question_id, []).append(choice)
    rows = sorted(
        (
            {
                "stats": s,
                "question": questions.get(s.question_id),
                "choices": _choice_rows(s, choices.get(s.question_id, [])),
            }
            for s in stats
        ),
        key=lambda r: (
            r["question"].idnumber if r["question"] else "",
            r["stats"].question_id,
        ),
    )
    if wants_csv(request):
        return csv_response(
            f"rulewise-question-stats-{flt.quiz.slug}.csv",
            [
                "question_id",
                "idnumber",
                "title",
                "attempts",
                "facility_percent",
                "sd_percent",
                "discrimination_percent",
                "discriminative_efficiency_percent",
                "flags",
            ],
            (
                [
                    r["stats"].question_id,
                    r["question"].idnumber if r["question"] else "",
                    str(r["question"]) if r["question"] else "",
                    r["stats"].attempts,
                    _pct(r["stats"].facility),
                    _pct(r["stats"].sd),
                    _pct(r["stats"].discrimination),
                    _pct(r["stats"].efficiency),
                    "; ".join(r["stats"].flags),
                ]
                for r in rows
            ),
        )
    chart = charts.histogram(
        quiz_stats.bins,
        title=str(_("Score distribution of the attempts")),
        uid="chart-distribution",
        pass_mark=flt.quiz.pass_mark,
    )
    query = params.copy()
    return render(
        request,
        "quiz/reports/questions.html",
        {
            "form": form,
            "filter": flt,
            "rows": rows,
            "quiz_stats": quiz_stats,
            "chart": chart,
            "query": query.urlencode(),
            "computed": computed,
        },
    )

"""The filter forms of the reports: they parse the query string, nothing else does."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Cohort
from quiz.models import Quiz
from quiz.reports.selectors import STATUS_FILTERS, stats_quizzes

SORTS = [
    ("name", _("Name A–Z")),
    ("-name", _("Name Z–A")),
    ("grade", _("Grade, lowest first")),
    ("-grade", _("Grade, highest first")),
]


class CohortFilterForm(forms.Form):
    """The cohort grid's filter: status and grade on one published quiz, sorted.

    An unknown quiz or status is a 404 (a stale or edited link), an unknown sort
    falls back to names, as a list should."""

    quiz = forms.SlugField(required=False, label=_("Status and grade on"))
    status = forms.ChoiceField(
        choices=[("", _("Everyone")), *STATUS_FILTERS],
        required=False,
        label=_("Status"),
    )
    sort = forms.CharField(required=False)

    def __init__(self, data, *, quizzes: list[Quiz]):
        super().__init__(data)
        self.quizzes = quizzes

    def clean_quiz(self) -> Quiz | None:
        """The quiz asked for, or the first certifying one, or the first one; read
        from the quizzes the page already has (no query)."""
        slug = self.cleaned_data.get("quiz")
        if slug:
            for quiz in self.quizzes:
                if quiz.slug == slug:
                    return quiz
            raise forms.ValidationError(_("No such quiz."), code="invalid_choice")
        certifying = [quiz for quiz in self.quizzes if quiz.certificate_on_pass]
        return (certifying or self.quizzes or [None])[0]

    def clean_sort(self) -> str:
        sort = self.cleaned_data.get("sort")
        return sort if sort in dict(SORTS) else "name"


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

    def __init__(self, data, *, user):
        data = data.copy()
        for ignored in ("format", "refresh", "table"):
            data.pop(ignored, None)
        quizzes = stats_quizzes(user)
        if "quiz" not in data:
            # The quiz with the most recent graded attempt the user may read.
            latest = quizzes.order_by("-last_finished", "-pk").first()
            if latest is not None:
                data["quiz"] = str(latest.pk)
        super().__init__(data)
        self.fields["quiz"].queryset = quizzes
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


class AttentionForm(forms.Form):
    """The needs-attention list's query string: how many days without an
    attempt make a trainee inactive (the site's default when absent)."""

    inactive = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=365,
        label=_("Inactive for (days)"),
    )

    def __init__(self, data):
        data = data.copy()
        data.pop("format", None)
        super().__init__(data)

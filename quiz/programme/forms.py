"""The forms a supervisor fills in from the reports: an override, a reminder."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from quiz.bounds import validate_course_date
from quiz.models import Quiz
from quiz.programme.attention import Reason
from quiz.programme.models import MAX_EXTRA_ATTEMPTS, MAX_EXTRA_MINUTES
from quiz.programme.selectors import visible_to


class DateTimeLocal(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self):
        super().__init__(format="%Y-%m-%dT%H:%M")


class OverrideForm(forms.Form):
    """Parses a grant; the rules on dates and bounds are the model's (full_clean
    in override_grant), checked here too so the page says what is wrong. The
    quizzes offered are those the trainee can see: an override does not assign
    a quiz."""

    quiz = forms.ModelChoiceField(
        queryset=Quiz.objects.published(), label=_("Quiz"), to_field_name="slug"
    )
    extra_attempts = forms.IntegerField(
        label=_("Extra attempts"), min_value=0, max_value=MAX_EXTRA_ATTEMPTS, initial=0
    )
    extra_minutes = forms.IntegerField(
        label=_("Extra minutes"), min_value=0, max_value=MAX_EXTRA_MINUTES, initial=0
    )
    due_at = forms.DateTimeField(
        label=_("Later due date"),
        required=False,
        widget=DateTimeLocal(),
        validators=[validate_course_date],
    )
    closes_at = forms.DateTimeField(
        label=_("Later closing date"),
        required=False,
        widget=DateTimeLocal(),
        validators=[validate_course_date],
    )
    reason = forms.CharField(
        label=_("Why"),
        max_length=300,
        help_text=_("Recorded in the audit log with your name."),
    )

    def __init__(self, *args, trainee, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["quiz"].queryset = visible_to(trainee).order_by("order", "title")

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Say why the override is granted."))
        return reason

    def clean(self) -> dict:
        data = super().clean()
        due, closes = data.get("due_at"), data.get("closes_at")
        if due and closes and closes < due:
            self.add_error(
                "closes_at", _("The closing date cannot come before the due date.")
            )
        granted = (
            data.get("extra_attempts") or data.get("extra_minutes") or due or closes
        )
        if not self.errors and not granted:
            raise ValidationError(_("Grant at least one thing."))
        return data


class ReminderForm(forms.Form):
    """A reminder from a line of the needs-attention list: the line's reason
    and quiz (the service checks the line is on the sender's list), and the
    list's inactivity setting, so an "inactive" line is the one they saw."""

    reason = forms.ChoiceField(label=_("Reason"), choices=[])
    quiz = forms.ModelChoiceField(
        queryset=Quiz.objects.published(),
        label=_("Quiz"),
        to_field_name="slug",
        required=False,
    )
    inactive = forms.IntegerField(required=False, min_value=1, max_value=365)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [
            (reason.value, reason.label) for reason in Reason if reason.remindable
        ]

    def clean_reason(self) -> Reason:
        return Reason(self.cleaned_data["reason"])

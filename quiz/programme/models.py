"""A training programme: quizzes assigned to cohorts with dates, and one trainee's
exceptions (Moodle's group and user overrides)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from quiz.bounds import validate_course_date

# Bounds, as the quiz's own settings have (quiz/models.py): what an override adds
# reaches date arithmetic and the attempts count.
MAX_EXTRA_ATTEMPTS = 20
MAX_EXTRA_MINUTES = 24 * 60


def _dates_in_order(opens, due, closes) -> dict:
    """Field errors when the dates given are out of order (opens < due <= closes)."""
    errors = {}
    if opens and due and due <= opens:
        errors["due_at"] = _("The due date must come after the opening date.")
    if opens and closes and closes <= opens:
        errors["closes_at"] = _("The closing date must come after the opening date.")
    elif due and closes and closes < due:
        errors["closes_at"] = _("The closing date cannot come before the due date.")
    return errors


class Assignment(models.Model):
    """A quiz assigned to a cohort, with that cohort's dates. Empty dates: open
    from the start, no due date, closing when the quiz itself closes."""

    quiz = models.ForeignKey(
        "quiz.Quiz",
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("quiz"),
    )
    cohort = models.ForeignKey(
        "accounts.Cohort",
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("cohort"),
    )
    opens_at = models.DateTimeField(
        _("opens at"), null=True, blank=True, validators=[validate_course_date]
    )
    due_at = models.DateTimeField(
        _("due at"), null=True, blank=True, validators=[validate_course_date]
    )
    closes_at = models.DateTimeField(
        _("closes at"),
        null=True,
        blank=True,
        validators=[validate_course_date],
        help_text=_("Empty: when the quiz itself closes."),
    )

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "cohort"],
                name="assignment_once_per_cohort",
                violation_error_message=_(
                    "This quiz is already assigned to this cohort."
                ),
            ),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(due_at__isnull=True)
                | Q(due_at__gt=models.F("opens_at")),
                name="assignment_due_after_opens",
            ),
            models.CheckConstraint(
                condition=Q(due_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(closes_at__gte=models.F("due_at")),
                name="assignment_closes_after_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quiz} → {self.cohort}"

    def clean(self) -> None:
        errors = _dates_in_order(self.opens_at, self.due_at, self.closes_at)
        if errors:
            raise ValidationError(errors)


class Override(models.Model):
    """One trainee's exception on one quiz: more attempts, more time, later dates.
    Granted through override_grant (quiz/programme/services.py), which records
    who granted it and why in the audit log."""

    quiz = models.ForeignKey(
        "quiz.Quiz",
        on_delete=models.CASCADE,
        related_name="overrides",
        verbose_name=_("quiz"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="quiz_overrides",
        verbose_name=_("trainee"),
    )
    extra_attempts = models.PositiveSmallIntegerField(
        _("extra attempts"),
        default=0,
        validators=[MaxValueValidator(MAX_EXTRA_ATTEMPTS)],
        help_text=_("Added to the quiz's maximum (none when it has no maximum)."),
    )
    extra_minutes = models.PositiveIntegerField(
        _("extra minutes"),
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_EXTRA_MINUTES)],
        help_text=_("Added to the time limit of attempts started from now on."),
    )
    due_at = models.DateTimeField(
        _("due at"),
        null=True,
        blank=True,
        validators=[validate_course_date],
        help_text=_("Empty: the cohort's due date."),
    )
    closes_at = models.DateTimeField(
        _("closes at"),
        null=True,
        blank=True,
        validators=[validate_course_date],
        help_text=_("Empty: the cohort's (or the quiz's) closing date."),
    )
    reason = models.CharField(_("reason"), max_length=300)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("granted"), auto_now=True)

    class Meta:
        ordering = ["-granted_at", "-pk"]
        verbose_name = _("override")
        verbose_name_plural = _("overrides")
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "user"],
                name="override_once_per_trainee",
                violation_error_message=_(
                    "This trainee already has an override on this quiz: change it."
                ),
            ),
            models.CheckConstraint(
                condition=Q(due_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(closes_at__gte=models.F("due_at")),
                name="override_closes_after_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quiz} · {self.user}"

    def clean(self) -> None:
        errors = _dates_in_order(None, self.due_at, self.closes_at)
        if errors:
            raise ValidationError(errors)

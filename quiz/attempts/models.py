"""Attempts: one sitting of a quiz, what it showed, and how it was graded."""

from datetime import timedelta
from functools import cached_property

from django.conf import settings
from django.db import models
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.policy import scope_by_owner
from questions.models import Question, Rule
from quiz.attempts import timing
from quiz.programme import effective


class AttemptState(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    FINISHED = "finished", _("Finished")


class AttemptQuerySet(models.QuerySet):
    def finished(self) -> "AttemptQuerySet":
        return self.filter(state=AttemptState.FINISHED)

    def in_progress(self) -> "AttemptQuerySet":
        return self.filter(state=AttemptState.IN_PROGRESS)

    def for_user(self, user) -> "AttemptQuerySet":
        """The user's own attempts (a trainee never loads anyone else's)."""
        return self.filter(user=user)

    def visible_to(self, user) -> "AttemptQuerySet":
        """Attempts the user may read in reports (accounts/policy.py)."""
        return scope_by_owner(self, user)

    def tallied(self) -> "QuerySet":
        """One row per trainee and quiz of what they did: attempts made (n),
        open, any passed, any failed on a critical rule (read by the cohort grid
        and the needs-attention list)."""
        return self.values("user_id", "quiz_id").annotate(
            n=models.Count("pk"),
            open=models.Count("pk", filter=Q(state=AttemptState.IN_PROGRESS)),
            passed_any=models.Max(
                models.Case(
                    models.When(passed=True, then=models.Value(1)),
                    default=models.Value(0),
                )
            ),
            critical_any=models.Max(
                models.Case(
                    models.When(failed_critical=True, then=models.Value(1)),
                    default=models.Value(0),
                )
            ),
        )

    def with_closes(self) -> "AttemptQuerySet":
        """Each attempt with when its quiz closes for its trainee (their cohorts'
        dates, their override: quiz/programme/effective.py) as `p_closes_at`,
        read by Attempt.closes_at instead of a query of its own."""
        return self.annotate(
            **effective.closes_annotation(
                user="user", quiz="quiz", quiz_fields="quiz__"
            )
        )

    def overdue(self, *, now, grace: timedelta) -> "AttemptQuerySet":
        """Attempts whose time is up (timing.overdue_q), in the database."""
        return self.alias(
            **effective.closes_annotation(
                user="user", quiz="quiz", quiz_fields="quiz__"
            )
        ).filter(
            timing.overdue_q(
                now=now, grace=grace, closes=f"{effective.PREFIX}closes_at"
            )
        )


def items_with_closes(items: models.QuerySet) -> models.QuerySet:
    """Attempt questions annotated with when their attempt's quiz closes for its
    trainee (`p_closes_at`), for the pages and writes that read an attempt
    through its questions: hand it on with attempt_closes_from."""
    return items.annotate(
        **effective.closes_annotation(
            user="attempt__user", quiz="attempt__quiz", quiz_fields="attempt__quiz__"
        )
    )


def attempt_closes_from(items: list) -> None:
    """Give the attempt the closing date its first question was read with."""
    if items and hasattr(items[0], "p_closes_at"):
        items[0].attempt.p_closes_at = items[0].p_closes_at


class Attempt(models.Model):
    """One sitting of a quiz by a trainee, with what was shown and how it was graded."""

    quiz = models.ForeignKey(
        "quiz.Quiz", on_delete=models.PROTECT, related_name="attempts"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="attempts"
    )
    number = models.PositiveIntegerField(_("attempt number"))
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=AttemptState.choices,
        default=AttemptState.IN_PROGRESS,
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # The quiz's settings as they were at the start, so a later edit of the quiz
    # never regrades this attempt.
    pass_mark = models.PositiveSmallIntegerField(_("pass mark (%)"))
    score = models.DecimalField(
        _("score (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    marks_total = models.DecimalField(
        _("sum of marks"), max_digits=16, decimal_places=10, null=True, blank=True
    )
    failed_critical = models.BooleanField(
        _("failed a safety-critical question"), default=False
    )
    timed_out = models.BooleanField(_("graded when time ran out"), default=False)
    # The page the trainee was last sent to (Moodle's currentpage): "Resume"
    # opens it, not the first page.
    # db_default as well: an app server still on the previous release (a rolling
    # deploy) inserts rows without these columns.
    last_page = models.PositiveSmallIntegerField(
        _("last page"), default=1, db_default=1
    )

    objects = AttemptQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        permissions = [("take_quiz", _("Can take quizzes"))]
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "user"],
                condition=Q(state="in_progress"),
                name="one_attempt_in_progress_per_quiz",
                violation_error_message=_("You already have an attempt in progress."),
            ),
            models.UniqueConstraint(
                fields=["quiz", "user", "number"], name="attempt_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100),
                name="attempt_score_0_100",
            ),
            models.CheckConstraint(
                condition=Q(state="in_progress")
                | (Q(score__isnull=False) & Q(passed__isnull=False)),
                name="finished_attempt_is_graded",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "quiz", "state"]),
            models.Index(fields=["quiz", "state", "finished_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.quiz} · {self.user} · #{self.number}"

    def get_absolute_url(self) -> str:
        if self.is_finished:
            return reverse("quiz:attempt-result", args=[self.pk])
        return reverse("quiz:attempt-detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.state == AttemptState.FINISHED

    @property
    def time_taken_minutes(self) -> int | None:
        """Whole minutes from start to finish (rounded up), for the result page."""
        if self.finished_at is None:
            return None
        seconds = (self.finished_at - self.started_at).total_seconds()
        return max(1, int(-(-seconds // 60)))

    @cached_property
    def p_closes_at(self):
        """When the quiz closes for this trainee: read with with_closes(), or
        asked here (one query) for an attempt loaded without it."""
        return effective.closes_for(user_id=self.user_id, quiz=self.quiz)

    @property
    def closes_at(self):
        return self.p_closes_at

    @property
    def effective_deadline(self):
        """The time limit, or the quiz's closing date if that was brought forward."""
        return timing.effective_deadline(
            deadline=self.deadline, closes_at=self.closes_at
        )

    def is_overdue(self, now=None, grace: timedelta = timedelta(0)) -> bool:
        return timing.is_overdue(
            deadline=self.deadline,
            closes_at=self.closes_at,
            now=now or timezone.now(),
            grace=grace,
        )


class AttemptQuestion(models.Model):
    """A question as shown in one attempt (a snapshot) and the trainee's answer to it."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="attempt_items"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    # The place in the quiz's own order (fixed list, then draws), before any
    # shuffle: statistics compare like with like across attempts by slot.
    slot = models.PositiveSmallIntegerField(_("slot"), default=0)
    # What the trainee was shown and what was correct then: stem, qtype,
    # explanation, choices (shown order, with correct and feedback), rules.
    snapshot = models.JSONField(_("snapshot"))
    critical = models.BooleanField(_("tests a critical rule"), default=False)
    selected = models.JSONField(_("selected choices"), default=list, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    # Marked by the trainee to come back to before submitting; saved with the
    # answers, shown on the navigator and the summary page.
    flagged = models.BooleanField(_("flagged"), default=False, db_default=False)
    # To 10 places (quiz/attempts/grading.py MARK_PLACES): the statistics read
    # these, and Moodle's keep 7.
    mark = models.DecimalField(
        _("mark"), max_digits=11, decimal_places=10, null=True, blank=True
    )
    fully_correct = models.BooleanField(_("fully correct"), null=True, blank=True)
    rules = models.ManyToManyField(
        Rule, through="AttemptQuestionRule", related_name="attempt_items"
    )

    class Meta:
        ordering = ["position"]
        verbose_name = _("attempt question")
        verbose_name_plural = _("attempt questions")
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "position"], name="attempt_position_unique"
            ),
            models.UniqueConstraint(
                fields=["attempt", "question"], name="attempt_question_once"
            ),
            models.CheckConstraint(
                condition=Q(mark__isnull=True) | Q(mark__gte=0, mark__lte=1),
                name="attempt_question_mark_0_1",
            ),
        ]
        indexes = [
            # Question statistics read only these columns of millions of answers:
            # on PostgreSQL an index-only scan, never the wide snapshot rows.
            models.Index(
                fields=["attempt"],
                include=["question", "slot", "mark", "selected"],
                name="attempt_item_stats_cover",
            )
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}:{self.position}"

    @property
    def qtype(self) -> str:
        return self.snapshot["qtype"]

    @property
    def field_name(self) -> str:
        return f"q-{self.position}"

    @property
    def choices(self) -> list[dict]:
        return self.snapshot["choices"]

    @property
    def choice_ids(self) -> set[int]:
        return {choice["id"] for choice in self.snapshot["choices"]}

    @property
    def is_answered(self) -> bool:
        return bool(self.selected)


class AttemptQuestionRule(models.Model):
    """The rules an attempt question tested, kept for mastery reports."""

    item = models.ForeignKey(
        AttemptQuestion, on_delete=models.CASCADE, related_name="item_rules"
    )
    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, related_name="item_rules")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["item", "rule"], name="attempt_item_rule_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_id}:{self.rule_id}"

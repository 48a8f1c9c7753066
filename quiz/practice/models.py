"""Practice: one FSRS card per trainee and question, sessions, and what each
served question showed and how it was answered. Tables of their own: nothing
here is read by grading, certificates or the cohort reports."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from questions.models import Question, QuestionStatus, Rule

SESSION_SIZE = 10


class CardState(models.IntegerChoices):
    """fsrs.State, as stored (the same numbers)."""

    LEARNING = 1, _("Learning")
    REVIEW = 2, pgettext_lazy("practice card state", "Review")
    RELEARNING = 3, _("Relearning")


class Rating(models.IntegerChoices):
    """fsrs.Rating, as stored: what an answer was worth to the scheduler."""

    AGAIN = 1, _("Wrong")
    HARD = 2, _("Partly right")
    GOOD = 3, _("Right")


class PracticeCardQuerySet(models.QuerySet):
    def of_published(self, user) -> "PracticeCardQuerySet":
        """The user's cards of questions still published: a retired question's
        card is kept (its answers are history) but never due again."""
        return self.filter(user=user, question__status=QuestionStatus.PUBLISHED)


class PracticeCard(models.Model):
    """A trainee's memory of one question, as the FSRS scheduler models it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="practice_cards",
    )
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="practice_cards"
    )
    state = models.PositiveSmallIntegerField(
        _("state"), choices=CardState.choices, default=CardState.LEARNING
    )
    step = models.PositiveSmallIntegerField(_("step"), null=True, blank=True)
    stability = models.FloatField(_("stability"), null=True, blank=True)
    difficulty = models.FloatField(_("difficulty"), null=True, blank=True)
    due = models.DateTimeField(_("due"), default=timezone.now)
    last_review = models.DateTimeField(_("last review"), null=True, blank=True)
    reps = models.PositiveIntegerField(_("reviews"), default=0)
    lapses = models.PositiveIntegerField(_("lapses"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = PracticeCardQuerySet.as_manager()

    class Meta:
        verbose_name = _("practice card")
        verbose_name_plural = _("practice cards")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "question"], name="practice_card_once"
            )
        ]
        indexes = [models.Index(fields=["user", "due"], name="practice_card_due")]

    def __str__(self) -> str:
        # Named in the admin's refusal to delete a question trainees practise.
        return f"{self.user} · {self.question}"


class PracticeSession(models.Model):
    """Up to SESSION_SIZE questions in a row; the trainee may stop at any time.
    One open session per trainee: a second tab continues it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="practice_sessions",
    )
    rule = models.ForeignKey(
        Rule,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="practice_sessions",
        help_text=_("Practising one rule; empty for the trainee's due cards."),
    )
    size = models.PositiveSmallIntegerField(_("questions"), default=SESSION_SIZE)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("practice session")
        verbose_name_plural = _("practice sessions")
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(ended_at__isnull=True),
                name="one_open_practice_session",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.started_at:%Y-%m-%d %H:%M}"


class PracticeItem(models.Model):
    """A question as served in a session (a snapshot) and the answer to it."""

    session = models.ForeignKey(
        PracticeSession, on_delete=models.CASCADE, related_name="items"
    )
    card = models.ForeignKey(
        PracticeCard, on_delete=models.CASCADE, related_name="items"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    # As for attempts: stem, qtype, explanation, choices in the order shown
    # (with correct and feedback), rules (quiz/snapshots.py).
    snapshot = models.JSONField(_("snapshot"))
    critical = models.BooleanField(_("tests a critical rule"), default=False)
    served_at = models.DateTimeField(_("served"), default=timezone.now)
    selected = models.JSONField(_("selected choices"), default=list, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    mark = models.DecimalField(
        _("mark"), max_digits=5, decimal_places=4, null=True, blank=True
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"), choices=Rating.choices, null=True, blank=True
    )

    class Meta:
        ordering = ["position"]
        verbose_name = _("practice answer")
        verbose_name_plural = _("practice answers")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "position"], name="practice_item_position"
            ),
            # A card is waiting for at most one answer: two tabs cannot each
            # serve it and then schedule it twice.
            models.UniqueConstraint(
                fields=["card"],
                condition=Q(answered_at__isnull=True),
                name="practice_card_one_pending",
            ),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True)
                | (Q(mark__isnull=False) & Q(rating__isnull=False)),
                name="practice_answer_is_marked",
            ),
        ]
        indexes = [
            models.Index(fields=["card", "answered_at"], name="practice_item_answers")
        ]

    def __str__(self) -> str:
        return f"{self.session_id}:{self.position}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None

    @property
    def qtype(self) -> str:
        return self.snapshot["qtype"]

    @property
    def choices(self) -> list[dict]:
        return self.snapshot["choices"]

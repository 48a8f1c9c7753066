from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from questions.models import Category, Question, QuestionStatus, Rule


class GradingMethod(models.TextChoices):
    HIGHEST = "highest", _("Highest attempt")
    LATEST = "latest", _("Latest attempt")
    FIRST = "first", _("First attempt")
    AVERAGE = "average", _("Average of attempts")


class ReviewPolicy(models.TextChoices):
    IMMEDIATELY = "immediately", _("Right after submitting")
    AFTER_CLOSE = "after_close", _("Only after the quiz closes")
    NEVER = "never", _("Never")


class Layout(models.TextChoices):
    ONE_PER_PAGE = "one_per_page", _("One question per page")
    ALL_ON_ONE = "all_on_one", _("All questions on one page")


class QuizQuerySet(models.QuerySet):
    def published(self) -> "QuizQuerySet":
        return self.filter(published=True)


class Quiz(models.Model):
    """A quiz: which questions, how they are shown, how attempts are graded."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    published = models.BooleanField(_("published"), default=False)
    shuffle_questions = models.BooleanField(_("shuffle questions"), default=False)
    shuffle_choices = models.BooleanField(_("shuffle choices"), default=True)
    layout = models.CharField(
        _("layout"), max_length=20, choices=Layout.choices, default=Layout.ALL_ON_ONE
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"),
        default=80,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    time_limit_minutes = models.PositiveIntegerField(
        _("time limit (minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Empty for no limit. Enforced on the server."),
    )
    max_attempts = models.PositiveIntegerField(
        _("maximum attempts"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Empty for unlimited."),
    )
    grading_method = models.CharField(
        _("grading method"),
        max_length=20,
        choices=GradingMethod.choices,
        default=GradingMethod.HIGHEST,
    )
    review = models.CharField(
        _("show correct answers"),
        max_length=20,
        choices=ReviewPolicy.choices,
        default=ReviewPolicy.IMMEDIATELY,
    )
    closes_at = models.DateTimeField(
        _("closes at"),
        null=True,
        blank=True,
        help_text=_("After this no attempt can start; needed to review after close."),
    )
    certificate_on_pass = models.BooleanField(_("certificate on pass"), default=False)
    certificate_validity_months = models.PositiveIntegerField(
        _("certificate validity (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Empty: the certificate does not expire."),
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = QuizQuerySet.as_manager()

    class Meta:
        ordering = ["order", "title"]
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")
        constraints = [
            models.CheckConstraint(
                condition=Q(pass_mark__gte=0, pass_mark__lte=100),
                name="quiz_pass_mark_0_100",
            ),
            models.CheckConstraint(
                condition=Q(certificate_on_pass=True)
                | Q(certificate_validity_months__isnull=True),
                name="quiz_validity_needs_certificate",
                violation_error_message=_(
                    "A certificate validity only makes sense with certificates on."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        # Like questions: a published quiz can always be assembled. The admin
        # defers this until its inlines are saved (see quiz/admin.py).
        if (
            self.published
            and self.pk
            and not getattr(self, "_defer_publication_check", False)
        ):
            problems = self.publication_problems()
            if problems:
                raise ValidationError(problems, code="not_publishable")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("quiz:quiz-detail", args=[self.slug])

    @property
    def is_closed(self) -> bool:
        return self.closes_at is not None and timezone.now() >= self.closes_at

    @property
    def time_limit(self) -> timedelta | None:
        if self.time_limit_minutes:
            return timedelta(minutes=self.time_limit_minutes)
        return None

    def clean(self) -> None:
        if self.review == ReviewPolicy.AFTER_CLOSE and not self.closes_at:
            raise ValidationError(
                {
                    "closes_at": _(
                        "Set a closing date to show answers after the quiz closes."
                    )
                }
            )

    def publication_problems(self) -> list[str]:
        """Why this quiz, as saved, cannot be published (empty when it can)."""
        from quiz.selection import selection_problems

        return selection_problems(self)


class QuizQuestion(models.Model):
    """A question of a quiz's fixed list, in order."""

    quiz = models.ForeignKey(
        Quiz, on_delete=models.CASCADE, related_name="quiz_questions"
    )
    question = models.ForeignKey(
        Question,
        on_delete=models.PROTECT,
        related_name="quiz_questions",
        limit_choices_to={"status": QuestionStatus.PUBLISHED},
        verbose_name=_("question"),
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("fixed question")
        verbose_name_plural = _("fixed questions")
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "question"], name="quiz_question_once"
            )
        ]

    def __str__(self) -> str:
        return str(self.question)

    def clean(self) -> None:
        if self.question_id and self.question.status != QuestionStatus.PUBLISHED:
            raise ValidationError(
                {"question": _("Only published questions can be put in a quiz.")}
            )


class QuizDraw(models.Model):
    """At attempt start, draw `count` random published questions of a category or rule."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="draws")
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="draws",
        verbose_name=_("from category"),
    )
    rule = models.ForeignKey(
        Rule,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="draws",
        verbose_name=_("from rule"),
    )
    count = models.PositiveSmallIntegerField(
        _("number of questions"), default=1, validators=[MinValueValidator(1)]
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("random draw")
        verbose_name_plural = _("random draws")
        constraints = [
            models.CheckConstraint(
                condition=(Q(category__isnull=False) & Q(rule__isnull=True))
                | (Q(category__isnull=True) & Q(rule__isnull=False)),
                name="draw_from_category_xor_rule",
                violation_error_message=_(
                    "Draw from a category or from a rule, not both."
                ),
            ),
            models.CheckConstraint(
                condition=Q(count__gte=1), name="draw_count_positive"
            ),
        ]

    def __str__(self) -> str:
        source = self.category or self.rule
        return _("%(n)d from %(source)s") % {"n": self.count, "source": source}


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


class Attempt(models.Model):
    """One sitting of a quiz by a trainee, with what was shown and how it was graded."""

    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="attempts")
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
        _("sum of marks"), max_digits=8, decimal_places=4, null=True, blank=True
    )
    failed_critical = models.BooleanField(
        _("failed a safety-critical question"), default=False
    )
    timed_out = models.BooleanField(_("graded when time ran out"), default=False)

    objects = AttemptQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
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
    def effective_deadline(self):
        """The time limit, or the quiz's closing date if that was brought forward."""
        closes_at = self.quiz.closes_at
        if closes_at is not None and (
            self.deadline is None or closes_at < self.deadline
        ):
            return closes_at
        return self.deadline

    def is_overdue(self, now=None, grace: timedelta = timedelta(0)) -> bool:
        deadline = self.effective_deadline
        if deadline is None:
            return False
        return (now or timezone.now()) > deadline + grace


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
    mark = models.DecimalField(
        _("mark"), max_digits=5, decimal_places=4, null=True, blank=True
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


class CertificateQuerySet(models.QuerySet):
    def visible_to(self, user) -> "CertificateQuerySet":
        """Certificates the user may download: own, all for staff, own cohorts' for supervisors."""
        from accounts.roles import is_instructor, is_supervisor

        if not user.is_authenticated:
            return self.none()
        if is_instructor(user):
            return self.all()
        if is_supervisor(user):
            return self.filter(
                Q(user=user) | Q(user__cohorts__supervisors=user)
            ).distinct()
        return self.filter(user=user)


class Certificate(models.Model):
    """A completion certificate: issued once by a passing attempt, never deleted."""

    code = models.CharField(_("code"), max_length=32, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certificates"
    )
    quiz = models.ForeignKey(
        Quiz, on_delete=models.PROTECT, related_name="certificates"
    )
    attempt = models.OneToOneField(
        Attempt, on_delete=models.PROTECT, related_name="certificate"
    )
    # What the certificate says, as it was said on the day it was issued.
    holder_name = models.CharField(_("holder"), max_length=300)
    quiz_title = models.CharField(_("quiz"), max_length=200)
    score = models.DecimalField(_("score (%)"), max_digits=5, decimal_places=2)
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    revoke_reason = models.TextField(_("reason for revocation"), blank=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        permissions = [("revoke_certificate", _("Can revoke certificates"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True)
                | (Q(revoked_by__isnull=False) & ~Q(revoke_reason="")),
                name="revocation_has_who_and_why",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True)
                | Q(expires_at__gt=models.F("issued_at")),
                name="certificate_expires_after_issue",
            ),
        ]
        indexes = [models.Index(fields=["user", "quiz"])]

    def __str__(self) -> str:
        return self.display_code

    def get_absolute_url(self) -> str:
        return reverse("quiz:certificate-verify", args=[self.display_code])

    @property
    def display_code(self) -> str:
        from quiz.certificates import format_code

        return format_code(self.code)

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= timezone.now():
            return "expired"
        return "valid"

    @property
    def is_valid(self) -> bool:
        return self.status == "valid"

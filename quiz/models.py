from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from questions.models import Category, Question, QuestionStatus, Rule

# The rooms' models are part of this app (app label "quiz"): imported here so
# Django finds them, and so `quiz.models` stays the one place to import them from.
from quiz.attempts.models import (  # noqa: F401
    Attempt,
    AttemptQuerySet,
    AttemptQuestion,
    AttemptQuestionRule,
    AttemptState,
)
from quiz.bounds import EARLIEST_YEAR, LATEST_YEAR, validate_course_date  # noqa: F401
from quiz.certificates.models import Certificate, CertificateQuerySet  # noqa: F401
from quiz.practice.models import (  # noqa: F401
    PracticeCard,
    PracticeItem,
    PracticeSession,
)
from quiz.programme.models import Assignment, Override  # noqa: F401
from quiz.selection import MAX_QUESTIONS, selection_problems

# Bounds on what reaches date arithmetic and loops: an absurd value is a form
# error, never an overflow on a trainee's page or in the cron command.
MAX_TIME_LIMIT_MINUTES = 24 * 60
MAX_ATTEMPTS = 100
MAX_VALIDITY_MONTHS = 120


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
        validators=[MinValueValidator(1), MaxValueValidator(MAX_TIME_LIMIT_MINUTES)],
        help_text=_("Empty for no limit. Enforced on the server."),
    )
    max_attempts = models.PositiveIntegerField(
        _("maximum attempts"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_ATTEMPTS)],
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
        validators=[validate_course_date],
        help_text=_("After this no attempt can start; needed to review after close."),
    )
    # With no assignment a quiz is open to every trainee (so a school without
    # cohorts works as before); this keeps it to the cohorts assigned.
    assigned_only = models.BooleanField(
        _("assigned cohorts only"),
        default=False,
        db_default=False,
        help_text=_(
            "Only trainees of a cohort it is assigned to see this quiz. Without "
            "it, a quiz with no assignment is open to every trainee."
        ),
    )
    certificate_on_pass = models.BooleanField(_("certificate on pass"), default=False)
    certificate_validity_months = models.PositiveIntegerField(
        _("certificate validity (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_VALIDITY_MONTHS)],
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
        # The last guard, for every caller: a published quiz can be assembled.
        # Publishing is quiz_publish's job; the admin saves an edit unpublished and
        # publishes it through that service once its questions are saved.
        if self.published and self.pk:
            problems = selection_problems(self)
            if problems:
                raise ValidationError(problems, code="not_publishable")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("quiz:quiz-detail", args=[self.slug])

    @property
    def one_per_page(self) -> bool:
        return self.layout == Layout.ONE_PER_PAGE

    def page_count(self, questions: int) -> int:
        """How many pages an attempt of `questions` questions has."""
        return questions if self.one_per_page else 1

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
        _("number of questions"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_QUESTIONS)],
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

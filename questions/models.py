from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from questions.enums import QuestionStatus, QuestionType
from questions.validation import ChoiceData, question_problems

__all__ = [
    "BankVersion",
    "Category",
    "Choice",
    "Question",
    "QuestionRule",
    "QuestionStatus",
    "QuestionType",
    "Rule",
]


# What a rule code looks like (the constraint below; imports read rule codes
# from Moodle tags with it).
RULE_CODE_PATTERN = r"^R-[A-Z0-9-]+$"


class RuleQuerySet(models.QuerySet):
    def critical(self) -> "RuleQuerySet":
        return self.filter(critical=True)


class Rule(models.Model):
    """A rule or claim of the source text that questions are derived from."""

    code = models.CharField(
        _("code"),
        max_length=40,
        unique=True,
        help_text=_("Short stable code, e.g. R-NO-TWIST."),
    )
    title = models.CharField(_("title"), max_length=120)
    wording = models.TextField(
        _("wording"), help_text=_("The rule as trainees must know it.")
    )
    # The Russian texts beside the English ones (questions/translation.py): empty
    # where no translation was written, and then the English is shown. Every
    # one has an empty default in the database too, so that code which does
    # not know the column (the release before, still running during a deploy;
    # an older migration's models) can still add rows.
    title_ru = models.CharField(
        _("title (Russian)"), max_length=120, blank=True, default="", db_default=""
    )
    wording_ru = models.TextField(
        _("wording (Russian)"), blank=True, default="", db_default=""
    )
    passage = models.TextField(
        _("source passage"),
        help_text=_("The passage of the source text it comes from."),
    )
    critical = models.BooleanField(
        _("safety-critical"),
        default=False,
        help_text=_(
            "A wrong answer on a question testing a critical rule fails the attempt "
            "whatever the score."
        ),
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = RuleQuerySet.as_manager()

    class Meta:
        ordering = ["-critical", "order", "code"]
        verbose_name = _("rule")
        verbose_name_plural = _("rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=RULE_CODE_PATTERN), name="rule_code_format"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.title}"


class Category(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    name_ru = models.CharField(
        _("name (Russian)"), max_length=120, blank=True, default="", db_default=""
    )
    description_ru = models.TextField(
        _("description (Russian)"), blank=True, default="", db_default=""
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


class QuestionQuerySet(models.QuerySet):
    def published(self) -> "QuestionQuerySet":
        return self.filter(status=QuestionStatus.PUBLISHED)

    def with_critical(self) -> "QuestionQuerySet":
        """Annotate is_critical: the question tests at least one critical rule."""
        return self.annotate(
            is_critical=Exists(
                QuestionRule.objects.filter(
                    question=OuterRef("pk"), rule__critical=True
                )
            )
        )

    def for_admin_list(self) -> "QuestionQuerySet":
        return (
            self.select_related("category", "author")
            .with_critical()
            .prefetch_related("rules")
        )


class Question(models.Model):
    """A question derived from one or more rules of the source text."""

    idnumber = models.CharField(
        _("ID number"),
        max_length=100,
        blank=True,
        help_text=_("Optional stable identifier, as in Moodle (e.g. SEED-001)."),
    )
    title = models.CharField(
        _("title"),
        max_length=200,
        blank=True,
        help_text=_("Short name shown to authors."),
    )
    qtype = models.CharField(
        _("type"),
        max_length=20,
        choices=QuestionType.choices,
        default=QuestionType.SINGLE,
    )
    stem = models.TextField(_("question text"))
    explanation = models.TextField(
        _("explanation"),
        blank=True,
        help_text=_(
            "Shown after the attempt: why the right answer is right, citing the rule."
        ),
    )
    stem_ru = models.TextField(
        _("question text (Russian)"), blank=True, default="", db_default=""
    )
    explanation_ru = models.TextField(
        _("explanation (Russian)"), blank=True, default="", db_default=""
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        related_name="questions",
        verbose_name=_("category"),
    )
    rules = models.ManyToManyField(
        Rule, through="QuestionRule", related_name="questions", verbose_name=_("rules")
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=QuestionStatus.choices,
        default=QuestionStatus.DRAFT,
        db_index=True,
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="authored_questions",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["category__order", "idnumber", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(
                fields=["idnumber"],
                condition=~Q(idnumber=""),
                name="question_idnumber_unique",
                violation_error_message=_(
                    "Another question already has this ID number."
                ),
            )
        ]
        indexes = [models.Index(fields=["status", "category"])]

    def __str__(self) -> str:
        label = self.title or self.stem
        return label if len(label) <= 80 else label[:77] + "…"

    def save(self, *args, **kwargs) -> None:
        # The last guard, for every caller: a published question is well formed.
        # Publishing is question_publish's job; the admin saves a new question as
        # a draft and publishes it through that service once its choices are in.
        if self.status == QuestionStatus.PUBLISHED:
            self.ensure_publishable()
            if self.published_at is None:
                self.published_at = timezone.now()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("admin:questions_question_preview", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.status == QuestionStatus.PUBLISHED

    def publication_problems(self) -> list[str]:
        """Why this question, as saved, cannot be published (empty when it can)."""
        if self.pk is None:
            choices: list[ChoiceData] = []
            rule_count = 0
        else:
            choices = [
                ChoiceData(*row)
                for row in self.choices.values_list(
                    "text", "correct", "text_ru", "feedback", "feedback_ru"
                )
            ]
            rule_count = self.question_rules.count()
        return question_problems(
            qtype=self.qtype,
            stem=self.stem,
            choices=choices,
            rule_count=rule_count,
            explanation=self.explanation,
            stem_ru=self.stem_ru,
            explanation_ru=self.explanation_ru,
        )

    def ensure_publishable(self) -> None:
        problems = self.publication_problems()
        if problems:
            raise ValidationError(problems, code="not_publishable")


class QuestionRule(models.Model):
    """Link of a question to a rule; a rule in use cannot be deleted."""

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="question_rules"
    )
    rule = models.ForeignKey(
        Rule, on_delete=models.PROTECT, related_name="question_rules"
    )

    class Meta:
        verbose_name = _("rule tested")
        verbose_name_plural = _("rules tested")
        constraints = [
            models.UniqueConstraint(
                fields=["question", "rule"], name="question_rule_unique"
            )
        ]

    def __str__(self) -> str:
        return self.rule.code


class Choice(models.Model):
    question = models.ForeignKey(
        Question,
        on_delete=models.CASCADE,
        related_name="choices",
        verbose_name=_("question"),
    )
    text = models.CharField(_("text"), max_length=500)
    correct = models.BooleanField(_("correct"), default=False)
    feedback = models.TextField(
        _("feedback"),
        blank=True,
        help_text=_("Shown to a trainee who picked this choice."),
    )
    text_ru = models.CharField(
        _("text (Russian)"), max_length=500, blank=True, default="", db_default=""
    )
    feedback_ru = models.TextField(
        _("feedback (Russian)"), blank=True, default="", db_default=""
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("choice")
        verbose_name_plural = _("choices")

    def __str__(self) -> str:
        return self.text


class BankVersion(models.Model):
    """A version of the seed bank this database has loaded (questions/seed/bank.json
    carries its version): a revision's retirements are applied once, on the load
    that brings the database past the version that made them."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    loaded_at = models.DateTimeField(_("loaded"), auto_now_add=True)

    class Meta:
        ordering = ["version"]
        verbose_name = _("seed bank version")
        verbose_name_plural = _("seed bank versions")

    def __str__(self) -> str:
        return f"{self.version}"

from django.db import models
from django.utils.translation import gettext_lazy as _


class QuestionType(models.TextChoices):
    SINGLE = "single", _("Multiple choice, one answer")
    MULTIPLE = "multiple", _("Multiple choice, several answers")
    TRUE_FALSE = "true_false", _("True / false")


class QuestionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")

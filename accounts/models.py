from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.policy import scope_cohorts, scope_trainees
from accounts.roles import supervisor_choices, trainee_choices


class UserQuerySet(models.QuerySet):
    def visible_to(self, user) -> "UserQuerySet":
        """Trainees whose records the user may read (accounts/policy.py)."""
        return scope_trainees(self, user)


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A person who signs in: trainee, instructor or supervisor (by group)."""

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")

    objects = UserManager()

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class CohortQuerySet(models.QuerySet):
    def visible_to(self, user) -> "CohortQuerySet":
        """Cohorts whose reports the user may read (accounts/policy.py)."""
        return scope_cohorts(self, user)


class Cohort(models.Model):
    """A group of trainees followed by one or more supervisors."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    trainees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="cohorts",
        blank=True,
        limit_choices_to=trainee_choices,
        verbose_name=_("trainees"),
    )
    supervisors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="supervised_cohorts",
        blank=True,
        limit_choices_to=supervisor_choices,
        verbose_name=_("supervisors"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = CohortQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        permissions = [
            ("view_cohort_reports", _("Can view progress reports of cohorts")),
            (
                "view_all_cohort_reports",
                _("Can view progress reports of every cohort"),
            ),
            ("supervise_cohorts", _("Can supervise cohorts")),
        ]

    def __str__(self) -> str:
        return self.name


class RateCounter(models.Model):
    """How often something happened for one key (an address, an e-mail) in one
    fixed window: the throttles' counters (accounts/throttle.py). In the database,
    not the cache: an increment is one UPDATE, exact under concurrency on every
    backend, and the window is exactly as long as the setting says."""

    key = models.CharField(_("key"), max_length=200)
    window_start = models.DateTimeField(_("window start"))
    hits = models.PositiveIntegerField(_("hits"), default=0)

    class Meta:
        verbose_name = _("rate counter")
        verbose_name_plural = _("rate counters")
        constraints = [
            models.UniqueConstraint(
                fields=["key", "window_start"], name="rate_counter_once_per_window"
            )
        ]
        indexes = [models.Index(fields=["window_start"])]

    def __str__(self) -> str:
        return f"{self.key} @ {self.window_start:%Y-%m-%d %H:%M}: {self.hits}"

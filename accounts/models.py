from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as BaseUserManager
from django.db import models
from django.utils import timezone
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

    # db_default too: an app server still on the previous release (a rolling
    # deploy) inserts users without the column.
    reminders_enabled = models.BooleanField(
        _("send me reminders"),
        default=True,
        db_default=True,
        help_text=_(
            "Certificates about to expire and, for supervisors, the weekly digest "
            "of trainees who need attention."
        ),
    )

    # Blank: the browser's Accept-Language (or the header's switch) decides.
    language = models.CharField(
        _("preferred language"),
        max_length=10,
        blank=True,
        default="",
        db_default="",
        choices=settings.LANGUAGES,
        help_text=_(
            "The language of the site, your e-mail and your certificates after you "
            "sign in. Leave it empty to follow your browser."
        ),
    )

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


class MailStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Gave up")


class OutgoingMail(models.Model):
    """One mail on its way out (accounts/mail.py): written in the transaction
    that decided to send it, delivered by the task worker, tried again with
    back-off when the mail server refuses, and kept when it is given up on: a
    mail is never dropped silently."""

    to = models.JSONField(_("recipients"))
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))
    html_body = models.TextField(_("HTML body"), blank=True)
    # A mail holding a secret (a password-reset link) has its text wiped once
    # it is sent: the record stays, the secret does not.
    sensitive = models.BooleanField(_("holds a secret link"), default=False)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=MailStatus.choices,
        default=MailStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing mail")
        verbose_name_plural = _("outgoing mail")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="outgoing_mail_pending_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.to)} ({self.get_status_display()})"


class ReminderSent(models.Model):
    """A reminder queued for a user: what for (`reason`, e.g.
    "certificate_expires_30", with `about` naming the object, e.g. the
    certificate) and for which date. The constraint makes each reminder go out
    once, however often and from however many machines `send_reminders` runs."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminders_sent",
        verbose_name=_("user"),
    )
    reason = models.CharField(_("reason"), max_length=60)
    about = models.CharField(_("about"), max_length=60, blank=True)
    on = models.DateField(_("for the date"))
    mail = models.ForeignKey(
        OutgoingMail,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("mail"),
    )
    created_at = models.DateTimeField(_("queued"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "reason", "about", "on"],
                name="reminder_once_per_user_reason_date",
                violation_error_message=_("This reminder was already sent."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.reason} {self.about} for {self.user_id} on {self.on}"

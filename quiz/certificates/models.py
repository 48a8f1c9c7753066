"""Certificates: what a passing attempt earned, as it was said on the day."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.policy import scope_by_owner
from quiz.certificates.codes import format_code

# "Expiring soon" (the cohort filter, the needs-attention list): within this
# many days.
EXPIRING_DAYS = 30


class CertificateQuerySet(models.QuerySet):
    def visible_to(self, user) -> "CertificateQuerySet":
        """Certificates the user may download (accounts/policy.py)."""
        return scope_by_owner(self, user)


class Certificate(models.Model):
    """A completion certificate: issued once by a passing attempt, never deleted."""

    code = models.CharField(_("code"), max_length=32, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("holder"),
    )
    quiz = models.ForeignKey(
        "quiz.Quiz",
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("quiz"),
    )
    attempt = models.OneToOneField(
        "quiz.Attempt",
        on_delete=models.PROTECT,
        related_name="certificate",
        verbose_name=_("attempt"),
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
    # A revoked certificate blocks a new one for the rest of its term (for ever
    # when it has none) until an instructor allows a new one. The revocation
    # itself stays on record.
    renewal_allowed_at = models.DateTimeField(
        _("new certificate allowed"), null=True, blank=True
    )
    renewal_allowed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("new certificate allowed by"),
    )

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
            models.CheckConstraint(
                condition=Q(
                    renewal_allowed_at__isnull=True, renewal_allowed_by__isnull=True
                )
                | Q(
                    renewal_allowed_at__isnull=False,
                    renewal_allowed_by__isnull=False,
                    revoked_at__isnull=False,
                ),
                name="renewal_allowed_only_when_revoked",
            ),
        ]
        indexes = [models.Index(fields=["user", "quiz"])]

    def __str__(self) -> str:
        return self.display_code

    def get_absolute_url(self) -> str:
        return reverse("quiz:certificate-verify", args=[self.display_code])

    @property
    def display_code(self) -> str:
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

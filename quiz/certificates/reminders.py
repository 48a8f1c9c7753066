"""Reminders to holders: a certificate expires in 30 days, then in 7 (a reminder
provider named in settings.REMINDER_PROVIDERS; accounts/reminders.py sends)."""

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from accounts.language import in_language_of
from accounts.reminders import Reminder
from quiz.certificates.models import Certificate

# Reminder reason per window: (days before expiry the window opens, reason).
# The nearer window wins, so a site that starts cron late sends the 7-day one.
EXPIRY_WINDOWS = ((7, "certificate_expires_7"), (30, "certificate_expires_30"))


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def current_certificates() -> QuerySet[Certificate]:
    """Certificates that are the holder's latest for their quiz and not revoked:
    the ones whose expiry matters (a renewed one is replaced by its renewal)."""
    newer = Certificate.objects.filter(
        user=OuterRef("user"),
        quiz=OuterRef("quiz"),
        issued_at__gt=OuterRef("issued_at"),
    )
    return Certificate.objects.filter(revoked_at__isnull=True).exclude(Exists(newer))


def certificate_expiry_reminders(today: date) -> Iterator[Reminder]:
    """Holders whose certificate expires within 30 days (and again within 7)."""
    widest = max(days for days, _reason in EXPIRY_WINDOWS)
    expiring = (
        current_certificates()
        .filter(
            expires_at__gte=_start_of(today),
            expires_at__lt=_start_of(today + timedelta(days=widest + 1)),
        )
        .select_related("user", "quiz")
        .order_by("expires_at", "pk")
    )
    for certificate in expiring:
        assert certificate.expires_at is not None  # filtered above
        expires_on = timezone.localdate(certificate.expires_at)
        days_left = (expires_on - today).days
        if days_left < 0:
            continue
        reason = next(r for days, r in EXPIRY_WINDOWS if days_left <= days)
        with in_language_of(certificate.user):
            subject = ngettext(
                "Your Rulewise certificate expires in %(n)d day: %(quiz)s",
                "Your Rulewise certificate expires in %(n)d days: %(quiz)s",
                days_left,
            ) % {"n": days_left, "quiz": certificate.quiz_title}
        yield Reminder(
            user=certificate.user,
            reason=reason,
            about=f"certificate:{certificate.pk}",
            on=expires_on,
            subject=subject,
            template="quiz/email/certificate_expiring.txt",
            context={
                "certificate": certificate,
                "days_left": days_left,
                "quiz_url": settings.SITE_URL
                + reverse("quiz:quiz-detail", args=[certificate.quiz.slug]),
            },
        )

"""Completion certificates: issue, mail, revocation."""

import calendar
import logging
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.language import in_language_of
from accounts.mail import mail_queue
from quiz.attempts.models import Attempt
from quiz.certificates.codes import code_generate
from quiz.certificates.models import Certificate
from quiz.models import MAX_VALIDITY_MONTHS

logger = logging.getLogger(__name__)


def add_months(moment: datetime, months: int) -> datetime:
    """The same day `months` later (the month's last day when it is shorter),
    on the calendar of `moment`'s own time zone: pass a local time."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def verification_url(certificate: Certificate) -> str:
    return settings.SITE_URL + reverse(
        "quiz:certificate-verify", args=[certificate.display_code]
    )


def certificate_issue_for_attempt(*, attempt: Attempt) -> Certificate | None:
    """Inside the grading transaction: issue a certificate if this pass earns one.

    A trainee holds at most one certificate per quiz at a time: a second pass
    issues nothing, a pass after the last one expired issues a renewal. A revoked
    certificate blocks renewal for the rest of its term (for ever when it has
    none): retaking the exam does not undo a revocation. Only an instructor can
    lift the block (certificate_allow_renewal); the revocation stays on record.
    """
    quiz = attempt.quiz
    if not (attempt.passed and quiz.certificate_on_pass):
        return None
    now = attempt.finished_at or timezone.now()
    current = Certificate.objects.filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now),
        user_id=attempt.user_id,
        quiz=quiz,
        renewal_allowed_at__isnull=True,  # set only on a revoked certificate
    )
    if current.exists():
        return None
    expires_at = None
    if quiz.certificate_validity_months:
        # Months are counted on the site's calendar (settings.TIME_ZONE), not in
        # UTC: issued on 30 January at 23:30 in Los Angeles (31 January in UTC), a
        # one-month certificate runs to 28 February there, not the 27th.
        # Capped: a validity stored before the bound existed must not overflow
        # the calendar and fail the grading of a pass.
        months = min(quiz.certificate_validity_months, MAX_VALIDITY_MONTHS)
        expires_at = add_months(timezone.localtime(now), months)
    user = attempt.user
    assert attempt.score is not None  # a graded pass
    certificate = Certificate.objects.create(
        code=code_generate(),
        user=user,
        quiz=quiz,
        attempt=attempt,
        # first and last names may reach 150 characters each: 301 with the space
        holder_name=(user.get_full_name() or user.get_username())[:300],
        quiz_title=quiz.title,
        score=attempt.score,
        issued_at=now,
        expires_at=expires_at,
    )
    if expires_at is not None and expires_at <= timezone.now():
        # Graded so long after its deadline that its term is over: the record of
        # the pass is kept, but telling the holder it is ready would be wrong.
        return certificate
    # Queued in the grading transaction: the pass, its certificate and the mail
    # land together; the worker sends it (and retries: a mail server that is
    # down neither fails the grading nor loses the notice).
    certificate_send_mail(certificate=certificate)
    return certificate


def certificate_send_mail(*, certificate: Certificate) -> None:
    """Queue the notice that the holder's certificate is ready."""
    user = certificate.user
    if not user.email:
        return
    context = {
        "certificate": certificate,
        "verify_url": verification_url(certificate),
        "list_url": settings.SITE_URL + reverse("quiz:certificate-list"),
    }
    with in_language_of(user):  # the holder's language, as the PDF
        subject = _("Your Rulewise certificate: %(quiz)s") % {
            "quiz": certificate.quiz_title
        }
        body = render_to_string("quiz/email/certificate_issued.txt", context)
    mail_queue(to=[user.email], subject=subject, body=body)


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, by, reason: str) -> Certificate:
    """Revoke a certificate, keeping it and recording who, when and why."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Give the reason for revoking the certificate."))
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.revoked_at is not None:
        raise ValidationError(_("This certificate is already revoked."))
    certificate.revoked_at = timezone.now()
    certificate.revoked_by = by
    certificate.revoke_reason = reason
    certificate.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    return certificate


@transaction.atomic
def certificate_allow_renewal(*, certificate: Certificate, by) -> Certificate:
    """Let the holder earn a new certificate for this quiz by passing it again.

    Only a revoked certificate blocks one before its term ends, so only a revoked
    certificate can be released, once; it stays revoked, with who revoked it, when
    and why, and now also who allowed a new one and when.
    """
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.revoked_at is None:
        raise ValidationError(
            _(
                "Only a revoked certificate can make way for a new one: this one "
                "is not revoked."
            )
        )
    if certificate.renewal_allowed_at is not None:
        raise ValidationError(
            _("A new certificate is already allowed in place of this one.")
        )
    certificate.renewal_allowed_at = timezone.now()
    certificate.renewal_allowed_by = by
    certificate.save(update_fields=["renewal_allowed_at", "renewal_allowed_by"])
    return certificate

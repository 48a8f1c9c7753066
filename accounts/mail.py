"""All mail leaves through the task queue, and whether it leaves the server.

`mail_queue` stores the message (OutgoingMail) in the caller's transaction and,
once that commits, enqueues `mail_deliver`; a worker sends it. A request never
waits for the mail server. A refused send is tried again with back-off (the
library does not retry: the task enqueues itself again with `run_after`), and a
mail given up on stays on record, as does each one sent. `mail_requeue_stale`
(run by `send_reminders` from cron) enqueues again what a lost task or a crashed
worker left waiting, so a mail is never dropped silently.
"""

import logging
from collections.abc import Sequence
from datetime import timedelta

from django_tasks import task

from django.conf import settings
from django.core import checks
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from accounts.models import MailStatus, OutgoingMail

SENDING_BACKENDS = {"django.core.mail.backends.smtp.EmailBackend"}
# A pending mail this long past its time has lost its task (the worker crashed
# while holding it, or the enqueue after the commit failed): enqueue it again.
STALE_AFTER = timedelta(minutes=15)

logger = logging.getLogger(__name__)


def mail_goes_out() -> bool:
    """True when mail leaves the server (SMTP), not printed to the console or kept
    in memory (tests)."""
    return settings.EMAIL_BACKEND in SENDING_BACKENDS or (
        settings.EMAIL_BACKEND.endswith(".locmem.EmailBackend")
    )


@checks.register(checks.Tags.compatibility, deploy=True)
def check_mail_configured(app_configs=None, **kwargs):
    """`check --deploy`: a production site with no mail server loses every mail."""
    if settings.EMAIL_BACKEND.endswith(".console.EmailBackend"):
        return [
            checks.Warning(
                "EMAIL_HOST is not set: password resets, enrolment links and "
                "certificate notices are printed to the console, not sent.",
                hint="Set EMAIL_HOST (and EMAIL_HOST_USER/PASSWORD) to an SMTP server.",
                id="rulewise.W001",
            )
        ]
    return []


@checks.register(checks.Tags.compatibility, deploy=True)
def check_task_queue(app_configs=None, **kwargs):
    """`check --deploy`: with the immediate backend, pages wait for the mail
    server and a refused mail is retried only by the cron sweep."""
    backend = str(settings.TASKS["default"]["BACKEND"])
    if backend.endswith(".ImmediateBackend"):
        return [
            checks.Warning(
                "TASKS_BACKEND is the immediate backend: mail is sent inside the "
                "request that queues it, so a slow mail server slows pages.",
                hint="Leave TASKS_BACKEND unset (the database queue) and run "
                "`manage.py db_worker`.",
                id="rulewise.W002",
            )
        ]
    return []


def mail_queue(
    *,
    to: Sequence[str],
    subject: str,
    body: str,
    html_body: str = "",
    sensitive: bool = False,
) -> OutgoingMail:
    """Queue a mail: stored now (with the caller's transaction), sent by a worker."""
    mail = OutgoingMail.objects.create(
        to=list(to),
        # A header holds one line (Django's send_mail refuses a newline in it).
        subject=" ".join(subject.splitlines())[:300],
        body=body,
        html_body=html_body,
        sensitive=sensitive,
    )
    # After the commit: a worker must not look for a row it cannot see yet, and
    # the immediate backend must not send a mail whose cause is rolled back.
    # robust: should the enqueue fail, the row waits for mail_requeue_stale.
    transaction.on_commit(lambda: _enqueue(mail.pk), robust=True)
    return mail


def mail_queue_many(mails: Sequence[OutgoingMail]) -> None:
    """Queue unsaved OutgoingMail rows in one INSERT (bulk enrolment)."""
    created = OutgoingMail.objects.bulk_create(mails)
    ids = [mail.pk for mail in created]
    transaction.on_commit(lambda: _enqueue_all(ids), robust=True)


def _enqueue_all(ids: list[int]) -> None:
    for pk in ids:
        _enqueue(pk)


def _enqueue(mail_id: int, *, delay: timedelta | None = None) -> None:
    if delay is not None and mail_deliver.get_backend().supports_defer:
        mail_deliver.using(run_after=timezone.now() + delay).enqueue(mail_id)
    elif delay is None:
        mail_deliver.enqueue(mail_id)
    # else a backend that cannot wait (immediate): the cron sweep tries again.


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed try: doubling each time."""
    return timedelta(seconds=settings.MAIL_RETRY_SECONDS * 2 ** (attempts - 1))


@task()
def mail_deliver(mail_id: int) -> str:
    """Send one queued mail; on failure, schedule the next try or give up on record."""
    with transaction.atomic():
        # The row lock makes a duplicate task (a requeued one) wait, then skip.
        mail = OutgoingMail.objects.select_for_update().filter(pk=mail_id).first()
        if mail is None or mail.status != MailStatus.PENDING:
            return "skipped"
        early = mail.next_attempt_at - timezone.now()
        if mail.attempts and early > timedelta(0):
            # A retry run before its time (a duplicate task, or another
            # machine's clock): wait for it rather than drop it. A first send
            # never waits, whatever the clock of the server that queued it.
            transaction.on_commit(lambda: _enqueue(mail.pk, delay=early), robust=True)
            return "not due"
        mail.attempts += 1
        try:
            _send(mail)
        except Exception as exc:  # noqa: BLE001 - every failure is kept and retried
            mail.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if mail.attempts >= settings.MAIL_MAX_ATTEMPTS:
                # Kept whole, secret link included: a superuser may try it
                # again from the admin once the mail server is back.
                mail.status = MailStatus.FAILED
                logger.error(
                    "Gave up on mail %s to %s after %d tries: %s",
                    mail.pk,
                    ", ".join(mail.to),
                    mail.attempts,
                    mail.last_error,
                )
            else:
                delay = retry_delay(mail.attempts)
                mail.next_attempt_at = timezone.now() + delay
                logger.warning(
                    "Mail %s not sent (try %d), next in %s: %s",
                    mail.pk,
                    mail.attempts,
                    delay,
                    mail.last_error,
                )
                transaction.on_commit(
                    lambda: _enqueue(mail.pk, delay=delay), robust=True
                )
        else:
            mail.status = MailStatus.SENT
            mail.sent_at = timezone.now()
            mail.last_error = ""
            _forget_secret(mail)
        mail.save()
    return mail.status


def _send(mail: OutgoingMail) -> None:
    message = EmailMultiAlternatives(subject=mail.subject, body=mail.body, to=mail.to)
    if mail.html_body:
        message.attach_alternative(mail.html_body, "text/html")
    message.send()


def _forget_secret(mail: OutgoingMail) -> None:
    if mail.sensitive:
        mail.body = mail.html_body = ""


def mail_retry(*, mail_ids) -> int:
    """Try again mail that was given up on (the admin's action); how many."""
    with transaction.atomic():
        ids = list(
            OutgoingMail.objects.select_for_update()
            .filter(pk__in=mail_ids, status=MailStatus.FAILED)
            .values_list("pk", flat=True)
        )
        OutgoingMail.objects.filter(pk__in=ids).update(
            status=MailStatus.PENDING, attempts=0, next_attempt_at=timezone.now()
        )
        transaction.on_commit(lambda: _enqueue_all(ids), robust=True)
    return len(ids)


def mail_requeue_stale() -> int:
    """Enqueue again every pending mail whose task was lost; how many."""
    now = timezone.now()
    stale = list(
        OutgoingMail.objects.filter(
            status=MailStatus.PENDING, next_attempt_at__lt=now - STALE_AFTER
        ).values_list("pk", flat=True)
    )
    # Pushed forward first: a worker that is down meanwhile gets one more task
    # per mail every STALE_AFTER, not one per cron run.
    OutgoingMail.objects.filter(pk__in=stale).update(next_attempt_at=now)
    for pk in stale:
        _enqueue(pk)
    return len(stale)

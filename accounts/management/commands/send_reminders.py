from django.core.management.base import BaseCommand

from accounts.mail import mail_requeue_stale
from accounts.reminders import reminders_send


class Command(BaseCommand):
    help = (
        "Queue the reminders due today (certificates about to expire, the "
        "supervisors' weekly digest, ...), each once per user, reason and date, "
        "and enqueue again any mail whose task was lost. Safe to run from cron "
        "every few minutes, on several machines: a second run queues nothing new."
    )

    def handle(self, *args, **options) -> None:
        report = reminders_send()
        requeued = mail_requeue_stale()
        reasons = ", ".join(f"{k}: {v}" for k, v in sorted(report.by_reason.items()))
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.queued} reminders queued"
                + (f" ({reasons})" if reasons else "")
                + f", {report.already_sent} already sent, "
                f"{report.opted_out} not wanted; {requeued} mails enqueued again."
            )
        )

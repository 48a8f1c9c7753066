from django.core.management.base import BaseCommand

from quiz.attempts.services import attempts_close_overdue


class Command(BaseCommand):
    help = (
        "Grade every attempt whose time ran out, as it stands (issuing certificates "
        "for passes). Pages do this when a trainee comes back; run this from cron "
        "(e.g. every 5 minutes) so reports and certificates never wait for that."
    )

    def handle(self, *args, **options) -> None:
        closed = attempts_close_overdue()
        noun = "attempt" if closed == 1 else "attempts"
        self.stdout.write(self.style.SUCCESS(f"{closed} overdue {noun} graded."))

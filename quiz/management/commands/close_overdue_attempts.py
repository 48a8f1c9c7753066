from django.core.management.base import BaseCommand, CommandError

from quiz.attempts.services import attempts_close_overdue


class Command(BaseCommand):
    help = (
        "Grade every attempt whose time ran out, as it stands (issuing certificates "
        "for passes). A task does it at each deadline and pages grade only the "
        "trainee's own attempt when they open it; run this from cron (e.g. every 5 "
        "minutes) so reports and certificates never wait for either."
    )

    def handle(self, *args, **options) -> None:
        report = attempts_close_overdue()
        noun = "attempt" if report.closed == 1 else "attempts"
        self.stdout.write(self.style.SUCCESS(f"{report.closed} overdue {noun} graded."))
        if report.failed:
            ids = ", ".join(str(pk) for pk in report.failed)
            raise CommandError(
                f"{len(report.failed)} could not be graded (see the log): {ids}"
            )

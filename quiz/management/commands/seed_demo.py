from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from quiz.demo import DEMO_USERS, demo_seed


class Command(BaseCommand):
    help = (
        "Create the demo users (trainee, instructor, supervisor), their cohort, the "
        "seed question bank and the demo quizzes. Idempotent."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--password",
            default="rulewise-demo",
            help="Password for the demo users (default: rulewise-demo).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off (demo accounts on a real site are a risk).",
        )

    def handle(self, *args, password: str, force: bool, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: this looks like a production site, and seed_demo creates "
                "accounts with a known password. Use --force if you really mean it."
            )
        if not password:
            raise CommandError("--password must not be empty.")
        report = demo_seed(password=password)
        names = ", ".join(DEMO_USERS)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo ready: users {names} (password {password!r}), "
                f"{report.users_created} users, {report.questions_created} questions "
                f"and {report.quizzes_created} quizzes created this time."
            )
        )
        for line in report.skipped:
            self.stdout.write(self.style.WARNING(f"Skipped: {line}"))
        for line in report.notes:
            self.stdout.write(self.style.WARNING(line))

from django.core.management.base import BaseCommand

from quiz.course import course_load


class Command(BaseCommand):
    help = (
        "Load the standard course: the seed question bank, one module quiz per "
        "category and the certifying final exam. No accounts: safe on a production "
        "site. Idempotent: adds what is missing, never changes a quiz that exists, "
        "and skips (and names) what cannot be published yet."
    )

    def handle(self, *args, **options) -> None:
        report = course_load()
        self.stdout.write(
            self.style.SUCCESS(
                f"Course ready: {report.questions_created} questions and "
                f"{report.quizzes_created} quizzes created this time."
            )
        )
        for line in report.skipped:
            self.stdout.write(self.style.WARNING(f"Skipped: {line}"))
        for line in report.notes:
            self.stdout.write(self.style.WARNING(line))

from django.core.management.base import BaseCommand

from questions.services import question_bank_load


class Command(BaseCommand):
    help = (
        "Load the seed question bank written from the course text. Idempotent: "
        "creates what is missing and never overwrites an instructor's edits."
    )

    def handle(self, *args, **options) -> None:
        report = question_bank_load()
        self.stdout.write(
            self.style.SUCCESS(
                f"Question bank: {report.categories_created} categories, "
                f"{report.rules_created} rules and {report.questions_created} questions "
                f"created; {report.questions_existing} questions already present."
            )
        )

from django.core.management.base import BaseCommand

from questions.services import question_bank_load


class Command(BaseCommand):
    help = (
        "Load the seed question bank written from the course text. Idempotent: "
        "creates what is missing, retires (once) the questions a newer version of "
        "the bank replaced, and never overwrites an instructor's edits."
    )

    def handle(self, *args, **options) -> None:
        report = question_bank_load()
        self.stdout.write(
            self.style.SUCCESS(
                f"Question bank version {report.version} "
                f"(this site had {report.version_before or 'none'}): "
                f"{report.categories_created} categories, "
                f"{report.rules_created} rules and {report.questions_created} questions "
                f"created; {report.questions_existing} questions already present; "
                f"{len(report.retired)} retired."
            )
        )
        for line in report.revision_lines():
            self.stdout.write(line)

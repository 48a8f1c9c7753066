from django.core.management.base import BaseCommand, CommandError

from questions.formats import ExportError
from questions.interchange import FORMATS, questions_export
from questions.models import Category, Question


class Command(BaseCommand):
    help = "Write questions to stdout as GIFT or Aiken (Aiken leaves out multiple-answer ones)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--format", required=True, choices=sorted(FORMATS))
        parser.add_argument(
            "--category", default="", help="Only this category (name or slug)."
        )

    def handle(self, *args, format: str, category: str, **options) -> None:
        questions = Question.objects.all()
        if category:
            match = (
                Category.objects.filter(name=category).first()
                or Category.objects.filter(slug=category).first()
            )
            if match is None:
                raise CommandError(f"No category named {category!r}.")
            questions = questions.filter(category=match)
        try:
            result = questions_export(questions=questions, fmt=format)
        except ExportError as exc:
            raise CommandError("; ".join(exc.problems)) from exc
        for line in result.left_out:
            self.stderr.write(f"left out: {line}")
        self.stdout.write(result.text, ending="")

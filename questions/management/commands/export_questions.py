from django.core.management.base import BaseCommand, CommandError

from questions.interchange import COMPLETE_FORMATS, FORMATS, questions_export
from questions.models import Category, Question
from questions.translation import SOURCE_LANGUAGE, TRANSLATIONS


class Command(BaseCommand):
    help = (
        "Write questions to stdout as GIFT, Moodle XML or Aiken. Questions the "
        "format cannot hold (multiple-answer ones in Aiken, malformed drafts in "
        "any) are left out and listed on stderr; a GIFT or XML export that left "
        "out a draft exits 1. With --language ru the texts are the Russian ones; "
        "a question without a translation is written in English and listed."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--format", required=True, choices=sorted(FORMATS))
        parser.add_argument(
            "--category", default="", help="Only this category (name or slug)."
        )
        parser.add_argument(
            "--language",
            default=SOURCE_LANGUAGE,
            choices=[SOURCE_LANGUAGE, *TRANSLATIONS],
            help="The language of the texts written (default en).",
        )

    def handle(
        self, *args, format: str, category: str, language: str, **options
    ) -> None:
        questions = Question.objects.all()
        if category:
            match = (
                Category.objects.filter(name=category).first()
                or Category.objects.filter(slug=category).first()
            )
            if match is None:
                raise CommandError(f"No category named {category!r}.")
            questions = questions.filter(category=match)
        result = questions_export(questions=questions, fmt=format, language=language)
        for line in result.left_out:
            self.stderr.write(f"left out: {line}")
        for label in result.in_english:
            self.stderr.write(f"in English (no {language} translation): {label}")
        self.stdout.write(result.text, ending="")
        if format in COMPLETE_FORMATS and result.left_out:
            # GIFT and XML hold every well-formed question: what is left out is
            # a draft to finish, and the export is not the whole bank. Say so by
            # the exit status (Aiken leaving out multiple-answer questions is its
            # format).
            n = len(result.left_out)
            raise CommandError(
                f"{n} malformed {'draft' if n == 1 else 'drafts'} left out of the "
                f"{FORMATS[format]} export; the rest was written."
            )

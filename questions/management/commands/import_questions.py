from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from questions.formats import FormatError
from questions.interchange import (
    FORMATS,
    ImportRefusedError,
    decode_upload,
    import_plan,
    questions_import,
)
from questions.translation import SOURCE_LANGUAGE, TRANSLATIONS
from questions.translation_interchange import translation_import, translation_plan


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


class Command(BaseCommand):
    help = (
        "Import questions from a GIFT, Moodle XML or Aiken file, all or nothing, "
        "as drafts; or, with --language ru, the Russian texts of questions the "
        "bank has, matched by ID number. "
        "Exits non-zero naming the line and the problem on bad input."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="Path of the file to import.")
        parser.add_argument("--format", required=True, choices=sorted(FORMATS))
        parser.add_argument(
            "--category",
            default="",
            help="Category for questions the file does not place.",
        )
        parser.add_argument(
            "--language",
            default=SOURCE_LANGUAGE,
            choices=[SOURCE_LANGUAGE, *TRANSLATIONS],
            help=(
                "The language of the file's texts. en (default): new questions. "
                "ru: a translation of questions the bank has, matched by ID "
                "number; nothing is created."
            ),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Report what would be imported; save nothing.",
        )

    def handle(
        self,
        *args,
        file: str,
        format: str,
        category: str,
        language: str,
        dry_run: bool,
        **opts,
    ):
        if language != SOURCE_LANGUAGE and category:
            raise CommandError(
                "--category is for new questions: a translation keeps each "
                "question's category."
            )
        path = Path(file)
        try:
            text = decode_upload(path.read_bytes())
            if language != SOURCE_LANGUAGE:
                plan = translation_plan(text=text, fmt=format, language=language)
            else:
                plan = import_plan(text=text, fmt=format, default_category=category)
        except OSError as exc:
            raise CommandError(f"{file}: cannot read the file: {exc.strerror}") from exc
        except FormatError as exc:
            raise CommandError(f"{file}:{exc.line}: {exc.message}") from exc
        except ImportRefusedError as exc:
            raise CommandError(f"{file}: {exc}") from exc
        for skipped in plan.result.skipped:
            self.stderr.write(
                f"{file}:{skipped.line}: skipped {skipped.kind}: {skipped.reason}"
            )
        for warning in plan.warnings:
            self.stderr.write(f"{file}: {warning}")
        if language != SOURCE_LANGUAGE:
            return self._translation(file, plan, dry_run)
        for item in plan.questions:
            for note in item.notes:
                self.stderr.write(f"{file}:{item.parsed.line}: draft: {note}")
        summary = (
            ", ".join(f"{n} {qtype}" for qtype, n in sorted(plan.by_type.items()))
            or "none"
        )
        if dry_run:
            self.stdout.write(
                f"Dry run: would import {plural(len(plan.questions), 'question')} "
                f"({summary}); "
                f"{len(plan.result.skipped)} skipped; new categories: "
                f"{', '.join(plan.new_categories) or 'none'}. Nothing was saved."
            )
            return
        report = questions_import(plan=plan)
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {plural(len(report.created), 'question')} as drafts "
                f"({summary}); "
                f"{report.skipped} skipped."
            )
        )

    def _translation(self, file: str, plan, dry_run: bool) -> None:
        if not plan.ok:
            raise CommandError(
                f"{file}: nothing was imported:\n"
                + "\n".join(f"  {problem}" for problem in plan.all_problems)
            )
        for item in plan.items:
            for note in item.notes:
                self.stderr.write(f"{file}:{item.parsed.line}: {note}")
        n = len(plan.changed)
        categories = ", ".join(
            f"{category.name} = {name}"
            for category, name in plan.category_names.items()
        )
        summary = (
            f"{plural(n, 'question')} of {len(plan.items)} in the file "
            f"({plan.language}); category names: {categories or 'none'}"
        )
        if dry_run:
            self.stdout.write(f"Dry run: would translate {summary}. Nothing was saved.")
            return
        translation_import(plan=plan)
        self.stdout.write(self.style.SUCCESS(f"Translated {summary}."))

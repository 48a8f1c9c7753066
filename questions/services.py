"""Writes on the question bank: publishing, retiring and loading the seed bank."""

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from questions.models import (
    Category,
    Choice,
    Question,
    QuestionRule,
    QuestionStatus,
    Rule,
)

SEED_BANK_PATH = Path(__file__).resolve().parent / "seed" / "bank.json"


def bank_guards() -> list[Callable[..., Iterable[tuple[tuple, int, str]]]]:
    """The checks of settings.QUESTION_BANK_GUARDS, called inside the transaction of
    a change that may leave a published quiz unable to assemble its questions (a
    question retired, moved, its rules changed, deleted) with the question,
    category and rule ids it concerns before and after. Each returns the problems
    it sees as (key, amount, message); a change that adds a problem, or makes one
    worse, is refused. The quiz app answers for its published quizzes."""
    return [import_string(path) for path in settings.QUESTION_BANK_GUARDS]


@dataclass
class BankScope:
    """What a change to some questions may affect: them, their categories, rules."""

    question_ids: set[int] = field(default_factory=set)
    category_ids: set[int] = field(default_factory=set)
    rule_ids: set[int] = field(default_factory=set)

    @classmethod
    def of(cls, questions) -> "BankScope":
        ids = {q.pk for q in questions}
        return cls(
            question_ids=ids,
            category_ids={q.category_id for q in questions},
            rule_ids=set(
                QuestionRule.objects.filter(question_id__in=ids).values_list(
                    "rule_id", flat=True
                )
            ),
        )

    def problems(self) -> dict[tuple, tuple[int, str]]:
        """{key: (amount, message)}: what the published quizzes in this scope
        cannot assemble, as it stands."""
        found: dict[tuple, tuple[int, str]] = {}
        for guard in bank_guards():
            for key, amount, message in guard(
                question_ids=self.question_ids,
                category_ids=self.category_ids,
                rule_ids=self.rule_ids,
            ):
                found[key] = (amount, message)
        return found

    def new_problems(self, change) -> list[str]:
        """The problems `change()` adds or makes worse. A quiz already broken before
        it (by a data fix, say) does not block an unrelated edit, such as a typo in
        a stem, nor one that makes it less short."""
        before = self.problems()
        change()
        return [
            message
            for key, (amount, message) in self.problems().items()
            if key not in before or amount > before[key][0]
        ]


class _TryOnly(Exception):
    """Rolls back a change made only to see what it would do."""


def bank_change_problems(
    questions, change, *, category_ids=(), rule_ids=()
) -> list[str]:
    """What `change()` to these questions would break in published quizzes (the
    receivers' messages), found by making it in a savepoint and rolling it back.
    category_ids and rule_ids: where the change moves them, besides where they are."""
    problems: list[str] = []
    try:
        with transaction.atomic():
            scope = BankScope.of(questions)  # as stored, before the change
            scope.category_ids.update(category_ids)
            scope.rule_ids.update(rule_ids)
            problems = scope.new_problems(change)
            raise _TryOnly
    except _TryOnly:
        pass
    return problems


@transaction.atomic
def question_publish(*, question: Question) -> Question:
    """Publish a question, or raise ValidationError saying why it is not well formed."""
    question = Question.objects.select_for_update().get(pk=question.pk)
    question.ensure_publishable()
    question.status = QuestionStatus.PUBLISHED
    question.published_at = question.published_at or timezone.now()
    question.save(update_fields=["status", "published_at", "updated_at"])
    return question


@transaction.atomic
def question_unpublish(*, question: Question) -> Question:
    """Retire a question to draft; attempts already made keep their snapshot.

    Refused (ValidationError, nothing changed) when a published quiz could then no
    longer be assembled: its fixed list holds the question, or a draw of its
    category or rules would run short.
    """
    problems = BankScope.of([question]).new_problems(
        lambda: Question.objects.filter(pk=question.pk).update(
            status=QuestionStatus.DRAFT, updated_at=timezone.now()
        )
    )
    if problems:
        raise ValidationError(problems)  # and the atomic block rolls it back
    question.refresh_from_db()
    return question


@dataclass
class BulkResult:
    changed: list[Question] = field(default_factory=list)
    unchanged: list[Question] = field(default_factory=list)
    failed: list[tuple[Question, list[str]]] = field(default_factory=list)


def questions_publish(*, questions) -> BulkResult:
    """Publish each question that is well formed; report the others with reasons."""
    result = BulkResult()
    for question in questions:
        if question.status == QuestionStatus.PUBLISHED:
            result.unchanged.append(question)
            continue
        try:
            question_publish(question=question)
        except ValidationError as exc:
            result.failed.append((question, exc.messages))
        else:
            result.changed.append(question)
    return result


def questions_unpublish(*, questions) -> BulkResult:
    """Retire each published question to draft."""
    result = BulkResult()
    for question in questions:
        if question.status == QuestionStatus.DRAFT:
            result.unchanged.append(question)
            continue
        try:
            question_unpublish(question=question)
        except ValidationError as exc:
            result.failed.append((question, exc.messages))
        else:
            result.changed.append(question)
    return result


@dataclass
class LoadReport:
    categories_created: int = 0
    rules_created: int = 0
    questions_created: int = 0
    questions_existing: int = 0


@transaction.atomic
def question_bank_load(*, path: Path = SEED_BANK_PATH) -> LoadReport:
    """Load the seed bank: create what is missing, never overwrite an instructor's edits."""
    data = json.loads(path.read_text(encoding="utf-8"))
    report = LoadReport()
    categories: dict[str, Category] = {}
    for item in data["categories"]:
        # Known by its slug, or by its name if an instructor changed the slug
        # (both are unique: creating it again would fail for good).
        category = (
            Category.objects.filter(slug=item["slug"]).first()
            or Category.objects.filter(name=item["name"]).first()
        )
        if category is None:
            category = Category.objects.create(
                slug=item["slug"],
                name=item["name"],
                description=item.get("description", ""),
                order=item.get("order", 0),
            )
            report.categories_created += 1
        categories[item["slug"]] = category
    rules: dict[str, Rule] = {}
    for item in data["rules"]:
        rule, created = Rule.objects.get_or_create(
            code=item["code"],
            defaults={
                "title": item["title"],
                "wording": item["wording"],
                "passage": item["passage"],
                "critical": item["critical"],
                "order": item.get("order", 0),
            },
        )
        rules[item["code"]] = rule
        report.rules_created += created
    existing = set(
        Question.objects.filter(
            idnumber__in=[item["idnumber"] for item in data["questions"]]
        ).values_list("idnumber", flat=True)
    )
    for item in data["questions"]:
        if item["idnumber"] in existing:
            report.questions_existing += 1
            continue
        question = Question.objects.create(
            idnumber=item["idnumber"],
            title=item["title"],
            qtype=item["type"],
            stem=item["stem"],
            explanation=item["explanation"],
            category=categories[item["category"]],
        )
        Choice.objects.bulk_create(
            Choice(
                question=question,
                text=choice["text"],
                correct=choice["correct"],
                feedback=choice.get("feedback", ""),
                order=position,
            )
            for position, choice in enumerate(item["choices"], start=1)
        )
        QuestionRule.objects.bulk_create(
            QuestionRule(question=question, rule=rules[code]) for code in item["rules"]
        )
        question_publish(question=question)
        report.questions_created += 1
    return report


def question_item_statistics(question_ids) -> dict:
    """{question id: (attempts, facility %, discrimination %)} from the app that
    records answers (settings.QUESTION_ITEM_STATISTICS); empty without one."""
    path = getattr(settings, "QUESTION_ITEM_STATISTICS", "")
    return import_string(path)(question_ids) if path else {}

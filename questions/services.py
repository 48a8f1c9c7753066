"""Writes on the question bank: publishing, retiring and loading the seed bank."""

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from questions.models import (
    BankVersion,
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
    version_before: int = 0  # the seed bank version the database had loaded
    version: int = 0  # the version of the file loaded
    retired: list[tuple[str, str]] = field(default_factory=list)  # (old, successor)
    quizzes_changed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # retirements left undone, why
    # The Russian translation filled in on texts loaded before it shipped, and
    # the texts left in English only because they were edited here.
    translated: int = 0
    untranslated: list[str] = field(default_factory=list)

    def revision_lines(self) -> list[str]:
        """What a revision of the bank did and left undone, for the operator."""
        lines = [
            _("Retired %(old)s: replaced by %(new)s.") % {"old": old, "new": new}
            for old, new in self.retired
        ]
        lines += [
            _("Successor put in the fixed list of “%(quiz)s”.") % {"quiz": title}
            for title in self.quizzes_changed
        ]
        return lines + self.kept + self.untranslated


def question_fingerprint(
    *, qtype: str, stem: str, explanation: str, choices, rules
) -> str:
    """What a question asks and teaches (type, stem, explanation, choices in order
    with their key and feedback, rule codes), as a hash: the bank file records
    it for each question a revision retires, so the loader can tell the shipped
    wording from an instructor's edit of it."""
    content = {
        "type": qtype,
        "stem": stem,
        "explanation": explanation,
        "choices": [[c["text"], bool(c["correct"]), c["feedback"]] for c in choices],
        "rules": sorted(rules),
    }
    encoded = json.dumps(content, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def stored_fingerprint(question: Question) -> str:
    """question_fingerprint of a question as stored."""
    return question_fingerprint(
        qtype=question.qtype,
        stem=question.stem,
        explanation=question.explanation,
        choices=question.choices.order_by("order", "pk").values(
            "text", "correct", "feedback"
        ),
        rules=question.rules.values_list("code", flat=True),
    )


def bank_successors() -> list[Callable[..., list[str]]]:
    """settings.QUESTION_BANK_SUCCESSORS: put a retired question's successor in
    its place wherever the apps built on the bank hold it (the quizzes' fixed
    lists), called with old_id and new_id; each returns what it changed."""
    return [
        import_string(path)
        for path in getattr(settings, "QUESTION_BANK_SUCCESSORS", [])
    ]


@transaction.atomic
def question_bank_load(*, path: Path = SEED_BANK_PATH) -> LoadReport:
    """Load the seed bank: create what is missing, retire what a newer version of
    the file replaced, never overwrite an instructor's edits."""
    data = json.loads(path.read_text(encoding="utf-8"))
    report = LoadReport(version=data.get("version", 1))
    report.version_before = BankVersion.objects.aggregate(v=Max("version"))["v"] or 0
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
                name_ru=item.get("name_ru", ""),
                description_ru=item.get("description_ru", ""),
                order=item.get("order", 0),
            )
            report.categories_created += 1
        else:
            _translation_fill(category, item, ("name", "description"), report)
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
                "title_ru": item.get("title_ru", ""),
                "wording_ru": item.get("wording_ru", ""),
            },
        )
        if not created:
            _translation_fill(rule, item, ("title", "wording"), report)
        rules[item["code"]] = rule
        report.rules_created += created
    existing = set(
        Question.objects.filter(
            idnumber__in=[item["idnumber"] for item in data["questions"]]
        ).values_list("idnumber", flat=True)
    )
    _questions_translate(
        [item for item in data["questions"] if item["idnumber"] in existing], report
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
            stem_ru=item.get("stem_ru", ""),
            explanation_ru=item.get("explanation_ru", ""),
            category=categories[item["category"]],
        )
        Choice.objects.bulk_create(
            Choice(
                question=question,
                text=choice["text"],
                correct=choice["correct"],
                feedback=choice.get("feedback", ""),
                text_ru=choice.get("text_ru", ""),
                feedback_ru=choice.get("feedback_ru", ""),
                order=position,
            )
            for position, choice in enumerate(item["choices"], start=1)
        )
        QuestionRule.objects.bulk_create(
            QuestionRule(question=question, rule=rules[code]) for code in item["rules"]
        )
        question_publish(question=question)
        report.questions_created += 1
    for item in data.get("retired", []):
        if item["since"] > report.version_before:
            _question_retire_for(item, report)
    if report.version > report.version_before:
        BankVersion.objects.create(version=report.version)
    return report


def _translation_fill(obj, item: dict, fields: tuple[str, ...], report) -> None:
    """Give a rule or category loaded before the translation shipped its Russian
    texts: only where none was written here and its English is as shipped (a
    translation of the shipped wording would not say what an edit says)."""
    russian = {f"{name}_ru": item.get(f"{name}_ru", "") for name in fields}
    if not any(russian.values()) or any(getattr(obj, name) for name in russian):
        return  # nothing shipped, or translated here already
    if any(getattr(obj, name) != item.get(name, "") for name in fields):
        report.untranslated.append(
            _("%(name)s left in English: it was edited on this site.")
            % {"name": str(obj)}
        )
        return
    type(obj).objects.filter(pk=obj.pk).update(**russian)
    for name, value in russian.items():
        setattr(obj, name, value)
    report.translated += 1


def _questions_translate(items: list[dict], report: LoadReport) -> None:
    """Give the bank's questions loaded before the translation shipped their
    Russian texts (stem, explanation, each choice and its feedback), all or
    nothing per question: only a question with no Russian text written here and
    its English as shipped (told by question_fingerprint). Idempotent: a
    question translated once has a Russian stem."""
    shipped = {item["idnumber"]: item for item in items if item.get("stem_ru")}
    questions = Question.objects.filter(
        idnumber__in=shipped, stem_ru="", explanation_ru=""
    ).prefetch_related("choices", "rules")
    changed: list[Choice] = []
    for question in questions:
        item = shipped[question.idnumber]
        choices = list(question.choices.all())  # in their order
        if any(choice.text_ru or choice.feedback_ru for choice in choices):
            continue  # a translation begun here is the instructor's to finish
        as_stored = question_fingerprint(
            qtype=question.qtype,
            stem=question.stem,
            explanation=question.explanation,
            choices=[
                {"text": c.text, "correct": c.correct, "feedback": c.feedback}
                for c in choices
            ],
            rules=[rule.code for rule in question.rules.all()],
        )
        as_shipped = question_fingerprint(
            qtype=item["type"],
            stem=item["stem"],
            explanation=item["explanation"],
            choices=[{**c, "feedback": c.get("feedback", "")} for c in item["choices"]],
            rules=item["rules"],
        )
        if as_stored != as_shipped:
            report.untranslated.append(
                _(
                    "%(id)s left in English: it was edited on this site since it "
                    "was shipped. Translate it in the admin."
                )
                % {"id": question.idnumber}
            )
            continue
        for choice, shipped_choice in zip(choices, item["choices"], strict=True):
            choice.text_ru = shipped_choice["text_ru"]
            choice.feedback_ru = shipped_choice.get("feedback_ru", "")
            changed.append(choice)
        Question.objects.filter(pk=question.pk).update(
            stem_ru=item["stem_ru"], explanation_ru=item.get("explanation_ru", "")
        )
        report.translated += 1
    Choice.objects.bulk_update(changed, ["text_ru", "feedback_ru"], batch_size=500)


def _question_retire_for(item: dict, report: LoadReport) -> None:
    """Retire the question a revision replaced, its successor taking its place in
    the quizzes: only as shipped (an instructor's edit of it is theirs to keep)
    and only if every published quiz can still be assembled."""
    old = Question.objects.filter(
        idnumber=item["idnumber"], status=QuestionStatus.PUBLISHED
    ).first()
    new = Question.objects.filter(
        idnumber=item["replaced_by"], status=QuestionStatus.PUBLISHED
    ).first()
    if old is None:  # never loaded here, or already retired by an instructor
        return
    names = {"old": item["idnumber"], "new": item["replaced_by"]}
    if new is None:
        report.kept.append(
            _("%(old)s left published: its successor %(new)s is not published.") % names
        )
        return
    if stored_fingerprint(old) != item["fingerprint"]:
        report.kept.append(
            _(
                "%(old)s left published: it was edited on this site since it was "
                "shipped. Its successor %(new)s is published beside it; retire "
                "whichever you no longer want."
            )
            % names
        )
        return
    changed: list[str] = []

    def change() -> None:
        for successor in bank_successors():
            changed.extend(successor(old_id=old.pk, new_id=new.pk))
        Question.objects.filter(pk=old.pk).update(
            status=QuestionStatus.DRAFT, updated_at=timezone.now()
        )

    try:
        with transaction.atomic():
            problems = BankScope.of([old, new]).new_problems(change)
            if problems:
                raise ValidationError(problems)  # rolls the savepoint back
    except ValidationError as exc:
        report.kept.append(
            _("%(old)s left published: %(problems)s")
            % {"old": item["idnumber"], "problems": " ".join(exc.messages)}
        )
        return
    report.retired.append((item["idnumber"], item["replaced_by"]))
    report.quizzes_changed.extend(changed)


def question_item_statistics(question_ids) -> dict:
    """{question id: (attempts, facility %, discrimination %)} from the app that
    records answers (settings.QUESTION_ITEM_STATISTICS); empty without one."""
    path = getattr(settings, "QUESTION_ITEM_STATISTICS", "")
    return import_string(path)(question_ids) if path else {}

"""Import and export of questions: the formats' plain data mapped to the bank.

A question's rule codes travel as Moodle tags (the writers put ``rules``
first among the tags); on import, a tag that reads as a rule code (in any
case: Moodle may lower-case tags) links that rule, as do the rule codes of
older ``// rules:`` comments. Other tags have nowhere to go in the bank and
are named in the question's notes.
"""

import re
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.utils.text import slugify
from django.utils.translation import gettext as _

from questions.formats import (
    FormatError,
    ParsedChoice,
    ParsedQuestion,
    ParseResult,
    aiken_problem,
    gift_problem,
    parse_aiken,
    parse_gift,
    parse_moodle_xml,
    write_aiken,
    write_gift,
    write_moodle_xml,
    xml_problem,
)
from questions.models import (
    RULE_CODE_PATTERN,
    Category,
    Choice,
    Question,
    QuestionRule,
    QuestionStatus,
    QuestionType,
    Rule,
)
from questions.translation import SOURCE_LANGUAGE, bank_language, translated
from questions.validation import ChoiceData, question_problems, russian_problems

FORMATS = {"gift": "GIFT (Moodle)", "xml": "Moodle XML", "aiken": "Aiken"}
_PARSERS = {"gift": parse_gift, "xml": parse_moodle_xml, "aiken": parse_aiken}
_WRITERS = {
    "gift": (gift_problem, write_gift),
    "xml": (xml_problem, write_moodle_xml),
    "aiken": (aiken_problem, write_aiken),
}
# The formats that hold every well-formed question of the bank.
COMPLETE_FORMATS = frozenset({"gift", "xml"})
# File name endings and media types of the downloads.
EXTENSIONS = {"gift": "gift.txt", "xml": "xml", "aiken": "aiken.txt"}
MEDIA_TYPES = {
    "gift": "text/plain; charset=utf-8",
    "xml": "application/xml; charset=utf-8",
    "aiken": "text/plain; charset=utf-8",
}
_RULE_CODE_RE = re.compile(RULE_CODE_PATTERN)


class ImportRefusedError(ValueError):
    """The file cannot be imported at all (too big, too many questions, bad format)."""


@dataclass
class PlannedQuestion:
    parsed: ParsedQuestion
    category_name: str
    choices: list[tuple[str, bool, str]]
    rules: list[Rule]
    idnumber: str
    notes: list[str] = field(default_factory=list)  # why it stays a draft, what changed


@dataclass
class ImportPlan:
    fmt: str
    questions: list[PlannedQuestion]
    result: ParseResult
    new_categories: list[str]

    @property
    def by_type(self) -> Counter:
        return Counter(q.parsed.qtype for q in self.questions)

    @property
    def type_summary(self) -> list[tuple[str, int]]:
        return sorted(self.by_type.items())

    @property
    def warnings(self) -> list[str]:
        return list(self.result.warnings)


def ensure_import_size(n_bytes: int) -> None:
    """Refuse a file over QUESTION_IMPORT_MAX_BYTES (before reading it, where possible)."""
    max_bytes = settings.QUESTION_IMPORT_MAX_BYTES
    if n_bytes > max_bytes:
        raise ImportRefusedError(
            _("The file is larger than %(kb)d KB; split it into smaller files.")
            % {"kb": max_bytes // 1024}
        )


def import_parse(*, text: str, fmt: str) -> ParseResult:
    """Parse with the limits applied; FormatError ("line N: ...") on bad input."""
    if fmt not in _PARSERS:
        raise ImportRefusedError(
            _("Unknown format “%(f)s”: use gift, xml or aiken.") % {"f": fmt}
        )
    ensure_import_size(len(text.encode("utf-8")))
    result = _PARSERS[fmt](text)
    limit = settings.QUESTION_IMPORT_MAX_QUESTIONS
    if len(result.questions) > limit:
        raise ImportRefusedError(
            _("The file has %(n)d questions; at most %(max)d can be imported at once.")
            % {"n": len(result.questions), "max": limit}
        )
    return result


def decode_upload(data: bytes) -> str:
    """The text of an uploaded file (UTF-8, with or without BOM)."""
    ensure_import_size(len(data))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRefusedError(
            _("The file is not UTF-8 text (byte %(pos)d); save it as UTF-8.")
            % {"pos": exc.start}
        ) from exc
    if "\x00" in text:
        # No text field stores one (PostgreSQL refuses it): say where it is.
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ImportRefusedError(
            _("Line %(n)d contains a NUL character; nothing was imported.")
            % {"n": line}
        )
    return text


def choice_rows(parsed: ParsedQuestion) -> list[tuple[str, bool, str]]:
    """The choices as the bank keeps them: (text, correct, feedback). A
    single-answer question's right choice is its 100% one: partial credit is
    not used here."""
    if parsed.qtype == QuestionType.SINGLE:
        return [(c.text, c.fraction >= 1 - 1e-9, c.feedback) for c in parsed.choices]
    return [(c.text, c.correct, c.feedback) for c in parsed.choices]


def category_path(text: str) -> str:
    """A category path as the bank names it ("Course/Safety" is "Course /
    Safety")."""
    return " / ".join(part.strip() for part in text.split("/") if part.strip())


def _category_name(parsed: ParsedQuestion, default: str, existing: set[str]) -> str:
    """The bank category for a GIFT category path ("Course/Safety" becomes
    "Course / Safety"), except that a path naming an existing category as it is
    (a name with a slash, exported from here) keeps that category."""
    if parsed.category.strip() in existing:
        return parsed.category.strip()
    return (category_path(parsed.category) or default or _("Imported"))[:120]


def _rule_codes(parsed: ParsedQuestion) -> tuple[list[str], list[str]]:
    """The rule codes a question names (its ``rules``, then the tags that read
    as rule codes) and its other tags."""
    codes = list(parsed.rules)
    others = []
    for tag in parsed.tags:
        if _RULE_CODE_RE.match(tag.upper()):
            codes.append(tag.upper())
        else:
            others.append(tag)
    return list(dict.fromkeys(codes)), others


def import_plan(*, text: str, fmt: str, default_category: str = "") -> ImportPlan:
    """What an import would create, without writing anything."""
    result = import_parse(text=text, fmt=fmt)
    rules = {rule.code: rule for rule in Rule.objects.all()}
    existing_categories = set(Category.objects.values_list("name", flat=True))
    taken = set(
        Question.objects.filter(
            # compared as stored: cut to the field's 100 characters
            idnumber__in=[q.idnumber[:100] for q in result.questions if q.idnumber]
        ).values_list("idnumber", flat=True)
    )
    planned: list[PlannedQuestion] = []
    seen_idnumbers: set[str] = set()
    for parsed in result.questions:
        notes: list[str] = []
        choices = choice_rows(parsed)
        if parsed.qtype == QuestionType.SINGLE:
            partial = [c for c in parsed.choices if 0 < c.fraction < 1 - 1e-9]
            if partial:
                notes.append(
                    _(
                        "Partial credit (%(w)s) is not used here: only the 100%% answer counts."
                    )
                    % {"w": ", ".join(f"{c.fraction:.0%}" for c in partial)}
                )
        codes, other_tags = _rule_codes(parsed)
        linked = [rules[code] for code in codes if code in rules]
        unknown = [code for code in codes if code not in rules]
        if unknown:
            notes.append(
                _("Unknown rule codes ignored: %(c)s.") % {"c": ", ".join(unknown)}
            )
        if other_tags:
            notes.append(
                _("Tags that are not rule codes ignored: %(t)s.")
                % {"t": ", ".join(other_tags)}
            )
        idnumber = parsed.idnumber[:100]
        if idnumber and (idnumber in taken or idnumber in seen_idnumbers):
            notes.append(
                _("ID number %(id)s is already used; imported without it.")
                % {"id": idnumber}
            )
            idnumber = ""
        seen_idnumbers.add(idnumber)
        problems = question_problems(
            qtype=parsed.qtype,
            stem=parsed.stem,
            choices=[ChoiceData(text, correct) for text, correct, _fb in choices],
            rule_count=len(linked),
        )
        notes.extend(problems)
        planned.append(
            PlannedQuestion(
                parsed=parsed,
                category_name=_category_name(
                    parsed, default_category, existing_categories
                ),
                choices=choices,
                rules=linked,
                idnumber=idnumber,
                notes=notes,
            )
        )
    new_categories = sorted({q.category_name for q in planned} - existing_categories)
    return ImportPlan(
        fmt=fmt, questions=planned, result=result, new_categories=new_categories
    )


@dataclass
class ImportReport:
    created: list[Question]
    by_type: Counter
    skipped: int
    categories_created: list[Category] = field(default_factory=list)


@transaction.atomic
def questions_import(*, plan: ImportPlan, author=None) -> ImportReport:
    """Create every planned question as a draft, all or nothing."""
    categories = {
        c.name: c
        for c in Category.objects.filter(
            name__in={q.category_name for q in plan.questions}
        )
    }
    categories_created = []
    for name in plan.new_categories:
        if name not in categories:
            categories[name] = Category.objects.create(
                name=name, slug=_unique_slug(name)
            )
            categories_created.append(categories[name])
    created = []
    for item in plan.questions:
        parsed = item.parsed
        question = Question.objects.create(
            idnumber=item.idnumber,
            title=parsed.title[:200],
            qtype=parsed.qtype,
            stem=parsed.stem,
            explanation=parsed.general_feedback,
            category=categories[item.category_name],
            status=QuestionStatus.DRAFT,
            author=author,
        )
        Choice.objects.bulk_create(
            Choice(
                question=question,
                text=text[:500],
                correct=correct,
                feedback=feedback,
                order=i,
            )
            for i, (text, correct, feedback) in enumerate(item.choices, start=1)
        )
        QuestionRule.objects.bulk_create(
            QuestionRule(question=question, rule=rule)
            for rule in dict.fromkeys(item.rules)
        )
        created.append(question)
    return ImportReport(
        created=created,
        by_type=plan.by_type,
        skipped=len(plan.result.skipped),
        categories_created=categories_created,
    )


def _unique_slug(name: str) -> str:
    base = slugify(name)[:100] or "imported"
    slug, n = base, 1
    while Category.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


# --- export -------------------------------------------------------------------------


def export_queryset(questions):
    return questions.select_related("category").prefetch_related(
        Prefetch("choices", queryset=Choice.objects.order_by("order", "pk")),
        Prefetch(
            "question_rules", queryset=QuestionRule.objects.select_related("rule")
        ),
    )


def to_parsed(question: Question, language: str = SOURCE_LANGUAGE) -> ParsedQuestion:
    """A question of the bank as the formats' plain data, its texts in
    *language* where it has them (field by field, as trainees read it). A
    true/false question's choices stay "True" and "False": the formats write
    them as their own keywords (T/F, Aiken's True/False), in any language."""
    true_false = question.qtype == QuestionType.TRUE_FALSE
    return ParsedQuestion(
        qtype=question.qtype,
        stem=translated(question, "stem", language),
        choices=tuple(
            ParsedChoice(
                text=c.text if true_false else translated(c, "text", language),
                fraction=1.0 if c.correct else 0.0,
                feedback=translated(c, "feedback", language),
            )
            for c in question.choices.all()
        ),
        title=question.title,
        general_feedback=translated(question, "explanation", language),
        category=translated(question.category, "name", language),
        rules=tuple(link.rule.code for link in question.question_rules.all()),
        idnumber=question.idnumber,
    )


def _translation_incomplete(question: Question) -> bool:
    """Whether a question with a Russian stem still falls back to the English
    somewhere (a draft whose translation is not finished)."""
    return bool(
        russian_problems(
            qtype=question.qtype,
            choices=[
                ChoiceData(
                    text=c.text,
                    correct=c.correct,
                    text_ru=c.text_ru,
                    feedback=c.feedback,
                    feedback_ru=c.feedback_ru,
                )
                for c in question.choices.all()
            ],
            explanation=question.explanation,
            stem_ru=question.stem_ru,
            explanation_ru=question.explanation_ru,
        )
    )


@dataclass
class ExportResult:
    text: str
    left_out: list[str]
    # Written in English for want of a translation into the export's language.
    in_english: list[str] = field(default_factory=list)


def questions_export(
    *, questions, fmt: str, language: str = SOURCE_LANGUAGE
) -> ExportResult:
    """The questions as GIFT, Moodle XML or Aiken text, in *language* (the
    English where a question has no translation, listed), leaving out (and
    listing) those the format cannot hold: multiple-answer questions in Aiken,
    and in any format drafts that are not well formed yet (no right choice,
    say)."""
    if fmt not in _WRITERS:
        raise ValueError(f"unknown format {fmt!r}")
    language = bank_language(language)
    problem_of, write = _WRITERS[fmt]
    writable, left_out, in_english = [], [], []
    for stored in export_queryset(questions):
        question = to_parsed(stored, language)
        label = question.idnumber or question.title or stored.stem[:40]
        if problem := problem_of(question):
            left_out.append(f"{label}: {problem}")
            continue
        writable.append(question)
        if language != SOURCE_LANGUAGE:
            if not stored.stem_ru.strip():
                in_english.append(label)
            elif _translation_incomplete(stored):
                in_english.append(_("%(label)s (in part)") % {"label": label})
    return ExportResult(text=write(writable), left_out=left_out, in_english=in_english)


__all__ = [
    "COMPLETE_FORMATS",
    "EXTENSIONS",
    "FORMATS",
    "MEDIA_TYPES",
    "FormatError",
    "ImportPlan",
    "category_path",
    "choice_rows",
    "ImportRefusedError",
    "decode_upload",
    "import_parse",
    "import_plan",
    "questions_export",
    "questions_import",
]

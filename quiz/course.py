"""The standard course: the seed question bank, one practice quiz per category and
the certifying final exam. For production (load_course) and the demo (seed_demo);
it creates no account.

Run again on a site instructors have worked on, it adds what is missing and can
be published, skips (and reports) what cannot, and never changes a quiz that
exists: once made, a quiz is the instructors'. A module quiz is known by its slug
(module-<category>) or, if the category's slug changed, by already asking the
category's questions; the final exam by its slug."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from questions.models import Category, Question, QuestionStatus, Rule
from questions.services import question_bank_load
from quiz.models import (
    GradingMethod,
    Layout,
    Quiz,
    QuizDraw,
    QuizQuestion,
    ReviewPolicy,
)
from quiz.selection import quiz_total
from quiz.services import quiz_publish

FINAL_EXAM_SLUG = "final-exam"
FINAL_EXAM_SIZE = 20


@dataclass
class CourseReport:
    questions_created: int = 0
    quizzes_created: int = 0
    skipped: list[str] = field(default_factory=list)  # what could not be published
    notes: list[str] = field(default_factory=list)  # the bank's revision, the exam


@transaction.atomic
def course_load() -> CourseReport:
    """The seed bank, the module quizzes and the final exam: what is missing."""
    bank = question_bank_load()
    report = CourseReport(questions_created=bank.questions_created)
    report.quizzes_created = _module_quizzes(report.skipped) + _final_exam(
        report.skipped
    )
    report.notes = bank.revision_lines() + _final_exam_gaps()
    return report


def _final_exam_gaps() -> list[str]:
    """The safety-critical rules the final exam is not sure to ask about: a rule
    a revision of the bank added after the exam was made (the exam is the
    instructors' now; they add the draw)."""
    final = Quiz.objects.filter(slug=FINAL_EXAM_SLUG).first()
    if final is None:
        return []
    missing = quiz_total(final).missing
    if not missing:
        return []
    return [
        _(
            "The final exam does not draw a question on every safety-critical "
            "rule: add a draw for %(rules)s in the admin."
        )
        % {"rules": ", ".join(rule.code for rule in missing)}
    ]


def _quiz_create_published(
    *, slug: str, fields: dict, fill: Callable[[Quiz], None]
) -> list[str]:
    """Create the quiz, let `fill` give it its questions, publish it: all of it,
    or nothing and the reasons it could not be published."""
    try:
        with transaction.atomic():
            quiz = Quiz.objects.create(slug=slug, **fields)
            fill(quiz)
            quiz_publish(quiz=quiz)
    except ValidationError as exc:
        return exc.messages
    return []


def _has_module(category: Category, slug: str) -> bool:
    """The category has its module quiz: by its slug, or (the category's slug
    changed since) a module quiz already asking its questions."""
    return Quiz.objects.filter(
        Q(slug=slug)
        | Q(
            slug__startswith="module-",
            quiz_questions__question__category=category,
        )
    ).exists()


def _module_quizzes(skipped: list[str]) -> int:
    """One practice quiz per category: all its published questions, fixed order.
    A category with none yet is skipped, and gets its quiz on a later run."""
    created_count = 0
    for position, category in enumerate(Category.objects.all(), start=1):
        slug = f"module-{category.slug}"
        if _has_module(category, slug):
            continue
        questions = list(Question.objects.published().filter(category=category))
        if not questions:
            skipped.append(
                _(
                    "Module quiz for “%(category)s” not created: the category has "
                    "no published question yet."
                )
                % {"category": category.name}
            )
            continue

        def fill(quiz: Quiz, questions=questions) -> None:
            QuizQuestion.objects.bulk_create(
                QuizQuestion(quiz=quiz, question=question, order=i)
                for i, question in enumerate(questions, start=1)
            )

        problems = _quiz_create_published(
            slug=slug,
            fields={
                "title": f"Module {position}: {category.name}",
                "description": category.description,
                "shuffle_choices": True,
                "layout": Layout.ALL_ON_ONE,
                "pass_mark": 80,
                "grading_method": GradingMethod.HIGHEST,
                "review": ReviewPolicy.IMMEDIATELY,
                "order": position,
            },
            fill=fill,
        )
        if problems:
            skipped.append(
                _("Module quiz for “%(category)s” not created: %(problems)s")
                % {"category": category.name, "problems": " ".join(problems)}
            )
            continue
        created_count += 1
    return created_count


def final_exam_plan(
    size: int = FINAL_EXAM_SIZE,
) -> tuple[list[Rule], dict[Category, int]]:
    """One question per critical rule, the rest spread over categories by size."""
    critical = list(Rule.objects.critical())
    remaining = max(0, size - len(critical))
    categories = list(
        Category.objects.annotate(
            n=Count("questions", filter=Q(questions__status=QuestionStatus.PUBLISHED))
        ).filter(n__gt=0)
    )
    total = sum(c.n for c in categories) or 1
    shares = {c: remaining * c.n / total for c in categories}
    counts = {c: int(share) for c, share in shares.items()}
    # Largest remainders get the questions left over.
    leftovers = remaining - sum(counts.values())
    for category in sorted(shares, key=lambda c: shares[c] - counts[c], reverse=True)[
        :leftovers
    ]:
        counts[category] += 1
    return critical, {c: n for c, n in counts.items() if n}


def _final_exam(skipped: list[str]) -> int:
    if Quiz.objects.filter(slug=FINAL_EXAM_SLUG).exists():
        return 0

    def fill(quiz: Quiz) -> None:
        critical, per_category = final_exam_plan()
        draws = [QuizDraw(quiz=quiz, rule=rule, count=1) for rule in critical]
        draws += [
            QuizDraw(quiz=quiz, category=category, count=n)
            for category, n in per_category.items()
        ]
        for order, draw in enumerate(draws, start=1):
            draw.order = order
        QuizDraw.objects.bulk_create(draws)

    problems = _quiz_create_published(
        slug=FINAL_EXAM_SLUG,
        fields={
            "title": "Final exam: safe massage with a cervical hernia",
            "description": (
                "Twenty questions drawn at random across the course, always including "
                "every safety-critical rule. Pass it to earn your completion "
                "certificate."
            ),
            "shuffle_questions": True,
            "shuffle_choices": True,
            "layout": Layout.ONE_PER_PAGE,
            "pass_mark": 80,
            "time_limit_minutes": 30,
            "max_attempts": 3,
            "grading_method": GradingMethod.HIGHEST,
            "review": ReviewPolicy.IMMEDIATELY,
            "certificate_on_pass": True,
            "certificate_validity_months": 24,
            "order": 100,
        },
        fill=fill,
    )
    if problems:
        skipped.append(
            _("Final exam not created: %(problems)s") % {"problems": " ".join(problems)}
        )
        return 0
    return 1

import io
from datetime import timedelta

import pytest

from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import Cohort, User
from questions.models import Category, Choice, Question, QuestionStatus, Rule
from questions.services import question_bank_load
from quiz.models import Quiz, QuizDraw, QuizQuestion
from quiz.selection import selection_problems
from tests.factories import CategoryFactory, QuestionFactory, published_question

pytestmark = pytest.mark.django_db


def counts():
    return {
        "users": User.objects.count(),
        "cohorts": Cohort.objects.count(),
        "questions": Question.objects.count(),
        "choices": Choice.objects.count(),
        "categories": Category.objects.count(),
        "quizzes": Quiz.objects.count(),
        "quiz_questions": QuizQuestion.objects.count(),
        "draws": QuizDraw.objects.count(),
    }


def test_seed_demo_twice_gives_the_same_counts(settings):
    settings.DEBUG = True
    call_command("seed_demo", "--password", "pw-one-123", verbosity=0)
    first = counts()
    call_command("seed_demo", "--password", "pw-one-123", verbosity=0)

    assert counts() == first
    assert first["users"] == 3 and first["cohorts"] == 1


def test_seed_demo_creates_the_three_users_in_one_cohort(settings):
    settings.DEBUG = True
    call_command("seed_demo", "--password", "s3cret-demo", verbosity=0)

    trainee = User.objects.get(username="trainee")
    supervisor = User.objects.get(username="supervisor")
    instructor = User.objects.get(username="instructor")
    cohort = Cohort.objects.get()
    assert trainee.check_password("s3cret-demo")
    assert list(cohort.trainees.all()) == [trainee]
    assert list(cohort.supervisors.all()) == [supervisor]
    assert instructor.is_staff and instructor.groups.filter(name="Instructor").exists()


def test_seed_demo_builds_module_quizzes_and_a_certifying_final_exam(settings):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)

    modules = Quiz.objects.filter(slug__startswith="module-")
    final = Quiz.objects.get(slug="final-exam")
    assert modules.count() == Quiz.objects.count() - 1
    assert all(q.published and q.quiz_questions.exists() for q in modules)
    assert final.published and final.certificate_on_pass
    assert sum(d.count for d in final.draws.all()) == 20
    critical = set(Rule.objects.critical().values_list("code", flat=True))
    assert {d.rule.code for d in final.draws.filter(rule__isnull=False)} == critical
    assert selection_problems(final) == []


def test_final_exam_attempt_always_includes_every_critical_rule(settings):
    from quiz.attempts.services import attempt_start

    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    final = Quiz.objects.get(slug="final-exam")
    trainee = User.objects.get(username="trainee")

    attempt = attempt_start(quiz=final, user=trainee)

    tested = {r["code"] for item in attempt.items.all() for r in item.snapshot["rules"]}
    assert attempt.items.count() == 20
    assert set(Rule.objects.critical().values_list("code", flat=True)) <= tested


def test_seed_demo_refuses_with_debug_off_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo", verbosity=0)
    assert not User.objects.exists()

    call_command("seed_demo", "--force", verbosity=0)
    assert User.objects.filter(username="trainee").exists()


# --- whatever instructors added or changed ---------------------------------------------


def seed(**kwargs) -> str:
    """Run seed_demo as make run does; its output."""
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **kwargs)
    return out.getvalue()


@pytest.fixture
def seeded(settings):
    settings.DEBUG = True
    seed()


def test_seed_demo_skips_and_reports_a_category_with_no_question(seeded):
    CategoryFactory(name="Aftercare", slug="aftercare")
    before = counts()

    out = seed()

    assert counts() == before
    assert not Quiz.objects.filter(slug="module-aftercare").exists()
    assert "Aftercare" in out and "no published question" in out


def test_seed_demo_skips_a_category_with_only_draft_questions(seeded):
    drafts = CategoryFactory(name="Drafts only", slug="drafts-only")
    QuestionFactory(category=drafts)  # a draft

    out = seed()

    assert not Quiz.objects.filter(slug="module-drafts-only").exists()
    assert "Drafts only" in out


def test_seed_demo_builds_the_module_once_the_category_has_a_published_question(
    seeded,
):
    later = CategoryFactory(name="Later", slug="later")
    seed()
    question = published_question(category=later)

    seed()

    module = Quiz.objects.get(slug="module-later")
    assert module.published
    assert [q.question for q in module.quiz_questions.all()] == [question]


def test_seed_demo_never_overwrites_an_instructors_edit_of_a_quiz(seeded):
    module = Quiz.objects.filter(slug__startswith="module-").first()
    Quiz.objects.filter(pk=module.pk).update(title="Renamed module", pass_mark=60)
    fixed = list(module.quiz_questions.values_list("question_id", flat=True))
    before = counts()

    seed()

    module.refresh_from_db()
    assert (module.title, module.pass_mark) == ("Renamed module", 60)
    assert list(module.quiz_questions.values_list("question_id", flat=True)) == fixed
    assert counts() == before


def test_seed_demo_leaves_unpublished_and_closed_quizzes_as_they_are(seeded):
    module = Quiz.objects.filter(slug__startswith="module-").first()
    Quiz.objects.filter(pk=module.pk).update(published=False)
    closed_at = timezone.now() - timedelta(days=1)
    Quiz.objects.filter(slug="final-exam").update(closes_at=closed_at)
    draws = list(QuizDraw.objects.values_list("pk", "count"))

    seed()

    module.refresh_from_db()
    final = Quiz.objects.get(slug="final-exam")
    assert module.published is False
    assert final.closes_at == closed_at
    assert list(QuizDraw.objects.values_list("pk", "count")) == draws


def test_seed_demo_skips_a_final_exam_it_cannot_assemble_and_builds_the_rest(
    settings,
):
    settings.DEBUG = True
    question_bank_load()
    rule = Rule.objects.critical().first()
    # An instructor retired every question on one safety rule before the first seed.
    Question.objects.filter(rules=rule).update(status=QuestionStatus.DRAFT)

    out = seed()

    assert not Quiz.objects.filter(slug="final-exam").exists()
    assert "Final exam" in out and "not created" in out
    assert Quiz.objects.filter(slug__startswith="module-", published=True).exists()
    assert User.objects.filter(username="trainee").exists()

    Question.objects.filter(rules=rule).update(status=QuestionStatus.PUBLISHED)
    seed()
    assert Quiz.objects.get(slug="final-exam").published


def test_seed_demo_survives_an_instructor_changing_a_seed_categorys_slug(seeded):
    category = Category.objects.order_by("pk").first()
    Category.objects.filter(pk=category.pk).update(slug="renamed-by-instructor")
    before = counts()

    seed()

    assert counts() == before
    assert not Category.objects.filter(slug=category.slug).exists()

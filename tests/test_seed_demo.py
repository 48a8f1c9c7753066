import pytest

from django.core.management import CommandError, call_command

from accounts.models import Cohort, User
from questions.models import Choice, Question, Rule
from quiz.models import Quiz, QuizDraw, QuizQuestion
from quiz.selection import selection_problems

pytestmark = pytest.mark.django_db


def counts():
    return {
        "users": User.objects.count(),
        "cohorts": Cohort.objects.count(),
        "questions": Question.objects.count(),
        "choices": Choice.objects.count(),
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

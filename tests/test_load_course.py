"""load_course: the standard course on a production database, no demo accounts."""

import io

import pytest

from django.core.management import call_command

from accounts.models import Cohort, User
from questions.models import Question
from quiz.models import Quiz, QuizDraw, QuizQuestion
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db


def counts():
    return {
        "questions": Question.objects.count(),
        "quizzes": Quiz.objects.count(),
        "quiz_questions": QuizQuestion.objects.count(),
        "draws": QuizDraw.objects.count(),
    }


def load_course() -> str:
    out = io.StringIO()
    call_command("load_course", stdout=out)
    return out.getvalue()


@pytest.fixture
def production(settings):
    settings.DEBUG = False


def test_load_course_builds_the_modules_and_the_final_exam_with_debug_off(production):
    out = load_course()

    final = Quiz.objects.get(slug="final-exam")
    modules = Quiz.objects.filter(slug__startswith="module-")
    assert final.published and final.certificate_on_pass
    assert sum(draw.count for draw in final.draws.all()) == 20
    assert modules.exists() and all(q.published for q in modules)
    assert Question.objects.published().count() >= 60
    assert f"{Quiz.objects.count()} quizzes" in out


def test_load_course_creates_no_user_and_no_cohort(production):
    load_course()

    assert not User.objects.exists()
    assert not Cohort.objects.exists()


def test_load_course_twice_creates_nothing_new(production):
    load_course()
    first = counts()

    out = load_course()

    assert counts() == first
    assert "0 questions and 0 quizzes created" in out


def test_load_course_reports_what_it_skips(production):
    CategoryFactory(name="Aftercare", slug="aftercare")

    out = load_course()

    assert "Skipped:" in out and "Aftercare" in out
    assert Quiz.objects.filter(slug="final-exam").exists()


def test_seed_demo_after_load_course_adds_only_the_demo_accounts(settings):
    load_course()
    before = counts()
    settings.DEBUG = True

    call_command("seed_demo", verbosity=0, stdout=io.StringIO())

    assert counts() == before
    assert User.objects.count() == 3 and Cohort.objects.count() == 1

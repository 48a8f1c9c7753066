"""Publishing goes through services the admin calls; the question bank asks the
quiz app through an explicit, configured call, not a signal or hidden flags."""

import subprocess
import sys
from pathlib import Path

import pytest

from django.test import override_settings
from django.urls import reverse

from questions.models import Question, QuestionStatus
from questions.services import bank_guards, question_unpublish
from quiz.models import Quiz
from tests.factories import (
    CategoryFactory,
    QuizFactory,
    RuleFactory,
    published_question,
)

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def test_the_bank_guard_is_the_quiz_service_named_in_settings():
    from quiz.services import published_quiz_problems

    assert bank_guards() == [published_quiz_problems]


def test_without_a_guard_the_bank_does_not_ask_the_quiz_app():
    question = published_question()
    QuizFactory(questions=[question])

    with override_settings(QUESTION_BANK_GUARDS=[]):
        retired = question_unpublish(question=question)

    assert retired.status == QuestionStatus.DRAFT


def test_admin_publishes_a_new_question_with_its_choices_in_one_save(admin_client):
    category, rule = CategoryFactory(), RuleFactory()
    data = {
        "title": "Twisting",
        "idnumber": "",
        "qtype": "single",
        "category": category.pk,
        "stem": "May the therapist twist the neck?",
        "explanation": "Twisting is forbidden.",
        "status": QuestionStatus.PUBLISHED,
        "rules_tested": [rule.pk],
        "choices-TOTAL_FORMS": "2",
        "choices-INITIAL_FORMS": "0",
        "choices-MIN_NUM_FORMS": "0",
        "choices-MAX_NUM_FORMS": "1000",
        "choices-0-order": "1",
        "choices-0-text": "No",
        "choices-0-correct": "on",
        "choices-1-order": "2",
        "choices-1-text": "Yes",
    }

    response = admin_client.post(reverse("admin:questions_question_add"), data)

    assert response.status_code == 302
    question = Question.objects.get(title="Twisting")
    assert question.status == QuestionStatus.PUBLISHED
    assert question.published_at is not None


def test_admin_refuses_to_publish_a_question_whose_posted_rules_are_missing(
    admin_client,
):
    category = CategoryFactory()
    data = {
        "title": "No rule",
        "idnumber": "",
        "qtype": "true_false",
        "category": category.pk,
        "stem": "Self-massage at home is safe.",
        "explanation": "",
        "status": QuestionStatus.PUBLISHED,
        "rules_tested": ["999999"],  # no such rule: the form's error, not counted
        "choices-TOTAL_FORMS": "2",
        "choices-INITIAL_FORMS": "0",
        "choices-MIN_NUM_FORMS": "0",
        "choices-MAX_NUM_FORMS": "1000",
        "choices-0-order": "1",
        "choices-0-text": "True",
        "choices-1-order": "2",
        "choices-1-text": "False",
        "choices-1-correct": "on",
    }

    response = admin_client.post(reverse("admin:questions_question_add"), data)

    assert response.status_code == 200
    assert not Question.objects.filter(title="No rule").exists()


def test_admin_publishes_a_quiz_with_its_draw_in_one_save(admin_client):
    category = CategoryFactory()
    published_question(category=category)
    quiz = QuizFactory(questions=[], published=False, title="Drawn")
    data = {
        "title": quiz.title,
        "slug": quiz.slug,
        "description": "",
        "published": "on",
        "order": "0",
        "layout": quiz.layout,
        "shuffle_choices": "on",
        "pass_mark": "80",
        "grading_method": "highest",
        "review": "immediately",
        "quiz_questions-TOTAL_FORMS": "0",
        "quiz_questions-INITIAL_FORMS": "0",
        "draws-TOTAL_FORMS": "1",
        "draws-INITIAL_FORMS": "0",
        # The cohorts the quiz is assigned to (quiz/programme): none.
        "assignments-TOTAL_FORMS": "0",
        "assignments-INITIAL_FORMS": "0",
        "draws-0-order": "0",
        "draws-0-count": "1",
        "draws-0-category": str(category.pk),
    }

    response = admin_client.post(
        reverse("admin:quiz_quiz_change", args=[quiz.pk]), data
    )

    assert response.status_code == 302, response.content[:2000]
    assert Quiz.objects.get(pk=quiz.pk).published is True


def test_question_admin_survives_installed_apps_in_another_order():
    """quiz/admin.py used to unregister and re-register the question admin; with
    quiz listed before questions that broke start-up."""
    script = (
        "import django, os\n"
        "os.environ['DJANGO_SETTINGS_MODULE'] = 'config.test_settings'\n"
        "from django.conf import settings\n"
        "apps = list(settings.INSTALLED_APPS)\n"
        "for name in ('quiz', 'questions', 'accounts'): apps.remove(name)\n"
        "settings.INSTALLED_APPS = ['quiz', 'questions', 'accounts', *apps]\n"
        "django.setup()\n"
        "from django.contrib import admin\n"
        "from questions.models import Question\n"
        "model_admin = admin.site._registry[Question]\n"
        "assert type(model_admin).__module__ == 'questions.admin', type(model_admin)\n"
        "assert 'discrimination' in model_admin.list_display\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "ok"

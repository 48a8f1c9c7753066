"""The seed bank, checked against the data loaded from it (not restated)."""

import json
from collections import Counter, defaultdict

import pytest

from django.core.management import call_command

from questions.models import (
    Category,
    Choice,
    Question,
    QuestionRule,
    QuestionStatus,
    Rule,
)
from questions.services import SEED_BANK_PATH, question_bank_load

pytestmark = pytest.mark.django_db

SOURCE = (SEED_BANK_PATH.parent / "source.txt").read_text(encoding="utf-8")
REQUIRED_CRITICAL = {
    "R-NO-TWIST",
    "R-SMOOTH",
    "R-NO-NECK-LARGE-OR-SEVERE-PAIN",
    "R-EARLY-STAGE-ONLY",
    "R-NO-HOME-MASSAGE",
    "R-SPECIALIST-FIRST",
}


@pytest.fixture
def bank(db):
    question_bank_load()


def test_at_least_60_published_questions_of_all_three_types(bank):
    published = Question.objects.published()
    by_type = Counter(published.values_list("qtype", flat=True))

    assert published.count() >= 60
    assert set(by_type) == {"single", "multiple", "true_false"}
    assert min(by_type.values()) >= 10


def test_every_published_question_is_well_formed(bank):
    for question in Question.objects.published():
        assert question.publication_problems() == [], question.idnumber


def test_every_rule_quotes_the_source_text(bank):
    for rule in Rule.objects.all():
        assert rule.passage.strip(), rule.code
        assert rule.passage in SOURCE, f"{rule.code}: passage not found in the source"


def test_the_safety_rules_are_flagged_critical(bank):
    critical = set(Rule.objects.critical().values_list("code", flat=True))

    assert critical >= REQUIRED_CRITICAL


def test_every_rule_is_covered_by_a_published_question(bank):
    covered = set(
        QuestionRule.objects.filter(
            question__status=QuestionStatus.PUBLISHED
        ).values_list("rule__code", flat=True)
    )

    assert covered == set(Rule.objects.values_list("code", flat=True))


def test_every_critical_rule_has_three_questions_of_two_types(bank):
    types = defaultdict(list)
    for code, qtype in QuestionRule.objects.filter(
        rule__critical=True, question__status=QuestionStatus.PUBLISHED
    ).values_list("rule__code", "question__qtype"):
        types[code].append(qtype)

    for code in Rule.objects.critical().values_list("code", flat=True):
        assert len(types[code]) >= 3, code
        assert len(set(types[code])) >= 2, code


def test_every_category_has_questions(bank):
    assert Category.objects.count() >= 4
    for category in Category.objects.all():
        assert category.questions.exists(), category.slug


def test_every_choice_has_feedback_and_every_question_an_explanation(bank):
    assert not Choice.objects.filter(feedback="").exists()
    assert not Question.objects.filter(explanation="").exists()


def test_at_least_a_third_are_clinical_scenarios():
    data = json.loads(SEED_BANK_PATH.read_text(encoding="utf-8"))
    scenarios = [q for q in data["questions"] if q.get("scenario")]

    assert len(scenarios) * 3 >= len(data["questions"])
    # A scenario puts a person in a situation: the stem is more than a one-liner.
    assert all(len(q["stem"]) > 80 for q in scenarios)


def test_loading_twice_changes_nothing(bank):
    def snapshot():
        return (
            list(Category.objects.values_list("slug", "name").order_by("slug")),
            list(
                Rule.objects.values_list("code", "wording", "critical").order_by("code")
            ),
            list(
                Question.objects.values_list("idnumber", "stem", "status").order_by(
                    "idnumber"
                )
            ),
            Choice.objects.count(),
            QuestionRule.objects.count(),
        )

    before = snapshot()
    report = question_bank_load()
    call_command("load_question_bank", verbosity=0)

    assert snapshot() == before
    assert report.questions_created == 0 and report.rules_created == 0


def test_reloading_keeps_an_instructors_edit(bank):
    question = Question.objects.get(idnumber="SEED-001")
    question.stem = "Edited by an instructor"
    question.save()

    question_bank_load()

    assert Question.objects.get(idnumber="SEED-001").stem == "Edited by an instructor"

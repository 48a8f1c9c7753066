"""A revised seed bank loaded over the version a site already has: the questions
it replaced are retired (kept, unpublished) and their successors take their place
in the quizzes; past attempts keep what they asked; loading again changes nothing;
an instructor's edit or decision is never undone."""

import json
from pathlib import Path

import pytest

from django.core.management import call_command

from questions.models import (
    BankVersion,
    Choice,
    Question,
    QuestionRule,
    QuestionStatus,
    Rule,
)
from questions.services import (
    SEED_BANK_PATH,
    question_bank_load,
    question_publish,
    stored_fingerprint,
)
from quiz.models import Attempt, AttemptQuestion, Quiz, QuizDraw, QuizQuestion
from quiz.selection import selection_problems
from quiz.services import quiz_questions_succeed
from tests.factories import QuizFactory, TraineeFactory, published_question, take

pytestmark = pytest.mark.django_db

# The bank as version 1 shipped it (71 questions), kept to load a site's past.
PREVIOUS = Path(__file__).resolve().parent / "data" / "seed_bank_v1.json"
CURRENT = json.loads(SEED_BANK_PATH.read_text(encoding="utf-8"))
RETIRED = {item["idnumber"]: item for item in CURRENT["retired"]}


def by_id(idnumber: str) -> Question:
    return Question.objects.get(idnumber=idnumber)


def bank_state():
    """Everything a load could change, in a comparable form."""
    return (
        list(Question.objects.values_list("idnumber", "status", "stem", "explanation")),
        list(Choice.objects.values_list("question__idnumber", "text", "correct")),
        list(QuestionRule.objects.values_list("question__idnumber", "rule__code")),
        list(Rule.objects.values_list("code", "wording", "critical")),
        list(QuizQuestion.objects.values_list("quiz__slug", "question_id", "order")),
        list(BankVersion.objects.values_list("version", flat=True)),
    )


@pytest.fixture
def site_on_version_1(db):
    """A site that loaded version 1, with a fixed-list module quiz holding a
    question version 2 replaces, a draw-based exam over a rule it touches, and a
    trainee's finished attempt at the module."""
    report = question_bank_load(path=PREVIOUS)
    assert report.version == 1 and report.questions_created == 71
    old = by_id("SEED-022")
    module = QuizFactory(
        slug="module-referral", questions=[by_id("SEED-019"), old, by_id("SEED-020")]
    )
    exam = QuizFactory(slug="exam", questions=[])
    # Exactly as many as version 1 has: a draw left one short would be refused.
    rule = Rule.objects.get(code="R-NO-NECK-LARGE-OR-SEVERE-PAIN")
    QuizDraw.objects.create(quiz=exam, rule=rule, count=rule.questions.count())
    attempt = take(module, TraineeFactory(), right=False)
    return {"module": module, "exam": exam, "attempt": attempt, "old": old}


def test_the_revision_retires_and_replaces_without_touching_the_past_attempt(
    site_on_version_1,
):
    attempt = site_on_version_1["attempt"]
    old = site_on_version_1["old"]
    items_before = list(
        AttemptQuestion.objects.filter(attempt=attempt).values_list(
            "question_id", "snapshot", "mark"
        )
    )
    old_before = (
        old.stem,
        old.explanation,
        list(old.choices.values("text", "correct")),
    )

    report = question_bank_load()

    successor = by_id(RETIRED["SEED-022"]["replaced_by"])
    old.refresh_from_db()
    # Retired, not deleted, and not edited: what the trainee was asked still exists.
    assert old.status == QuestionStatus.DRAFT
    assert (
        old.stem,
        old.explanation,
        list(old.choices.values("text", "correct")),
    ) == old_before
    assert successor.status == QuestionStatus.PUBLISHED
    # The past attempt is exactly as it was.
    stored = Attempt.objects.get(pk=attempt.pk)
    assert (stored.score, stored.passed) == (attempt.score, attempt.passed)
    assert (
        list(
            AttemptQuestion.objects.filter(attempt=attempt).values_list(
                "question_id", "snapshot", "mark"
            )
        )
        == items_before
    )
    # The successor stands where the old question stood; both quizzes assemble.
    module, exam = site_on_version_1["module"], site_on_version_1["exam"]
    assert list(module.quiz_questions.values_list("question__idnumber", flat=True)) == [
        "SEED-019",
        successor.idnumber,
        "SEED-020",
    ]
    assert selection_problems(module) == [] and selection_problems(exam) == []
    # Every question version 2 replaced was retired: the recorded fingerprints
    # are those of version 1's questions as shipped.
    assert sorted(report.retired) == sorted(
        (item["idnumber"], item["replaced_by"]) for item in CURRENT["retired"]
    )
    assert report.kept == []
    assert set(
        Question.objects.filter(idnumber__in=RETIRED).values_list("status", flat=True)
    ) == {QuestionStatus.DRAFT}
    assert report.quizzes_changed == [module.title]
    assert (report.version_before, report.version) == (1, CURRENT["version"])
    assert list(BankVersion.objects.values_list("version", flat=True)) == [
        1,
        CURRENT["version"],
    ]


def test_loading_the_revision_twice_changes_nothing(site_on_version_1):
    question_bank_load()
    before = bank_state()

    report = question_bank_load()
    call_command("load_question_bank", verbosity=0)

    assert bank_state() == before
    assert (report.questions_created, report.retired, report.kept) == (0, [], [])


def test_an_instructors_edit_of_a_replaced_question_is_kept_and_named(
    site_on_version_1,
):
    edited = by_id("SEED-003")
    edited.stem = "Reworded by an instructor."
    edited.save()

    report = question_bank_load()

    edited.refresh_from_db()
    assert edited.status == QuestionStatus.PUBLISHED
    assert edited.stem == "Reworded by an instructor."
    assert by_id(RETIRED["SEED-003"]["replaced_by"]).is_published
    assert [line for line in report.kept if "SEED-003" in line] == report.kept
    assert len(report.kept) == 1 and "edited on this site" in report.kept[0]


def test_a_retired_question_republished_by_an_instructor_stays_published(
    site_on_version_1,
):
    question_bank_load()
    question_publish(question=by_id("SEED-022"))

    question_bank_load()

    assert by_id("SEED-022").is_published


def refuse_retiring_seed_061(*, question_ids, category_ids, rule_ids):
    """A quiz guard for the test: something needs SEED-061 published."""
    if Question.objects.filter(
        idnumber="SEED-061", status=QuestionStatus.DRAFT
    ).exists():
        return [(("test",), 1, "A quiz of this site still needs it.")]
    return []


def test_a_retirement_a_quiz_guard_refuses_is_left_and_reported(
    site_on_version_1, settings
):
    settings.QUESTION_BANK_GUARDS = [
        *settings.QUESTION_BANK_GUARDS,
        "tests.test_bank_revision.refuse_retiring_seed_061",
    ]

    report = question_bank_load()

    assert by_id("SEED-061").is_published
    assert by_id(RETIRED["SEED-061"]["replaced_by"]).is_published
    assert report.kept == [
        "SEED-061 left published: A quiz of this site still needs it."
    ]
    assert len(report.retired) == len(RETIRED) - 1


def test_a_fresh_site_never_sees_the_retired_questions():
    report = question_bank_load()

    assert not Question.objects.filter(idnumber__in=RETIRED).exists()
    assert report.retired == [] and report.version_before == 0
    assert list(BankVersion.objects.values_list("version", flat=True)) == [
        CURRENT["version"]
    ]


def test_the_fingerprint_of_a_loaded_question_is_the_one_the_file_records(
    site_on_version_1,
):
    for idnumber, item in RETIRED.items():
        assert stored_fingerprint(by_id(idnumber)) == item["fingerprint"], idnumber


def test_a_successor_takes_the_old_questions_place_or_the_old_entry_goes():
    old, new, other = (published_question() for _ in range(3))
    keeps_order = QuizFactory(questions=[other, old])
    has_both = QuizFactory(questions=[old, new])

    changed = quiz_questions_succeed(old_id=old.pk, new_id=new.pk)

    assert sorted(changed) == sorted([keeps_order.title, has_both.title])
    assert list(keeps_order.quiz_questions.values_list("question", "order")) == [
        (other.pk, 0),
        (new.pk, 1),
    ]
    assert list(has_both.quiz_questions.values_list("question", flat=True)) == [new.pk]
    assert not Quiz.objects.filter(quiz_questions__question=old).exists()


def test_a_site_with_the_standard_course_upgrades_and_every_quiz_still_assembles(
    monkeypatch, settings
):
    import io

    from quiz import course
    from quiz.attempts.services import attempt_start

    settings.DEBUG = False
    with monkeypatch.context() as patched:  # the course as version 1 built it
        patched.setattr(
            course, "question_bank_load", lambda: question_bank_load(path=PREVIOUS)
        )
        course.course_load()
    sizes = {q.slug: q.quiz_questions.count() for q in Quiz.objects.all()}
    final = Quiz.objects.get(slug=course.FINAL_EXAM_SLUG)

    out = io.StringIO()
    call_command("load_course", stdout=out)

    text = out.getvalue()
    for idnumber, item in RETIRED.items():
        assert f"Retired {idnumber}: replaced by {item['replaced_by']}." in text
    assert "Successor put in the fixed list of “Module 2" in text
    # The rule version 2 added is not in the exam version 1 built: said, not done.
    added = {r["code"] for r in CURRENT["rules"]} - {
        r["code"] for r in json.loads(PREVIOUS.read_text(encoding="utf-8"))["rules"]
    }
    assert added and all(code in text for code in added)
    assert "add a draw" in text
    # No quiz lost or gained a question; every one still assembles.
    assert {q.slug: q.quiz_questions.count() for q in Quiz.objects.all()} == sizes
    for quiz in Quiz.objects.published():
        assert selection_problems(quiz) == [], quiz.slug
        assert not quiz.quiz_questions.filter(
            question__status=QuestionStatus.DRAFT
        ).exists()
    attempt = attempt_start(quiz=final, user=TraineeFactory())
    assert attempt.items.count() == sum(d.count for d in final.draws.all()) == 20


def test_a_fresh_course_needs_no_note(settings):
    from quiz.course import course_load

    report = course_load()

    assert report.notes == []

"""The seed bank, checked against the data loaded from it (not restated)."""

import json
from collections import Counter, defaultdict
from pathlib import Path

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


# --- the bank deep enough to practise on (issue 15), checked against the data ---

DATA = json.loads(SEED_BANK_PATH.read_text(encoding="utf-8"))
QUESTIONS = {q["idnumber"]: q for q in DATA["questions"]}
RULES = {r["code"]: r for r in DATA["rules"]}
RETIRED = {item["idnumber"]: item for item in DATA["retired"]}
PREVIOUS = json.loads(
    (Path(__file__).resolve().parent / "data" / "seed_bank_v1.json").read_text(
        encoding="utf-8"
    )
)
PREVIOUS_QUESTIONS = {q["idnumber"]: q for q in PREVIOUS["questions"]}
# What this version wrote: the successors of the questions it retired, and the
# questions it added. They are held to the strict examiner's checks below.
REVISED = [q for q in DATA["questions"] if q["since"] == DATA["version"]]
# The questions the blind review of version 1 faulted (issue 15).
FAULTED = [
    "SEED-003", "SEED-010", "SEED-022", "SEED-025", "SEED-029", "SEED-045",
    "SEED-054", "SEED-058", "SEED-060", "SEED-061", "SEED-062", "SEED-064",
    "SEED-066", "SEED-067", "SEED-068", "SEED-070", "SEED-071",
]  # fmt: skip


def successor(idnumber: str) -> dict:
    return QUESTIONS[RETIRED[idnumber]["replaced_by"]]


def keys(question: dict) -> list[str]:
    return [c["text"] for c in question["choices"] if c["correct"]]


def distractors(question: dict) -> list[str]:
    return [c["text"] for c in question["choices"] if not c["correct"]]


def test_every_rule_has_at_least_three_published_questions(bank):
    counts = Counter(
        QuestionRule.objects.filter(
            question__status=QuestionStatus.PUBLISHED
        ).values_list("rule__code", flat=True)
    )

    for code in Rule.objects.values_list("code", flat=True):
        assert counts[code] >= 3, code


def test_true_false_is_at_most_a_quarter_of_the_bank(bank):
    published = Question.objects.published()
    true_false = published.filter(qtype="true_false").count()

    assert true_false * 4 <= published.count()


def test_every_question_cites_passages_of_the_text_as_received():
    for question in DATA["questions"]:
        assert question["passages"], question["idnumber"]
        for passage in question["passages"]:
            assert passage in SOURCE, f"{question['idnumber']}: {passage[:40]}"


def test_no_single_answer_key_is_visibly_the_longest_option():
    # A key a tenth longer than every distractor gives itself away.
    for question in DATA["questions"]:
        if question["type"] == "single":
            longest = max(len(text) for text in distractors(question))
            assert len(keys(question)[0]) <= longest * 1.1, question["idnumber"]


@pytest.mark.parametrize("question", REVISED, ids=[q["idnumber"] for q in REVISED])
def test_a_revised_question_meets_the_examiners_checks(question):
    texts = [c["text"] for c in question["choices"]]
    assert all(c["feedback"].strip() for c in question["choices"])
    # The explanation says why, rule by rule.
    for code in question["rules"]:
        assert code in question["explanation"], code
    if question["type"] == "true_false":
        return
    # No key is the longest option, and the options are of a similar length.
    assert max(map(len, keys(question))) <= max(map(len, distractors(question)))
    if question["type"] == "single":
        assert min(map(len, texts)) >= 0.6 * max(map(len, texts))
    # A doubtful claim of the text is the text's, not the examiner's.
    if any(RULES[code].get("claim") for code in question["rules"]):
        assert "according to the course text" in question["explanation"].lower()


def test_a_kept_question_on_the_texts_claims_attributes_them_to_the_text():
    for question in DATA["questions"]:
        if all(RULES[code].get("claim") for code in question["rules"]):
            said = (question["stem"] + question["explanation"]).lower()
            assert "course text" in said, question["idnumber"]


def test_every_faulted_question_is_retired_with_a_successor():
    for idnumber in FAULTED:
        assert idnumber not in QUESTIONS, idnumber
        item = RETIRED[idnumber]
        new = successor(idnumber)
        assert new["since"] == item["since"] == DATA["version"]
        assert item["why"].strip() and len(item["fingerprint"]) == 64
    for idnumber, item in RETIRED.items():
        old, new = PREVIOUS_QUESTIONS[idnumber], QUESTIONS[item["replaced_by"]]
        assert new["category"] == old["category"], idnumber


def test_severe_pain_mid_session_ends_the_session_and_the_specialist_is_contacted():
    (key,) = keys(successor("SEED-022"))
    assert "end the session" in key.lower() and "specialist" in key
    # Stopping only the neck work, the old key, is now a distractor.
    assert any("neck" in text for text in distractors(successor("SEED-022")))


def test_the_therapist_refers_and_the_specialist_diagnoses():
    (old_key,) = keys(PREVIOUS_QUESTIONS["SEED-054"])
    (key,) = keys(successor("SEED-054"))
    condition = "osteochondrosis"
    assert condition in old_key and condition not in key
    assert "specialist" in key


def test_the_texts_unproven_claims_are_reported_never_promised():
    ten = successor("SEED-062")
    (key,) = keys(ten)
    assert "promise" in key and "rules" in key
    prevention = successor("SEED-061")
    assert "claim" in keys(prevention)[0]
    benefits = successor("SEED-058")
    assert "claim" in benefits["stem"]
    # The lactic-acid claim is no longer keyed as a fact.
    assert not any("lactic" in text.lower() for text in keys(benefits))


def test_a_distractor_no_longer_rejects_the_premise():
    question = successor("SEED-045")
    assert not any("acceptable" in text for text in distractors(question))
    old = PREVIOUS_QUESTIONS["SEED-045"]
    assert any("acceptable" in text for text in distractors(old))


def test_the_wrongly_tagged_question_tests_the_rule_its_passage_states():
    old, new = PREVIOUS_QUESTIONS["SEED-025"], successor("SEED-025")
    assert set(new["rules"]) != set(old["rules"])
    for code in new["rules"]:
        assert RULES[code]["passage"] in new["passages"]


def test_questions_on_a_lost_heading_name_the_technique():
    from questions.source import LOST_HEADINGS, course_text, passage_in_context

    lost = {heading for _start, heading in LOST_HEADINGS}
    technique = {
        code: passage_in_context(course_text(), rule["passage"]).heading
        for code, rule in RULES.items()
    }
    named = 0
    for question in REVISED:
        for code in question["rules"]:
            if technique[code] in lost:
                word = technique[code].split()[0].lower()
                said = question["stem"] + " ".join(keys(question))
                assert word in said.lower(), question["idnumber"]
                named += 1
    assert named >= 3  # the successors of SEED-066, 070 and 071 among them
    for idnumber in ("SEED-066", "SEED-070", "SEED-071"):
        stem = successor(idnumber)["stem"].lower()
        assert "shiatsu" in stem or "hydromassage" in stem

"""Item statistics with Moodle's definitions: a worked example computed by hand, the
database path against the row-by-row one on random data, and Moodle's own unit-test
data (mod/quiz/report/statistics/tests/fixtures, quiz 00) loaded through our
services and read from the page."""

import math
import random
import statistics as pystats

import pytest

from django.urls import reverse

from quiz.reports.statistics import (
    Flag,
    ItemRow,
    analysis_from_groups,
    discrimination_from_sums,
    item_analysis,
    quiz_stats,
    random_guess_score,
)

# --- the worked example ------------------------------------------------------------
#
# Four attempts at a three-slot quiz (slot = question 101, 102, 103):
#   A: 1 1 1  total T = 3
#   B: 1 1 0  T = 2
#   C: 0 1 0  T = 1
#   D: 0 0 0  T = 0
# T̄ = 1.5, deviations of T: +1.5, +0.5, -0.5, -1.5.
MARKS = {"A": (1, 1, 1), "B": (1, 1, 0), "C": (0, 1, 0), "D": (0, 0, 0)}
IDS = {"A": 1, "B": 2, "C": 3, "D": 4}


def worked_rows() -> list[ItemRow]:
    return [
        ItemRow(IDS[a], slot, 100 + slot, float(mark))
        for a, marks in MARKS.items()
        for slot, mark in enumerate(marks, start=1)
    ]


@pytest.fixture
def worked():
    scores = {IDS[a]: 100 * sum(m) / 3 for a, m in MARKS.items()}
    analysis = item_analysis(worked_rows(), scores)
    return {s.slot: s for s in analysis.slots}, analysis.quiz


def test_slot_1_worked_by_hand(worked):
    s1 = worked[0][1]
    # x = [1,1,0,0]: mean 0.5 -> facility 50%
    # var x = 4 * 0.25 / 3 = 1/3 -> sd = sqrt(1/3) = 57.74%
    # rest y = T - x = [2,1,1,0]: mean 1, var y = (1 + 0 + 0 + 1) / 3 = 2/3
    # cov(x, y) = (0.5*1 + 0.5*0 - 0.5*0 - 0.5*-1) / 3 = 1/3
    # discrimination = 100 * (1/3) / sqrt(1/3 * 2/3) = 100 / sqrt(2) = 70.71%
    # sorted x [0,0,1,1] and y [0,1,1,2]: covmax = (0.5 + 0 + 0 + 0.5) / 3 = 1/3
    # efficiency = 100 * (1/3) / (1/3) = 100%
    # cov(x, T) = (0.5*1.5 + 0.5*0.5 - 0.5*-0.5 - 0.5*-1.5) / 3 = 2/3
    assert s1.attempts == 4 and s1.question_id == 101
    assert s1.facility == pytest.approx(50)
    assert s1.sd == pytest.approx(100 * math.sqrt(1 / 3))
    assert s1.discrimination == pytest.approx(100 / math.sqrt(2))
    assert s1.efficiency == pytest.approx(100)
    assert s1.covariance_with_total == pytest.approx(2 / 3)


def test_slots_2_and_3_worked_by_hand(worked):
    s2, s3 = worked[0][2], worked[0][3]
    # Slot 2: x = [1,1,1,0], mean 0.75, var x = (3 * 0.0625 + 0.5625) / 3 = 0.25
    # (sd 50%); y = [2,1,0,0], mean 0.75,
    # var y = (1.5625 + 0.0625 + 0.5625 + 0.5625) / 3 = 2.75/3
    # cov = (0.25*1.25 + 0.25*0.25 + 0.25*-0.75 - 0.75*-0.75) / 3 = 0.75/3 = 0.25
    # discrimination = 100 * 0.25 / sqrt(0.25 * 2.75/3) = 52.22%
    # sorted: x dev [-.75,.25,.25,.25], y dev [-.75,-.75,.25,1.25]:
    # covmax = (.5625 - .1875 + .0625 + .3125) / 3 = 0.25 -> efficiency 100%
    # cov(x, T) = (.25*1.5 + .25*.5 + .25*-.5 - .75*-1.5) / 3 = 1.5/3 = 0.5
    assert s2.facility == pytest.approx(75)
    assert s2.sd == pytest.approx(50)
    assert s2.discrimination == pytest.approx(100 * 0.25 / math.sqrt(0.25 * 2.75 / 3))
    assert round(s2.discrimination, 2) == 52.22
    assert s2.efficiency == pytest.approx(100)
    assert s2.covariance_with_total == pytest.approx(0.5)
    # Slot 3: x = [1,0,0,0], mean 0.25 (facility 25%), var 0.25; y = [2,2,1,0],
    # mean 1.25, var y = (.5625 + .5625 + .0625 + 1.5625) / 3 = 2.75/3,
    # cov = (.75*.75 - .25*.75 - .25*-.25 - .25*-1.25) / 3 = .25: 52.22% again;
    # cov(x, T) = (.75*1.5 - .25*.5 - .25*-.5 - .25*-1.5) / 3 = 0.5
    assert s3.facility == pytest.approx(25)
    assert round(s3.discrimination, 2) == 52.22
    assert s3.efficiency == pytest.approx(100)
    assert s3.covariance_with_total == pytest.approx(0.5)


def test_weights_worked_by_hand(worked):
    slots = worked[0]
    # Intended: each slot is worth 1 of the 3 marks: 33.33%.
    # Effective: sqrt(cov(x, T)) shares: sqrt(2/3) = 0.81650, sqrt(0.5) = 0.70711
    # twice; sum 2.23071; 0.81650 / 2.23071 = 36.60%, 0.70711 / 2.23071 = 31.70%
    roots = math.sqrt(2 / 3) + 2 * math.sqrt(0.5)
    assert [slots[i].intended_weight for i in (1, 2, 3)] == pytest.approx([100 / 3] * 3)
    assert slots[1].effective_weight == pytest.approx(100 * math.sqrt(2 / 3) / roots)
    assert round(slots[1].effective_weight, 2) == 36.60
    assert round(slots[2].effective_weight, 2) == 31.70
    assert sum(slots[i].effective_weight for i in (1, 2, 3)) == pytest.approx(100)
    assert not any(slots[i].negative_covariance for i in (1, 2, 3))


def test_quiz_level_worked_by_hand(worked):
    quiz = worked[1]
    # Totals T = [3,2,1,0], out of p = 3 marks.
    # mean 1.5 -> 50%; median (1 + 2) / 2 = 1.5 -> 50%
    # Σd² = 2.25 + .25 + .25 + 2.25 = 5; Σd³ = 3.375 + .125 - .125 - 3.375 = 0;
    # Σd⁴ = 5.0625 + .0625 + .0625 + 5.0625 = 10.25
    # sd = sqrt(5 / 3) = 1.29099 marks -> 43.03%
    # m2 = 5/4, m3 = 0, m4 = 10.25/4 = 2.5625; k2 = 4 * 1.25 / 3 = 5/3
    # skewness = k3 / k2^1.5 = 0 (symmetric)
    # k4 = 16 * (5 * 2.5625 - 3 * 3 * 1.5625) / (3 * 2 * 1) = 16 * -1.25 / 6 = -10/3
    # kurtosis = k4 / k2² = (-10/3) / (25/9) = -1.2
    # cic = 100 * 3/2 * (1 - (1/3 + 1/4 + 1/4) / (5/3)) = 150 * 0.5 = 75%
    # error ratio = 100 * sqrt(1 - 0.75) = 50%
    # standard error = 50% * 1.29099 = 0.64550 marks -> 21.52%
    assert quiz.attempts == 4 and quiz.max_mark == 3
    assert quiz.mean == pytest.approx(50)
    assert quiz.median == pytest.approx(50)
    assert quiz.sd_marks == pytest.approx(math.sqrt(5 / 3))
    assert quiz.sd == pytest.approx(100 * math.sqrt(5 / 3) / 3)
    assert quiz.skewness == pytest.approx(0, abs=1e-12)
    assert quiz.kurtosis == pytest.approx(-1.2)
    assert quiz.cic == pytest.approx(75)
    assert quiz.error_ratio == pytest.approx(50)
    assert quiz.standard_error_marks == pytest.approx(0.5 * math.sqrt(5 / 3))
    assert round(quiz.standard_error, 2) == 21.52
    assert quiz.bins == [1, 0, 0, 1, 0, 0, 1, 0, 0, 1]


def test_skewness_of_a_lopsided_quiz_worked_by_hand():
    # Totals [0, 0, 3] of one slot: mean 1, deviations -1, -1, 2;
    # Σd² = 6, Σd³ = -1 - 1 + 8 = 6; m2 = 2, m3 = 2; k2 = 3 * 2 / 2 = 3;
    # k3 = 9 * 2 / (2 * 1) = 9; skewness = 9 / 3^1.5 = sqrt(3) = 1.7321.
    # Three attempts: no kurtosis (it needs four).
    quiz = quiz_stats([0.0, 0.0, 3.0], [])

    assert quiz.skewness == pytest.approx(math.sqrt(3))
    assert quiz.kurtosis is None and quiz.cic is None  # one slot: no cic


def test_random_guess_scores_follow_moodles_question_types():
    four = [{"correct": True}] + [{"correct": False}] * 3

    # Single: the mean of the choices' fractions, 1 correct of 4 = 25%;
    # true/false: 50%; multiple answers: none (Moodle does not estimate it).
    assert random_guess_score("single", four) == 25
    assert random_guess_score("true_false", four[:2]) == 50
    assert random_guess_score("multiple", four) is None


def test_a_slot_drawn_at_random_has_its_questions_against_the_whole_total():
    # Slot 2 drew question 7 or 8; slot 1 always question 5.
    rows = []
    rng = random.Random(3)
    for attempt in range(1, 13):
        rows.append(ItemRow(attempt, 1, 5, float(rng.randint(0, 1))))
        rows.append(ItemRow(attempt, 2, 7 + attempt % 2, float(rng.randint(0, 2)) / 2))
    analysis = item_analysis(rows)

    assert [s.question_id for s in analysis.slots] == [5, None]
    assert analysis.slots[1].question_ids == {7, 8}
    drawn = {s.question_id: s for s in analysis.drawn}
    assert set(drawn) == {7, 8} and all(s.subquestion for s in drawn.values())
    totals = {a: sum(r.mark for r in rows if r.attempt_id == a) for a in range(1, 13)}
    for qid, stat in drawn.items():
        mine = [r for r in rows if r.question_id == qid]
        x = [r.mark for r in mine]
        t = [totals[r.attempt_id] for r in mine]
        # Moodle's sub-question: correlation with the total, own mark included.
        assert stat.discrimination == pytest.approx(100 * pystats.correlation(x, t))
        assert stat.effective_weight is None
    assert [r.question_id for r in analysis.rows] == [5, None, 7, 8]


def test_discrimination_from_database_sums_matches_the_direct_formula():
    x, y = [1, 1, 0, 0], [2, 1, 1, 0]
    sums = (
        sum(x),
        sum(v * v for v in x),
        sum(y),
        sum(v * v for v in y),
        sum(a * b for a, b in zip(x, y, strict=False)),
    )

    assert discrimination_from_sums(4, *sums) == pytest.approx(100 / math.sqrt(2))


def test_grouped_counts_give_the_row_by_row_figures_on_random_marks():
    """analysis_from_groups (the database path's arithmetic) = item_analysis."""
    rng = random.Random(11)
    rows = []
    for attempt in range(1, 41):
        for slot in range(1, 7):
            question = 10 + slot if slot < 5 else rng.choice([30, 31, 32])
            k = rng.choice([1, 2, 3, 5])
            rows.append(ItemRow(attempt, slot, question, rng.randint(0, k) / k))
    reference = item_analysis(rows, {})
    totals = {}
    for row in rows:
        totals[row.attempt_id] = totals.get(row.attempt_id, 0.0) + row.mark
    groups: dict = {}
    for row in rows:
        key = (row.slot, row.question_id, row.mark, totals[row.attempt_id] - row.mark)
        groups[key] = groups.get(key, 0) + 1
    hist: dict = {}
    for total in totals.values():
        hist[total] = hist.get(total, 0) + 1

    grouped = analysis_from_groups(
        [(*key, count) for key, count in groups.items()], hist, {}
    )

    assert_same_analysis(grouped, reference)


STAT_FIELDS = (
    "attempts",
    "facility",
    "sd",
    "discrimination",
    "efficiency",
    "intended_weight",
    "effective_weight",
    "negative_covariance",
)
QUIZ_FIELDS = (
    "attempts",
    "max_mark",
    "mean",
    "median",
    "sd",
    "skewness",
    "kurtosis",
    "cic",
    "error_ratio",
    "standard_error",
)


def assert_same_analysis(got, want, *, abs_=1e-9):
    def key(stat):
        return (stat.slot, stat.subquestion, stat.question_id or 0)

    got_rows, want_rows = sorted(got.rows, key=key), sorted(want.rows, key=key)
    assert [key(s) for s in got_rows] == [key(s) for s in want_rows]
    for g, w in zip(got_rows, want_rows, strict=True):
        for name in STAT_FIELDS:
            expected = getattr(w, name)
            if expected is None:
                assert getattr(g, name) is None, (key(g), name)
            else:
                assert getattr(g, name) == pytest.approx(expected, abs=abs_), (
                    key(g),
                    name,
                )
    for name in QUIZ_FIELDS:
        expected = getattr(want.quiz, name)
        assert getattr(got.quiz, name) == pytest.approx(expected, abs=abs_), name


# --- flags -------------------------------------------------------------------------


def stat_with(**figures):
    from quiz.reports.statistics import QuestionStats

    base = {
        "question_id": 1,
        "attempts": 25,
        "facility": 60.0,
        "sd": 40.0,
        "discrimination": 45.0,
        "efficiency": 60.0,
    }
    return QuestionStats(**{**base, **figures})


def test_flags_follow_moodles_thresholds():
    assert stat_with().flags == []
    assert stat_with(facility=95.0).flags == [Flag.TOO_EASY]
    assert stat_with(facility=94.9).flags == []
    assert stat_with(facility=5.0).flags == [Flag.TOO_HARD]
    assert stat_with(discrimination=19.9).flags == [Flag.WEAK_DISCRIMINATION]
    assert stat_with(discrimination=20.0).flags == []
    assert stat_with(efficiency=14.9).flags == [Flag.LOW_EFFICIENCY]
    # Negative: check the key (its efficiency is negative too: one flag says it).
    assert stat_with(discrimination=-52.0, efficiency=-60.0).flags == [
        Flag.CHECK_THE_KEY
    ]


def test_no_flag_under_the_minimum_number_of_attempts(settings):
    settings.STATISTICS_MIN_ATTEMPTS = 20
    assert stat_with(attempts=19, discrimination=-52.0, facility=100.0).flags == []
    assert stat_with(attempts=20, discrimination=-52.0).flags == [Flag.CHECK_THE_KEY]
    settings.STATISTICS_MIN_ATTEMPTS = 5
    assert stat_with(attempts=5, facility=100.0).flags == [Flag.TOO_EASY]


def test_a_slot_drawn_at_random_is_never_flagged_its_questions_are():
    assert stat_with(question_id=None, facility=100.0).flags == []


# --- through the site: the database path, the page, Moodle's data ----------------------


def _submit_all(quiz, marks_by_attempt, rng):
    """One trainee per attempt, each answering to earn the given mark per slot."""
    from quiz.attempts.services import attempt_start, attempt_submit
    from tests.factories import TraineeFactory

    for marks in marks_by_attempt:
        trainee = TraineeFactory()
        attempt = attempt_start(quiz=quiz, user=trainee, rng=rng)
        answers = {}
        for item in attempt.items.order_by("slot"):
            answers[item.position] = answer_for(item, marks[item.slot - 1])
        attempt_submit(attempt=attempt, user=trainee, answers=answers)


def answer_for(item, mark: float) -> list[int]:
    """Choice ids that earn `mark` on this question (j of its k correct choices
    for j/k; a wrong choice for 0)."""
    right = [c["id"] for c in item.snapshot["choices"] if c["correct"]]
    wrong = [c["id"] for c in item.snapshot["choices"] if not c["correct"]]
    if mark == 0:
        return wrong[:1]
    j = round(mark * len(right))
    assert math.isclose(j / len(right), mark, abs_tol=1e-6), (mark, len(right))
    return right[:j]


def multiple(k: int, wrong: int = 1):
    from tests.factories import published_question

    return published_question(
        qtype="multiple",
        choices=[(f"Right {i}", True) for i in range(k)]
        + [(f"Wrong {i}", False) for i in range(wrong)],
    )


@pytest.mark.django_db
def test_database_aggregates_match_the_row_by_row_statistics():
    from questions.models import QuestionType
    from quiz.attempts.services import attempt_start, attempt_submit
    from quiz.models import AttemptQuestion
    from quiz.reports.selectors import StatsFilter, question_statistics
    from tests.factories import (
        QuizFactory,
        TraineeFactory,
        UserFactory,
        published_question,
    )

    rng = random.Random(42)
    questions = [published_question(qtype=qtype) for qtype in list(QuestionType) * 2]
    questions += [multiple(3), multiple(5, wrong=2)]
    quiz = QuizFactory(questions=questions, shuffle_questions=True)
    for _ in range(30):
        trainee = TraineeFactory()
        attempt = attempt_start(quiz=quiz, user=trainee, rng=rng)
        answers = {}
        for item in attempt.items.all():
            ids = [c["id"] for c in item.snapshot["choices"]]
            if item.qtype == "multiple":
                answers[item.position] = rng.sample(ids, rng.randint(0, len(ids)))
            else:
                answers[item.position] = rng.sample(ids, rng.randint(0, 1))
        attempt_submit(attempt=attempt, user=trainee, answers=answers)
    staff = UserFactory(is_superuser=True, is_staff=True)

    db = question_statistics(staff, StatsFilter(quiz=quiz))

    rows = [
        ItemRow(a, slot, q, float(mark), tuple(selected))
        for a, slot, q, mark, selected in AttemptQuestion.objects.values_list(
            "attempt_id", "slot", "question_id", "mark", "selected"
        )
    ]
    scores = {a.pk: float(a.score) for a in quiz.attempts.all()}
    reference = item_analysis(rows, scores)
    assert len(db.slots) == len(questions)
    assert_same_analysis(db, reference, abs_=1e-7)
    assert {s.question_id: s.choice_counts for s in db.questions} == {
        s.question_id: s.choice_counts for s in reference.questions
    }
    assert db.quiz.bins == reference.quiz.bins and sum(db.quiz.bins) == 30
    # Random-guess scores from the snapshots answered.
    guesses = {s.qtype: s.random_guess for s in db.slots}
    assert guesses["true_false"] == 50 and guesses["multiple"] is None
    assert guesses["single"] == pytest.approx(100 / 3)  # factory: 1 right of 3


@pytest.mark.django_db
def test_attempts_graded_before_marks_total_existed_are_summed_not_a_crash():
    """Attempts graded before migration 0005 have no marks_total (0008 backfills it,
    but a database restored from an older dump may not have run it yet)."""
    from quiz.attempts.services import attempt_start, attempt_submit
    from quiz.models import Attempt
    from quiz.reports.selectors import (
        StatsFilter,
        question_item_summary,
        question_statistics,
    )
    from tests.factories import QuizFactory, TraineeFactory, UserFactory

    rng = random.Random(7)
    quiz = QuizFactory(questions__n=4)
    for _ in range(8):
        trainee = TraineeFactory()
        attempt = attempt_start(quiz=quiz, user=trainee, rng=rng)
        answers = {
            item.position: rng.sample([c["id"] for c in item.choices], 1)
            for item in attempt.items.all()
        }
        attempt_submit(attempt=attempt, user=trainee, answers=answers)
    staff = UserFactory(is_superuser=True, is_staff=True)
    question_ids = list(quiz.quiz_questions.values_list("question_id", flat=True))
    expected = question_statistics(staff, StatsFilter(quiz=quiz))
    expected_summary = question_item_summary(question_ids)

    Attempt.objects.filter(pk__in=quiz.attempts.order_by("pk")[:3]).update(
        marks_total=None
    )
    got = question_statistics(staff, StatsFilter(quiz=quiz))
    summary = question_item_summary(question_ids)

    assert_same_analysis(got, expected)
    assert summary.keys() == expected_summary.keys()
    for question_id, values in summary.items():
        assert values == pytest.approx(expected_summary[question_id])


# Moodle's quiz 00 (mod/quiz/report/statistics/tests/fixtures/results00.csv): the
# mark of each of 7 slots in 25 attempts. Slot 3's 0.3333333 is 1/3 (Moodle keeps 7
# places); here it comes from a multiple-answer question with one of three right.
MOODLE_00 = """\
1,1,1,1,1,0,1
1,1,1,1,0.5,1,0
1,1,1,1,0.5,0,1
0,0,1,1,1,0,0
1,0,1,0,0,1,0.5
1,1,1,1,0.5,0,0.5
0,1,1,1,0.5,1,0.5
1,1,1,0,0.5,1,0.5
1,0,1,1,1,1,1
0,1,1,0,0.5,1,0.5
0.8,0,1,1,0.5,1,0.5
1,1,1,0,0.5,1,1
1,0,1,1,0.5,1,0.5
1,0,1,1,1,0,0.5
0,0,1,1,0,1,1
1,0,1,0,0.5,1,1
0.8,0,1,1,0.5,0,1
1,0,1,1,0,1,0.5
1,0,1,1,0.5,0,0.5
0,1,1,0,0.5,1,0
1,1,0.3333333,1,0.5,0,0.5
1,1,1,0,0.5,0,0.5
1,1,1,1,0,1,0.5
0,0,1,0,0.5,1,1
0,0,1,1,1,1,1
"""
# qstats00.csv: slot, facility, sd, effective weight, mark variance, other-mark
# variance, discrimination index, covariance max, discriminative efficiency
# (Moodle's fractions for facility and sd; percentages for the others).
MOODLE_00_SLOTS = {
    1: (
        0.704,
        0.4513682901,
        21.2922742344,
        0.2037333333,
        0.5002777794,
        -7.0650767526,
        0.2385555565,
        -9.4550536967,
    ),  # noqa: E501
    2: (
        0.48,
        0.5099019514,
        18.8979800309,
        0.26,
        0.6334555578,
        -28.8982125772,
        0.318833334,
        -36.7834118938,
    ),  # noqa: E501
    3: (
        0.973333332,
        0.13333334,
        4.443012573,
        0.0177777796,
        0.6609,
        -9.1230674268,
        0.045666669,
        -21.6545012165,
    ),  # noqa: E501
    4: (
        0.68,
        0.4760952286,
        18.9347251357,
        0.2266666667,
        0.5990111128,
        -22.6306444113,
        0.2652222232,
        -31.4411395613,
    ),  # noqa: E501
    5: (
        0.52,
        0.3055050463,
        11.1450138688,
        0.0933333333,
        0.6529555563,
        -17.6997047674,
        0.2063055556,
        -21.1794802584,
    ),  # noqa: E501
    6: (
        0.64,
        0.4898979486,
        9.8081339177,
        0.24,
        0.8220111101,
        -45.3785178421,
        0.3539999995,
        -56.9365974439,
    ),  # noqa: E501
    7: (
        0.62,
        0.331662479,
        15.4788602394,
        0.11,
        0.5774000005,
        -5.6543166602,
        0.2190833335,
        -6.5043742058,
    ),  # noqa: E501
}
# stats_from_steps_walkthrough_test.php, check_quiz_stats_for_quiz_00 (in marks).
MOODLE_00_QUIZ = {
    "median_marks": 4.5,
    "mean_marks": 4.617333332,
    "sd_marks": 0.8117265554,
    "skewness": -0.092502502,
    "kurtosis": -0.7073968557,
    "cic": -87.2230935542,
    "error_ratio": 136.8294900795,
    "standard_error_marks": 1.1106813066,
}
# Moodle checks these to 1e-6 of the value (1e-5 for the discrimination index,
# efficiency and effective weight; 1.5e-5 for the quiz's). With marks stored to 4
# places, 45 of these figures missed by 1e-5 to 4e-3. Now the only difference left
# is Moodle's own: its data keeps 1/3 as 0.3333333 (7 places), which moves slot
# 3's mark variance by 1.02e-7 of its value and every other figure by under 8e-8.
MOODLE_REL = 2e-7


@pytest.mark.django_db
def test_moodles_quiz_00_through_our_services_and_the_page(client):
    from questions.models import QuestionType
    from tests.factories import QuizFactory, UserFactory, published_question

    # Marks of j/k come from a multiple-answer question with k right choices:
    # slot 1 takes 0.8 (k = 5), slot 3 1/3 (k = 3), slots 5 and 7 halves (k = 2).
    questions = [
        multiple(5),
        published_question(qtype=QuestionType.SINGLE),
        multiple(3),
        published_question(qtype=QuestionType.SINGLE),
        multiple(2),
        published_question(qtype=QuestionType.TRUE_FALSE),
        multiple(2),
    ]
    quiz = QuizFactory(questions=questions)
    marks = [
        [1 / 3 if cell == "0.3333333" else float(cell) for cell in line.split(",")]
        for line in MOODLE_00.splitlines()
    ]
    _submit_all(quiz, marks, random.Random(0))
    client.force_login(UserFactory(is_superuser=True, is_staff=True))

    response = client.get(reverse("quiz:report-questions"), {"quiz": quiz.pk})

    assert response.status_code == 200
    analysis = response.context["computed"].analysis
    slots = {s.slot: s for s in analysis.slots}
    assert sorted(slots) == list(range(1, 8)) and all(
        s.attempts == 25 for s in slots.values()
    )
    for slot, expected in MOODLE_00_SLOTS.items():
        facility, sd, weight, variance, _other, disc, _covmax, eff = expected
        got = slots[slot]
        assert got.facility == pytest.approx(100 * facility, rel=MOODLE_REL), slot
        assert got.sd == pytest.approx(100 * sd, rel=MOODLE_REL), slot
        assert got.mark_variance == pytest.approx(variance, rel=MOODLE_REL), slot
        assert got.effective_weight == pytest.approx(weight, rel=MOODLE_REL), slot
        assert got.discrimination == pytest.approx(disc, rel=MOODLE_REL), slot
        assert got.efficiency == pytest.approx(eff, rel=MOODLE_REL), slot
        # Every slot worked against the rest: all flagged "check the key"
        # (25 attempts, over the minimum).
        assert Flag.CHECK_THE_KEY in got.flags
    quiz_stats_ = analysis.quiz
    for name, value in MOODLE_00_QUIZ.items():
        assert getattr(quiz_stats_, name) == pytest.approx(value, rel=MOODLE_REL), name
    assert quiz_stats_.attempts == 25 and quiz_stats_.max_mark == 7
    html = response.content.decode()
    assert "check the key" in html and "-87.22%" in html


@pytest.mark.django_db
def test_marks_are_stored_exactly_and_summed_from_exact_fractions():
    from decimal import Decimal

    from quiz.attempts.services import attempt_start, attempt_submit
    from tests.factories import QuizFactory, TraineeFactory

    # Three questions of 1/3 each: stored to 10 places; the total is 1 exactly
    # (summing the stored marks would give 0.9999999999), the score 33.33%.
    quiz = QuizFactory(questions=[multiple(3), multiple(3), multiple(3)])
    trainee = TraineeFactory()
    attempt = attempt_start(quiz=quiz, user=trainee)
    answers = {item.position: answer_for(item, 1 / 3) for item in attempt.items.all()}

    graded = attempt_submit(attempt=attempt, user=trainee, answers=answers).attempt

    assert [item.mark for item in graded.items.all()] == [Decimal("0.3333333333")] * 3
    graded.refresh_from_db()
    assert graded.marks_total == Decimal(1)
    assert graded.score == Decimal("33.33")

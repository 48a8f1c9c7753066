"""Item statistics against a worked example computed by hand (Moodle's definitions)."""

import math

import pytest

from quiz.reports.statistics import (
    ItemRow,
    discrimination_from_sums,
    item_analysis,
    question_stats,
)

# Four attempts at a three-question quiz; marks per question (slot):
#   A: 1 1 1  total 3   score 100%
#   B: 1 1 0  total 2   score  66.67%
#   C: 0 1 0  total 1   score  33.33%
#   D: 0 0 0  total 0   score   0%
MARKS = {"A": (1, 1, 1), "B": (1, 1, 0), "C": (0, 1, 0), "D": (0, 0, 0)}
IDS = {"A": 1, "B": 2, "C": 3, "D": 4}


@pytest.fixture
def analysis():
    rows = [
        ItemRow(IDS[a], slot, 100 + slot, float(mark))
        for a, marks in MARKS.items()
        for slot, mark in enumerate(marks, start=1)
    ]
    scores = {IDS[a]: 100 * sum(m) / 3 for a, m in MARKS.items()}
    questions, quiz = item_analysis(rows, scores)
    return {q.question_id: q for q in questions}, quiz


def test_question_1_worked_by_hand(analysis):
    q1 = analysis[0][101]
    # x = [1,1,0,0], rest y = [2,1,1,0]; mean x = 0.5 -> facility 50%
    # var x = 4 * 0.25 / 3 = 1/3 -> sd = 57.74%
    # mean y = 1, var y = (1 + 0 + 0 + 1) / 3 = 2/3
    # cov = (0.5*1 + 0.5*0 - 0.5*0 - 0.5*-1) / 3 = 1/3
    # discrimination = 100 * (1/3) / sqrt(1/3 * 2/3) = 100 / sqrt(2) = 70.71%
    # sorted x [0,0,1,1] and y [0,1,1,2]: covmax = (0.5 + 0 + 0 + 0.5) / 3 = 1/3
    # efficiency = 100 * (1/3) / (1/3) = 100%
    assert q1.attempts == 4
    assert q1.facility == pytest.approx(50)
    assert q1.sd == pytest.approx(100 * math.sqrt(1 / 3))
    assert q1.discrimination == pytest.approx(100 / math.sqrt(2))
    assert q1.efficiency == pytest.approx(100)


def test_question_2_worked_by_hand(analysis):
    q2 = analysis[0][102]
    # x = [1,1,1,0], y = [2,1,0,0]; mean x = 0.75, var x = 0.75/3 = 0.25 (sd 50%)
    # mean y = 0.75, var y = (1.5625 + 0.0625 + 0.5625 + 0.5625) / 3 = 2.75/3
    # cov = (0.3125 + 0.0625 - 0.1875 + 0.5625) / 3 = 0.25
    # discrimination = 100 * 0.25 / sqrt(0.25 * 2.75/3) = 52.22%
    assert q2.facility == pytest.approx(75)
    assert q2.sd == pytest.approx(50)
    assert q2.discrimination == pytest.approx(100 * 0.25 / math.sqrt(0.25 * 2.75 / 3))
    assert round(q2.discrimination, 2) == 52.22
    assert q2.efficiency == pytest.approx(100)


def test_question_3_is_hard(analysis):
    q3 = analysis[0][103]

    assert q3.facility == pytest.approx(25)
    assert round(q3.discrimination, 2) == 52.22


def test_quiz_level_worked_by_hand(analysis):
    quiz = analysis[1]
    # scores 100, 66.67, 33.33, 0: mean 50, median 50
    # sd = sqrt((50^2 + 16.67^2 + 16.67^2 + 50^2) / 3) = 43.03%
    # Cronbach: k = 3, slot variances 1/3 + 1/4 + 1/4 = 5/6, total variance 5/3
    # alpha = 3/2 * (1 - (5/6)/(5/3)) = 0.75 -> 75%
    assert quiz.attempts == 4
    assert quiz.mean == pytest.approx(50)
    assert quiz.median == pytest.approx(50)
    assert quiz.sd == pytest.approx(math.sqrt((2 * 50**2 + 2 * (50 / 3) ** 2) / 3))
    assert quiz.cic == pytest.approx(75)


def test_choice_counts_show_which_distractor_attracts():
    rows = [
        ItemRow(1, 1, 7, 0.0, (70,)),
        ItemRow(2, 1, 7, 0.0, (70,)),
        ItemRow(3, 1, 7, 1.0, (71,)),
    ]

    [stats], _quiz = item_analysis(rows, {1: 0, 2: 0, 3: 100})

    assert stats.choice_counts == {70: 2, 71: 1}


def test_flags_follow_the_thresholds():
    easy = question_stats(1, [1.0] * 25, [float(i % 5) for i in range(25)])
    hard = question_stats(2, [0.0] * 9 + [1.0], [float(i) for i in range(10)])
    flat = question_stats(3, [1.0, 0.0] * 10, [1.0, 1.0, 2.0, 2.0] * 5)

    assert easy.facility == 100 and "too easy" in easy.flags
    assert hard.facility == 10 and "too hard" in hard.flags
    assert flat.attempts == 20 and flat.discrimination is not None
    assert flat.discrimination < 20 and "poor discrimination" in flat.flags


def test_poor_discrimination_needs_20_attempts():
    few = question_stats(1, [1.0, 0.0] * 5, [1.0, 1.0, 2.0, 2.0, 1.0] * 2)

    assert few.attempts == 10
    assert "poor discrimination" not in few.flags


def test_single_attempt_has_no_spread_statistics():
    one = question_stats(1, [1.0], [2.0])

    assert one.facility == 100 and one.sd is None and one.discrimination is None


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


# --- the database path agrees with the row-by-row definitions --------------------------


@pytest.mark.django_db
def test_database_aggregates_match_the_row_by_row_statistics():
    import random

    from accounts.models import User
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
    assert User.objects.filter(pk=staff.pk).exists()

    db_stats, db_quiz = question_statistics(staff, StatsFilter(quiz=quiz))

    rows = [
        ItemRow(a, slot, q, float(mark), tuple(selected))
        for a, slot, q, mark, selected in AttemptQuestion.objects.values_list(
            "attempt_id", "slot", "question_id", "mark", "selected"
        )
    ]
    scores = {a.pk: float(a.score) for a in quiz.attempts.all()}
    ref_stats, ref_quiz = item_analysis(rows, scores)
    ref = {s.question_id: s for s in ref_stats}
    assert len(db_stats) == len(ref) == len(questions)
    for stat in db_stats:
        expected = ref[stat.question_id]
        assert stat.attempts == expected.attempts
        for name in ("facility", "sd", "discrimination", "efficiency"):
            assert getattr(stat, name) == pytest.approx(
                getattr(expected, name), abs=1e-6
            ), name
        assert stat.choice_counts == expected.choice_counts
    for name in ("attempts", "mean", "median", "sd", "cic"):
        assert getattr(db_quiz, name) == pytest.approx(
            getattr(ref_quiz, name), abs=1e-6
        ), name
    assert db_quiz.bins == ref_quiz.bins and sum(db_quiz.bins) == 30


@pytest.mark.django_db
def test_attempts_graded_before_marks_total_existed_are_summed_not_a_crash():
    """Attempts graded before migration 0005 have no marks_total (0008 backfills it,
    but a database restored from an older dump may not have run it yet)."""
    import random

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
    questions, whole = question_statistics(staff, StatsFilter(quiz=quiz))
    summary = question_item_summary(question_ids)

    def key(stat):
        return stat.question_id

    for got, want in zip(
        sorted(questions, key=key), sorted(expected[0], key=key), strict=True
    ):
        for name in ("attempts", "facility", "sd", "discrimination", "efficiency"):
            assert getattr(got, name) == pytest.approx(getattr(want, name)), name
    for name in ("attempts", "mean", "sd", "cic"):
        assert getattr(whole, name) == pytest.approx(getattr(expected[1], name)), name
    assert summary.keys() == expected_summary.keys()
    for question_id, values in summary.items():
        assert values == pytest.approx(expected_summary[question_id])

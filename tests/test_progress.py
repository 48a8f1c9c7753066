"""One progress status and one quiz grade: every page, filter and CSV agrees.

The Python path (trainee pages, from loaded attempts) and the SQL path (reports,
filtering and sorting in the database) are compared on random data.
"""

import random
from datetime import timedelta
from decimal import Decimal

import pytest

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quiz.attempts.models import Attempt, AttemptState
from quiz.attempts.progress import (
    ProgressStatus,
    filter_progress,
    grade_of,
    quiz_grade,
    round_grade,
)
from quiz.attempts.selectors import quiz_statuses
from quiz.attempts.services import attempt_start, attempt_submit
from quiz.models import GradingMethod, Override
from quiz.reports.selectors import cohort_trainees, grade_cells
from tests.factories import (
    CohortFactory,
    QuizFactory,
    TraineeFactory,
    correct_answers,
)


def _pass(quiz, user):
    attempt = attempt_start(quiz=quiz, user=user)
    return attempt_submit(
        attempt=attempt, user=user, answers=correct_answers(attempt)
    ).attempt


@pytest.fixture
def quiz(db):
    return QuizFactory(questions__n=2, title="Module one", slug="module-one")


def test_passed_then_reopened_is_passed_everywhere(
    quiz, trainee, supervisor_client, supervisor
):
    cohort = CohortFactory(trainees=[trainee], supervisors=[supervisor])
    _pass(quiz, trainee)
    attempt_start(quiz=quiz, user=trainee)  # a second try, to practise

    [status] = quiz_statuses(user=trainee, quizzes=[quiz])
    assert status.progress is ProgressStatus.PASSED
    assert status.in_progress is not None  # still offered "Resume"

    [[cell]] = [cells for _t, cells in _cohort_rows(supervisor_client, cohort)]
    assert cell.progress is ProgressStatus.PASSED

    matches = {
        value
        for value in ProgressStatus.values
        if trainee in cohort_trainees(cohort, quiz=quiz, status=value, sort="name")
    }
    assert matches == {ProgressStatus.PASSED}

    trainee_client = Client()
    trainee_client.force_login(trainee)
    page = trainee_client.get(reverse("quiz:quiz-list")).content.decode()
    assert "Passed" in page and "In progress" not in page


def _cohort_rows(client, cohort):
    response = client.get(reverse("quiz:report-cohort", args=[cohort.pk]))
    assert response.status_code == 200
    return response.context["rows"]


def test_status_precedence_is_a_total_order():
    seen = {
        ProgressStatus.of(passed=p, in_progress=o, attempts=n, exhausted=x)
        for p in (False, True)
        for o in (False, True)
        for n in (0, 1, 3)
        for x in (False, True)
        if not (n == 0 and (p or o or x))
    }
    assert seen == set(ProgressStatus)


def test_each_status_has_a_label_and_a_css_class():
    for status in ProgressStatus:
        assert status.label and status.css.startswith("text-bg-")


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        (["80.12", "80.13"], "80.13"),  # 80.125: half up, not half-even
        (["80.13", "80.12", "80.12", "80.13"], "80.13"),
        (["66.66", "66.67", "66.67"], "66.67"),
        (["0.01", "0.00"], "0.01"),  # 0.005
    ],
)
def test_average_rounds_half_up_in_python(scores, expected):
    assert quiz_grade("average", [Decimal(s) for s in scores]) == Decimal(expected)


def test_round_grade_accepts_what_databases_return():
    assert round_grade(80.125) == Decimal("80.13")
    assert round_grade(Decimal("80.125")) == Decimal("80.13")


def _random_history(rng, quiz, trainee, now):
    """0-4 attempts: finished with random scores and finish times (ties on
    purpose), the last maybe still open."""
    n = rng.randint(0, 4)
    stamps = [now - timedelta(minutes=rng.choice([10, 20, 20, 30])) for _ in range(n)]
    attempts = []
    for number in range(1, n + 1):
        open_now = number == n and rng.random() < 0.3
        score = Decimal(rng.choice(["80.12", "80.13", "55.50", "100.00", "0.00"]))
        critical = score >= quiz.pass_mark and rng.random() < 0.3
        attempts.append(
            Attempt(
                quiz=quiz,
                user=trainee,
                number=number,
                pass_mark=quiz.pass_mark,
                state=AttemptState.IN_PROGRESS if open_now else AttemptState.FINISHED,
                started_at=now - timedelta(hours=1),
                finished_at=None if open_now else stamps[number - 1],
                score=None if open_now else score,
                passed=None if open_now else score >= quiz.pass_mark and not critical,
                failed_critical=critical and not open_now,
            )
        )
    Attempt.objects.bulk_create(attempts)


@pytest.mark.parametrize("method", GradingMethod.values)
def test_python_and_sql_agree_on_grade_and_status(db, supervisor, method):
    rng = random.Random(f"progress-parity-{method}")
    quiz = QuizFactory(
        questions__n=1, grading_method=method, pass_mark=80, max_attempts=3
    )
    trainees = TraineeFactory.create_batch(30)
    cohort = CohortFactory(trainees=trainees, supervisors=[supervisor])
    now = timezone.now()
    for trainee in trainees:
        _random_history(rng, quiz, trainee, now)
        if rng.random() < 0.3:  # an override's extra attempts: exhausted later
            Override.objects.create(
                quiz=quiz,
                user=trainee,
                extra_attempts=rng.randint(0, 2),
                reason="parity",
                granted_by=supervisor,
            )

    cells = grade_cells([t.pk for t in trainees], [quiz])
    sql_status = {
        status: set(
            filter_progress(cohort.trainees.all(), quiz, status).values_list(
                "pk", flat=True
            )
        )
        for status in ProgressStatus
    }
    sorted_grades = {
        t.pk: t.q_grade
        for t in cohort_trainees(cohort, quiz=quiz, status="", sort="grade")
    }
    for trainee in trainees:
        [status] = quiz_statuses(user=trainee, quizzes=[quiz])
        cell = cells.get((trainee.pk, quiz.pk))
        expected = grade_of(method, status.finished)
        assert (cell.grade if cell else None) == expected, trainee.username
        assert status.grade == expected
        assert status.failed_on_a_safety_rule == bool(
            cell and cell.failed_on_a_safety_rule
        )
        cell_status = cell.progress if cell else ProgressStatus.NOT_STARTED
        assert cell_status is status.progress
        assert [s for s, pks in sql_status.items() if trainee.pk in pks] == [
            status.progress
        ]
        if method != GradingMethod.AVERAGE and expected is not None:
            # the sort key is the same grade (AVG sorts as a float, see grade_sql)
            assert round_grade(sorted_grades[trainee.pk]) == expected


def test_latest_tie_on_finish_time_is_broken_by_id(db):
    quiz = QuizFactory(questions__n=1, grading_method=GradingMethod.LATEST)
    trainee = TraineeFactory()
    when = timezone.now()
    common = {"quiz": quiz, "user": trainee, "pass_mark": 80, "finished_at": when}
    Attempt.objects.create(
        number=1, state="finished", score=Decimal("90"), passed=True, **common
    )
    Attempt.objects.create(
        number=2, state="finished", score=Decimal("40"), passed=False, **common
    )

    [status] = quiz_statuses(user=trainee, quizzes=[quiz])
    cells = grade_cells([trainee.pk], [quiz])

    assert status.grade == Decimal("40.00")
    assert cells[(trainee.pk, quiz.pk)].grade == Decimal("40.00")


def test_trainee_sees_grade_by_the_quiz_method(db, trainee, trainee_client):
    quiz = QuizFactory(questions__n=1, grading_method=GradingMethod.LATEST)
    now = timezone.now()
    for number, score in ((1, "90"), (2, "40")):
        Attempt.objects.create(
            quiz=quiz,
            user=trainee,
            number=number,
            pass_mark=80,
            state="finished",
            finished_at=now + timedelta(minutes=number),
            score=Decimal(score),
            passed=Decimal(score) >= 80,
        )

    listing = trainee_client.get(reverse("quiz:quiz-list")).content.decode()
    detail = trainee_client.get(quiz.get_absolute_url()).content.decode()

    assert "Your grade" in listing and "40%" in listing
    assert "latest of 2 attempts" in listing
    assert "Your grade: <strong>40%</strong> (latest of 2 attempts)" in detail


def test_trainee_report_shows_the_same_status_and_grade(
    quiz, trainee, supervisor_client, supervisor
):
    CohortFactory(trainees=[trainee], supervisors=[supervisor])
    _pass(quiz, trainee)
    attempt_start(quiz=quiz, user=trainee)

    response = supervisor_client.get(reverse("quiz:report-trainee", args=[trainee.pk]))

    [status] = response.context["statuses"]
    assert status.progress is ProgressStatus.PASSED
    assert status.grade == Decimal("100.00")
    assert "highest of 1 attempt" in response.content.decode()


def test_out_of_attempts_and_failed_on_a_safety_rule_are_shown(
    trainee, supervisor_client, supervisor
):
    exam = QuizFactory(questions__n=1, max_attempts=1, title="Final", slug="final")
    CohortFactory(trainees=[trainee], supervisors=[supervisor])
    now = timezone.now()
    Attempt.objects.create(
        quiz=exam,
        user=trainee,
        number=1,
        pass_mark=80,
        state="finished",
        finished_at=now,
        score=Decimal("92.00"),
        passed=False,
        failed_critical=True,
    )
    cohort = supervisor.supervised_cohorts.get()

    [status] = quiz_statuses(user=trainee, quizzes=[exam])
    page = supervisor_client.get(
        reverse("quiz:report-cohort", args=[cohort.pk]), {"quiz": "final"}
    )
    filtered = supervisor_client.get(
        reverse("quiz:report-cohort", args=[cohort.pk]),
        {"quiz": "final", "status": "out_of_attempts"},
    )

    assert status.progress is ProgressStatus.OUT_OF_ATTEMPTS
    html = page.content.decode()
    assert "Out of attempts" in html and "Failed on a safety rule" in html
    assert [t for t, _c in filtered.context["rows"]] == [trainee]


def test_charts_round_half_up_like_their_tables():
    from django.template.defaultfilters import floatformat

    from quiz.reports.charts import bar_chart

    chart = bar_chart([("Module", 62.5, False)], title="t", uid="c")

    assert floatformat(62.5, 0) == "63"
    assert ">63%<" in chart and "Module: 63%" in chart


def test_result_names_unanswered_and_the_failed_rules_question_numbers(
    trainee, trainee_client
):
    from questions.models import Rule
    from tests.factories import RuleFactory, published_question

    rule = RuleFactory(critical=True)
    exam = QuizFactory(questions=[published_question(rules=[rule]) for _ in range(2)])
    attempt = attempt_start(quiz=exam, user=trainee)
    answers = correct_answers(attempt)
    answers[2] = []  # question 2 left blank: a critical question not answered
    attempt_submit(attempt=attempt, user=trainee, answers=answers)

    page = trainee_client.get(reverse("quiz:attempt-result", args=[attempt.pk]))

    html = page.content.decode()
    assert "Not answered" in html
    assert 'href="#q2-title">question 2</a>' in html
    assert Rule.objects.get(pk=rule.pk).code in html

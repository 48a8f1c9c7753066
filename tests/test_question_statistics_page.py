"""The question statistics page: flags a person can trust (none under the minimum
number of attempts, negative discrimination says "check the key"), the quiz picker,
the chart of positions, the CSV files, and a query count that does not grow."""

import random
from datetime import timedelta

import pytest

from django.urls import reverse
from django.utils import timezone

from quiz.models import Attempt, Quiz
from quiz.reports.statistics import Flag
from tests.factories import QuizFactory, UserFactory, take
from tests.test_reports import read_csv
from tests.test_statistics import _submit_all

pytestmark = pytest.mark.django_db

URL = reverse("quiz:report-questions")


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return client


def keyed_backwards(n: int) -> Quiz:
    """n attempts at four single-choice questions: the better half on questions
    2 to 4 gets question 1 wrong, the weaker half right (a wrong key's mark)."""
    quiz = QuizFactory(questions__n=4, title="Keyed backwards")
    strong = (n + 1) // 2
    marks = [
        [0.0, 1.0, 1.0, 1.0] if i < strong else [1.0, 0.0, 0.0, 0.0] for i in range(n)
    ]
    _submit_all(quiz, marks, random.Random(1))
    return quiz


def test_five_attempts_flag_nothing_and_the_legend_says_why(staff_client, settings):
    settings.STATISTICS_MIN_ATTEMPTS = 20
    quiz = keyed_backwards(5)

    response = staff_client.get(URL, {"quiz": quiz.pk})

    rows = response.context["rows"]
    first = next(r["stats"] for r in rows if r["stats"].slot == 1)
    assert first.discrimination < 0  # the figure is there, only not flagged
    assert all(not r["stats"].flags for r in rows)
    html = response.content.decode()
    assert "No question is flagged before it has 20 graded attempts" in html
    assert 'class="badge text-bg-warning"' not in html


def test_twenty_five_attempts_flag_the_backwards_key(staff_client, settings):
    settings.STATISTICS_MIN_ATTEMPTS = 20
    quiz = keyed_backwards(25)

    response = staff_client.get(URL, {"quiz": quiz.pk})

    by_slot = {r["stats"].slot: r["stats"] for r in response.context["rows"]}
    assert by_slot[1].discrimination == pytest.approx(-100)
    assert by_slot[1].flags == [Flag.CHECK_THE_KEY]
    assert by_slot[1].negative_covariance
    assert by_slot[2].discrimination == pytest.approx(100)
    assert by_slot[2].flags == []
    html = response.content.decode()
    assert html.count(">check the key</span>") == 1
    assert "negative covariance" in html
    # The legend cites every flag's rule.
    for flag in Flag:
        assert flag.rule in html.replace("&#x27;", "'").replace("&quot;", '"')


def test_the_minimum_is_a_setting(staff_client, settings):
    settings.STATISTICS_MIN_ATTEMPTS = 5
    quiz = keyed_backwards(5)

    response = staff_client.get(URL, {"quiz": quiz.pk})

    by_slot = {r["stats"].slot: r["stats"] for r in response.context["rows"]}
    assert by_slot[1].flags == [Flag.CHECK_THE_KEY]
    assert "before it has 5 graded attempts" in response.content.decode()


def test_the_picker_offers_published_quizzes_with_attempts_newest_first_opened(
    staff_client, trainee
):
    older = QuizFactory(questions__n=1, title="Older")
    newer = QuizFactory(questions__n=1, title="Newer")
    QuizFactory(questions__n=1, title="Never taken")
    retired = QuizFactory(questions__n=1, title="Retired")
    now = timezone.now()
    for quiz, days in ((older, 3), (newer, 1), (retired, 0)):
        attempt = take(quiz, trainee)
        Attempt.objects.filter(pk=attempt.pk).update(
            finished_at=now - timedelta(days=days)
        )
    Quiz.objects.filter(pk=retired.pk).update(published=False)
    # A newer quiz has only an attempt in progress: not a graded one.
    from quiz.attempts.services import attempt_start

    in_progress = QuizFactory(questions__n=1, title="In progress")
    attempt_start(quiz=in_progress, user=trainee)

    response = staff_client.get(URL)

    assert response.status_code == 200
    assert response.context["filter"].quiz == newer
    offered = list(response.context["form"].fields["quiz"].queryset)
    assert offered == [older, newer]
    assert staff_client.get(URL, {"quiz": retired.pk}).status_code == 400


def test_without_any_graded_attempt_the_page_asks_for_a_quiz(staff_client):
    QuizFactory(questions__n=1)

    response = staff_client.get(URL)

    assert response.status_code == 200 and "filter" not in response.context


def test_the_chart_of_positions_has_its_text_alternative(staff_client):
    quiz = keyed_backwards(4)

    html = staff_client.get(URL, {"quiz": quiz.pk}).content.decode()

    assert 'data-chart="positions"' in html
    assert "position 1: facility 50%, discrimination -100%" in html
    assert 'style="' not in html.split('data-chart="positions"')[1].split("</svg>")[0]


def test_the_csv_files_carry_every_statistic(staff_client, settings):
    settings.STATISTICS_MIN_ATTEMPTS = 20
    quiz = keyed_backwards(25)

    rows = read_csv(staff_client.get(URL, {"quiz": quiz.pk, "format": "csv"}))
    figures = {
        r["statistic"]: r["value"]
        for r in read_csv(
            staff_client.get(URL, {"quiz": quiz.pk, "format": "csv", "table": "quiz"})
        )
    }

    assert [r["slot"] for r in rows] == ["1", "2", "3", "4"]
    first = rows[0]
    assert first["row"] == "slot" and first["attempts"] == "25"
    assert first["discrimination_percent"] == "-100.00"
    assert first["random_guess_score_percent"] == "33.33"  # one right of three
    assert first["intended_weight_percent"] == "25.00"
    assert first["negative_covariance"] == "yes"
    assert first["flags"] == "check the key"
    # Slots 2 to 4 move together: a third of the weight each; slot 1 none.
    assert rows[1]["effective_weight_percent"] == "33.33"
    assert first["effective_weight_percent"] == ""
    for name in (
        "facility_percent",
        "sd_percent",
        "discriminative_efficiency_percent",
    ):
        assert first[name] != "", name
    assert set(figures) >= {
        "attempts",
        "mean_percent",
        "median_percent",
        "sd_percent",
        "skewness",
        "kurtosis",
        "cic_percent",
        "error_ratio_percent",
        "standard_error_percent",
    }
    assert figures["attempts"] == "25" and figures["maximum_mark"] == "4"


@pytest.mark.parametrize("attempts", [5, 25])
def test_the_page_runs_a_fixed_number_of_queries(
    staff_client, django_assert_num_queries, attempts
):
    quiz = keyed_backwards(attempts)
    QuizFactory(questions__n=2)  # another quiz, never taken

    # auth (2); the quiz with the latest graded attempt (1) and the form's quiz
    # (1); four aggregates (the answers by slot, question, mark and rest; choice
    # counts; the snapshots answered; attempts by score and total); question
    # titles and choices (2); the picker's quizzes and cohorts (2)
    with django_assert_num_queries(12):
        response = staff_client.get(URL)
    assert response.context["filter"].quiz == quiz
    assert response.context["quiz_stats"].attempts == attempts

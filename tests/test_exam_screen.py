"""The exam screen: flags, the navigator, resuming where the trainee stopped,
the countdown's warnings, the summary before submitting, and the result page's
strip, "only my mistakes" and "Try again"."""

import re
from datetime import timedelta

import pytest

from django.urls import reverse
from django.utils import timezone

from quiz.attempts.services import attempt_save_answers, attempt_start, attempt_submit
from quiz.attempts.timing import TimeLeft
from quiz.models import Attempt, ReviewPolicy
from tests.factories import (
    QuizFactory,
    RuleFactory,
    as_keys,
    correct_answers,
    published_question,
    wrong_answers,
)

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    """The page as words: tags dropped, whitespace squeezed."""
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def one_per_page(trainee, n=5, **quiz):
    return attempt_start(
        quiz=QuizFactory(questions__n=n, layout="one_per_page", **quiz), user=trainee
    )


def detail(attempt) -> str:
    return reverse("quiz:attempt-detail", args=[attempt.pk])


# --- flags ----------------------------------------------------------------------


def test_a_flag_is_saved_with_the_page_and_cleared_when_unticked(
    trainee_client, trainee
):
    attempt = one_per_page(trainee)
    response = trainee_client.post(
        detail(attempt), {"page": "2", "shown": ["2"], "flag": ["2"], "nav": "save"}
    )
    assert response.status_code == 302
    assert list(
        attempt.items.filter(flagged=True).values_list("position", flat=True)
    ) == [2]

    # The navigator and the bar show it.
    page = trainee_client.get(detail(attempt), {"page": "3"})
    html = page.content.decode()
    assert re.search(r'class="rw-qbtn rw-qbtn-flagged" data-position="2"', html)
    assert "2 (not answered, flagged)" in text_of(page)
    assert "1 flagged" in text_of(page)

    # Posted again without the box ticked: unflagged. A page that did not show
    # question 2 leaves its flag alone.
    trainee_client.post(detail(attempt), {"page": "3", "shown": ["3"], "nav": "save"})
    assert attempt.items.get(position=2).flagged
    trainee_client.post(detail(attempt), {"page": "2", "shown": ["2"], "nav": "save"})
    assert not attempt.items.get(position=2).flagged


@pytest.mark.parametrize("flag", ["9", "x", "1; DROP", "2"])
def test_a_flag_for_a_question_not_on_the_page_is_refused(
    trainee_client, trainee, flag
):
    attempt = one_per_page(trainee)
    response = trainee_client.post(
        detail(attempt), {"page": "1", "shown": ["1"], "flag": [flag], "nav": "save"}
    )
    assert response.status_code == 400
    assert "The form was not understood; nothing was saved." in text_of(response)
    assert not attempt.items.filter(flagged=True).exists()


def test_the_flag_toggle_is_a_checkbox_that_works_without_javascript(
    trainee_client, trainee
):
    attempt = one_per_page(trainee)
    attempt_save_answers(
        attempt=attempt, user=trainee, answers={}, flags={1: True}, page=1
    )
    html = trainee_client.get(detail(attempt)).content.decode()
    assert re.search(
        r'<input type="checkbox" class="btn-check" name="flag" value="1" '
        r'id="flag-1" autocomplete="off" checked>',
        html,
    )
    assert '<label class="btn btn-sm btn-outline-danger" for="flag-1">' in html


# --- resuming -------------------------------------------------------------------


def test_resume_opens_the_page_the_trainee_was_last_sent_to(trainee_client, trainee):
    attempt = one_per_page(trainee)
    answers = correct_answers(attempt)

    trainee_client.post(
        detail(attempt),
        {"page": "1", **as_keys(attempt, {1: answers[1]}), "nav": "next"},
    )
    trainee_client.post(detail(attempt), {"page": "2", "shown": ["2"], "nav": "page-4"})
    attempt.refresh_from_db()
    assert attempt.last_page == 4

    # Opening the attempt (the "Resume" button's link) shows question 4.
    html = trainee_client.get(detail(attempt)).content.decode()
    assert re.findall(r'name="shown" value="(\d+)"', html) == ["4"]
    assert 'aria-current="step"' in html and 'value="page-4" class="rw-qbtn' in html

    # Going to the summary and an autosave from page 4 keep it there.
    trainee_client.post(detail(attempt), {"page": "4", "shown": ["4"], "nav": "review"})
    trainee_client.post(
        detail(attempt),
        {"page": "4", "shown": ["4"], "nav": "save"},
        headers={"x-requested-with": "fetch"},
    )
    attempt.refresh_from_db()
    assert attempt.last_page == 4


def test_an_asked_page_wins_over_the_remembered_one(trainee_client, trainee):
    attempt = one_per_page(trainee)
    Attempt.objects.filter(pk=attempt.pk).update(last_page=3)
    html = trainee_client.get(detail(attempt), {"page": "5"}).content.decode()
    assert re.findall(r'name="shown" value="(\d+)"', html) == ["5"]


def test_a_remembered_page_beyond_the_attempt_falls_back_to_the_last(
    trainee_client, trainee
):
    attempt = one_per_page(trainee, n=3)
    Attempt.objects.filter(pk=attempt.pk).update(last_page=40)
    html = trainee_client.get(detail(attempt)).content.decode()
    assert re.findall(r'name="shown" value="(\d+)"', html) == ["3"]


# --- the countdown --------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "minutes", "level"),
    [
        (1800, 30, ""),
        (301, 6, ""),
        (300, 5, "warn"),
        (61, 2, "warn"),
        (60, 1, "last"),
        (1, 1, "last"),
        (0, 0, "last"),
    ],
)
def test_time_left_rounds_minutes_up_and_warns_at_5_and_1_minutes(
    seconds, minutes, level
):
    left = TimeLeft(ends=timezone.now(), seconds=seconds)
    assert (left.minutes, left.level) == (minutes, level)


@pytest.mark.parametrize(
    ("left", "css", "words"),
    [
        (timedelta(minutes=30), None, None),
        (timedelta(minutes=4), "rw-timer-warn", "5 minutes or less left."),
        (timedelta(seconds=40), "rw-timer-last", "Less than a minute left."),
    ],
)
def test_the_page_says_how_much_time_is_left_and_warns_in_words(
    trainee_client, trainee, left, css, words
):
    attempt = one_per_page(trainee)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() + left)
    response = trainee_client.get(detail(attempt))
    html, text = response.content.decode(), text_of(response)
    minutes = -(-int(left.total_seconds() - 1) // 60)
    assert re.search(rf"Time left {minutes} min \(ends \d\d:\d\d UTC ?\)", text), text
    for level in ("rw-timer-warn", "rw-timer-last"):
        assert (f'class="rw-timer {level}"' in html) is (level == css)
    if words:
        assert words in text
    else:
        assert "minutes or less left" not in text and "minute left" not in text


def test_an_untimed_quiz_has_no_countdown(trainee_client, trainee):
    attempt = one_per_page(trainee)
    assert attempt.effective_deadline is None
    assert 'id="rw-timer"' not in trainee_client.get(detail(attempt)).content.decode()


# --- the summary before submitting ------------------------------------------------


def test_the_summary_lists_every_question_with_its_state_and_flag(
    trainee_client, trainee
):
    attempt = one_per_page(trainee, n=4)
    answers = correct_answers(attempt)
    attempt_save_answers(
        attempt=attempt,
        user=trainee,
        answers={1: answers[1], 3: answers[3]},
        flags={3: True},
    )
    response = trainee_client.get(reverse("quiz:attempt-submit", args=[attempt.pk]))
    text = text_of(response)
    assert "2 questions are not answered." in text
    assert "You flagged 1 question to look at again." in text
    rows = re.findall(r"Question (\d) (Answered|Not answered)( &#9873; Flagged)?", text)
    assert rows == [
        ("1", "Answered", ""),
        ("2", "Not answered", ""),
        ("3", "Answered", " &#9873; Flagged"),
        ("4", "Not answered", ""),
    ]
    html = response.content.decode()
    for k in range(1, 5):
        assert f'href="{detail(attempt)}?page={k}"' in html


def test_the_summary_of_an_all_on_one_page_quiz_links_to_the_questions(
    trainee_client, trainee
):
    attempt = attempt_start(quiz=QuizFactory(questions__n=2), user=trainee)
    html = trainee_client.get(
        reverse("quiz:attempt-submit", args=[attempt.pk])
    ).content.decode()
    assert f'href="{detail(attempt)}#question-2"' in html
    assert 'id="question-2"' in trainee_client.get(detail(attempt)).content.decode()


# --- the result page ------------------------------------------------------------


def finished(trainee, *, wrong=(), unanswered=(), **quiz):
    attempt = attempt_start(quiz=QuizFactory(questions__n=5, **quiz), user=trainee)
    answers = correct_answers(attempt)
    bad = wrong_answers(attempt)
    chosen = {
        k: (bad[k] if k in wrong else ids)
        for k, ids in answers.items()
        if k not in unanswered
    }
    attempt_submit(attempt=attempt, user=trainee, answers=chosen)
    return attempt


def result(client, attempt, **query):
    return client.get(reverse("quiz:attempt-result", args=[attempt.pk]), query)


def test_the_strip_shows_every_question_by_how_it_went(trainee_client, trainee):
    attempt = finished(trainee, wrong={2}, unanswered={4})
    html = result(trainee_client, attempt).content.decode()
    cells = re.findall(
        r'class="rw-strip-cell rw-strip-(\w+)[^"]*" href="#q(\d)-title"', html
    )
    assert cells == [
        ("right", "1"),
        ("wrong", "2"),
        ("right", "3"),
        ("unanswered", "4"),
        ("right", "5"),
    ]
    assert "2 (wrong)" in text_of(result(trainee_client, attempt))


def test_only_my_mistakes_shows_the_questions_not_fully_right(trainee_client, trainee):
    attempt = finished(trainee, wrong={2}, unanswered={4})
    everything = result(trainee_client, attempt)
    mistakes = result(trainee_client, attempt, show="mistakes")

    def reviewed(response):
        return re.findall(
            r'<article class="card mb-3" aria-labelledby="q(\d)-title">',
            response.content.decode(),
        )

    assert reviewed(everything) == ["1", "2", "3", "4", "5"]
    assert reviewed(mistakes) == ["2", "4"]
    assert "Only my mistakes (2)" in text_of(everything)
    # In that view a right question's square leads back to the full review.
    assert 'href="?#q1-title"' in mistakes.content.decode()


def test_only_my_mistakes_with_none_says_so(trainee_client, trainee):
    attempt = finished(trainee)
    text = text_of(result(trainee_client, attempt, show="mistakes"))
    assert "No mistakes in this attempt" in text
    assert "Only my mistakes (0)" in text


def test_a_hidden_review_shows_no_strip_and_no_mistakes(trainee_client, trainee):
    attempt = finished(trainee, wrong={2}, review=ReviewPolicy.NEVER)
    response = result(trainee_client, attempt, show="mistakes")
    html = response.content.decode()
    assert "rw-strip-cell" not in html and "<article" not in html
    assert "Answers are not shown for this quiz" in text_of(response)


@pytest.mark.parametrize(
    ("max_attempts", "button"),
    [
        (3, "Try again (2 attempts left)"),
        (2, "Try again (1 attempt left)"),
        (None, "Try again"),
    ],
)
def test_a_failed_attempt_offers_to_try_again(
    trainee_client, trainee, max_attempts, button
):
    attempt = finished(trainee, wrong={1, 2}, max_attempts=max_attempts)
    response = result(trainee_client, attempt)
    html = response.content.decode()
    assert re.search(
        rf'<button type="submit" class="btn btn-primary">{re.escape(button)}</button>',
        html,
    )
    start = reverse("quiz:quiz-start", args=[attempt.quiz.slug])
    assert f'action="{start}"' in html
    assert "Read my mistakes first" in html


def test_no_try_again_after_a_pass_or_when_attempts_are_used_up_or_closed(
    trainee_client, trainee
):
    passed = finished(trainee)
    used_up = finished(trainee, wrong={1}, max_attempts=1)
    closed = finished(trainee, wrong={1})
    closed.quiz.closes_at = timezone.now() - timedelta(minutes=1)
    closed.quiz.save(update_fields=["closes_at"])
    for attempt in (passed, used_up, closed):
        assert "Try again" not in result(trainee_client, attempt).content.decode()


def test_an_open_attempt_is_offered_to_resume_instead(trainee_client, trainee):
    first = finished(trainee, wrong={1})
    second = attempt_start(quiz=first.quiz, user=trainee)
    html = result(trainee_client, first).content.decode()
    assert f'href="{detail(second)}">Resume your open attempt</a>' in html
    assert "Try again" not in html


def test_a_supervisor_reviewing_sees_the_strip_but_no_try_again(
    supervisor_client, cohort, trainee
):
    attempt = finished(trainee, wrong={1})
    response = supervisor_client.get(
        reverse("quiz:report-attempt", args=[attempt.pk]), {"show": "mistakes"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "rw-strip-wrong" in html and "Try again" not in html
    assert re.findall(r'aria-labelledby="q(\d)-title">', html) == ["1"]


def test_rows_written_without_the_new_columns_get_their_defaults(trainee):
    """During a rolling deploy an app server on the previous release inserts
    attempts and their questions without last_page and flagged: the database
    fills them in (db_default), so those inserts do not fail."""
    from django.db import connection

    attempt = one_per_page(trainee, n=2)
    other_question = published_question()
    other_quiz = QuizFactory(questions__n=1)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO quiz_attemptquestion (attempt_id, question_id, position,"
            " slot, snapshot, critical, selected) VALUES (%s, %s, 3, 3, %s, %s, %s)",
            [attempt.pk, other_question.pk, '{"qtype": "single"}', False, "[]"],
        )
        cursor.execute(
            "INSERT INTO quiz_attempt (quiz_id, user_id, number, state, started_at,"
            " pass_mark, failed_critical, timed_out) VALUES (%s, %s, 1,"
            " 'in_progress', %s, 80, %s, %s)",
            [other_quiz.pk, trainee.pk, timezone.now(), False, False],
        )
    assert not attempt.items.get(position=3).flagged
    assert Attempt.objects.get(quiz=other_quiz).last_page == 1


@pytest.mark.parametrize(
    ("method", "grade", "basis"),
    [
        ("highest", "100%", "highest of 3 attempts"),
        ("latest", "60%", "latest of 3 attempts"),
        ("first", "20%", "first of 3 attempts"),
        ("average", "60%", "average of 3 attempts"),
    ],
)
def test_the_result_header_gives_marks_and_the_grade_by_the_quizs_method(
    trainee_client, trainee, method, grade, basis, django_assert_num_queries
):
    quiz = QuizFactory(questions__n=5, grading_method=method)
    attempts = []
    for wrong in ({2, 3, 4, 5}, set(), {4, 5}):  # 20%, 100%, 60%
        attempt = attempt_start(quiz=quiz, user=trainee)
        bad, good = wrong_answers(attempt), correct_answers(attempt)
        answers = {k: bad[k] if k in wrong else good[k] for k in good}
        attempt_submit(attempt=attempt, user=trainee, answers=answers)
        attempts.append(attempt)

    # The grade comes with the attempt: session, user with roles + attempt (with quiz and grade) + items.
    with django_assert_num_queries(2 + 2):
        response = result(trainee_client, attempts[0])
    text = text_of(response)
    assert "Marks 1 out of 5" in text
    assert f"Your grade for this quiz: {grade} ({basis})" in text


def test_the_summary_marks_unanswered_safety_critical_questions(
    trainee_client, trainee
):
    critical = published_question(rules=[RuleFactory(critical=True)])
    plain = published_question()
    quiz = QuizFactory(questions=[critical, plain], layout="one_per_page")
    attempt = attempt_start(quiz=quiz, user=trainee)
    text = text_of(
        trainee_client.get(reverse("quiz:attempt-submit", args=[attempt.pk]))
    )
    position = attempt.items.get(question=critical).position
    assert (
        f"Question {position} Not answered safety-critical: fails the attempt if "
        "left unanswered" in text
    )
    assert text.count("safety-critical: fails the attempt") == 1


def test_the_result_of_a_timed_out_attempt_says_time_ran_out(trainee_client, trainee):
    attempt = one_per_page(trainee, n=3)
    answers = correct_answers(attempt)
    attempt_save_answers(attempt=attempt, user=trainee, answers={1: answers[1]})
    Attempt.objects.filter(pk=attempt.pk).update(
        deadline=timezone.now() - timedelta(minutes=5)
    )
    response = trainee_client.get(reverse("quiz:attempt-result", args=[attempt.pk]))
    text = text_of(response)
    assert "Time ran out: the answers saved before the deadline were graded." in text
    assert "Marks 1 out of 3" in text
    on_time = finished(trainee)
    assert "Time ran out" not in text_of(result(trainee_client, on_time))

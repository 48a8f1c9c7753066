"""Taking a quiz: start, resume, save, submit, and every integrity case."""

import random
import re
from datetime import timedelta
from io import StringIO

import pytest

from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from questions.models import Choice, QuestionType
from quiz.attempts.selectors import rule_mastery
from quiz.attempts.services import (
    AttemptClosedError,
    InvalidAnswerError,
    StartRefusedError,
    attempt_save_answers,
    attempt_start,
    attempt_submit,
)
from quiz.models import (
    Attempt,
    AttemptState,
    Override,
    Quiz,
    QuizDraw,
    ReviewPolicy,
)
from quiz.programme.services import override_grant
from tests.factories import (
    CategoryFactory,
    QuizFactory,
    RuleFactory,
    TraineeFactory,
    as_keys,
    correct_answers,
    published_question,
    wrong_answers,
)

pytestmark = pytest.mark.django_db


def without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.fixture
def quiz(db):
    return QuizFactory(questions__n=4)


@pytest.fixture
def attempt(quiz, trainee):
    return attempt_start(quiz=quiz, user=trainee)


# --- starting and resuming -------------------------------------------------------


def test_start_stores_questions_and_order(quiz, trainee):
    attempt = attempt_start(quiz=quiz, user=trainee)

    items = list(attempt.items.all())
    assert [i.position for i in items] == [1, 2, 3, 4]
    assert {i.question_id for i in items} == set(
        quiz.quiz_questions.values_list("question_id", flat=True)
    )
    assert all(i.snapshot["choices"] and i.snapshot["rules"] for i in items)
    assert attempt.pass_mark == quiz.pass_mark
    assert attempt.number == 1


def test_start_twice_resumes_the_same_attempt(quiz, trainee):
    first = attempt_start(quiz=quiz, user=trainee)
    second = attempt_start(quiz=quiz, user=trainee)

    assert first.pk == second.pk
    assert Attempt.objects.count() == 1


def test_shuffled_order_is_stored_and_resuming_shows_the_same(trainee_client, trainee):
    quiz = QuizFactory(questions__n=8, shuffle_questions=True, shuffle_choices=True)
    attempt = attempt_start(quiz=quiz, user=trainee, rng=random.Random(7))
    url = reverse("quiz:attempt-detail", args=[attempt.pk])

    first = trainee_client.get(url).content.decode()
    trainee_client.post(reverse("quiz:quiz-start", args=[quiz.slug]))
    again = trainee_client.get(url).content.decode()

    stems = [item.snapshot["stem"] for item in attempt.items.all()]
    positions = [first.index(stem) for stem in stems]
    assert positions == sorted(positions)
    assert without_csrf(first) == without_csrf(again)


def test_database_allows_one_attempt_in_progress_per_trainee_and_quiz(attempt):
    with pytest.raises(IntegrityError), transaction.atomic():
        Attempt.objects.create(
            quiz=attempt.quiz, user=attempt.user, number=2, pass_mark=80
        )


def test_start_view_is_post_only(trainee_client, quiz):
    assert (
        trainee_client.get(reverse("quiz:quiz-start", args=[quiz.slug])).status_code
        == 405
    )


def test_start_view_redirects_to_the_attempt(trainee_client, quiz, trainee):
    response = trainee_client.post(reverse("quiz:quiz-start", args=[quiz.slug]))

    attempt = Attempt.objects.get(user=trainee)
    assert response.status_code == 302
    assert response["Location"] == reverse("quiz:attempt-detail", args=[attempt.pk])


def test_start_beyond_max_attempts_is_refused_with_a_message(trainee_client, trainee):
    quiz = QuizFactory(questions__n=2, max_attempts=1)
    attempt = attempt_start(quiz=quiz, user=trainee)
    attempt_submit(attempt=attempt, user=trainee)

    response = trainee_client.post(reverse("quiz:quiz-start", args=[quiz.slug]))

    assert response.status_code == 403
    assert "used all 1 attempts" in response.content.decode()
    assert Attempt.objects.filter(user=trainee).count() == 1


def test_unpublished_quiz_is_404(trainee_client):
    quiz = QuizFactory(published=False)

    assert (
        trainee_client.get(reverse("quiz:quiz-detail", args=[quiz.slug])).status_code
        == 404
    )
    assert (
        trainee_client.post(reverse("quiz:quiz-start", args=[quiz.slug])).status_code
        == 404
    )


def test_closed_quiz_refuses_a_start(trainee_client, trainee):
    quiz = QuizFactory(closes_at=timezone.now() - timedelta(days=1))

    response = trainee_client.post(reverse("quiz:quiz-start", args=[quiz.slug]))

    assert response.status_code == 403
    assert not Attempt.objects.exists()


# --- answering -----------------------------------------------------------------


def test_post_saves_answers_and_they_show_again(trainee_client, attempt):
    answers = correct_answers(attempt)
    data = {**as_keys(attempt, answers), "nav": "save"}

    response = trainee_client.post(
        reverse("quiz:attempt-detail", args=[attempt.pk]), data
    )

    assert response.status_code == 302
    saved = {i.position: i.selected for i in attempt.items.all()}
    assert saved == answers
    page = trainee_client.get(
        reverse("quiz:attempt-detail", args=[attempt.pk])
    ).content.decode()
    assert page.count(" checked") == len(answers)


def test_unchecking_everything_on_a_page_clears_the_answer(trainee, attempt):
    attempt_save_answers(
        attempt=attempt, user=trainee, answers=correct_answers(attempt)
    )

    attempt_save_answers(attempt=attempt, user=trainee, answers={1: []})

    assert attempt.items.get(position=1).selected == []


def test_answer_to_a_question_not_in_the_attempt_is_400_and_changes_nothing(
    trainee_client, attempt
):
    data = {
        **as_keys(attempt, {1: correct_answers(attempt)[1]}),
        "shown": ["1", "99"],
        "q-99": ["1"],
    }

    response = trainee_client.post(
        reverse("quiz:attempt-detail", args=[attempt.pk]), data
    )

    assert response.status_code == 400
    assert "Question 99 is not part of this attempt" in response.content.decode()
    assert all(item.selected == [] for item in attempt.items.all())


def test_choice_of_another_question_is_400_and_changes_nothing(
    trainee_client, attempt, trainee
):
    other = published_question(
        choices=[("A", True), ("B", False), ("C", False), ("D", False), ("E", False)]
    )
    foreign = other.choices.last()
    data = {
        **as_keys(attempt, {1: correct_answers(attempt)[1]}),
        "shown": ["1", "2"],
        # Question 2 has 3 choices: the 5th place belongs to no choice of it.
        "q-2": ["5"],
    }

    response = trainee_client.post(
        reverse("quiz:attempt-detail", args=[attempt.pk]), data
    )

    assert response.status_code == 400
    assert "not one of its choices" in response.content.decode()
    assert all(item.selected == [] for item in attempt.items.all())
    # The service refuses a foreign choice id just the same.
    with pytest.raises(InvalidAnswerError):
        attempt_save_answers(attempt=attempt, user=trainee, answers={2: [foreign.pk]})


@pytest.mark.parametrize(
    "data",
    [
        {"shown": ["abc"]},
        {"shown": ["1"], "q-1": ["not-a-number"]},
        {"q-x": ["1"]},
        {"shown": ["-1"]},
    ],
)
def test_malformed_answer_posts_are_400(trainee_client, attempt, data):
    response = trainee_client.post(
        reverse("quiz:attempt-detail", args=[attempt.pk]), data
    )

    assert response.status_code == 400
    assert all(item.selected == [] for item in attempt.items.all())


def test_two_answers_to_a_single_answer_question_are_refused(trainee, attempt):
    item = attempt.items.get(position=1)
    ids = [c["id"] for c in item.snapshot["choices"]][:2]

    with pytest.raises(InvalidAnswerError):
        attempt_save_answers(attempt=attempt, user=trainee, answers={1: ids})


def test_bad_page_number_is_404(trainee_client, trainee):
    quiz = QuizFactory(questions__n=2, layout="one_per_page")
    attempt = attempt_start(quiz=quiz, user=trainee)
    url = reverse("quiz:attempt-detail", args=[attempt.pk])

    assert trainee_client.get(url, {"page": "3"}).status_code == 404
    assert trainee_client.get(url, {"page": "x"}).status_code == 404
    assert trainee_client.get(url, {"page": "2"}).status_code == 200


def test_one_per_page_navigation_saves_each_page(trainee_client, trainee):
    quiz = QuizFactory(questions__n=3, layout="one_per_page")
    attempt = attempt_start(quiz=quiz, user=trainee)
    answers = correct_answers(attempt)
    url = reverse("quiz:attempt-detail", args=[attempt.pk])

    response = trainee_client.post(
        url, {"page": "1", **as_keys(attempt, {1: answers[1]}), "nav": "next"}
    )
    assert response["Location"] == f"{url}?page=2"
    response = trainee_client.post(
        url, {"page": "2", **as_keys(attempt, {2: answers[2]}), "nav": "review"}
    )
    assert response["Location"] == reverse("quiz:attempt-submit", args=[attempt.pk])

    review = trainee_client.get(response["Location"]).content.decode()
    assert "1 question is not answered" in review
    assert attempt.items.get(position=2).selected == answers[2]


@pytest.mark.parametrize(
    ("layout", "shown", "numbered"),
    [("all_on_one", [1, 2, 3], True), ("one_per_page", [2], False)],
)
def test_attempt_page_lists_the_questions_it_shows(
    trainee_client, trainee, layout, shown, numbered
):
    quiz = QuizFactory(questions__n=3, layout=layout)
    attempt = attempt_start(quiz=quiz, user=trainee)
    item = attempt.items.get(position=2)
    item.snapshot["stem"] = '<i>Neck</i> & "twist"?'
    item.save(update_fields=["snapshot"])
    attempt_save_answers(
        attempt=attempt, user=trainee, answers={2: [item.choices[-1]["id"]]}
    )

    query = {"page": "2"} if layout == "one_per_page" else {}
    html = trainee_client.get(
        reverse("quiz:attempt-detail", args=[attempt.pk]), query
    ).content.decode()

    markers = re.findall(r'<input type="hidden" name="shown" value="(\d+)">', html)
    assert [int(m) for m in markers] == shown
    assert ("Question 1 of 3</p>" in html) is numbered
    assert html.count("Question 2 of 3") == 1  # numbered on the page or in the header
    assert "&lt;i&gt;Neck&lt;/i&gt; &amp; &quot;twist&quot;?" in html
    last = len(item.choices)
    assert f'name="q-2" id="q-2-{last}" value="{last}" checked>' in html
    assert "1 of 3 answered" in re.sub(r"<[^>]+>", "", html)


def test_question_page_html_contains_no_answer_key(trainee_client, trainee):
    question = published_question(
        choices=[("Work smoothly", True), ("Twist the neck", False)],
        explanation="EXPLANATION-SECRET",
    )
    Choice.objects.filter(question=question).update(feedback="FEEDBACK-SECRET")
    quiz = QuizFactory(questions=[question])
    attempt = attempt_start(quiz=quiz, user=trainee)

    html = trainee_client.get(
        reverse("quiz:attempt-detail", args=[attempt.pk])
    ).content.decode()

    assert "Work smoothly" in html and "Twist the neck" in html
    assert "FEEDBACK-SECRET" not in html
    assert "EXPLANATION-SECRET" not in html
    assert "correct" not in html.lower()
    assert question.rules.first().code not in html


# --- submitting ------------------------------------------------------------------


def test_submit_grades_the_attempt(trainee_client, attempt, trainee):
    attempt_save_answers(
        attempt=attempt, user=trainee, answers=correct_answers(attempt)
    )

    response = trainee_client.post(reverse("quiz:attempt-submit", args=[attempt.pk]))

    attempt.refresh_from_db()
    assert response["Location"] == reverse("quiz:attempt-result", args=[attempt.pk])
    assert attempt.state == AttemptState.FINISHED
    assert attempt.score == 100 and attempt.passed is True
    assert all(item.fully_correct for item in attempt.items.all())


def test_second_submit_changes_nothing(trainee_client, attempt, trainee):
    attempt_submit(attempt=attempt, user=trainee, answers=wrong_answers(attempt))
    attempt.refresh_from_db()
    before = (attempt.score, attempt.passed, attempt.finished_at)

    response = trainee_client.post(
        reverse("quiz:attempt-submit", args=[attempt.pk]), follow=True
    )
    answer_post = trainee_client.post(
        reverse("quiz:attempt-detail", args=[attempt.pk]),
        {**as_keys(attempt, {1: correct_answers(attempt)[1]}), "nav": "submit"},
        follow=True,
    )

    attempt.refresh_from_db()
    assert (attempt.score, attempt.passed, attempt.finished_at) == before
    assert "already submitted" in " ".join(messages_of(response))
    assert "already submitted" in " ".join(messages_of(answer_post))
    with pytest.raises(AttemptClosedError):
        attempt_submit(attempt=attempt, user=trainee)


def test_late_submit_is_graded_as_it_stood_and_ignores_new_answers(
    trainee_client, trainee
):
    quiz = QuizFactory(questions__n=2, time_limit_minutes=10)
    attempt = attempt_start(quiz=quiz, user=trainee)
    first_right = {1: correct_answers(attempt)[1]}
    attempt_save_answers(attempt=attempt, user=trainee, answers=first_right)
    Attempt.objects.filter(pk=attempt.pk).update(
        deadline=timezone.now() - timedelta(minutes=1)
    )

    response = trainee_client.post(
        reverse("quiz:attempt-detail", args=[attempt.pk]),
        {**as_keys(attempt, {2: correct_answers(attempt)[2]}), "nav": "submit"},
        follow=True,
    )

    attempt.refresh_from_db()
    assert attempt.state == AttemptState.FINISHED and attempt.timed_out
    assert attempt.score == 50
    assert attempt.items.get(position=2).selected == []
    assert "Time was up" in " ".join(messages_of(response))


def test_submit_within_the_grace_period_counts(trainee, settings):
    settings.QUIZ_DEADLINE_GRACE_SECONDS = 30
    quiz = QuizFactory(questions__n=1, time_limit_minutes=10)
    attempt = attempt_start(quiz=quiz, user=trainee)
    Attempt.objects.filter(pk=attempt.pk).update(
        deadline=timezone.now() - timedelta(seconds=5)
    )

    outcome = attempt_submit(
        attempt=attempt, user=trainee, answers=correct_answers(attempt)
    )

    assert outcome.late is False
    assert outcome.attempt.score == 100


def test_pages_leave_other_overdue_attempts_to_the_queue_and_cron(
    trainee_client, trainee
):
    # Grading is off the request path: the list pages read, they do not grade
    # (the task scheduled at the start, or close_overdue_attempts, does).
    quiz = QuizFactory(questions__n=2, time_limit_minutes=5)
    attempt = attempt_start(quiz=quiz, user=trainee)
    attempt_save_answers(
        attempt=attempt, user=trainee, answers=correct_answers(attempt)
    )
    Attempt.objects.filter(pk=attempt.pk).update(
        deadline=timezone.now() - timedelta(hours=1)
    )

    for name in ("quiz:home", "quiz:quiz-list", "quiz:attempt-history"):
        assert trainee_client.get(reverse(name)).status_code == 200
    assert trainee_client.get(reverse("quiz:certificate-list")).status_code == 200
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.IN_PROGRESS

    call_command("close_overdue_attempts", stdout=StringIO())

    attempt.refresh_from_db()
    assert attempt.state == AttemptState.FINISHED
    assert attempt.timed_out and attempt.score == 100


def test_starting_grades_that_quizs_overdue_attempt_first_and_counts_it(trainee):
    # The trainee's own overdue attempt on the quiz is graded when they start
    # it again, and counted: it cannot be used to start past the last attempt.
    quiz = QuizFactory(questions__n=1, time_limit_minutes=5, max_attempts=1)
    attempt = attempt_start(quiz=quiz, user=trainee)
    Attempt.objects.filter(pk=attempt.pk).update(
        deadline=timezone.now() - timedelta(hours=1)
    )

    with pytest.raises(StartRefusedError):
        attempt_start(quiz=quiz, user=trainee)

    attempt.refresh_from_db()
    assert attempt.state == AttemptState.FINISHED and attempt.timed_out
    assert Attempt.objects.filter(user=trainee, quiz=quiz).count() == 1


def test_an_attempt_graded_long_after_its_time_ran_out_ends_at_its_deadline(
    trainee_client, trainee
):
    from quiz.certificates.services import add_months
    from tests.factories import passed_attempt_left_overdue

    attempt = passed_attempt_left_overdue(trainee, days_ago=20, validity_months=12)
    deadline = attempt.deadline

    call_command("close_overdue_attempts", stdout=StringIO())  # cron, 20 days on

    attempt.refresh_from_db()
    certificate = trainee.certificates.get()
    assert attempt.timed_out and attempt.passed
    assert attempt.finished_at == deadline
    assert certificate.issued_at == deadline
    assert certificate.expires_at == add_months(deadline, 12)


def test_overdue_attempt_page_redirects_to_its_result(trainee_client, trainee):
    quiz = QuizFactory(questions__n=1, time_limit_minutes=5)
    attempt = attempt_start(quiz=quiz, user=trainee)
    Attempt.objects.filter(pk=attempt.pk).update(
        deadline=timezone.now() - timedelta(hours=1)
    )

    response = trainee_client.get(reverse("quiz:attempt-detail", args=[attempt.pk]))

    assert response["Location"] == reverse("quiz:attempt-result", args=[attempt.pk])


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("quiz:attempt-detail", "get"),
        ("quiz:attempt-detail", "post"),
        ("quiz:attempt-submit", "get"),
        ("quiz:attempt-submit", "post"),
        ("quiz:attempt-result", "get"),
    ],
)
def test_another_trainees_attempt_is_404(client, attempt, name, method):
    client.force_login(TraineeFactory())

    response = getattr(client, method)(reverse(name, args=[attempt.pk]))

    assert response.status_code == 404
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.IN_PROGRESS


def test_anonymous_is_sent_to_login(client, attempt):
    response = client.get(reverse("quiz:attempt-detail", args=[attempt.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_non_trainee_gets_403_on_quiz_pages(supervisor_client, quiz):
    assert supervisor_client.get(reverse("quiz:quiz-list")).status_code == 403
    assert (
        supervisor_client.post(reverse("quiz:quiz-start", args=[quiz.slug])).status_code
        == 403
    )


# --- results, critical rules, snapshots ----------------------------------------------


def test_critical_failure_names_the_safety_rule(trainee_client, trainee):
    critical = RuleFactory(code="R-NO-TWIST", title="No twisting", critical=True)
    questions = [published_question() for _ in range(9)] + [
        published_question(rules=[critical])
    ]
    quiz = QuizFactory(questions=questions, pass_mark=50)
    attempt = attempt_start(quiz=quiz, user=trainee)
    answers = correct_answers(attempt)
    critical_position = attempt.items.get(critical=True).position
    answers[critical_position] = wrong_answers(attempt)[critical_position]
    attempt_submit(attempt=attempt, user=trainee, answers=answers)

    html = trainee_client.get(
        reverse("quiz:attempt-result", args=[attempt.pk])
    ).content.decode()

    attempt.refresh_from_db()
    assert attempt.score == 90 and attempt.passed is False and attempt.failed_critical
    assert "Not passed" in html
    assert "R-NO-TWIST" in html and "No twisting" in html
    assert "safety-critical question was answered wrongly" in html


def failed_on_a_critical_rule(trainee, **quiz_fields):
    """A finished attempt that got only its safety-critical question wrong."""
    critical = RuleFactory(
        code="R-NO-TWIST",
        title="No twisting",
        wording="Never twist the neck of a patient with a hernia.",
        critical=True,
    )
    questions = [published_question() for _ in range(3)] + [
        published_question(rules=[critical], stem="Which way to turn the head?")
    ]
    quiz = QuizFactory(questions=questions, pass_mark=50, **quiz_fields)
    attempt = attempt_start(quiz=quiz, user=trainee)
    answers = correct_answers(attempt)
    critical_position = attempt.items.get(critical=True).position
    answers[critical_position] = wrong_answers(attempt)[critical_position]
    return attempt_submit(attempt=attempt, user=trainee, answers=answers).attempt


def names_the_rule(html: str) -> bool:
    return any(
        text in html
        for text in (
            "R-NO-TWIST",
            "No twisting",
            "Never twist the neck",
            "Which way to turn the head?",
        )
    )


@pytest.mark.parametrize(
    "quiz_fields",
    [
        {"review": ReviewPolicy.NEVER},
        {
            "review": ReviewPolicy.AFTER_CLOSE,
            "closes_at": timezone.now() + timedelta(days=1),
        },
    ],
    ids=["never", "after-close-before-closing"],
)
def test_hidden_review_says_a_critical_question_failed_but_not_which(
    trainee_client, trainee, quiz_fields
):
    attempt = failed_on_a_critical_rule(trainee, **quiz_fields)

    html = trainee_client.get(
        reverse("quiz:attempt-result", args=[attempt.pk])
    ).content.decode()

    assert attempt.failed_critical and not attempt.passed
    assert "safety-critical question was answered wrongly" in html
    # With unlimited attempts, naming the rule would be an answer oracle.
    assert not names_the_rule(html)


def test_the_failed_rule_is_named_once_the_review_opens(trainee_client, trainee):
    attempt = failed_on_a_critical_rule(
        trainee,
        review=ReviewPolicy.AFTER_CLOSE,
        closes_at=timezone.now() + timedelta(days=1),
    )
    Quiz.objects.filter(pk=attempt.quiz_id).update(
        closes_at=timezone.now() - timedelta(seconds=1)
    )

    html = trainee_client.get(
        reverse("quiz:attempt-result", args=[attempt.pk])
    ).content.decode()

    assert "Never twist the neck of a patient with a hernia." in html


def test_a_reviewer_sees_the_failed_rule_whatever_the_review_setting(
    client, cohort, trainee, supervisor
):
    attempt = failed_on_a_critical_rule(trainee, review=ReviewPolicy.NEVER)
    client.force_login(supervisor)

    html = client.get(
        reverse("quiz:report-attempt", args=[attempt.pk])
    ).content.decode()

    assert "safety-critical question was answered wrongly" in html
    assert "R-NO-TWIST" in html and "Never twist the neck of a patient" in html
    assert "Which way to turn the head?" in html


def test_result_shows_feedback_explanation_and_rule(trainee_client, trainee):
    question = published_question(explanation="Because the rule says smooth.")
    quiz = QuizFactory(questions=[question])
    attempt = attempt_start(quiz=quiz, user=trainee)
    attempt_submit(attempt=attempt, user=trainee, answers=wrong_answers(attempt))

    html = trainee_client.get(
        reverse("quiz:attempt-result", args=[attempt.pk])
    ).content.decode()

    wrong_text = next(c.text for c in question.choices.all() if not c.correct)
    assert f"Because: {wrong_text}" in html  # the feedback of the chosen choice
    assert "Because the rule says smooth." in html
    assert question.rules.first().code in html
    assert "your answer, wrong" in html


def test_review_never_hides_answers(trainee_client, trainee):
    quiz = QuizFactory(questions__n=1, review=ReviewPolicy.NEVER)
    attempt = attempt_start(quiz=quiz, user=trainee)
    attempt_submit(attempt=attempt, user=trainee, answers=wrong_answers(attempt))

    html = trainee_client.get(
        reverse("quiz:attempt-result", args=[attempt.pk])
    ).content.decode()

    assert "Answers are not shown" in html
    assert "Because:" not in html


def test_review_after_close_shows_answers_once_closed(trainee_client, trainee):
    quiz = QuizFactory(
        questions__n=1,
        review=ReviewPolicy.AFTER_CLOSE,
        closes_at=timezone.now() + timedelta(days=1),
    )
    attempt = attempt_start(quiz=quiz, user=trainee)
    attempt_submit(attempt=attempt, user=trainee, answers=wrong_answers(attempt))
    url = reverse("quiz:attempt-result", args=[attempt.pk])

    before = trainee_client.get(url).content.decode()
    Quiz.objects.filter(pk=quiz.pk).update(
        closes_at=timezone.now() - timedelta(seconds=1)
    )
    after = trainee_client.get(url).content.decode()

    assert "Because:" not in before and "after the quiz closes" in before
    assert "Because:" in after


def test_review_after_close_waits_for_the_trainees_own_later_close(
    trainee_client, trainee, supervisor
):
    """Before: the quiz's own date decided, so a trainee granted a later close
    read the key of an attempt while they could still make another."""
    quiz = QuizFactory(
        questions__n=1,
        review=ReviewPolicy.AFTER_CLOSE,
        closes_at=timezone.now() + timedelta(days=1),
    )
    attempt = attempt_start(quiz=quiz, user=trainee)
    attempt_submit(attempt=attempt, user=trainee, answers=wrong_answers(attempt))
    override_grant(
        quiz=quiz,
        trainee=trainee,
        granted_by=supervisor,
        reason="Ill in the exam week",
        closes_at=timezone.now() + timedelta(days=5),
    )
    Quiz.objects.filter(pk=quiz.pk).update(
        closes_at=timezone.now() - timedelta(seconds=1)
    )
    url = reverse("quiz:attempt-result", args=[attempt.pk])

    during = trainee_client.get(url).content.decode()
    mastered = [
        row for row in rule_mastery(user=trainee, reviewable_only=True) if row.answers
    ]
    Override.objects.filter(quiz=quiz).update(
        closes_at=timezone.now() - timedelta(seconds=1)
    )
    after = trainee_client.get(url).content.decode()

    assert "Because:" not in during and mastered == []
    assert "Because:" in after
    assert [
        row for row in rule_mastery(user=trainee, reviewable_only=True) if row.answers
    ]


def test_editing_a_question_after_an_attempt_leaves_the_result_unchanged(
    trainee_client, trainee
):
    question = published_question(choices=[("Smoothly", True), ("Twist", False)])
    quiz = QuizFactory(questions=[question, published_question()])
    attempt = attempt_start(quiz=quiz, user=trainee)
    attempt_submit(attempt=attempt, user=trainee, answers=correct_answers(attempt))
    url = reverse("quiz:attempt-result", args=[attempt.pk])
    before = trainee_client.get(url).content.decode()

    question.stem = "A rewritten stem"
    question.save()
    Choice.objects.filter(question=question, text="Smoothly").update(
        correct=False, text="Changed"
    )
    Choice.objects.filter(question=question, text="Twist").update(correct=True)
    from questions.services import question_unpublish

    quiz.quiz_questions.filter(question=question).delete()  # else retiring is refused
    question_unpublish(question=question)

    after = trainee_client.get(url).content.decode()
    attempt.refresh_from_db()
    assert attempt.score == 100 and attempt.passed
    assert "A rewritten stem" not in after and "Changed" not in after
    strip = lambda html: html[html.find("<main") :]  # noqa: E731
    assert strip(before) == strip(after)


def test_deleting_a_question_used_by_an_attempt_is_refused(attempt):
    from django.db.models import ProtectedError

    question = attempt.items.first().question
    with pytest.raises(ProtectedError):
        question.delete()


# --- selection ---------------------------------------------------------------------


def test_draws_pick_from_category_and_rule_without_repeats(trainee):
    category, rule = CategoryFactory(), RuleFactory(critical=True)
    in_both = [published_question(category=category, rules=[rule]) for _ in range(2)]
    only_category = [published_question(category=category) for _ in range(2)]
    quiz = QuizFactory(questions=[])
    QuizDraw.objects.create(quiz=quiz, rule=rule, count=2)
    QuizDraw.objects.create(quiz=quiz, category=category, count=2)

    for seed in range(5):
        attempt = attempt_start(
            quiz=quiz, user=TraineeFactory(), rng=random.Random(seed)
        )
        ids = [item.question_id for item in attempt.items.all()]
        assert len(ids) == len(set(ids)) == 4
        assert set(ids) == {q.pk for q in in_both + only_category}


def test_quiz_whose_draw_asks_too_much_cannot_be_published():
    from django.core.exceptions import ValidationError

    from quiz.services import quiz_publish

    category = CategoryFactory()
    published_question(category=category)
    quiz = QuizFactory(questions=[], published=False)
    QuizDraw.objects.create(quiz=quiz, category=category, count=2)

    with pytest.raises(ValidationError, match="asks for 2 questions but only 1"):
        quiz_publish(quiz=quiz)
    quiz.published = True
    with pytest.raises(ValidationError):
        quiz.save()
    assert Quiz.objects.get(pk=quiz.pk).published is False


def test_overlapping_draws_that_cannot_all_be_filled_are_refused():
    from quiz.selection import selection_problems

    category, rule = CategoryFactory(), RuleFactory()
    published_question(category=category, rules=[rule])
    published_question(category=category, rules=[rule])
    quiz = QuizFactory(questions=[], published=False)
    QuizDraw.objects.create(quiz=quiz, rule=rule, count=2)
    QuizDraw.objects.create(quiz=quiz, category=category, count=1)

    assert any("overlap" in p for p in selection_problems(quiz))


def test_multiple_answer_question_grades_with_partial_credit(trainee):
    question = published_question(qtype=QuestionType.MULTIPLE)
    quiz = QuizFactory(questions=[question], pass_mark=50)
    attempt = attempt_start(quiz=quiz, user=trainee)
    item = attempt.items.get()
    one_right = [next(c["id"] for c in item.snapshot["choices"] if c["correct"])]

    attempt_submit(attempt=attempt, user=trainee, answers={1: one_right})

    attempt.refresh_from_db()
    assert attempt.score == 50 and attempt.passed is True


@pytest.mark.parametrize(
    ("method", "data"),
    [
        ("get", {"page": "²"}),
        ("post", {"page": "²", "nav": "save"}),
        ("post", {"shown": "²"}),
        ("post", {"nav": "page-²"}),
        ("post", {"shown": "١"}),
    ],
)
def test_unicode_digits_are_refused_not_crashing(trainee_client, trainee, method, data):
    quiz = QuizFactory(questions__n=2, layout="one_per_page")
    attempt = attempt_start(quiz=quiz, user=trainee)

    response = getattr(trainee_client, method)(
        reverse("quiz:attempt-detail", args=[attempt.pk]), data
    )

    assert response.status_code in (302, 400, 404)


def test_closing_the_quiz_early_ends_open_attempts(trainee_client, trainee):
    quiz = QuizFactory(questions__n=2)
    attempt = attempt_start(quiz=quiz, user=trainee)
    Quiz.objects.filter(pk=quiz.pk).update(
        closes_at=timezone.now() - timedelta(minutes=5)
    )

    outcome = attempt_save_answers(
        attempt=attempt, user=trainee, answers=correct_answers(attempt)
    )

    attempt.refresh_from_db()
    assert outcome.value == "timed_out"
    assert attempt.state == AttemptState.FINISHED and attempt.timed_out
    assert all(item.selected == [] for item in attempt.items.all())
    response = trainee_client.get(reverse("quiz:attempt-detail", args=[attempt.pk]))
    assert response["Location"] == reverse("quiz:attempt-result", args=[attempt.pk])


def test_question_page_posts_places_not_choice_ids(trainee_client, trainee):
    quiz = QuizFactory(questions__n=3, shuffle_choices=True)
    attempt = attempt_start(quiz=quiz, user=trainee, rng=random.Random(3))
    html = trainee_client.get(
        reverse("quiz:attempt-detail", args=[attempt.pk])
    ).content.decode()

    values = re.findall(r'name="q-\d+"[^>]*value="(\d+)"', html)
    ids = {
        str(c["id"]) for item in attempt.items.all() for c in item.snapshot["choices"]
    }
    assert values and set(values) <= {"1", "2", "3", "4"}
    assert not any(f'value="{i}"' in html for i in ids - {"1", "2", "3", "4"})

    right = correct_answers(attempt)
    trainee_client.post(
        reverse("quiz:attempt-detail", args=[attempt.pk]),
        {**as_keys(attempt, right), "nav": "submit"},
    )
    attempt.refresh_from_db()
    assert attempt.score == 100


def test_a_place_beyond_the_choices_is_400(trainee_client, attempt):
    response = trainee_client.post(
        reverse("quiz:attempt-detail", args=[attempt.pk]),
        {"shown": ["1"], "q-1": ["9"]},
    )

    assert response.status_code == 400
    assert attempt.items.get(position=1).selected == []


def test_a_quiz_of_more_than_300_questions_cannot_be_published():
    from quiz.selection import selection_problems

    category = CategoryFactory()
    published_question(category=category)
    quiz = QuizFactory(questions=[], published=False)
    QuizDraw.objects.create(quiz=quiz, category=category, count=301)

    assert any("at most 300 questions" in p for p in selection_problems(quiz))


def test_close_overdue_attempts_command_grades_them_all(trainee):
    from io import StringIO

    from django.core.management import call_command

    quiz = QuizFactory(questions__n=1, time_limit_minutes=5, certificate_on_pass=True)
    attempt = attempt_start(quiz=quiz, user=trainee)
    attempt_save_answers(
        attempt=attempt, user=trainee, answers=correct_answers(attempt)
    )
    Attempt.objects.filter(pk=attempt.pk).update(
        deadline=timezone.now() - timedelta(hours=1)
    )
    out = StringIO()

    call_command("close_overdue_attempts", stdout=out)

    attempt.refresh_from_db()
    assert "1 overdue attempt graded." in out.getvalue()
    assert attempt.state == AttemptState.FINISHED and attempt.passed
    assert trainee.certificates.count() == 1


def test_a_refused_start_keeps_the_grade_of_an_overdue_attempt(trainee_client, trainee):
    quiz = QuizFactory(questions__n=1, time_limit_minutes=5, max_attempts=1)
    attempt = attempt_start(quiz=quiz, user=trainee)
    attempt_save_answers(
        attempt=attempt, user=trainee, answers=correct_answers(attempt)
    )
    Attempt.objects.filter(pk=attempt.pk).update(
        deadline=timezone.now() - timedelta(hours=1)
    )

    response = trainee_client.post(reverse("quiz:quiz-start", args=[quiz.slug]))

    attempt.refresh_from_db()
    assert response.status_code == 403
    assert attempt.state == AttemptState.FINISHED and attempt.score == 100

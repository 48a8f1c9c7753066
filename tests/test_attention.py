"""Needs attention: each reason with a trainee built to match it and one built
not to; scoped to the supervisor's cohorts; CSV; a fixed number of queries."""

from datetime import timedelta

import pytest

from django.urls import reverse
from django.utils import timezone

from quiz.attempts.services import attempt_start, attempt_submit
from quiz.certificates.services import certificate_revoke
from quiz.models import Assignment, Attempt, AttemptState, Certificate
from quiz.programme.attention import Reason, needs_attention
from quiz.programme.services import override_grant
from tests.factories import (
    CohortFactory,
    QuizFactory,
    RuleFactory,
    SupervisorFactory,
    TraineeFactory,
    correct_answers,
    published_question,
    wrong_answers,
)

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)
URL = "/reports/attention/"


@pytest.fixture
def world(supervisor):
    """A cohort of two: `hit` will match the reason under test, `miss` not."""
    hit, miss = TraineeFactory(username="hit"), TraineeFactory(username="miss")
    cohort = CohortFactory(trainees=[hit, miss], supervisors=[supervisor])
    return cohort, hit, miss


def reasons(supervisor, **kwargs) -> set[tuple[str, Reason]]:
    return {
        (line.trainee.username, line.reason)
        for line in needs_attention(supervisor, **kwargs)
        if line.reason is not Reason.INACTIVE or kwargs.get("inactive_days")
    }


def test_not_started_an_assignment_due_within_7_days(supervisor, world):
    cohort, hit, miss = world
    quiz = QuizFactory()
    Assignment.objects.create(quiz=quiz, cohort=cohort, due_at=timezone.now() + 5 * DAY)
    attempt_start(quiz=quiz, user=miss)  # started: not this reason
    later = QuizFactory()
    Assignment.objects.create(
        quiz=later, cohort=cohort, due_at=timezone.now() + 10 * DAY
    )

    found = reasons(supervisor)

    assert ("hit", Reason.DUE_SOON) in found
    assert ("miss", Reason.DUE_SOON) not in found
    assert [
        line.quiz
        for line in needs_attention(supervisor)
        if line.reason is Reason.DUE_SOON
    ] == [quiz]


def test_overdue_unless_passed(supervisor, world):
    cohort, hit, miss = world
    quiz = QuizFactory(questions__n=1)
    Assignment.objects.create(quiz=quiz, cohort=cohort, due_at=timezone.now() + DAY)
    passed = attempt_start(quiz=quiz, user=miss)
    attempt_submit(attempt=passed, user=miss, answers=correct_answers(passed))
    Assignment.objects.update(due_at=timezone.now() - DAY)

    found = reasons(supervisor)

    assert ("hit", Reason.OVERDUE) in found
    assert ("miss", Reason.OVERDUE) not in found


def test_an_override_with_a_later_due_date_takes_a_trainee_off(supervisor, world):
    cohort, hit, miss = world
    quiz = QuizFactory()
    Assignment.objects.create(quiz=quiz, cohort=cohort, due_at=timezone.now() - DAY)
    override_grant(
        quiz=quiz,
        trainee=miss,
        granted_by=supervisor,
        reason="Ill",
        due_at=timezone.now() + 30 * DAY,
    )

    found = reasons(supervisor)

    assert ("hit", Reason.OVERDUE) in found
    assert ("miss", Reason.OVERDUE) not in found


def test_out_of_attempts_without_a_pass(supervisor, world):
    cohort, hit, miss = world
    quiz = QuizFactory(questions__n=1, max_attempts=1)
    for user in (hit, miss):
        attempt = attempt_start(quiz=quiz, user=user)
        attempt_submit(attempt=attempt, user=user, answers=wrong_answers(attempt))
    override_grant(
        quiz=quiz, trainee=miss, granted_by=supervisor, reason="x", extra_attempts=1
    )

    found = reasons(supervisor)

    assert ("hit", Reason.OUT_OF_ATTEMPTS) in found
    assert ("miss", Reason.OUT_OF_ATTEMPTS) not in found


def test_failed_on_a_safety_critical_rule(supervisor, world):
    cohort, hit, miss = world
    critical = published_question(rules=[RuleFactory(critical=True)])
    plain = published_question()
    quiz = QuizFactory(questions=[critical, plain])
    # hit: the critical question wrong; miss: the plain one wrong (also a fail).
    for user, wrong_position in ((hit, 1), (miss, 2)):
        attempt = attempt_start(quiz=quiz, user=user)
        answers = correct_answers(attempt)
        answers[wrong_position] = wrong_answers(attempt)[wrong_position]
        attempt_submit(attempt=attempt, user=user, answers=answers)

    found = reasons(supervisor)

    assert ("hit", Reason.FAILED_CRITICAL) in found
    assert ("miss", Reason.FAILED_CRITICAL) not in found


def certify(user, *, expires_in: timedelta) -> Certificate:
    quiz = QuizFactory(
        questions__n=1, certificate_on_pass=True, certificate_validity_months=12
    )
    attempt = attempt_start(quiz=quiz, user=user)
    attempt_submit(attempt=attempt, user=user, answers=correct_answers(attempt))
    now = timezone.now()
    Certificate.objects.filter(user=user, quiz=quiz).update(
        issued_at=now - 400 * DAY, expires_at=now + expires_in
    )
    return Certificate.objects.get(user=user, quiz=quiz)


def test_a_certificate_expiring_within_30_days(supervisor, world):
    cohort, hit, miss = world
    certify(hit, expires_in=20 * DAY)
    certify(miss, expires_in=60 * DAY)

    found = reasons(supervisor)

    assert ("hit", Reason.CERTIFICATE_EXPIRING) in found
    assert not {r for u, r in found if u == "miss"}


def test_an_expired_certificate_unless_revoked(supervisor, world):
    cohort, hit, miss = world
    certify(hit, expires_in=-DAY)
    revoked = certify(miss, expires_in=-DAY)
    certificate_revoke(certificate=revoked, by=supervisor, reason="Copied")

    found = reasons(supervisor)

    assert ("hit", Reason.CERTIFICATE_EXPIRED) in found
    assert ("miss", Reason.CERTIFICATE_EXPIRED) not in found


def test_inactive_for_n_days(supervisor, world):
    cohort, hit, miss = world
    quiz = QuizFactory()
    old = attempt_start(quiz=quiz, user=hit)
    Attempt.objects.filter(pk=old.pk).update(started_at=timezone.now() - 20 * DAY)
    attempt_start(quiz=QuizFactory(), user=miss)  # today

    found = reasons(supervisor, inactive_days=10)

    assert ("hit", Reason.INACTIVE) in found
    assert ("miss", Reason.INACTIVE) not in found
    assert ("hit", Reason.INACTIVE) not in reasons(supervisor, inactive_days=30)


def test_only_the_supervisors_own_cohorts(supervisor, world):
    cohort, hit, miss = world
    stranger = TraineeFactory(username="stranger")
    CohortFactory(trainees=[stranger], supervisors=[SupervisorFactory()])
    quiz = QuizFactory()
    Assignment.objects.create(quiz=quiz, cohort=cohort, due_at=timezone.now() - DAY)
    Assignment.objects.create(
        quiz=quiz, cohort=stranger.cohorts.get(), due_at=timezone.now() - DAY
    )

    users = {line.trainee.username for line in needs_attention(supervisor)}

    assert users == {"hit", "miss"}


def test_the_page_links_the_trainee_and_an_override(supervisor_client, world):
    cohort, hit, miss = world
    quiz = QuizFactory(title="Module 1")
    Assignment.objects.create(quiz=quiz, cohort=cohort, due_at=timezone.now() - DAY)

    html = supervisor_client.get(URL).content.decode()

    assert reverse("quiz:report-trainee", args=[hit.pk]) in html
    grant = reverse("quiz:override-grant", args=[hit.pk]) + f"?quiz={quiz.slug}"
    assert grant in html
    assert "Overdue" in html and cohort.name in html


def test_the_page_says_when_nobody_needs_attention(supervisor_client, world):
    html = supervisor_client.get(URL + "?inactive=365").content.decode()

    assert "Nobody needs attention" in html


def test_the_dashboard_summarises_it(supervisor_client, world):
    cohort, hit, miss = world
    Assignment.objects.create(
        quiz=QuizFactory(), cohort=cohort, due_at=timezone.now() - DAY
    )

    html = supervisor_client.get("/").content.decode()

    assert "Needs attention" in html and "2 trainees" in html
    assert URL in html


@pytest.mark.parametrize("value", ["0", "-3", "abc", "400"])
def test_a_bad_inactive_days_is_a_400(supervisor_client, value):
    response = supervisor_client.get(URL, {"inactive": value})

    assert response.status_code == 400
    assert "inactive" in response.context["form"].errors


def test_the_csv_has_a_row_per_line(supervisor_client, world):
    cohort, hit, miss = world
    quiz = QuizFactory(title="=Module")
    Assignment.objects.create(quiz=quiz, cohort=cohort, due_at=timezone.now() - DAY)

    response = supervisor_client.get(URL, {"format": "csv"})

    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0] == "cohort,username,name,reason,quiz,date"
    assert len(lines) == 3
    assert all(",Overdue,'=Module," in line for line in lines[1:])


def grow(cohort, n: int, quizzes) -> None:
    """n trainees, each with a failed attempt at every quiz (bulk: the count is
    what is tested, not how the attempts were made)."""
    trainees = [TraineeFactory() for _ in range(n)]
    cohort.trainees.add(*trainees)
    now = timezone.now()
    Attempt.objects.bulk_create(
        Attempt(
            quiz=quiz,
            user=trainee,
            number=1,
            state=AttemptState.FINISHED,
            started_at=now,
            finished_at=now,
            pass_mark=80,
            score=0,
            passed=False,
        )
        for trainee in trainees
        for quiz in quizzes
    )


def test_the_query_count_is_flat_from_5_to_500_trainees(
    supervisor, supervisor_client, django_assert_num_queries
):
    cohort = CohortFactory(supervisors=[supervisor])
    CohortFactory(supervisors=[supervisor])
    quizzes = [QuizFactory(questions__n=1, max_attempts=1) for _ in range(2)]
    Assignment.objects.create(
        quiz=quizzes[0], cohort=cohort, due_at=timezone.now() - DAY
    )
    grow(cohort, 5, quizzes)
    # Session, the user with their groups' permissions (the gate); then the
    # list: cohorts, memberships, trainees with their last activity, published
    # quizzes, assignments, overrides, attempts per trainee and quiz,
    # certificates.
    with django_assert_num_queries(10):
        small = supervisor_client.get(URL)
    grow(cohort, 495, quizzes)
    with django_assert_num_queries(10):
        large = supervisor_client.get(URL)

    assert small.content.decode().count(
        "Out of attempts"
    ) < large.content.decode().count("Out of attempts")


def test_a_long_list_is_paged_and_the_csv_has_every_line(supervisor_client, world):
    cohort, hit, miss = world
    for n in range(60):  # 2 trainees × 60 overdue quizzes: 120 lines
        quiz = QuizFactory(title=f"Quiz {n:02}")
        Assignment.objects.create(quiz=quiz, cohort=cohort, due_at=timezone.now() - DAY)

    first = supervisor_client.get(URL).content.decode()
    second = supervisor_client.get(URL, {"page": "2"}).content.decode()
    csv = supervisor_client.get(URL, {"format": "csv"})

    assert first.count('<tr>\n          <th scope="row"') == 100
    assert "Page 1 of 2 (120 lines)" in first and "page=2" in first
    assert second.count('<tr>\n          <th scope="row"') == 20
    assert len(b"".join(csv.streaming_content).splitlines()) == 121


def test_the_dashboard_summary_is_cached_and_the_page_is_live(supervisor_client, world):
    cohort, hit, miss = world
    supervisor_client.get("/")
    Assignment.objects.create(
        quiz=QuizFactory(), cohort=cohort, due_at=timezone.now() - DAY
    )

    dashboard = supervisor_client.get("/").content.decode()
    page = supervisor_client.get(URL).content.decode()

    assert "Nobody in your cohorts needs attention now." in dashboard
    assert "Overdue" in page

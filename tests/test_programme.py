"""Assignments (a quiz for some cohorts, with dates) and overrides (one trainee's
exceptions): who sees what, the most generous dates, enforcement on the server,
the audit log, and the Python and SQL forms of the rule agreeing."""

import random
from datetime import timedelta

import pytest

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.urls import reverse
from django.utils import timezone

from quiz.attempts.selectors import quiz_statuses
from quiz.attempts.services import (
    StartRefusedError,
    attempt_save_answers,
    attempt_start,
    attempt_submit,
    attempts_close_overdue,
)
from quiz.models import Assignment, Attempt, AttemptState, Override, Quiz
from quiz.programme import effective
from quiz.programme.due import DueState
from quiz.programme.services import override_grant
from tests.factories import (
    CohortFactory,
    QuizFactory,
    SupervisorFactory,
    TraineeFactory,
    wrong_answers,
)

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def assign(quiz, cohort, **dates) -> Assignment:
    return Assignment.objects.create(quiz=quiz, cohort=cohort, **dates)


def titles(user) -> list[str]:
    return [status.quiz.title for status in quiz_statuses(user=user)]


# --- who sees what ----------------------------------------------------------------


def test_a_quiz_without_assignment_is_open_to_every_trainee(trainee):
    QuizFactory(title="Open to all")

    assert titles(trainee) == ["Open to all"]


def test_assigned_cohorts_only_hides_an_unassigned_quiz(trainee):
    QuizFactory(title="Kept back", assigned_only=True)
    QuizFactory(title="Open to all")

    assert titles(trainee) == ["Open to all"]


def test_an_assigned_quiz_is_seen_only_by_its_cohorts(trainee):
    other = TraineeFactory()
    CohortFactory(trainees=[other])
    mine = CohortFactory(trainees=[trainee])
    quiz = QuizFactory(title="Module 1")
    assign(quiz, mine)

    assert titles(trainee) == ["Module 1"]
    assert titles(other) == []


def test_a_quiz_not_yet_open_is_hidden_and_cannot_start(trainee):
    cohort = CohortFactory(trainees=[trainee])
    quiz = QuizFactory(title="Later")
    assign(quiz, cohort, opens_at=timezone.now() + DAY)

    assert titles(trainee) == []
    with pytest.raises(StartRefusedError, match="opens on"):
        attempt_start(quiz=quiz, user=trainee)


def test_a_trainee_outside_the_cohorts_cannot_start_or_open_it(trainee, client):
    CohortFactory(trainees=[TraineeFactory()])
    quiz = QuizFactory()
    assign(quiz, CohortFactory())
    client.force_login(trainee)

    with pytest.raises(StartRefusedError, match="not assigned"):
        attempt_start(quiz=quiz, user=trainee)
    assert client.get(reverse("quiz:quiz-detail", args=[quiz.slug])).status_code == 404
    start = client.post(reverse("quiz:quiz-start", args=[quiz.slug]))
    assert start.status_code == 404
    assert not Attempt.objects.exists()


def test_trainees_see_quizzes_soonest_due_first_with_due_states(trainee):
    now = timezone.now()
    cohort = CohortFactory(trainees=[trainee])
    for title, due in [("Later", 20), ("Overdue", -1), ("Soon", 2)]:
        assign(QuizFactory(title=title), cohort, due_at=now + due * DAY)
    QuizFactory(title="No date")

    statuses = quiz_statuses(user=trainee)

    assert [s.quiz.title for s in statuses] == ["Overdue", "Soon", "Later", "No date"]
    assert [s.due.state for s in statuses] == [
        DueState.OVERDUE,
        DueState.SOON,
        DueState.UPCOMING,
        DueState.NONE,
    ]
    assert statuses[1].due.label == "Due in 2 days"


def test_the_dashboard_shows_due_in_and_overdue(trainee, trainee_client):
    now = timezone.now()
    cohort = CohortFactory(trainees=[trainee])
    assign(QuizFactory(title="Soon"), cohort, due_at=now + 3 * DAY - timedelta(hours=1))
    assign(QuizFactory(title="Late"), cohort, due_at=now - DAY)

    html = trainee_client.get(reverse("quiz:quiz-list")).content.decode()

    assert "Due in 3 days" in html and "Overdue" in html
    assert html.index("Late") < html.index("Soon")


# --- most generous dates ------------------------------------------------------------


def test_a_trainee_in_two_cohorts_gets_the_most_generous_dates(trainee):
    now = timezone.now()
    quiz = QuizFactory(closes_at=now + 5 * DAY)
    strict = CohortFactory(trainees=[trainee])
    lenient = CohortFactory(trainees=[trainee])
    assign(quiz, strict, opens_at=now - DAY, due_at=now + DAY, closes_at=now + 2 * DAY)
    assign(
        quiz,
        lenient,
        opens_at=now - 3 * DAY,
        due_at=now + 10 * DAY,
        closes_at=now + 20 * DAY,
    )

    mine = effective.effective_for(user=trainee, quiz=quiz)

    assert mine.opens_at == now - 3 * DAY
    assert mine.due_at == now + 10 * DAY
    assert mine.closes_at == now + 20 * DAY
    # A classmate in the strict cohort only keeps its dates.
    classmate = TraineeFactory()
    strict.trainees.add(classmate)
    theirs = effective.effective_for(user=classmate, quiz=quiz)
    assert theirs.due_at == now + DAY and theirs.closes_at == now + 2 * DAY


def test_an_empty_date_in_one_cohort_beats_any_date(trainee):
    now = timezone.now()
    quiz = QuizFactory()
    assign(quiz, CohortFactory(trainees=[trainee]), closes_at=now + DAY)
    assign(quiz, CohortFactory(trainees=[trainee]), due_at=now + DAY)

    mine = effective.effective_for(user=trainee, quiz=quiz)

    assert mine.closes_at is None  # the second cohort's: when the quiz closes
    assert mine.due_at is None  # the first has no due date


def test_an_assignment_without_a_closing_date_closes_with_the_quiz(trainee):
    closes = timezone.now() + DAY
    quiz = QuizFactory(closes_at=closes)
    assign(quiz, CohortFactory(trainees=[trainee]))

    assert effective.effective_for(user=trainee, quiz=quiz).closes_at == closes


# --- closing dates enforced as the quiz's own -------------------------------------


def test_an_assignment_closed_refuses_a_start(trainee):
    quiz = QuizFactory()
    assign(quiz, CohortFactory(trainees=[trainee]), closes_at=timezone.now() - DAY)

    with pytest.raises(StartRefusedError, match="closed on"):
        attempt_start(quiz=quiz, user=trainee)


def test_an_attempt_open_at_the_assignment_close_is_graded_as_it_stands(trainee):
    quiz = QuizFactory(questions__n=2)
    cohort = CohortFactory(trainees=[trainee])
    assignment = assign(quiz, cohort, closes_at=timezone.now() + DAY)
    attempt = attempt_start(quiz=quiz, user=trainee)
    attempt_save_answers(attempt=attempt, user=trainee, answers=wrong_answers(attempt))
    # The instructor brings the cohort's close forward to a minute ago.
    assignment.closes_at = timezone.now() - timedelta(minutes=1)
    assignment.save()

    report = attempts_close_overdue()

    attempt.refresh_from_db()
    assert report.closed == 1
    assert attempt.state == AttemptState.FINISHED and attempt.timed_out
    # Closed before it started: it ends where it began (the services' rule).
    assert attempt.finished_at == max(attempt.started_at, assignment.closes_at)
    assert attempt.score == 0


def test_a_later_close_in_an_override_keeps_the_attempt_open(trainee, supervisor):
    quiz = QuizFactory()
    cohort = CohortFactory(trainees=[trainee], supervisors=[supervisor])
    assignment = assign(quiz, cohort, closes_at=timezone.now() + DAY)
    override_grant(
        quiz=quiz,
        trainee=trainee,
        granted_by=supervisor,
        reason="Was ill",
        closes_at=timezone.now() + 3 * DAY,
    )
    attempt = attempt_start(quiz=quiz, user=trainee)
    assignment.closes_at = timezone.now() - timedelta(minutes=1)
    assignment.save()

    assert attempts_close_overdue().closed == 0
    assert not Attempt.objects.get(pk=attempt.pk).is_finished


# --- overrides ---------------------------------------------------------------------


def test_extra_attempts_let_a_trainee_go_on(trainee, supervisor):
    quiz = QuizFactory(max_attempts=1)
    first = attempt_start(quiz=quiz, user=trainee)
    attempt_submit(attempt=first, user=trainee, answers=wrong_answers(first))
    with pytest.raises(StartRefusedError, match="all 1 attempts"):
        attempt_start(quiz=quiz, user=trainee)
    [status] = quiz_statuses(user=trainee)
    assert status.progress == "out_of_attempts"

    override_grant(
        quiz=quiz,
        trainee=trainee,
        granted_by=supervisor,
        reason="Retake agreed",
        extra_attempts=1,
    )

    [status] = quiz_statuses(user=trainee)
    assert status.attempts_left == 1 and status.progress == "failed"
    second = attempt_start(quiz=quiz, user=trainee)
    assert second.number == 2


def test_extra_time_lengthens_the_next_attempt(trainee, instructor):
    quiz = QuizFactory(time_limit_minutes=10)
    override_grant(
        quiz=quiz,
        trainee=trainee,
        granted_by=instructor,
        reason="Dyslexia",
        extra_minutes=5,
    )

    attempt = attempt_start(quiz=quiz, user=trainee)

    assert attempt.deadline - attempt.started_at == timedelta(minutes=15)


def test_a_later_due_date_replaces_the_cohorts(trainee, instructor):
    now = timezone.now()
    quiz = QuizFactory()
    assign(quiz, CohortFactory(trainees=[trainee]), due_at=now - DAY)
    override_grant(
        quiz=quiz,
        trainee=trainee,
        granted_by=instructor,
        reason="Holiday",
        due_at=now + 10 * DAY,
    )

    [status] = quiz_statuses(user=trainee)

    assert status.due.state == DueState.UPCOMING


def test_every_grant_is_in_the_audit_log_with_who_and_why(trainee, supervisor):
    quiz = QuizFactory(title="Final exam", max_attempts=3)

    override = override_grant(
        quiz=quiz,
        trainee=trainee,
        granted_by=supervisor,
        reason="Was ill",
        extra_attempts=2,
    )
    override_grant(
        quiz=quiz,
        trainee=trainee,
        granted_by=supervisor,
        reason="Ill again",
        extra_attempts=3,
        extra_minutes=10,
    )

    entries = list(LogEntry.objects.filter(object_id=str(override.pk)).order_by("pk"))
    assert [(e.user, e.action_flag) for e in entries] == [
        (supervisor, ADDITION),
        (supervisor, CHANGE),
    ]
    assert entries[0].get_change_message() == (
        f"Override for {trainee.username} on “Final exam”: 2 extra attempts. "
        "Reason: Was ill"
    )
    assert "3 extra attempts, 10 extra minutes" in entries[1].get_change_message()
    assert Override.objects.get().reason == "Ill again"


def grant_url(trainee) -> str:
    return reverse("quiz:override-grant", args=[trainee.pk])


def test_a_supervisor_grants_an_override_from_the_trainee_report(
    supervisor_client, supervisor, trainee, cohort
):
    quiz = QuizFactory(max_attempts=1)

    page = supervisor_client.get(grant_url(trainee) + f"?quiz={quiz.slug}")
    response = supervisor_client.post(
        grant_url(trainee),
        {
            "quiz": quiz.slug,
            "extra_attempts": "1",
            "extra_minutes": "0",
            "reason": "Agreed at review",
        },
    )

    assert page.status_code == 200 and "Grant the override" in page.content.decode()
    assert response.status_code == 302
    assert response["Location"] == reverse("quiz:report-trainee", args=[trainee.pk])
    override = Override.objects.get(user=trainee, quiz=quiz)
    assert override.granted_by == supervisor and override.extra_attempts == 1
    assert LogEntry.objects.get(user=supervisor).object_id == str(override.pk)


def test_the_override_form_offers_only_quizzes_the_trainee_can_see(
    supervisor_client, trainee, cohort
):
    """Before: every published quiz, though an override does not assign one."""
    theirs = QuizFactory(title="Theirs")
    elsewhere = QuizFactory(title="Another cohort's")
    Assignment.objects.create(quiz=elsewhere, cohort=CohortFactory())

    page = supervisor_client.get(grant_url(trainee)).content.decode()
    response = supervisor_client.post(
        grant_url(trainee),
        {
            "quiz": elsewhere.slug,
            "extra_attempts": "1",
            "extra_minutes": "0",
            "reason": "x",
        },
    )

    assert theirs.title in page and elsewhere.title not in page
    assert response.status_code == 400
    assert "quiz" in response.context["form"].errors
    assert not Override.objects.exists()


def test_a_supervisor_cannot_grant_for_another_cohorts_trainee(supervisor_client):
    stranger = TraineeFactory()
    CohortFactory(trainees=[stranger], supervisors=[SupervisorFactory()])
    quiz = QuizFactory()

    response = supervisor_client.post(
        grant_url(stranger),
        {"quiz": quiz.slug, "extra_attempts": "1", "extra_minutes": "0", "reason": "x"},
    )

    assert response.status_code == 404
    assert not Override.objects.exists()


def test_a_trainee_cannot_grant_themselves_an_override(trainee_client, trainee):
    quiz = QuizFactory()

    response = trainee_client.post(
        grant_url(trainee),
        {"quiz": quiz.slug, "extra_attempts": "5", "extra_minutes": "0", "reason": "x"},
    )

    assert response.status_code == 403
    assert not Override.objects.exists()


@pytest.mark.parametrize(
    "data, field",
    [
        ({"extra_attempts": "1", "reason": " "}, "reason"),
        ({"extra_attempts": "-1", "reason": "x"}, "extra_attempts"),
        ({"extra_attempts": "999", "reason": "x"}, "extra_attempts"),
        ({"due_at": "9999-01-01T10:00", "reason": "x"}, "due_at"),
        (
            {
                "due_at": "2030-02-01T10:00",
                "closes_at": "2030-01-01T10:00",
                "reason": "x",
            },
            "closes_at",
        ),
        ({"quiz": "no-such-quiz", "extra_attempts": "1", "reason": "x"}, "quiz"),
    ],
)
def test_bad_grants_are_a_400_naming_the_field(
    supervisor_client, trainee, cohort, data, field
):
    quiz = QuizFactory()
    posted = {"quiz": quiz.slug, "extra_attempts": "0", "extra_minutes": "0", **data}

    response = supervisor_client.post(grant_url(trainee), posted)

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Override.objects.exists()


def test_a_grant_of_nothing_is_refused(supervisor_client, trainee, cohort):
    quiz = QuizFactory()

    response = supervisor_client.post(
        grant_url(trainee),
        {"quiz": quiz.slug, "extra_attempts": "0", "extra_minutes": "0", "reason": "x"},
    )

    assert response.status_code == 400
    assert "Grant at least one thing." in response.content.decode()


def test_an_instructor_grants_in_the_admin_and_it_is_logged_once(
    instructor_client, instructor, trainee
):
    quiz = QuizFactory()

    response = instructor_client.post(
        reverse("admin:quiz_override_add"),
        {
            "quiz": quiz.pk,
            "user": trainee.pk,
            "extra_attempts": "2",
            "extra_minutes": "0",
            "reason": "Exam anxiety",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    override = Override.objects.get()
    assert override.granted_by == instructor
    [entry] = LogEntry.objects.filter(object_id=str(override.pk))
    assert entry.user == instructor and "Exam anxiety" in entry.get_change_message()


# --- the rule's two forms agree ----------------------------------------------------


def test_python_and_sql_agree_on_the_effective_settings():
    rng = random.Random("programme-parity")
    now = timezone.now().replace(microsecond=0)
    offsets = [None, -5, -1, 1, 2, 9]

    def when(offset):
        return None if offset is None else now + offset * DAY

    cohorts = [CohortFactory() for _ in range(4)]
    trainees = [TraineeFactory() for _ in range(12)]
    for trainee in trainees:
        for cohort in rng.sample(cohorts, rng.randint(0, 3)):
            cohort.trainees.add(trainee)
    granter = SupervisorFactory()
    quizzes = []
    for _ in range(8):
        quiz = QuizFactory(
            questions=[],
            published=False,
            closes_at=when(rng.choice(offsets)),
            max_attempts=rng.choice([None, 1, 3]),
            time_limit_minutes=rng.choice([None, 20]),
            assigned_only=rng.random() < 0.3,
        )
        quizzes.append(quiz)
        for cohort in rng.sample(cohorts, rng.randint(0, 3)):
            opens = rng.choice([None, -5, -1])
            due = rng.choice([None, 1, 2])
            closes = rng.choice([None, 2, 9])
            assign(
                quiz,
                cohort,
                opens_at=when(opens),
                due_at=when(due),
                closes_at=when(closes),
            )
        for trainee in rng.sample(trainees, 3):
            due = rng.choice([None, 9])
            Override.objects.create(
                quiz=quiz,
                user=trainee,
                granted_by=granter,
                reason="r",
                extra_attempts=rng.randint(0, 2),
                extra_minutes=rng.choice([0, 5]),
                due_at=when(due),
                closes_at=when(rng.choice([None, 9])),
            )
    cohorts_of = {t.pk: set(t.cohorts.values_list("pk", flat=True)) for t in trainees}
    rows = list(
        Assignment.objects.values_list(
            "quiz_id", "cohort_id", "opens_at", "due_at", "closes_at"
        )
    )
    overrides = {(o.user_id, o.quiz_id): o for o in Override.objects.all()}

    checked = 0
    closed_checked: set[bool] = set()  # closed_q agreed both ways
    for trainee in trainees:
        annotated = {
            q.pk: effective.from_row(q, q)
            for q in Quiz.objects.annotate(
                **effective.annotations(user=trainee, quiz="pk")
            )
        }
        for quiz in quizzes:
            in_python = effective.combine(
                quiz,
                assigned=[
                    (o, d, c)
                    for q, c_id, o, d, c in rows
                    if q == quiz.pk and c_id in cohorts_of[trainee.pk]
                ],
                quiz_is_assigned=any(q == quiz.pk for q, *_rest in rows),
                override=overrides.get((trainee.pk, quiz.pk)),
            )
            assert annotated[quiz.pk] == in_python, (trainee.pk, quiz.pk)
            checked += 1
            if quiz.closes_at is not None and quiz.closes_at <= now:
                closed_in_sql = (
                    Quiz.objects.filter(pk=quiz.pk)
                    .filter(effective.closed_q(user=trainee.pk, quiz="pk"))
                    .exists()
                )
                assert closed_in_sql == in_python.is_closed(now), (trainee.pk, quiz.pk)
                closed_checked.add(closed_in_sql)
    assert checked == 96
    assert closed_checked == {True, False}
    assert any(not e.visible for e in annotated.values())

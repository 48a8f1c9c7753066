"""Trainees reminded of assigned quizzes (due in 3 days, overdue) by
send_reminders, and the reminder a supervisor sends from the needs-attention
list: once each, only when the trainee can act, never to someone else's
trainee, recorded in the audit log."""

from datetime import timedelta

import pytest

from django.contrib.admin.models import LogEntry
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import ReminderSent
from quiz.models import Assignment
from quiz.programme.attention import Reason, needs_attention
from quiz.programme.reminders import assignment_reminders
from quiz.programme.services import override_grant
from tests.factories import (
    CohortFactory,
    QuizFactory,
    SupervisorFactory,
    TraineeFactory,
    take,
)

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


@pytest.fixture
def run(send_reminders, settings):
    """send_reminders with only the assignment provider (the others have their
    own tests)."""
    settings.REMINDER_PROVIDERS = ["quiz.programme.reminders.assignment_reminders"]
    return send_reminders


@pytest.fixture
def cohort(trainee, supervisor):
    return CohortFactory(trainees=[trainee], supervisors=[supervisor])


def assign(cohort, due_in: timedelta, **quiz) -> Assignment:
    return Assignment.objects.create(
        quiz=QuizFactory(questions__n=2, **quiz),
        cohort=cohort,
        due_at=timezone.now() + due_in,
    )


def reasons_due() -> list[tuple[str, str]]:
    return [
        (r.user.username, r.reason) for r in assignment_reminders(timezone.localdate())
    ]


# --- send_reminders: due in 3 days, overdue ----------------------------------------


def test_a_quiz_due_in_3_days_is_reminded_once(trainee, cohort, run):
    assignment = assign(cohort, 2 * DAY + timedelta(hours=12), title="Module 1")

    run()
    run()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [trainee.email]
    assert message.subject == "Rulewise: “Module 1” is due in 3 days"
    assert "you have not passed it yet" in message.body
    assert reverse("quiz:quiz-detail", args=[assignment.quiz.slug]) in message.body
    assert "/accounts/preferences/" in message.body
    sent = ReminderSent.objects.get()
    assert (sent.reason, sent.about, sent.on) == (
        "assignment_due_soon",
        f"quiz:{assignment.quiz.pk}",
        timezone.localdate(assignment.due_at),
    )


def test_not_when_further_out_or_passed(trainee, cohort, run):
    assign(cohort, 5 * DAY)
    passed = assign(cohort, 2 * DAY)
    take(passed.quiz, trainee)
    mail.outbox.clear()

    run()

    assert mail.outbox == [] and not ReminderSent.objects.exists()


def test_an_overdue_quiz_is_reminded_once_and_not_a_month_later(trainee, cohort, run):
    overdue = assign(cohort, -DAY, title="Module 2")
    assign(cohort, -30 * DAY)  # long past: the supervisor's digest says so

    run()
    run()

    assert [m.subject for m in mail.outbox] == ["Rulewise: “Module 2” is overdue"]
    assert ReminderSent.objects.get().about == f"quiz:{overdue.quiz.pk}"


def test_not_when_the_trainee_can_do_nothing_about_it(trainee, cohort, run):
    closed = assign(cohort, -DAY)
    Assignment.objects.filter(pk=closed.pk).update(closes_at=timezone.now() - DAY / 2)
    exhausted = assign(cohort, 2 * DAY, max_attempts=1)
    take(exhausted.quiz, trainee, right=False)
    mail.outbox.clear()

    run()

    assert mail.outbox == []


def test_a_later_due_date_from_an_override_or_another_cohort_wins(
    trainee, cohort, supervisor, run
):
    by_override = assign(cohort, 2 * DAY)
    override_grant(
        quiz=by_override.quiz,
        trainee=trainee,
        granted_by=supervisor,
        reason="Ill",
        due_at=timezone.now() + 10 * DAY,
    )
    by_cohort = assign(cohort, 2 * DAY)
    other = CohortFactory(trainees=[trainee])
    Assignment.objects.create(
        quiz=by_cohort.quiz, cohort=other, due_at=timezone.now() + 20 * DAY
    )

    assert reasons_due() == []


def test_an_override_alone_can_make_a_quiz_due(trainee, supervisor, run):
    quiz = QuizFactory(questions__n=2)  # open to everyone, no due date
    override_grant(
        quiz=quiz,
        trainee=trainee,
        granted_by=supervisor,
        reason="Catch-up plan",
        due_at=timezone.now() + DAY,
    )

    assert reasons_due() == [(trainee.username, "assignment_due_soon")]


def test_a_trainee_who_turned_reminders_off_gets_none(trainee, cohort, run):
    trainee.reminders_enabled = False
    trainee.save(update_fields=["reminders_enabled"])
    assign(cohort, DAY)

    assert "0 reminders queued" in run()
    assert mail.outbox == []


def test_the_provider_reads_a_fixed_number_of_queries(
    supervisor, django_assert_num_queries
):
    cohort = CohortFactory(supervisors=[supervisor])
    quiz = QuizFactory(questions__n=1)
    Assignment.objects.create(quiz=quiz, cohort=cohort, due_at=timezone.now() + DAY)
    # Published quizzes, trainees with a due date (members of the dated
    # cohorts), overrides with one, all their memberships, assignments,
    # overrides, attempts per trainee and quiz, the trainees.
    cohort.trainees.add(*[TraineeFactory() for _ in range(3)])
    with django_assert_num_queries(8):
        small = reasons_due()
    cohort.trainees.add(*[TraineeFactory() for _ in range(40)])
    with django_assert_num_queries(8):
        large = reasons_due()

    assert (len(small), len(large)) == (3, 43)


# --- the needs-attention list's "Send a reminder" ----------------------------------


def remind(client, trainee, reason: Reason, quiz=None, **extra):
    data = {"reason": reason.value, **extra}
    if quiz is not None:
        data["quiz"] = quiz.slug
    return client.post(reverse("quiz:attention-remind", args=[trainee.pk]), data)


def test_a_supervisor_reminds_a_trainee_of_an_overdue_quiz(
    supervisor, supervisor_client, trainee, cohort, django_capture_on_commit_callbacks
):
    overdue = assign(cohort, -DAY, title="Module 3")
    page = supervisor_client.get(reverse("quiz:report-attention")).content.decode()
    assert reverse("quiz:attention-remind", args=[trainee.pk]) in page

    with django_capture_on_commit_callbacks(execute=True):
        first = remind(supervisor_client, trainee, Reason.OVERDUE, overdue.quiz)
        second = remind(supervisor_client, trainee, Reason.OVERDUE, overdue.quiz)

    assert first.status_code == second.status_code == 302
    assert first["Location"] == reverse("quiz:report-attention")
    assert [m.subject for m in mail.outbox] == ["Rulewise: “Module 3” is overdue"]
    assert mail.outbox[0].to == [trainee.email]
    messages = [str(m) for m in second.wsgi_request._messages]
    assert any("already reminded" in m for m in messages)
    sent = ReminderSent.objects.get()
    assert (sent.user, sent.reason, sent.on) == (
        trainee,
        "attention_overdue",
        timezone.localdate(),
    )
    entry = LogEntry.objects.get(object_id=str(sent.pk))
    assert entry.user == supervisor
    assert "Module 3" in entry.change_message


def test_a_reminder_for_a_line_that_is_not_on_the_list_is_refused(
    supervisor_client, trainee, cohort
):
    later = assign(cohort, 20 * DAY)  # neither overdue nor due within 7 days

    response = remind(supervisor_client, trainee, Reason.OVERDUE, later.quiz)

    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("no longer on your list" in m for m in messages)
    assert not ReminderSent.objects.exists() and mail.outbox == []


def test_another_supervisors_trainee_cannot_be_reminded(trainee, cohort, client):
    overdue = assign(cohort, -DAY)
    client.force_login(SupervisorFactory())

    response = remind(client, trainee, Reason.OVERDUE, overdue.quiz)

    assert response.status_code == 404
    assert not ReminderSent.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"reason": "out_of_attempts"},  # an override helps, not a reminder
        {"reason": "bogus"},
        {"reason": "overdue", "quiz": "no-such-quiz"},
        {"reason": "inactive", "inactive": "0"},
        {},
    ],
)
def test_a_forged_reminder_post_is_a_400(supervisor_client, trainee, cohort, data):
    response = supervisor_client.post(
        reverse("quiz:attention-remind", args=[trainee.pk]), data
    )

    assert response.status_code == 400
    assert "could not be sent" in response.content.decode()
    assert not ReminderSent.objects.exists()


def test_a_trainee_who_turned_reminders_off_is_not_reminded(
    supervisor_client, trainee, cohort
):
    trainee.reminders_enabled = False
    trainee.date_joined -= 10 * DAY  # inactive for more than a day
    trainee.save(update_fields=["reminders_enabled", "date_joined"])

    response = remind(supervisor_client, trainee, Reason.INACTIVE, inactive="1")

    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("turned reminders off" in m for m in messages)
    assert response["Location"].endswith("?inactive=1")
    assert mail.outbox == []


def test_an_inactive_trainee_reminded_with_the_lists_setting(
    supervisor_client, trainee, cohort, django_capture_on_commit_callbacks
):
    trainee.date_joined -= 10 * DAY
    trainee.save(update_fields=["date_joined"])
    on_default = remind(supervisor_client, trainee, Reason.INACTIVE)  # 14 days
    assert "no longer on your list" in str(list(on_default.wsgi_request._messages))

    with django_capture_on_commit_callbacks(execute=True):
        response = remind(supervisor_client, trainee, Reason.INACTIVE, inactive="1")

    assert response.status_code == 302
    assert mail.outbox[0].subject == "Rulewise: your training is waiting"
    assert "not taken a quiz yet" in mail.outbox[0].body


def test_no_reminder_button_where_it_cannot_help(supervisor_client, trainee, cohort):
    exhausted = assign(cohort, 20 * DAY, max_attempts=1)
    take(exhausted.quiz, trainee, right=False)

    html = supervisor_client.get(
        reverse("quiz:report-attention") + "?inactive=365"
    ).content.decode()

    assert "Out of attempts" in html
    assert reverse("quiz:attention-remind", args=[trainee.pk]) not in html


# --- a trainee's dates come from all their cohorts ---------------------------------


def test_another_cohorts_later_due_date_keeps_a_trainee_off_the_overdue_list(
    supervisor, trainee, cohort
):
    """Before: the list computed dates from the supervisor's cohorts only, and
    called overdue a trainee whom another cohort gave until next month."""
    mine = assign(cohort, -DAY)
    other = CohortFactory(trainees=[trainee], supervisors=[SupervisorFactory()])
    Assignment.objects.create(
        quiz=mine.quiz, cohort=other, due_at=timezone.now() + 30 * DAY
    )

    lines = needs_attention(supervisor, inactive_days=365)

    assert [(line.trainee, line.reason) for line in lines] == []

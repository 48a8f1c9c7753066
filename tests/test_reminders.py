"""Reminders: what is due, once per (user, reason, date), the opt-out, the
supervisors' weekly digest, and the preferences page."""

from datetime import UTC, datetime, time, timedelta

import pytest

from django.core import mail
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from accounts import reminders
from accounts.models import MailStatus, OutgoingMail, ReminderSent
from quiz.certificates.services import certificate_revoke
from quiz.models import Certificate
from quiz.reports.reminders import week_of
from tests.factories import (
    CohortFactory,
    QuizFactory,
    RuleFactory,
    TraineeFactory,
    published_question,
    take,
)

pytestmark = pytest.mark.django_db


def certificate_expiring_in(user, days: int) -> Certificate:
    quiz = QuizFactory(
        questions__n=2, certificate_on_pass=True, certificate_validity_months=12
    )
    take(quiz, user)
    certificate = Certificate.objects.get(user=user, quiz=quiz)
    certificate.expires_at = noon_in(days)
    certificate.save(update_fields=["expires_at"])
    mail.outbox.clear()
    return certificate


def noon_in(days: int):
    """Noon, `days` from today on the site's calendar: `days` days left, whenever
    the test runs."""
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(12)))


@pytest.fixture
def run(send_reminders):
    return send_reminders


# --- certificates about to expire --------------------------------------------------


def test_running_the_command_twice_sends_the_reminder_once(trainee, run):
    certificate = certificate_expiring_in(trainee, 20)

    first = run()
    second = run()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [trainee.email]
    assert "expires in 20 days" in message.subject
    assert certificate.quiz_title in message.body
    assert "/accounts/preferences/" in message.body
    assert "1 reminders queued" in first and "0 reminders queued" in second
    sent = ReminderSent.objects.get()
    assert (sent.user, sent.reason, sent.about) == (
        trainee,
        "certificate_expires_30",
        f"certificate:{certificate.pk}",
    )
    assert sent.on == timezone.localdate(certificate.expires_at)
    assert sent.mail.status == MailStatus.SENT


def test_the_7_day_reminder_follows_the_30_day_one(trainee, run):
    certificate = certificate_expiring_in(trainee, 20)
    run()
    Certificate.objects.filter(pk=certificate.pk).update(expires_at=noon_in(5))

    run()
    run()

    assert [m.subject.split(":")[0] for m in mail.outbox] == [
        "Your Rulewise certificate expires in 20 days",
        "Your Rulewise certificate expires in 5 days",
    ]
    assert sorted(ReminderSent.objects.values_list("reason", flat=True)) == [
        "certificate_expires_30",
        "certificate_expires_7",
    ]


@pytest.mark.parametrize("days", [31, 45, 400])
def test_no_reminder_for_a_certificate_further_out(trainee, run, days):
    certificate_expiring_in(trainee, days)

    run()

    assert mail.outbox == [] and not ReminderSent.objects.exists()


def test_no_reminder_for_a_revoked_or_a_renewed_certificate(trainee, instructor, run):
    revoked = certificate_expiring_in(trainee, 10)
    certificate_revoke(certificate=revoked, by=instructor, reason="Cheated")
    renewed = certificate_expiring_in(TraineeFactory(), 10)
    Certificate.objects.filter(pk=renewed.pk).update(
        issued_at=timezone.now() - timedelta(days=355)
    )
    Certificate.objects.create(
        code="RENEWAL0000000000000",
        user=renewed.user,
        quiz=renewed.quiz,
        attempt=take(renewed.quiz, renewed.user),
        holder_name=renewed.holder_name,
        quiz_title=renewed.quiz_title,
        score=renewed.score,
        issued_at=timezone.now(),
        expires_at=timezone.now() + timedelta(days=365),
    )

    run()

    assert mail.outbox == [] and not ReminderSent.objects.exists()


def test_a_user_who_turned_reminders_off_gets_none(trainee, run):
    certificate_expiring_in(trainee, 20)
    trainee.reminders_enabled = False
    trainee.save()

    output = run()

    assert mail.outbox == [] and not ReminderSent.objects.exists()
    assert "1 not wanted" in output


def test_the_constraint_sends_once_even_when_two_runs_race(trainee, run, monkeypatch):
    # Two crons at once both read "not sent yet"; the constraint lets one queue.
    certificate_expiring_in(trainee, 20)
    run()
    mails = OutgoingMail.objects.count()
    monkeypatch.setattr(reminders, "_already_sent", lambda due: set())

    output = run()

    assert len(mail.outbox) == 1 and ReminderSent.objects.count() == 1
    assert OutgoingMail.objects.count() == mails  # the loser queued no mail
    assert "1 already sent" in output


def test_the_database_refuses_a_second_record_of_a_reminder(trainee):
    today = timezone.localdate()
    ReminderSent.objects.create(user=trainee, reason="x", about="a", on=today)

    with pytest.raises(IntegrityError):
        ReminderSent.objects.create(user=trainee, reason="x", about="a", on=today)


def test_providers_are_a_setting_that_later_features_extend(trainee, run, settings):
    def due_in_3_days(today):
        yield reminders.Reminder(
            user=trainee,
            reason="assignment_due_3",
            about="assignment:1",
            on=today + timedelta(days=3),
            subject="Due in 3 days",
            template="quiz/email/certificate_expiring.txt",
            context={"certificate": None, "days_left": 3},
        )

    settings.REMINDER_PROVIDERS = [f"{__name__}.PROVIDER"]
    globals()["PROVIDER"] = due_in_3_days

    run()
    run()

    assert [m.subject for m in mail.outbox] == ["Due in 3 days"]


# --- the supervisors' weekly digest ------------------------------------------------


def test_the_weekly_digest_names_who_needs_attention_once_a_week(
    supervisor, trainee, run, settings
):
    settings.REMINDER_PROVIDERS = ["quiz.reports.reminders.supervisor_digest_reminders"]
    stuck, unsafe, fine = trainee, TraineeFactory(), TraineeFactory()
    expiring = TraineeFactory()
    CohortFactory(
        name="Morning",
        trainees=[stuck, unsafe, fine, expiring],
        supervisors=[supervisor],
    )
    once = QuizFactory(title="Module one", questions__n=2, max_attempts=1)
    take(once, stuck, right=False)
    take(once, fine)
    critical = published_question(rules=[RuleFactory(critical=True)])
    safety = QuizFactory(title="Safety", questions=[critical, published_question()])
    take(safety, unsafe, right=False)
    certificate_expiring_in(expiring, 12)

    run()
    run()

    assert len(mail.outbox) == 1
    digest = mail.outbox[0]
    assert digest.to == [supervisor.email]
    assert "3 trainees need attention" in digest.subject
    body = digest.body
    assert "Morning" in body
    assert f"{stuck.display_name}: out of attempts on “Module one”" in body
    assert f"{unsafe.display_name}: failed a safety-critical rule on “Safety”" in body
    assert f"{expiring.display_name}: certificate for" in body
    assert fine.display_name not in body
    assert reverse("quiz:report-trainee", args=[stuck.pk]) in body
    assert ReminderSent.objects.get().on == week_of(timezone.localdate())


def test_no_digest_when_nobody_needs_attention_or_it_is_turned_off(
    supervisor, trainee, run, settings
):
    settings.REMINDER_PROVIDERS = ["quiz.reports.reminders.supervisor_digest_reminders"]
    CohortFactory(trainees=[trainee], supervisors=[supervisor])
    run()
    assert mail.outbox == []

    take(QuizFactory(questions__n=1, max_attempts=1), trainee, right=False)
    supervisor.reminders_enabled = False
    supervisor.save()
    run()
    assert mail.outbox == []


def test_the_digest_date_is_the_weeks_monday():
    from datetime import date

    assert week_of(date(2026, 12, 3)) == date(2026, 11, 30)  # a Thursday
    assert week_of(date(2026, 11, 30)) == date(2026, 11, 30)


# --- the preferences page ----------------------------------------------------------


def test_a_user_turns_reminders_off_and_on_from_the_preferences_page(
    trainee_client, trainee
):
    url = reverse("accounts:preferences")
    page = trainee_client.get(url)
    assert page.status_code == 200
    assert 'name="reminders_enabled"' in page.content.decode()
    assert "checked" in page.content.decode()

    response = trainee_client.post(url, {})  # the box unticked

    assert response.status_code == 302 and response["Location"] == url
    trainee.refresh_from_db()
    assert trainee.reminders_enabled is False
    trainee_client.post(url, {"reminders_enabled": "on"})
    trainee.refresh_from_db()
    assert trainee.reminders_enabled is True


def test_the_user_menu_links_to_the_preferences(trainee_client):
    body = trainee_client.get(reverse("quiz:home")).content.decode()

    assert f'href="{reverse("accounts:preferences")}"' in body


def test_preferences_need_a_signed_in_user(client):
    response = client.get(reverse("accounts:preferences"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_expiry_mail_links_to_the_exam(trainee, run):
    certificate = certificate_expiring_in(trainee, 20)

    run()

    url = reverse("quiz:quiz-detail", args=[certificate.quiz.slug])
    assert f"http://localhost:8000{url}" in mail.outbox[0].body


def digest_world(size: int, supervisor) -> None:
    trainees = [TraineeFactory() for _ in range(size)]
    CohortFactory(trainees=trainees, supervisors=[supervisor])
    CohortFactory(trainees=trainees[: size // 2], supervisors=[supervisor])
    quiz = QuizFactory(questions__n=1, max_attempts=1)
    for trainee in trainees:
        take(quiz, trainee, right=False)


@pytest.mark.parametrize("size", [3, 12])
def test_the_digest_reads_a_fixed_number_of_queries(
    size, supervisor, django_assert_num_queries
):
    from quiz.reports.reminders import supervisor_digest_reminders

    digest_world(size, supervisor)
    # the supervisors (1), then per supervisor their needs-attention list as
    # its page reads it (9: quiz/programme/attention.py), whatever the cohorts' size
    with django_assert_num_queries(1 + 9):
        [reminder] = list(supervisor_digest_reminders(timezone.localdate()))
    assert reminder.context["count"] == size


def test_every_reason_of_the_attention_list_reads_as_a_sentence_in_the_digest():
    """The digest reads the needs-attention list (one owner of the reasons):
    each reason it may give has its own sentence, with the quiz and the date."""
    from datetime import datetime
    from types import SimpleNamespace

    from quiz.programme.attention import Line, Reason
    from quiz.reports.reminders import describe

    quiz = SimpleNamespace(title="Final exam")
    when = datetime(2026, 3, 2, 12, tzinfo=UTC)
    sentences = {
        reason: describe(Line(None, None, reason, quiz, when)) for reason in Reason
    }
    assert len(set(sentences.values())) == len(Reason)
    for reason, sentence in sentences.items():
        if reason is not Reason.INACTIVE:
            assert "“Final exam”" in sentence, sentence
        if reason not in (Reason.FAILED_CRITICAL, Reason.OUT_OF_ATTEMPTS):
            assert "2026" in sentence, sentence
    assert describe(Line(None, None, Reason.INACTIVE, None, None)) == "no activity yet"


def test_the_expiry_mail_counts_one_day_in_the_singular(trainee, run):
    """Before: "(1 days from today)"."""
    certificate_expiring_in(trainee, 1)

    run()

    assert "(1 day from today)" in mail.outbox[0].body

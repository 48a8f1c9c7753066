"""The task queue for real: the database backend (django-tasks-db), its worker,
a mail server that refuses and one that is down. Mail is retried with back-off
and never lost; a request never talks to the mail server; an attempt's grading
is scheduled at its deadline. The last test starts the real `db_worker` process
against PostgreSQL (CI runs the suite there) and watches the mail arrive."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.mail import mail_queue, mail_requeue_stale, retry_delay
from accounts.models import MailStatus, OutgoingMail
from quiz.attempts.services import attempt_start
from quiz.models import Attempt, AttemptState
from tests.factories import QuizFactory, TraineeFactory
from tests.smtp_server import SMTPTestServer, free_port

ROOT = Path(__file__).resolve().parent.parent
DATABASE_BACKEND = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
}

# Rows must be committed for the worker (and on_commit hooks must fire). Plain
# transaction=True, not serialized_rollback, as tests/test_throttle.py says why.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def queue(settings):
    """The production backend (tasks in the database) and SMTP on 127.0.0.1."""
    settings.TASKS = DATABASE_BACKEND
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()  # down, until a test starts a server there
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.MAIL_RETRY_SECONDS = 60
    settings.MAIL_MAX_ATTEMPTS = 8
    return settings


def run_worker() -> None:
    """The db_worker's own loop, in process, until nothing is ready to run."""
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()


def let_time_pass(mail: OutgoingMail) -> None:
    """The retry's moment has come (rather than sleeping through the back-off)."""
    now = timezone.now()
    DBTaskResult.objects.filter(status="READY").update(run_after=now)
    OutgoingMail.objects.filter(pk=mail.pk).update(next_attempt_at=now)


def test_a_refused_mail_is_retried_after_a_delay_and_delivered(queue):
    with SMTPTestServer(refuse=1) as smtp:
        queue.EMAIL_PORT = smtp.port
        mail = mail_queue(to=["ana@example.com"], subject="Hello", body="Body text")
        assert DBTaskResult.objects.count() == 1  # enqueued on commit

        run_worker()

        mail.refresh_from_db()
        assert (mail.status, mail.attempts) == (MailStatus.PENDING, 1)
        assert "421" in mail.last_error
        retry = DBTaskResult.objects.get(status="READY")
        wait = (retry.run_after - timezone.now()).total_seconds()
        assert 50 < wait <= 60  # the back-off, not at once
        assert smtp.messages == []

        run_worker()  # before its time: nothing is tried
        assert smtp.connections == 1

        let_time_pass(mail)
        run_worker()

        mail.refresh_from_db()
        assert (mail.status, mail.attempts, mail.last_error) == (MailStatus.SENT, 2, "")
        [(to, text)] = smtp.messages
        assert to == ["ana@example.com"] and "Body text" in text
        assert not DBTaskResult.objects.filter(status="READY").exists()


def test_a_silent_mail_server_fails_the_send_after_the_timeout(queue):
    # Accepts, then says nothing: the worker must not hang on it for ever.
    with SMTPTestServer(silent=True) as smtp:
        queue.EMAIL_PORT = smtp.port
        queue.EMAIL_TIMEOUT = 1
        mail = mail_queue(to=["ed@example.com"], subject="Hi", body="Text")

        started = time.monotonic()
        run_worker()

        assert time.monotonic() - started < 10
    mail.refresh_from_db()
    assert (mail.status, mail.attempts) == (MailStatus.PENDING, 1)
    assert "timed out" in mail.last_error.lower()
    assert DBTaskResult.objects.filter(status="READY").count() == 1  # the retry


def test_the_back_off_doubles(settings):
    settings.MAIL_RETRY_SECONDS = 60

    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]


def test_a_mail_given_up_on_is_kept_on_record_not_dropped(queue, caplog):
    queue.MAIL_MAX_ATTEMPTS = 2
    mail = mail_queue(
        to=["bo@example.com"], subject="Welcome", body="Your link", sensitive=True
    )

    run_worker()
    let_time_pass(mail)
    run_worker()

    mail.refresh_from_db()
    assert (mail.status, mail.attempts) == (MailStatus.FAILED, 2)
    # kept whole (a secret too: a superuser may send it again from the admin)
    assert mail.body == "Your link" and "Connection refused" in mail.last_error
    assert not DBTaskResult.objects.filter(status="READY").exists()
    assert "Gave up on mail" in caplog.text


def test_a_request_never_talks_to_the_mail_server(queue, client):
    trainee = TraineeFactory()
    with SMTPTestServer() as smtp:
        queue.EMAIL_PORT = smtp.port

        response = client.post(reverse("password_reset"), {"email": trainee.email})

        assert response.status_code == 302
        assert smtp.connections == 0
        mail = OutgoingMail.objects.get()
        assert mail.to == [trainee.email] and "/accounts/reset/" in mail.body
        assert DBTaskResult.objects.get().status == "READY"

        run_worker()

        mail.refresh_from_db()
        assert mail.status == MailStatus.SENT
        assert mail.body == ""  # the reset link is not kept once sent
        assert "/accounts/reset/" in smtp.messages[0][1]


def test_a_mail_whose_task_was_lost_is_enqueued_again_once(queue):
    mail = mail_queue(to=["cy@example.com"], subject="Hi", body="Text")
    DBTaskResult.objects.all().delete()  # the worker crashed holding it, say
    OutgoingMail.objects.filter(pk=mail.pk).update(
        next_attempt_at=timezone.now() - timedelta(hours=1)
    )

    assert mail_requeue_stale() == 1
    assert mail_requeue_stale() == 0  # not once per cron run
    assert DBTaskResult.objects.filter(status="READY").count() == 1


def test_a_timed_attempt_schedules_its_own_grading_at_the_deadline(queue):
    trainee = TraineeFactory()
    attempt = attempt_start(
        quiz=QuizFactory(questions__n=1, time_limit_minutes=5), user=trainee
    )
    task = DBTaskResult.objects.get(task_path__endswith="attempt_close_when_due")
    assert task.run_after > attempt.deadline

    run_worker()  # before the deadline: not run
    assert Attempt.objects.get(pk=attempt.pk).state == AttemptState.IN_PROGRESS

    Attempt.objects.filter(pk=attempt.pk).update(
        deadline=timezone.now() - timedelta(minutes=1)
    )
    DBTaskResult.objects.filter(pk=task.pk).update(run_after=timezone.now())
    run_worker()

    attempt.refresh_from_db()
    assert attempt.state == AttemptState.FINISHED and attempt.timed_out


# --- the real worker process, on PostgreSQL ---------------------------------------


def database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return (
        f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    )


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the worker process needs a database it can share (PostgreSQL)",
)
def test_the_worker_process_delivers_queued_mail_through_a_refusal(queue, tmp_path):
    with SMTPTestServer(refuse=1) as smtp:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": "x" * 50,
            "DATABASE_URL": database_url(),
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp.port),
            "EMAIL_USE_TLS": "false",
            "MAIL_RETRY_SECONDS": "1",
        }
        env.pop("REDIS_URL", None)
        log = (tmp_path / "worker.log").open("w")
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-reload"]
            + ["--interval", "0.2", "--no-startup-delay", "--worker-id", "ci-worker"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            mails = [
                mail_queue(to=[f"t{n}@example.com"], subject=f"Mail {n}", body=f"n={n}")
                for n in range(3)
            ]
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if not OutgoingMail.objects.exclude(status=MailStatus.SENT).exists():
                    break
                time.sleep(0.2)
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
            log.close()
        output = (tmp_path / "worker.log").read_text()
        statuses = {m.pk: m.status for m in OutgoingMail.objects.all()}
        assert set(statuses.values()) == {MailStatus.SENT}, output[-3000:]
        assert sorted(to[0] for to, _text in smtp.messages) == [
            "t0@example.com",
            "t1@example.com",
            "t2@example.com",
        ]
        assert smtp.connections == 4  # one refused, then each mail once
        assert sum(m.attempts for m in OutgoingMail.objects.all()) == 4
        assert len(mails) == 3


def test_a_mail_given_up_on_can_be_tried_again_from_the_admin(queue, admin_client):
    queue.MAIL_MAX_ATTEMPTS = 1
    mail = mail_queue(to=["di@example.com"], subject="Notice", body="Text")
    run_worker()
    assert OutgoingMail.objects.get(pk=mail.pk).status == MailStatus.FAILED

    with SMTPTestServer() as smtp:
        queue.EMAIL_PORT = smtp.port
        response = admin_client.post(
            reverse("admin:accounts_outgoingmail_changelist"),
            {"action": "retry", "_selected_action": [mail.pk]},
        )
        assert response.status_code == 302
        run_worker()

    mail.refresh_from_db()
    assert mail.status == MailStatus.SENT and len(smtp.messages) == 1


def test_the_deploy_check_warns_of_the_immediate_backend(settings):
    from accounts.mail import check_task_queue

    settings.TASKS = DATABASE_BACKEND
    assert check_task_queue() == []
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    }
    assert [w.id for w in check_task_queue()] == ["rulewise.W002"]

"""Production settings, CSP on every page, login throttling, audit trail."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from django.contrib.admin.models import CHANGE, LogEntry
from django.test import Client
from django.urls import reverse

from tests.factories import (
    PASSWORD,
    QuestionFactory,
    QuizFactory,
    TraineeFactory,
    UserFactory,
    correct_answers,
)

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "k" * 20 + "Zx9$-pQ2@vB7!mN4#rT6^yU8&iO1*aS3(dF5)gH0_jK",
    "DJANGO_ALLOWED_HOSTS": "rulewise.example.org",
    "DJANGO_SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
    "SITE_URL": "https://rulewise.example.org",
    # A production site sends mail; without a server check --deploy warns (below).
    "EMAIL_HOST": "smtp.example.org",
}


def manage(*args, env):
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL"))
    }
    base["DJANGO_SETTINGS_MODULE"] = "config.settings"
    base["DATABASE_URL"] = "sqlite:////tmp/rulewise-check-deploy.sqlite3"
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_no_issue_in_production_mode():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_when_production_has_no_mail_server():
    env = {**PRODUCTION_ENV, "EMAIL_HOST": ""}

    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode != 0
    assert "rulewise.W001" in result.stdout + result.stderr


def test_missing_secret_key_stops_production_with_a_clear_message():
    env = {**PRODUCTION_ENV, "DJANGO_SECRET_KEY": ""}

    result = manage("check", env=env)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_production_settings_are_strict(settings):
    from importlib import reload

    import config.settings as prod

    # The test settings turn these off for the suite; production leaves them unset.
    env = {
        **PRODUCTION_ENV,
        "DJANGO_SECURE_SSL_REDIRECT": "",
        "DJANGO_SECURE_COOKIES": "",
    }
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        reload(prod)
        assert prod.DEBUG is False
        assert (
            prod.SECURE_SSL_REDIRECT
            and prod.SESSION_COOKIE_SECURE
            and prod.CSRF_COOKIE_SECURE
        )
        assert prod.SECURE_HSTS_SECONDS >= 31536000
        assert prod.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")
        assert prod.X_FRAME_OPTIONS == "DENY"
        assert "locmem" not in prod.CACHES["default"]["BACKEND"]
        assert "CompressedManifest" in prod.STORAGES["staticfiles"]["BACKEND"]
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        reload(prod)


# --- CSP and no inline code ---------------------------------------------------------------

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)


@pytest.fixture
def pages(db, trainee, instructor, supervisor, cohort):
    from quiz.attempts.services import attempt_start, attempt_submit

    quiz = QuizFactory(questions__n=2, certificate_on_pass=True)
    done = attempt_start(quiz=quiz, user=trainee)
    attempt_submit(attempt=done, user=trainee, answers=correct_answers(done))
    open_attempt = attempt_start(quiz=QuizFactory(questions__n=2), user=trainee)
    code = trainee.certificates.get().display_code
    return {
        None: [
            "/",
            reverse("login"),
            reverse("password_reset"),
            reverse("quiz:certificate-verify-form"),
            reverse("quiz:certificate-verify", args=[code]),
            "/no-such-page/",
        ],
        trainee: [
            "/",
            reverse("quiz:quiz-list"),
            reverse("quiz:quiz-detail", args=[quiz.slug]),
            reverse("quiz:attempt-detail", args=[open_attempt.pk]),
            reverse("quiz:attempt-submit", args=[open_attempt.pk]),
            reverse("quiz:attempt-result", args=[done.pk]),
            reverse("quiz:attempt-history"),
            reverse("quiz:certificate-list"),
            reverse("password_change"),
        ],
        supervisor: [
            reverse("quiz:reports"),
            reverse("quiz:report-cohort", args=[cohort.pk]),
            reverse("quiz:report-trainee", args=[trainee.pk]),
            reverse("quiz:report-questions"),
            reverse("quiz:report-attempt", args=[done.pk]),
        ],
        instructor: [
            "/",
            reverse("admin:questions_question_preview", args=[QuestionFactory().pk]),
        ],
    }


def test_every_page_has_a_strict_csp_and_no_inline_code(pages):
    for user, urls in pages.items():
        client = Client()
        if user is not None:
            client.force_login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code in (200, 404), url
            policy = response["Content-Security-Policy"]
            assert "default-src 'self'" in policy and "script-src 'self'" in policy, url
            assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, url
            assert "frame-ancestors 'none'" in policy, url
            html = response.content.decode()
            assert not INLINE_SCRIPT.search(html), f"inline <script> on {url}"
            assert not INLINE_STYLE.search(html), f"inline style on {url}"
            assert not INLINE_HANDLER.search(html), f"inline event handler on {url}"
            assert response["X-Frame-Options"] == "DENY"
            assert response["Referrer-Policy"] == "same-origin"


# --- login throttling ------------------------------------------------------------------------


def fail_login(client, url, username, times):
    for _ in range(times):
        client.post(url, {"username": username, "password": "wrong-password"})


@pytest.mark.django_db
def test_account_is_locked_after_repeated_failures(client, settings):
    user = TraineeFactory()
    fail_login(client, reverse("login"), user.username, settings.AXES_FAILURE_LIMIT)

    response = client.post(
        reverse("login"), {"username": user.username, "password": PASSWORD}
    )

    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert "Try again in 15 minutes" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_stranger_cannot_lock_an_account_from_another_address(settings):
    """Failures from one address lock that address; the account's owner, from
    theirs, still signs in (they used to be locked out too)."""
    user = TraineeFactory()
    fail_login(
        Client(REMOTE_ADDR="10.0.0.1"),
        reverse("login"),
        user.username,
        settings.AXES_FAILURE_LIMIT,
    )

    owner = Client(REMOTE_ADDR="10.0.0.2").post(
        reverse("login"), {"username": user.username, "password": PASSWORD}
    )
    stranger = Client(REMOTE_ADDR="10.0.0.1").post(
        reverse("login"), {"username": user.username, "password": PASSWORD}
    )

    assert owner.status_code == 302
    assert stranger.status_code == 429


@pytest.mark.django_db
def test_an_address_is_locked_across_accounts(settings):
    attacker = Client(REMOTE_ADDR="10.9.9.9")
    for i in range(settings.AXES_FAILURE_LIMIT):
        attacker.post(reverse("login"), {"username": f"guess{i}", "password": "x"})
    victim = TraineeFactory()

    response = attacker.post(
        reverse("login"), {"username": victim.username, "password": PASSWORD}
    )

    assert response.status_code == 429


@pytest.mark.django_db
def test_admin_login_is_throttled_too(client, settings):
    staff = UserFactory(is_staff=True, is_superuser=True)
    fail_login(
        client, reverse("admin:login"), staff.username, settings.AXES_FAILURE_LIMIT
    )

    response = client.post(
        reverse("admin:login"), {"username": staff.username, "password": PASSWORD}
    )

    assert response.status_code == 429


@pytest.mark.django_db
def test_staff_lift_a_lockout_and_it_is_audited(settings):
    from axes.models import AccessAttempt

    user = TraineeFactory()
    fail_login(Client(), reverse("login"), user.username, settings.AXES_FAILURE_LIMIT)
    superuser = UserFactory(is_staff=True, is_superuser=True)
    staff = Client()
    staff.force_login(superuser)
    attempts = list(AccessAttempt.objects.values_list("pk", flat=True))

    staff.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": attempts, "post": "yes"},
    )
    response = Client().post(
        reverse("login"), {"username": user.username, "password": PASSWORD}
    )

    assert response.status_code == 302
    assert LogEntry.objects.filter(
        user=superuser, content_type__app_label="axes"
    ).exists()


# --- audit -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_publishing_and_revoking_are_in_the_audit_log(
    instructor_client, instructor, trainee
):
    from quiz.attempts.services import attempt_start, attempt_submit

    question = QuestionFactory(title="Audited")
    instructor_client.post(
        reverse("admin:questions_question_changelist"),
        {"action": "publish_selected", "_selected_action": [question.pk]},
    )
    quiz = QuizFactory(questions__n=1, certificate_on_pass=True)
    attempt = attempt_start(quiz=quiz, user=trainee)
    attempt_submit(attempt=attempt, user=trainee, answers=correct_answers(attempt))
    certificate = trainee.certificates.get()
    instructor_client.post(
        reverse("admin:quiz_certificate_changelist"),
        {
            "action": "revoke_selected",
            "_selected_action": [certificate.pk],
            "confirm": "yes",
            "reason": "Fraud",
        },
    )

    entries = LogEntry.objects.filter(user=instructor, action_flag=CHANGE)
    messages = [entry.get_change_message() for entry in entries]
    assert any("Published" in m for m in messages)
    assert any("Revoked: Fraud" in m for m in messages)
    log = instructor_client.get(reverse("admin:admin_logentry_changelist"))
    assert log.status_code == 200 and "Audited" in log.content.decode()


@pytest.mark.django_db
def test_audit_log_cannot_be_edited_or_deleted(instructor_client, instructor):
    QuestionFactory()
    entry = LogEntry.objects.create(
        user=instructor, object_repr="x", action_flag=CHANGE
    )

    response = instructor_client.post(
        reverse("admin:admin_logentry_delete", args=[entry.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert LogEntry.objects.filter(pk=entry.pk).exists()


# --- behind a proxy -------------------------------------------------------------------------


@pytest.mark.django_db
def test_behind_a_proxy_one_clients_failures_do_not_lock_out_another(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    attacker = Client(**proxy, HTTP_X_FORWARDED_FOR="203.0.113.5")
    for i in range(settings.AXES_FAILURE_LIMIT):
        attacker.post(reverse("login"), {"username": f"guess{i}", "password": "x"})
    colleague = TraineeFactory()

    response = Client(**proxy, HTTP_X_FORWARDED_FOR="198.51.100.7").post(
        reverse("login"), {"username": colleague.username, "password": PASSWORD}
    )

    assert response.status_code == 302
    locked = attacker.post(
        reverse("login"), {"username": colleague.username, "password": PASSWORD}
    )
    assert locked.status_code == 429


def test_client_address_trusts_only_the_proxies_entries(rf, settings):
    from accounts.net import client_address

    settings.TRUSTED_PROXY_COUNT = 1
    spoofed = rf.get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5"
    )
    garbage = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="not-an-ip")
    settings.TRUSTED_PROXY_COUNT = 0
    direct = rf.get("/", REMOTE_ADDR="192.0.2.9", HTTP_X_FORWARDED_FOR="1.2.3.4")

    assert client_address(direct) == "192.0.2.9"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(spoofed) == "203.0.113.5"
    assert client_address(garbage) == "10.0.0.1"

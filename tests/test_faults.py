"""When a part fails the site degrades, it does not answer 500.

The cache: a missing table (migrate without createcachetable, before this was
fixed) is a miss. The database: a real unreachable server (a port nobody
listens on, in a subprocess with the production settings) gives 503 with
Retry-After, and /healthz says which part is down.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from tests.factories import QuizFactory

ROOT = Path(__file__).resolve().parent.parent
MISSING_TABLE = {
    "default": {
        "BACKEND": "config.cache.TolerantDatabaseCache",
        "LOCATION": "rulewise_cache_that_does_not_exist",
    }
}


@pytest.mark.django_db
def test_a_missing_cache_table_is_a_miss_not_an_error():
    with override_settings(CACHES=MISSING_TABLE):
        cache.set("k", 1)
        assert cache.get("k", "default") == "default"
        assert cache.add("k", 1) is False
        # the request's transaction is still usable afterwards (PostgreSQL)
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            assert cursor.fetchone() == (1,)


@pytest.mark.django_db
def test_pages_that_use_the_cache_work_without_its_table(client, instructor_client):
    QuizFactory(questions__n=1)
    with override_settings(CACHES=MISSING_TABLE):
        verify = client.get(
            reverse("quiz:certificate-verify", args=["RW-0000-0000-0000-0000-0000"])
        )
        stats = instructor_client.get(reverse("quiz:report-questions"))
        health = client.get(reverse("healthz"))

    assert verify.status_code == 404
    assert stats.status_code == 200
    assert health.status_code == 200
    assert health.json() == {
        "status": "degraded",
        "database": "ok",
        "cache": "unreachable",
    }


@pytest.mark.django_db(transaction=True)
def test_migrate_creates_the_cache_table():
    table = "rulewise_cache_made_by_migrate"
    caches = {
        "default": {"BACKEND": "config.cache.TolerantDatabaseCache", "LOCATION": table}
    }
    from django.core.management import call_command

    with override_settings(CACHES=caches):
        call_command("migrate", verbosity=0)
        assert table in connection.introspection.table_names()
        cache.set("k", 41)
        assert cache.get("k") == 41
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {table}")


def test_healthy_site_says_so(client, db):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


DOWN_SCRIPT = """
import django, json
from django.conf import settings
# No collectstatic here: the plain storage instead of the manifest one.
settings.STORAGES = {**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
django.setup()
from django.test import Client
client = Client(raise_request_exception=False)
client.cookies["sessionid"] = "a" * 32  # a signed-in visitor: the session is read
out = {}
for path in ("/", "/quizzes/", "/attempts/1/", "/reports/",
             "/certificates/verify/RW-0000-0000-0000-0000-0000/", "/healthz"):
    response = client.get(path, HTTP_HOST="localhost")
    out[path] = [response.status_code, response.get("Retry-After"),
                 response.content.decode()[:4000]]
print(json.dumps(out))
"""


def production_env(**overrides) -> dict:
    """The production settings for a subprocess, on plain HTTP at localhost."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
    }
    env.pop("REDIS_URL", None)
    return {**env, **overrides}


def run_site_script(script: str, env: dict, *, timeout: int) -> dict:
    """Run a script against the site in a subprocess; the JSON it printed last."""
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_database_down_gives_503_with_retry_after_not_500():
    # a PostgreSQL nobody serves: connection refused at once
    env = production_env(DATABASE_URL="postgres://postgres@127.0.0.1:9/rulewise")
    pages = run_site_script(DOWN_SCRIPT, env, timeout=120)
    for path, (status, retry_after, body) in pages.items():
        assert status == 503, (path, status, body[:500])
        assert retry_after == "5", path
    assert json.loads(pages["/healthz"][2])["database"] == "unreachable"
    assert "briefly unavailable" in pages["/quizzes/"][2]


REDIS_SCRIPT = """
import django, json, os, signal, subprocess, time
from django.conf import settings
settings.STORAGES = {**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
django.setup()
from django.core.management import call_command
from django.test import Client
call_command("migrate", verbosity=0)
call_command("load_question_bank", verbosity=0)
from accounts.roles import Role, role_group
from accounts.models import User
trainee = User.objects.create_user("ana", password="x")
trainee.groups.add(role_group(Role.TRAINEE))
client = Client(raise_request_exception=False)
client.force_login(trainee)
paths = ("/", "/quizzes/", "/certificates/", "/healthz",
         "/certificates/verify/RW-0000-0000-0000-0000-0000/")
def visit():
    return {p: client.get(p, HTTP_HOST="localhost").status_code for p in paths}
out = {"up": visit()}
redis = int(os.environ["REDIS_PID"])
os.kill(redis, signal.SIGKILL)
time.sleep(0.2)
out["down"] = visit()
out["health_down"] = json.loads(client.get("/healthz", HTTP_HOST="localhost").content)
print(json.dumps(out))
"""


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_redis_killed_mid_run_degrades_to_no_cache(tmp_path):
    port = _free_port()
    redis = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
        stdout=subprocess.DEVNULL,
    )
    try:
        env = production_env(
            DATABASE_URL=f"sqlite:///{tmp_path / 'site.sqlite3'}",
            REDIS_URL=f"redis://127.0.0.1:{port}/0",
            REDIS_PID=str(redis.pid),
        )
        out = run_site_script(REDIS_SCRIPT, env, timeout=300)
    finally:
        redis.kill()
        redis.wait(timeout=10)
    expected = {
        "/": 200,
        "/quizzes/": 200,
        "/certificates/": 200,
        "/healthz": 200,
        "/certificates/verify/RW-0000-0000-0000-0000-0000/": 404,
    }
    assert out["up"] == expected
    assert out["down"] == expected
    assert out["health_down"] == {
        "status": "degraded",
        "database": "ok",
        "cache": "unreachable",
    }

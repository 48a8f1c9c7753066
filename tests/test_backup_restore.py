"""The README's backup and restore procedures, exercised on a copy."""

import io
import shutil
import subprocess

import pytest

from django.core.management import call_command
from django.db import connection

from quiz.attempts.services import attempt_start, attempt_submit
from quiz.models import Attempt, Certificate
from tests.factories import QuizFactory, TraineeFactory, correct_answers, wrong_answers


def make_records():
    quiz = QuizFactory(
        questions__n=3, certificate_on_pass=True, certificate_validity_months=12
    )
    for right in (True, False, True):
        trainee = TraineeFactory()
        attempt = attempt_start(quiz=quiz, user=trainee)
        answers = correct_answers(attempt) if right else wrong_answers(attempt)
        attempt_submit(attempt=attempt, user=trainee, answers=answers)


def records():
    return (
        sorted(
            Attempt.objects.values_list(
                "user__username", "number", "state", "score", "passed"
            )
        ),
        sorted(
            Certificate.objects.values_list(
                "code", "user__username", "expires_at", "revoked_at"
            )
        ),
        sorted(
            (a.pk, item.position, tuple(item.selected), item.mark)
            for a in Attempt.objects.all()
            for item in a.items.all()
        ),
    )


# Real transactions: PostgreSQL cannot TRUNCATE (flush) inside the test's own.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_dumpdata_then_loaddata_into_an_empty_database_keeps_every_record(tmp_path):
    make_records()
    before = records()
    dump = tmp_path / "backup.xml"  # XML keeps microseconds; JSON rounds to ms
    call_command(
        "dumpdata",
        "--format=xml",
        "--natural-foreign",
        "--natural-primary",
        "--exclude=contenttypes",
        "--exclude=auth.permission",
        "--exclude=sessions",
        "--output",
        str(dump),
        verbosity=0,
    )

    call_command("flush", "--noinput", verbosity=0)
    assert not Attempt.objects.exists() and not Certificate.objects.exists()
    call_command("loaddata", str(dump), verbosity=0, stdout=io.StringIO())

    assert records() == before
    assert len(before[1]) == 2  # two passes, two certificates


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql" or not shutil.which("pg_dump"),
    reason="pg_dump/pg_restore on PostgreSQL",
)
def test_pg_dump_then_pg_restore_into_a_new_database_keeps_every_record(tmp_path):
    import psycopg

    make_records()
    settings = connection.settings_dict
    source = settings["NAME"]
    copy = f"{source}_restore_copy"
    host = ["-h", settings["HOST"] or "127.0.0.1", "-p", str(settings["PORT"] or 5432)]
    user = ["-U", settings["USER"] or "postgres"]
    dump = tmp_path / "rulewise.dump"
    subprocess.run(
        ["pg_dump", *host, *user, "-Fc", "-f", str(dump), source], check=True
    )
    subprocess.run(["dropdb", *host, *user, "--if-exists", copy], check=True)
    subprocess.run(["createdb", *host, *user, copy], check=True)
    try:
        subprocess.run(
            ["pg_restore", *host, *user, "--no-owner", "-d", copy, str(dump)],
            check=True,
        )
        query = (
            "SELECT (SELECT count(*) FROM quiz_attempt WHERE state = 'finished'),"
            " (SELECT string_agg(code, ',' ORDER BY code) FROM quiz_certificate),"
            " (SELECT sum(mark) FROM quiz_attemptquestion)"
        )
        url = f"host={host[1]} port={host[3]} user={user[1]}"
        with (
            psycopg.connect(f"{url} dbname={source}") as original,
            psycopg.connect(f"{url} dbname={copy}") as restored,
        ):
            assert (
                original.execute(query).fetchone() == restored.execute(query).fetchone()
            )
            assert (
                restored.execute("SELECT count(*) FROM quiz_certificate").fetchone()[0]
                == 2
            )
    finally:
        subprocess.run(["dropdb", *host, *user, "--if-exists", copy], check=True)

"""Rulewise benchmarks: page latency in-process; throughput and memory under gunicorn.

Run from the repository root on a database made by generate.py (same scale label):

    # latency: median/min of N runs and the query count of each page
    .venv/bin/python tests/benchmarks/bench.py --scale-label L \\
        --database-url postgres://postgres@127.0.0.1:5432/rulewise_bench_l [--runs 7]

    # throughput (gunicorn, 2 workers, 8 clients, 3 rounds of 15 s per page) and
    # worker memory
    .venv/bin/python tests/benchmarks/bench.py --throughput --scale-label L \\
        --database-url postgres://postgres@127.0.0.1:5432/rulewise_bench_l \\
        [--duration 15 --rounds 3 --clients 8 --workers 2 --redis-url URL]

Latency mode drives the views with Django's test Client in this process, with the
production settings (DEBUG off; tests/benchmarks/bench_settings.py), signed in
with force_login, and times each request (a CSV download is read to the end);
the query count comes from a separate warm-up run under CaptureQueriesContext.
Submits time only the POST: each run's in-progress attempt is started and
answered outside the timing.

Throughput mode starts gunicorn on a free 127.0.0.1 port against the same
database (collectstatic first; DJANGO_DEBUG=false, no TLS redirect, no secure
cookies, axes limit high, as tests/load/run_load.py does) with
DJANGO_SETTINGS_MODULE=tests.benchmarks.bench_settings, whose URLconf adds a bare
view (/bench-bare/). Sessions are written to the database beforehand (what
force_login does), so no request pays for password hashing. A bounded load
generator (threads + httpx, loopback only, fixed duration) measures requests/s of
the attempt page (each client its own trainee and attempt), of submit (each POST
a different attempt, pre-created for many trainees) and of the bare view. Then,
one fresh single-worker gunicorn per request, it reads the worker's VmHWM (peak
RSS, /proc/<pid>/status) before and after the cohort report, question statistics
and the CSV exports of the 500 cohort and of the regional cohort (up to 5,000).

Before measuring it applies migrations newer than the data (then VACUUM
ANALYZE) and waits, up to --quiet-wait seconds, until the machine is under 15%
CPU busy; a throughput phase after which other work was running is flagged.
Besides the bare view it measures a signed-in bare view (/bench-bare-signed-in/:
session and user loaded), the floor of any page behind a login.

Everything the benchmark creates (attempts, their certificates, sessions) is
deleted at the end, so runs can be repeated on the same data. Results are
printed, kept in tests/benchmarks/results.json and written into
tests/benchmarks/RESULTS.md (the section of this scale and mode is replaced).
To measure a commit exported elsewhere (git archive) while the tree is being
edited, run the exported copy with BENCH_RESULTS_DIR=<this folder> and
BENCH_APP_VERSION=<commit> (see RESULTS.md, "Running the benchmarks").
"""

import argparse
import contextlib
import datetime as dt
import io
import json
import os
import platform
import re
import secrets
import shlex
import signal
import socket
import statistics
import string
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.benchmarks.common import (  # noqa: E402
    BENCH_SUPERVISOR,
    BENCH_TRAINEE,
    DEFAULT_URL,
    REGIONAL_SUPERVISOR,
    ROOT,
    STAFF_USER,
    is_postgres,
    production_env,
)

HERE = Path(__file__).resolve().parent
# A run from an exported copy of the code (see RESULTS.md) writes back here.
RESULTS_DIR = Path(os.environ.get("BENCH_RESULTS_DIR", HERE))
RESULTS_MD = RESULTS_DIR / "RESULTS.md"
RESULTS_JSON = RESULTS_DIR / "results.json"
SETTINGS = "tests.benchmarks.bench_settings"
TRAINEE_TARGET_MS = 50
REPORT_TARGET_MS = 500
ATTENTION_TARGET_MS = 500  # issue 16: the needs-attention list of a 5,000 cohort


def log(message: str = "") -> None:
    print(message, flush=True)


# --- environment ---------------------------------------------------------------------


def bench_env(database_url: str, redis_url: str = "") -> dict[str, str]:
    env = production_env(database_url, SETTINGS)
    if redis_url:  # the cache and cached sessions in Redis, as README's deploy has it
        env["REDIS_URL"] = redis_url
    env["BENCH_STATIC_ROOT"] = env.get(
        "BENCH_STATIC_ROOT", "/tmp/rulewise-bench-static"
    )
    return env


def start_django(env: dict[str, str]) -> None:
    os.environ.clear()
    os.environ.update(env)
    os.chdir(ROOT)
    import django

    django.setup()


def machine(database_url: str) -> dict[str, str]:
    meminfo = Path("/proc/meminfo").read_text()
    kib = int(re.search(r"MemTotal:\s+(\d+)", meminfo).group(1))
    cpu = ""
    with contextlib.suppress(OSError):
        match = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
        cpu = match.group(1).strip() if match else ""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            database = "PostgreSQL " + cursor.fetchone()[0]
        else:
            cursor.execute("select sqlite_version()")
            database = "SQLite " + cursor.fetchone()[0]
    return {
        "nproc": str(os.cpu_count()),
        "ram": f"{kib / 1024 / 1024:.1f} GiB",
        "cpu": cpu,
        "database": database,
        "python": platform.python_version(),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "app": app_version(),
    }


def app_version() -> str:
    """The commit measured, and whether app files had uncommitted changes (read-only git)."""
    if os.environ.get("BENCH_APP_VERSION"):
        return os.environ["BENCH_APP_VERSION"]
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    changed = [
        line[3:] for line in status if not line[3:].startswith("tests/benchmarks/")
    ]
    if changed:
        return f"{head} + uncommitted changes in {', '.join(changed)}"
    return head


def cpu_busy(seconds: float = 2.0) -> float:
    """Share of the machine's CPU time busy over `seconds` (from /proc/stat)."""

    def sample() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().split()[1:9]]
        idle = fields[3] + fields[4]  # idle + iowait
        return sum(fields), idle

    total0, idle0 = sample()
    time.sleep(seconds)
    total1, idle1 = sample()
    return 1 - (idle1 - idle0) / max(1, total1 - total0)


def cpu_split(worker_pids: list[int]) -> dict:
    """CPU seconds used so far by this process (the load generator), by the gunicorn
    workers, by each PostgreSQL process, and by the whole machine (/proc)."""
    tick = os.sysconf("SC_CLK_TCK")

    def seconds(pid: int) -> float:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / tick  # utime + stime

    postgres = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if (entry / "comm").read_text().strip() == "postgres":
                    postgres[int(entry.name)] = seconds(int(entry.name))
    fields = [int(x) for x in Path("/proc/stat").read_text().split()[1:9]]
    busy = (sum(fields) - fields[3] - fields[4]) / tick
    return {
        "generator": seconds(os.getpid()),
        "workers": sum(seconds(pid) for pid in worker_pids),
        "postgres": postgres,
        "machine": busy,
    }


def wait_for_quiet(limit_s: float, threshold: float = 0.15) -> str:
    """Wait (at most limit_s) until nothing else keeps the CPUs busy; say how it went."""
    deadline = time.monotonic() + limit_s
    busy = cpu_busy()
    waited = False
    while busy > threshold and time.monotonic() < deadline:
        if not waited:
            log(f"  machine {busy:.0%} busy with other work: waiting for it to settle")
            waited = True
        time.sleep(8)
        busy = cpu_busy()
    note = f"{busy:.0%} CPU busy just before measuring"
    if busy > threshold:
        note += " (NOT quiet: other work was running, numbers are pessimistic)"
        log(f"  warning: {note}")
    return note


def command_line() -> str:
    command = ".venv/bin/python " + " ".join(shlex.quote(a) for a in sys.argv)
    if os.environ.get("BENCH_RESULTS_DIR"):
        command = f"(in {ROOT}) {command}"
    return command


def migrate_if_needed() -> None:
    """Apply migrations newer than the data (e.g. an index added since generate.py)."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not plan:
        return
    names = ", ".join(f"{m.app_label}.{m.name}" for m, _backwards in plan)
    start = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        connection.connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
    log(f"applied {names} and VACUUM ANALYZE in {time.perf_counter() - start:.0f} s")


# --- the data the benchmarks use ------------------------------------------------------


@dataclass
class Scene:
    trainee: object
    supervisor: object
    regional_supervisor: object
    staff: object
    cohort: object
    cohort_size: int
    regional: object
    regional_size: int
    final: object
    module_page: object  # the largest module: attempt page
    module_submit: object  # the second largest: submits
    result_attempt: object
    data: dict = field(default_factory=dict)

    @classmethod
    def load(cls) -> "Scene":
        from django.contrib.auth import get_user_model
        from django.db.models import Count

        from accounts.models import Cohort
        from quiz.models import Attempt, AttemptQuestion, AttemptState, Quiz

        User = get_user_model()
        users = {
            u.username: u
            for u in User.objects.filter(
                username__in=[
                    BENCH_TRAINEE,
                    BENCH_SUPERVISOR,
                    REGIONAL_SUPERVISOR,
                    STAFF_USER,
                ]
            )
        }
        missing = {BENCH_TRAINEE, BENCH_SUPERVISOR, STAFF_USER} - set(users)
        if missing:
            raise SystemExit(
                f"{', '.join(sorted(missing))} missing: run generate.py on this database"
            )
        cohort = Cohort.objects.get(supervisors=users[BENCH_SUPERVISOR])
        regional = Cohort.objects.filter(
            supervisors=users.get(REGIONAL_SUPERVISOR)
        ).first()
        quizzes = list(
            Quiz.objects.published().annotate(n=Count("quiz_questions")).order_by("-n")
        )
        final = next(q for q in quizzes if q.certificate_on_pass)
        modules = [q for q in quizzes if q is not final]
        trainee = users[BENCH_TRAINEE]
        result_attempt = (
            Attempt.objects.filter(
                user=trainee, quiz=final, state=AttemptState.FINISHED, passed=True
            )
            .order_by("-finished_at")
            .first()
        )
        data = {
            "trainees": User.objects.filter(groups__name="Trainee").count(),
            "attempts": Attempt.objects.count(),
            "answers": AttemptQuestion.objects.count(),
            "final_attempts": Attempt.objects.filter(
                quiz=final, state=AttemptState.FINISHED
            ).count(),
        }
        return cls(
            trainee=trainee,
            supervisor=users[BENCH_SUPERVISOR],
            regional_supervisor=users.get(REGIONAL_SUPERVISOR),
            staff=users[STAFF_USER],
            cohort=cohort,
            cohort_size=cohort.trainees.count(),
            regional=regional,
            regional_size=regional.trainees.count() if regional else 0,
            final=final,
            module_page=modules[0],
            module_submit=modules[1],
            result_attempt=result_attempt,
            data=data,
        )


class Created:
    """What the benchmark adds to the database, removed at the end."""

    def __init__(self) -> None:
        self.attempts: set[int] = set()
        self.sessions: set[str] = set()
        self.practice_sessions: set[int] = set()
        from django.utils import timezone

        self.t0 = timezone.now()

    def attempt(self, *, quiz, user):
        """A new in-progress attempt (never a resumed one from the generated data)."""
        from quiz.attempts.services import attempt_start

        attempt = attempt_start(quiz=quiz, user=user)
        if attempt.pk not in self.attempts and attempt.started_at < self.t0:
            # the generated data had one open: leave it, finish ours elsewhere
            raise RuntimeError(f"{user} already had attempt {attempt.pk} open")
        self.attempts.add(attempt.pk)
        return attempt

    def cleanup(self) -> None:
        from django.contrib.sessions.models import Session
        from django.db import transaction

        from quiz.models import (
            Attempt,
            Certificate,
            PracticeCard,
            PracticeItem,
            PracticeSession,
        )

        ids = sorted(self.attempts)
        with transaction.atomic():
            for start in range(0, len(ids), 1000):
                chunk = ids[start : start + 1000]
                Certificate.objects.filter(attempt_id__in=chunk).delete()
                Attempt.objects.filter(pk__in=chunk).delete()
            Session.objects.filter(session_key__in=self.sessions).delete()
            # Practice sessions (and their served questions) the benchmark made;
            # cards it created for questions the generated data had none of.
            PracticeItem.objects.filter(session_id__in=self.practice_sessions).delete()
            PracticeSession.objects.filter(pk__in=self.practice_sessions).delete()
            PracticeCard.objects.filter(created_at__gte=self.t0).delete()
        log(
            f"cleanup: removed {len(ids)} attempts made by the benchmark "
            f"and {len(self.sessions)} sessions"
        )


def remove_leftovers(scene: Scene) -> None:
    """bench-trainee's open attempts: the generated history has none, so an
    interrupted run left them (they would be resumed instead of started afresh)."""
    from quiz.models import Attempt, AttemptState, Certificate

    left = list(
        Attempt.objects.filter(
            user=scene.trainee, state=AttemptState.IN_PROGRESS
        ).values_list("pk", flat=True)
    )
    if left:
        Certificate.objects.filter(attempt_id__in=left).delete()
        Attempt.objects.filter(pk__in=left).delete()
        log(f"removed {len(left)} open attempts of {BENCH_TRAINEE} left by a run")


def right_answers(attempt, share: float = 1.0) -> dict[int, list[int]]:
    """Answers for the first `share` of the items: the correct choices."""
    items = list(attempt.items.all())
    keep = round(len(items) * share)
    return {
        item.position: [c["id"] for c in item.snapshot["choices"] if c["correct"]]
        for item in items[:keep]
    }


# --- latency -----------------------------------------------------------------------------


@dataclass
class Row:
    page: str
    who: str
    median_ms: float
    min_ms: float
    queries: int
    target: str
    ok: bool | None
    note: str = ""


ONLY: list[str] = []  # --only: time just the pages whose label contains one


def time_page(
    label, who, runs, run, prepare=None, target_ms=None, note="", target_text=""
):
    """Warm-up (with query capture), then `runs` timed calls of run(prepared);
    None for a page --only leaves out."""
    if ONLY and not any(part in label for part in ONLY):
        return None
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    arg = prepare() if prepare else None
    with CaptureQueriesContext(connection) as captured:
        run(arg)
    queries = len(captured.captured_queries)
    times = []
    for _ in range(runs):
        arg = prepare() if prepare else None
        start = time.perf_counter()
        run(arg)
        times.append(1000 * (time.perf_counter() - start))
    median = statistics.median(times)
    ok = None if target_ms is None else median < target_ms
    target = f"< {target_ms} ms" if target_ms else target_text
    row = Row(label, who, median, min(times), queries, target, ok, note)
    log(
        f"  {label:<58} {median:9.1f} {min(times):9.1f} {queries:7d}  "
        f"{target:<10} {'' if ok is None else ('PASS' if ok else 'MISS')}"
    )
    return row


def get(client, url: str, status: int = 200, stream: bool = False) -> int:
    response = client.get(url)
    if response.status_code != status:
        raise RuntimeError(f"GET {url}: {response.status_code}, expected {status}")
    if stream:
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


def run_latency(scene: Scene, created: Created, runs: int) -> list[Row]:
    from django.test import Client

    from quiz.attempts.services import attempt_save_answers

    def client_for(user):
        client = Client()
        client.force_login(user)
        created.sessions.add(client.session.session_key)
        return client

    trainee = client_for(scene.trainee)
    supervisor = client_for(scene.supervisor)
    staff = client_for(scene.staff)
    rows: list[Row] = []
    t = TRAINEE_TARGET_MS
    r = REPORT_TARGET_MS
    log(
        f"  {'page':<58} {'median ms':>9} {'min ms':>9} {'queries':>7}  target"
        "     result"
    )

    def page(label, client, who, url, target, **kw):
        rows.append(
            time_page(
                label,
                who,
                runs,
                lambda _arg: get(client, url, stream=kw.get("stream", False)),
                target_ms=target,
                note=kw.get("note", ""),
                target_text=kw.get("target_text", ""),
            )
        )

    page("trainee dashboard /", trainee, "trainee", "/", t)
    page("quiz list /quizzes/", trainee, "trainee", "/quizzes/", t)
    page(
        "quiz page /quizzes/final-exam/",
        trainee,
        "trainee",
        f"/quizzes/{scene.final.slug}/",
        t,
    )
    module = created.attempt(quiz=scene.module_page, user=scene.trainee)
    attempt_save_answers(
        attempt=module, user=scene.trainee, answers=right_answers(module, 0.5)
    )
    n_module = module.items.count()
    page(
        f"attempt page (module, {n_module} questions on one page)",
        trainee,
        "trainee",
        f"/attempts/{module.pk}/",
        t,
    )
    exam = created.attempt(quiz=scene.final, user=scene.trainee)
    page(
        "attempt page (final exam, question 1 of 20)",
        trainee,
        "trainee",
        f"/attempts/{exam.pk}/?page=1",
        t,
    )

    def prepare_submit():
        attempt = created.attempt(quiz=scene.module_submit, user=scene.trainee)
        attempt_save_answers(
            attempt=attempt, user=scene.trainee, answers=right_answers(attempt, 0.9)
        )
        return attempt

    def submit(client, attempt):
        response = client.post(f"/attempts/{attempt.pk}/submit/")
        if response.status_code != 302 or "/result/" not in response["Location"]:
            raise RuntimeError(f"submit {attempt.pk}: {response.status_code}")

    n_submit = scene.module_submit.quiz_questions.count()
    rows.append(
        time_page(
            f"submit (module, {n_submit} questions)",
            "trainee",
            runs,
            lambda attempt: submit(trainee, attempt),
            prepare=prepare_submit,
            target_ms=t,
        )
    )
    rows.append(submit_final_exam(scene, created, runs, client_for))
    page(
        "result page (final exam, passed, certificate)",
        trainee,
        "trainee",
        f"/attempts/{scene.result_attempt.pk}/result/",
        t,
    )
    rows += run_practice(scene, created, runs, trainee)
    page("attempt history /attempts/", trainee, "trainee", "/attempts/", t)
    page("certificates /certificates/", trainee, "trainee", "/certificates/", t)
    page("reports index /reports/", supervisor, "supervisor", "/reports/", r)
    page(
        f"cohort report ({scene.cohort_size} trainees)",
        supervisor,
        "supervisor",
        f"/reports/cohorts/{scene.cohort.pk}/",
        r,
    )
    page(
        "trainee report (bench-trainee)",
        supervisor,
        "supervisor",
        f"/reports/trainees/{scene.trainee.pk}/",
        r,
        note="no target given; held to the report target",
    )
    n_final = scene.data["final_attempts"]
    stats_url = f"/reports/questions/?quiz={scene.final.pk}"

    def clear_cache():
        from django.core.cache import cache

        cache.clear()  # any report cache: each run computes from the data

    rows.append(
        time_page(
            f"question statistics (final exam, all {n_final} attempts), computed",
            "instructor",
            runs,
            lambda _arg: get(staff, stats_url),
            prepare=clear_cache,
            target_ms=r,
            note="cache cleared before each run",
        )
    )
    page(
        f"question statistics (final exam, all {n_final} attempts), repeat view",
        staff,
        "instructor",
        stats_url,
        r,
        note="whatever the app caches between views is kept",
    )
    rows.append(
        time_page(
            f"question statistics (final exam, cohort of {scene.cohort_size}), computed",
            "supervisor",
            runs,
            lambda _arg: get(supervisor, stats_url),
            prepare=clear_cache,
            target_ms=r,
            note="cache cleared before each run",
        )
    )
    page(
        f"CSV export, cohort of {scene.cohort_size}",
        supervisor,
        "supervisor",
        f"/reports/cohorts/{scene.cohort.pk}/?format=csv",
        None,
        stream=True,
        target_text="constant memory (throughput run)",
    )
    if scene.regional is not None and scene.regional_supervisor is not None:
        regional = client_for(scene.regional_supervisor)
        page(
            f"cohort report, regional cohort of {scene.regional_size} (info)",
            regional,
            "regional supervisor",
            f"/reports/cohorts/{scene.regional.pk}/",
            None,
            target_text="none (how it grows with cohort size)",
        )
        page(
            f"CSV export, regional cohort of {scene.regional_size} (info)",
            regional,
            "regional supervisor",
            f"/reports/cohorts/{scene.regional.pk}/?format=csv",
            None,
            stream=True,
            target_text="constant memory (throughput run)",
        )
        # Issue 16: under 500 ms for a 5,000-trainee cohort at L scale.
        page(
            f"needs attention, regional cohort of {scene.regional_size}",
            regional,
            "regional supervisor",
            "/reports/attention/",
            ATTENTION_TARGET_MS,
        )
        page(
            f"needs attention CSV, regional cohort of {scene.regional_size} (info)",
            regional,
            "regional supervisor",
            "/reports/attention/?format=csv",
            None,
            stream=True,
        )
    return rows


PRACTICE_NEXT_TARGET_MS = 20


def run_practice(scene: Scene, created: Created, runs: int, trainee) -> list[Row]:
    """Practice: choosing the next card (the issue's < 20 ms at L), in process,
    then the practice pages. The benchmark's sessions are removed afterwards."""
    from quiz.practice.selectors import next_question_id
    from quiz.practice.services import practice_start

    session = practice_start(user=scene.trainee)
    created.practice_sessions.add(session.pk)
    rows = [
        time_page(
            "practice: choose the next card (bench-trainee)",
            "trainee",
            runs,
            lambda _arg: next_question_id(user=scene.trainee, session=session),
            target_ms=PRACTICE_NEXT_TARGET_MS,
            note="the selector alone, in process (no request)",
        )
    ]
    for label, url in [
        ("practice page /practice/", "/practice/"),
        ("rules reader /rules/", "/rules/"),
    ]:
        rows.append(
            time_page(
                label,
                "trainee",
                runs,
                lambda _arg, url=url: get(trainee, url),
                target_ms=TRAINEE_TARGET_MS,
            )
        )

    def serve(_arg):
        response = trainee.post("/practice/")
        if response.status_code != 302:
            raise RuntimeError(f"POST /practice/: {response.status_code}")
        created.practice_sessions.update(_open_practice_sessions(scene.trainee))
        return response

    rows.append(
        time_page(
            "practice: start a session and serve a question (POST)",
            "trainee",
            runs,
            serve,
            prepare=lambda: _end_practice(scene.trainee),
            target_ms=TRAINEE_TARGET_MS,
        )
    )
    return rows


def _open_practice_sessions(user) -> set[int]:
    from quiz.practice.models import PracticeSession

    return set(
        PracticeSession.objects.filter(user=user, ended_at__isnull=True).values_list(
            "pk", flat=True
        )
    )


def _end_practice(user) -> None:
    from quiz.practice.models import PracticeSession
    from quiz.practice.services import practice_stop

    for pk in _open_practice_sessions(user):
        practice_stop(user=user, session=PracticeSession(pk=pk))


def submit_final_exam(scene, created, runs, client_for) -> Row:
    """Submit of a right 20-question final exam: grading plus the certificate."""
    from django.db.models import Count, Exists, OuterRef, Q

    from quiz.attempts.services import attempt_save_answers
    from quiz.models import Attempt, AttemptState, Certificate

    final = scene.final
    candidates = list(
        scene.cohort.trainees.exclude(pk=scene.trainee.pk)
        .annotate(
            used=Count("attempts", filter=Q(attempts__quiz=final)),
            passed=Exists(
                Attempt.objects.filter(user=OuterRef("pk"), quiz=final, passed=True)
            ),
            open=Exists(
                Attempt.objects.filter(
                    user=OuterRef("pk"), state=AttemptState.IN_PROGRESS
                )
            ),
        )
        .filter(used__lt=final.max_attempts or 99, passed=False, open=False)
        .order_by("pk")[: runs + 1]
    )
    if len(candidates) < runs + 1:
        raise RuntimeError("not enough trainees without a final-exam pass")
    queue = deque(candidates)
    client = client_for(queue[0])  # one client: a new one would load the middleware

    def prepare():
        user = queue.popleft()
        client.force_login(user)
        created.sessions.add(client.session.session_key)
        attempt = created.attempt(quiz=final, user=user)
        attempt_save_answers(attempt=attempt, user=user, answers=right_answers(attempt))
        return client, attempt

    submitted = []

    def run(arg):
        client, attempt = arg
        # The certificate mail is queued with the grade (a row, and a task after
        # the commit); under the immediate backend it is printed here: keep it
        # off the terminal.
        with contextlib.redirect_stdout(io.StringIO()):
            response = client.post(f"/attempts/{attempt.pk}/submit/")
        if response.status_code != 302:
            raise RuntimeError(f"submit {attempt.pk}: {response.status_code}")
        submitted.append(attempt.pk)

    row = time_page(
        "submit (final exam, 20 questions, pass + certificate)",
        "other trainees",
        runs,
        run,
        prepare=prepare,
        target_ms=TRAINEE_TARGET_MS,
        note="queues the certificate e-mail (the task worker sends it)",
    )
    passed = Attempt.objects.filter(pk__in=submitted, passed=True).count()
    if passed != len(submitted) or not Certificate.objects.filter(
        attempt_id__in=submitted
    ).count() == len(submitted):
        raise RuntimeError("a right final exam did not pass or got no certificate")
    return row


# --- throughput ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    def __init__(self, env: dict[str, str], workers: int) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(f"/tmp/rulewise-bench-gunicorn-{self.port}.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--timeout",
                "300",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )
        import httpx

        for _ in range(150):
            try:
                if httpx.get(self.base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            self.stop()
            raise RuntimeError("gunicorn did not come up")
        while len(self.workers()) < workers:
            time.sleep(0.1)

    def workers(self) -> list[int]:
        pid = self.process.pid
        try:
            text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
        except OSError:
            return []
        return [int(p) for p in text.split()]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def proc_status(pid: int) -> dict[str, int]:
    """VmHWM (peak RSS) and VmRSS of a process, in KiB."""
    text = Path(f"/proc/{pid}/status").read_text()
    return {
        key: int(re.search(rf"{key}:\s+(\d+) kB", text).group(1))
        for key in ("VmHWM", "VmRSS")
    }


def session_for(user, created: Created) -> str:
    """A signed-in session in the database, as force_login would write it."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    created.sessions.add(store.session_key)
    return store.session_key


CSRF_TOKEN = "".join(
    secrets.choice(string.ascii_letters + string.digits) for _ in range(32)
)


def cookie_header(session_key: str) -> dict[str, str]:
    from django.conf import settings

    return {
        "Cookie": f"{settings.SESSION_COOKIE_NAME}={session_key}; "
        f"{settings.CSRF_COOKIE_NAME}={CSRF_TOKEN}",
        "X-CSRFToken": CSRF_TOKEN,
    }


@dataclass
class LoadResult:
    label: str
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p95_ms: float
    note: str = ""
    cpu_ms: dict = field(default_factory=dict)  # CPU per request, by process kind

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def load_phase(
    base, label, clients, duration, request, warmup=2.0, worker_pids=()
) -> LoadResult:
    """`clients` threads calling request(index, http) until the time is up.

    request returns True (success), False (error) or None (nothing left to do).
    With worker_pids it also reports where the CPU went during the measured run,
    per request: the load generator, the gunicorn workers, PostgreSQL, the rest.
    """
    import httpx

    lock = threading.Lock()
    latencies: list[float] = []
    errors = [0]
    exhausted = threading.Event()

    def worker(index: int, stop_at: float, record: bool) -> None:
        with httpx.Client(base_url=base, timeout=120, follow_redirects=False) as http:
            while time.monotonic() < stop_at and not exhausted.is_set():
                start = time.perf_counter()
                outcome = request(index, http)
                elapsed = time.perf_counter() - start
                if outcome is None:
                    exhausted.set()
                    return
                if record:
                    with lock:
                        if outcome:
                            latencies.append(elapsed)
                        else:
                            errors[0] += 1

    def run(seconds: float, record: bool) -> float:
        stop_at = time.monotonic() + seconds
        threads = [
            threading.Thread(target=worker, args=(i, stop_at, record))
            for i in range(clients)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.perf_counter() - started

    if warmup:
        run(warmup, False)
    before = cpu_split(list(worker_pids))
    elapsed = run(duration, True)
    after = cpu_split(list(worker_pids))
    latencies.sort()
    result = LoadResult(
        label=label,
        requests=len(latencies),
        seconds=elapsed,
        errors=errors[0],
        p50_ms=1000 * statistics.median(latencies) if latencies else 0.0,
        p95_ms=1000 * latencies[int(0.95 * (len(latencies) - 1))] if latencies else 0.0,
        note="ran out of prepared attempts before the end"
        if exhausted.is_set()
        else "",
    )
    if worker_pids and latencies:
        # PostgreSQL: per process, so one that exits mid-run (a closed connection,
        # autovacuum) does not make the sum go down; its share lands in "other".
        after["postgres"] = sum(
            used - before["postgres"].get(pid, 0.0)
            for pid, used in after["postgres"].items()
        )
        before["postgres"] = 0.0
        per_request = {
            key: 1000 * (after[key] - before[key]) / len(latencies) for key in after
        }
        per_request["other"] = per_request["machine"] - sum(
            per_request[key] for key in ("generator", "workers", "postgres")
        )
        result.cpu_ms = per_request
    log(
        f"  {label:<40} {result.rate:8.1f} req/s  p50 {result.p50_ms:7.1f} ms  "
        f"p95 {result.p95_ms:7.1f} ms  errors {result.errors}  ({result.requests} in "
        f"{elapsed:.1f} s) {result.note}"
    )
    if result.cpu_ms:
        log(
            "    CPU ms per request: "
            + ", ".join(
                f"{key} {result.cpu_ms[key]:.2f}"
                for key in ("workers", "postgres", "generator", "other", "machine")
            )
        )
    return result


def throughput_pools(scene, created, clients, submit_attempts):
    """Signed-in trainees with attempts: one per client to view, many to submit."""
    from django.contrib.auth import get_user_model
    from django.db.models import Exists, OuterRef

    from quiz.models import Attempt, AttemptState, Quiz

    User = get_user_model()
    modules = list(Quiz.objects.published().filter(certificate_on_pass=False))
    free = (
        User.objects.filter(groups__name="Trainee")
        .exclude(pk=scene.trainee.pk)
        .annotate(
            open=Exists(
                Attempt.objects.filter(
                    user=OuterRef("pk"), state=AttemptState.IN_PROGRESS
                )
            )
        )
        .filter(open=False)
        .order_by("pk")
    )
    needed = clients + -(-submit_attempts // len(modules))
    trainees = list(free[:needed])
    viewers = []
    for user in trainees[:clients]:
        attempt = created.attempt(quiz=scene.module_page, user=user)
        viewers.append((cookie_header(session_for(user, created)), attempt.pk))
    submits: deque = deque()
    started = time.perf_counter()
    for user in trainees[clients:]:
        headers = cookie_header(session_for(user, created))
        for quiz in modules:
            if len(submits) >= submit_attempts:
                break
            attempt = created.attempt(quiz=quiz, user=user)
            submits.append((headers, attempt.pk))
    log(
        f"  prepared {len(viewers)} viewers and {len(submits)} attempts to submit "
        f"in {time.perf_counter() - started:.0f} s"
    )
    return viewers, submits


def run_throughput(scene, created, env, args) -> dict:
    viewers, submits = throughput_pools(
        scene, created, args.clients, args.submit_attempts
    )
    submits_lock = threading.Lock()
    results: dict = {"load": [], "memory": []}
    results["quiet"] = wait_for_quiet(args.quiet_wait)
    server = Gunicorn(env, args.workers)
    try:
        base = server.base
        log(
            f"  gunicorn {args.workers} workers on {base}, {args.clients} clients, "
            f"{args.duration:.0f} s per page"
        )

        def bare(index, http):
            response = http.get("/bench-bare/", headers=viewers[index][0])
            return response.status_code == 200

        def attempt_page(index, http):
            headers, attempt_id = viewers[index]
            response = http.get(f"/attempts/{attempt_id}/", headers=headers)
            return response.status_code == 200

        def submit(index, http):
            with submits_lock:
                if not submits:
                    return None
                headers, attempt_id = submits.popleft()
            response = http.post(f"/attempts/{attempt_id}/submit/", headers=headers)
            return response.status_code == 302 and "/result/" in response.headers.get(
                "location", ""
            )

        n_items = scene.module_page.quiz_questions.count()

        def signed_in(index, http):
            response = http.get("/bench-bare-signed-in/", headers=viewers[index][0])
            return response.status_code == 200

        phases = [
            ("bare view /bench-bare/", bare, 2.0),
            ("signed-in bare view (session + user)", signed_in, 2.0),
            (f"attempt page (module, {n_items} questions)", attempt_page, 2.0),
            ("submit (module quizzes)", submit, 1.0),
        ]
        by_label: dict[str, list[LoadResult]] = {}
        for round_number in range(1, args.rounds + 1):
            if args.rounds > 1:
                log(f"  round {round_number} of {args.rounds}")
            for label, request, warmup in phases:
                result = load_phase(
                    base,
                    label,
                    args.clients,
                    args.duration,
                    request,
                    warmup,
                    worker_pids=server.workers(),
                )
                # the server is idle now: anything busy is someone else's work
                others = cpu_busy(1.0)
                if others > 0.15:
                    result.note = (result.note + "; " if result.note else "") + (
                        f"other work on the machine: {others:.0%} CPU busy right after"
                    )
                    log(f"  warning: {result.note}")
                by_label.setdefault(label, []).append(result)
        # Each page's median round: one noisy phase does not decide a ratio.
        for all_rounds in by_label.values():
            # A submit phase that found no prepared attempt left measured nothing.
            rounds = [r for r in all_rounds if r.requests] or all_rounds
            median = sorted(rounds, key=lambda r: r.rate)[(len(rounds) - 1) // 2]
            if len(rounds) > 1:
                rates = ", ".join(f"{r.rate:.0f}" for r in rounds)
                median.note = (median.note + "; " if median.note else "") + (
                    f"median of {len(rounds)} rounds: {rates} req/s"
                )
            results["load"].append(median)
        results["workers_hwm_kib"] = [
            proc_status(pid)["VmHWM"] for pid in server.workers()
        ]
    finally:
        server.stop()
    if not args.skip_memory:
        results["memory"] = memory_phase(scene, created, env)
    return results


def memory_phase(scene, created, env) -> list[dict]:
    """Peak RSS growth of a fresh single worker serving one heavy request each."""
    import httpx

    supervisor = cookie_header(session_for(scene.supervisor, created))
    staff = cookie_header(session_for(scene.staff, created))
    targets = [
        (
            f"cohort report ({scene.cohort_size} trainees)",
            supervisor,
            f"/reports/cohorts/{scene.cohort.pk}/",
        ),
        (
            f"question statistics (final exam, all {scene.data['final_attempts']} attempts)",
            staff,
            f"/reports/questions/?quiz={scene.final.pk}",
        ),
        (
            f"CSV export, cohort of {scene.cohort_size}",
            supervisor,
            f"/reports/cohorts/{scene.cohort.pk}/?format=csv",
        ),
    ]
    if scene.regional is not None and scene.regional_supervisor is not None:
        regional = cookie_header(session_for(scene.regional_supervisor, created))
        targets.append(
            (
                f"CSV export, regional cohort of {scene.regional_size}",
                regional,
                f"/reports/cohorts/{scene.regional.pk}/?format=csv",
            )
        )
    rows = []
    log(
        f"  {'request (fresh 1-worker gunicorn each)':<58} {'before':>9} "
        f"{'peak':>9} {'growth':>9} {'seconds':>8} {'bytes':>10}"
    )
    from django.core.cache import cache

    for label, headers, url in targets:
        cache.clear()  # measure the work, not a cached report
        server = Gunicorn(env, 1)
        try:
            [pid] = server.workers()
            with httpx.Client(base_url=server.base, timeout=600) as http:
                # warm the worker: imports, templates, a signed-in report page
                for warm in ("/bench-bare/", "/reports/"):
                    http.get(warm, headers=headers).raise_for_status()
                before = proc_status(pid)
                start = time.perf_counter()
                size = 0
                with http.stream("GET", url, headers=headers) as response:
                    response.raise_for_status()
                    for chunk in response.iter_bytes():
                        size += len(chunk)
                seconds = time.perf_counter() - start
                after = proc_status(pid)
        finally:
            server.stop()
        row = {
            "request": label,
            "before_mib": before["VmHWM"] / 1024,
            "peak_mib": after["VmHWM"] / 1024,
            "growth_mib": (after["VmHWM"] - before["VmHWM"]) / 1024,
            "seconds": seconds,
            "bytes": size,
        }
        rows.append(row)
        log(
            f"  {label:<58} {row['before_mib']:7.1f}MB {row['peak_mib']:7.1f}MB "
            f"{row['growth_mib']:7.1f}MB {seconds:8.2f} {size:>10,}"
        )
    return rows


# --- results files -----------------------------------------------------------------


def load_json() -> dict:
    if RESULTS_JSON.exists():
        return json.loads(RESULTS_JSON.read_text())
    return {}


def save_json(data: dict) -> None:
    RESULTS_JSON.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")


HEADER = """# Rulewise benchmarks

Data from `tests/benchmarks/generate.py`, measured by `tests/benchmarks/bench.py`
(see their docstrings). The sections between `<!-- BEGIN ... -->` and
`<!-- END ... -->` are rewritten by bench.py; the rest is written by hand.
"""


def replace_section(key: str, body: str) -> None:
    text = RESULTS_MD.read_text() if RESULTS_MD.exists() else HEADER
    begin, end = f"<!-- BEGIN {key} -->", f"<!-- END {key} -->"
    block = f"{begin}\n{body.rstrip()}\n{end}"
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _m: block, text)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    RESULTS_MD.write_text(text.rstrip() + "\n")


def context_lines(info: dict, scene_data: dict, command: str) -> str:
    return (
        f"Machine: {info['nproc']} cores ({info['cpu']}), {info['ram']} RAM, "
        f"{info['database']}, Python {info['python']}. Date: {info['date']}. "
        f"App code: {info.get('app', 'unknown')}. "
        f"Load: {info.get('quiet', 'not recorded')}.  \n"
        f"Data: {scene_data['trainees']:,} trainees, {scene_data['attempts']:,} attempts, "
        f"{scene_data['answers']:,} answers; bench cohort of {scene_data['cohort_size']}.  \n"
        f"Command: `{command}`\n"
    )


def query_verdict(page: str, latency: dict) -> str:
    """The query counts of a page at every scale measured so far."""
    key = re.sub(r"\d[\d,]*", "#", page)  # sizes differ across scales
    counts = {
        s: next(
            (r["queries"] for r in rows if re.sub(r"\d[\d,]*", "#", r["page"]) == key),
            None,
        )
        for s, rows in sorted(latency.items())
    }
    counts = {s: c for s, c in counts.items() if c is not None}
    if len(counts) < 2:
        return "(one scale so far)"
    same = len(set(counts.values())) == 1
    return ("constant" if same else "GROWS: ") + (
        "" if same else " / ".join(f"{s} {c}" for s, c in counts.items())
    )


def write_latency(scale: str, rows: list[Row], info, scene_data, command) -> None:
    data = load_json()
    data.setdefault("latency", {})[scale] = [r.__dict__ for r in rows]
    data.setdefault("latency_meta", {})[scale] = {
        **info,
        **scene_data,
        "command": command,
    }
    save_json(data)
    # every scale's table: the query comparison across scales changes with this one
    for each in data["latency"]:
        render_latency(each, data)


def render_latency(scale: str, data: dict) -> None:
    meta = data.get("latency_meta", {}).get(scale)
    if not meta:
        return
    rows = [Row(**r) for r in data["latency"][scale]]
    lines = [
        f"## Scale {scale}: page latency (in-process, Django test Client)",
        "",
        context_lines(meta, meta, meta["command"]),
        "| page | as | median ms | min ms | queries | queries across scales | target | result |",
        "| --- | --- | ---: | ---: | ---: | --- | --- | --- |",
    ]
    for r in rows:
        result = "" if r.ok is None else ("PASS" if r.ok else "**MISS**")
        lines.append(
            f"| {r.page} | {r.who} | {r.median_ms:.1f} | {r.min_ms:.1f} | {r.queries} "
            f"| {query_verdict(r.page, data['latency'])} | {r.target} | {result} |"
        )
    replace_section(f"latency-{scale}", "\n".join(lines))


def write_throughput(scale, results, info, scene_data, command, args) -> None:
    load = {r.label: r for r in results["load"]}
    bare = next(r for r in results["load"] if r.label.startswith("bare"))
    lines = [
        f"## Scale {scale}: throughput and memory (gunicorn)",
        "",
        context_lines(info, scene_data, command),
        f"gunicorn {args.workers} sync workers, {args.clients} httpx client threads on "
        f"the same machine, {args.duration:.0f} s per page after a warm-up, "
        f"{args.rounds} interleaved round(s), each page's median round shown; "
        + (
            "cache and sessions in Redis (REDIS_URL)."
            if args.redis_url
            else "database cache and database sessions (no REDIS_URL)."
        ),
        "",
        "| page | req/s | p50 ms | p95 ms | errors | vs bare | target | result "
        "| CPU ms per request: workers / PostgreSQL / load generator / other |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |",
    ]
    stored = []
    for label, r in load.items():
        ratio = r.rate / bare.rate if bare.rate else 0
        target, result = "", ""
        cpu = (
            " / ".join(
                f"{r.cpu_ms[key]:.2f}"
                for key in ("workers", "postgres", "generator", "other")
            )
            if r.cpu_ms
            else ""
        )
        if label.startswith("attempt page"):
            target = ">= 0.5 x bare"
            result = "PASS" if ratio >= 0.5 else "**MISS**"
        lines.append(
            f"| {label}{' (' + r.note + ')' if r.note else ''} | {r.rate:.1f} | "
            f"{r.p50_ms:.1f} | {r.p95_ms:.1f} | {r.errors} | {ratio:.2f} | {target} | "
            f"{result} | {cpu} |"
        )
        stored.append({**r.__dict__, "rate": r.rate, "ratio": ratio})
    hwm = ", ".join(f"{k / 1024:.0f} MiB" for k in results.get("workers_hwm_kib", []))
    lines += [
        "",
        f"Peak RSS (VmHWM) of the {args.workers} workers after these phases: {hwm}.",
        "",
        "Memory: a fresh single-worker gunicorn per request, VmHWM of the worker "
        "after warming it (bare view, /reports/) and after the request.",
        "",
        "| request | peak before | peak after | growth | seconds | bytes |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for m in results["memory"]:
        lines.append(
            f"| {m['request']} | {m['before_mib']:.1f} MiB | {m['peak_mib']:.1f} MiB | "
            f"{m['growth_mib']:.1f} MiB | {m['seconds']:.2f} | {m['bytes']:,} |"
        )
    csv_rows = [m for m in results["memory"] if m["request"].startswith("CSV")]
    if len(csv_rows) == 2:
        small, big = csv_rows
        verdict = (
            "PASS"
            if big["growth_mib"] <= max(2 * small["growth_mib"], 5)
            else "**MISS**"
        )
        lines += [
            "",
            f"CSV constant memory: growth {small['growth_mib']:.1f} MiB for "
            f"{small['bytes']:,} bytes vs {big['growth_mib']:.1f} MiB for "
            f"{big['bytes']:,} bytes: {verdict} (pass: the big export grows the worker "
            "by at most twice the small one, or 5 MiB).",
        ]
    replace_section(f"throughput-{scale}", "\n".join(lines))
    data = load_json()
    data.setdefault("throughput", {})[scale] = {
        "load": stored,
        "memory": results["memory"],
        "workers_hwm_kib": results.get("workers_hwm_kib", []),
        "command": command,
        **info,
    }
    save_json(data)


# --- main ----------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url")
    parser.add_argument(
        "--scale-label", default="L", help="S, M, L or any label (default L)"
    )
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        help="latency: time only the pages whose label contains this text "
        "(repeatable; implies --no-write)",
    )
    parser.add_argument("--throughput", action="store_true")
    parser.add_argument("--duration", type=float, default=15.0)
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="throughput: run every page this many times, interleaved, and report "
        "each page's median round (default 3)",
    )
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--submit-attempts",
        type=int,
        default=6000,
        help="attempts prepared for the submit phases (default 6000; each POST "
        "uses one, a phase that runs out ends early and says so)",
    )
    parser.add_argument(
        "--redis-url",
        default="",
        help="REDIS_URL for the measured site (cache and sessions in Redis, the "
        "deployment the README describes); without it, the database cache and "
        "database sessions",
    )
    parser.add_argument(
        "--skip-memory",
        action="store_true",
        help="throughput only, without the memory phase (implies --no-write)",
    )
    parser.add_argument(
        "--no-write", action="store_true", help="print only, leave RESULTS.md alone"
    )
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=600,
        help="seconds to wait for other work on the machine to stop (default 600)",
    )
    args = parser.parse_args()
    if not 1 <= args.runs <= 100 or not 1 <= args.clients <= 32:
        parser.error("--runs must be 1..100 and --clients 1..32")
    if not 1 <= args.rounds <= 9:
        parser.error("--rounds must be 1..9")
    if not 1 <= args.duration <= 120:
        parser.error("--duration must be 1..120 seconds")
    url = args.database_url or DEFAULT_URL.format(scale=args.scale_label.lower())
    if args.throughput and not is_postgres(url):
        parser.error("--throughput needs PostgreSQL (gunicorn workers share it)")
    if args.skip_memory:
        args.no_write = True
    if args.only:
        ONLY.extend(args.only)
        args.no_write = True
    env = bench_env(url, args.redis_url)
    start_django(env)
    from django.core.management import call_command

    migrate_if_needed()
    call_command("collectstatic", interactive=False, verbosity=0)
    command = command_line()
    info = machine(url)
    scene = Scene.load()
    scene.data["cohort_size"] = scene.cohort_size
    log(
        f"scale {args.scale_label}: {scene.data['trainees']:,} trainees, "
        f"{scene.data['attempts']:,} attempts, {scene.data['answers']:,} answers; "
        f"{info['nproc']} cores, {info['ram']}, {info['database']}"
    )
    created = Created()
    remove_leftovers(scene)
    info["quiet"] = wait_for_quiet(args.quiet_wait)
    try:
        if args.throughput:
            results = run_throughput(scene, created, env, args)
        else:
            rows = [row for row in run_latency(scene, created, args.runs) if row]
    finally:
        created.cleanup()
    if args.no_write:
        return 0
    if args.throughput:
        info["quiet"] = results["quiet"]
        write_throughput(args.scale_label, results, info, scene.data, command, args)
    else:
        write_latency(args.scale_label, rows, info, scene.data, command)
    log(f"written to {RESULTS_MD}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

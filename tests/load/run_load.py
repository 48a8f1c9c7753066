"""Load without loss: gunicorn on PostgreSQL, many trainees sitting the final exam at once.

Run from the repository root (PostgreSQL at 127.0.0.1:5432 as in the README):

    .venv/bin/python tests/load/run_load.py                 # 50 trainees, 4 workers
    .venv/bin/python tests/load/run_load.py --trainees 20   # the short run CI does
    # two app servers sharing PostgreSQL and a Redis of the script's own, which is
    # killed mid-run and started again (CI runs this too)
    .venv/bin/python tests/load/run_load.py --trainees 20 --servers 2 --redis \
        --kill-redis-after 15

It creates a scratch database, starts gunicorn on a free loopback port, lets the
trainees sign in, start the final exam, answer every page and submit (half of
them answer right, so certificates are issued), while a supervisor keeps loading
the reports. It prints throughput, latency percentiles and error counts, then
checks the database: every submitted attempt graded exactly once, no duplicate
attempt in progress, one certificate per passing trainee. Exit status 1 on any
5xx, transport error or lost record. Traffic goes to 127.0.0.1 only; request
loops are bounded in count and time.

With --servers N, N gunicorn instances on different loopback ports share the
database (and the Redis, with --redis: a redis-server the script starts on a free
port), and every request goes to the next server in turn: sessions, CSRF, once-only
grading and certificates must hold across servers. --kill-redis-after S kills that
Redis S seconds into the run and starts it again 3 s later: no request may fail.
"""

import argparse
import itertools
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "load-test-" + secrets.token_hex(8)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ATTEMPT = re.compile(r"/attempts/(\d+)/")


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = {}
        self.statuses: dict[int, int] = {}
        self.errors: list[str] = []

    def record(self, label: str, seconds: float, status: int) -> None:
        with self.lock:
            self.latencies.setdefault(label, []).append(seconds)
            self.statuses[status] = self.statuses.get(status, 0) + 1

    def error(self, message: str) -> None:
        with self.lock:
            self.errors.append(message)


# The app servers; each request goes to the next one in turn (set by main()).
SERVERS: list[str] = []
_turn = itertools.count()


def timed(stats: Stats, client: httpx.Client, label: str, method: str, url: str, **kw):
    if url.startswith("/") and SERVERS:
        url = SERVERS[next(_turn) % len(SERVERS)] + url
    start = time.perf_counter()
    try:
        response = client.request(method, url, **kw)
    except httpx.HTTPError as exc:
        stats.error(f"{label}: {type(exc).__name__}: {exc}")
        stats.record(label, time.perf_counter() - start, 0)
        return None
    stats.record(label, time.perf_counter() - start, response.status_code)
    if response.status_code >= 500:
        stats.error(f"{label}: HTTP {response.status_code} on {url}")
    return response


def csrf(response) -> str:
    match = CSRF.search(response.text)
    return match.group(1) if match else ""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def env_for(database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="load-" + secrets.token_urlsafe(40),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_SECURE_COOKIES="false",
        DATABASE_URL=database_url,
        DATABASE_CONN_MAX_AGE="60",
        # Every simulated trainee signs in from 127.0.0.1: no address lockout here.
        AXES_FAILURE_LIMIT="1000",
    )
    return env


def manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def prepare(args, env: dict) -> None:
    """A scratch database with the demo content and N trainees in the demo cohort."""
    admin_url = args.database_url.rsplit("/", 1)[0] + "/postgres"
    import psycopg

    name = args.database_url.rsplit("/", 1)[1]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    manage(env, "seed_demo", "--force", "--password", PASSWORD, "-v0")
    script = (
        "from django.contrib.auth.models import Group\n"
        "from accounts.models import Cohort, User\n"
        "from accounts.roles import Role, role_group\n"
        "group = role_group(Role.TRAINEE)\n"
        "cohort = Cohort.objects.get(name='Demo cohort')\n"
        f"for i in range({args.trainees}):\n"
        "    u, _ = User.objects.get_or_create(username=f'load{i}', defaults={'email': f'load{i}@example.com', 'first_name': 'Load', 'last_name': str(i)})\n"
        f"    u.set_password({PASSWORD!r}); u.save(); u.groups.add(group); cohort.trainees.add(u)\n"
    )
    manage(env, "shell", "-c", script)


def right_answers(database_url: str, attempt_id: int) -> dict[int, list[str]]:
    """The correct choices of an attempt, read from the database (the 'good' trainees)."""
    import psycopg

    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT position, snapshot FROM quiz_attemptquestion WHERE attempt_id = %s",
            [attempt_id],
        ).fetchall()
    # The page posts each choice's place in the order shown (1-based), not its id.
    return {
        position: [
            str(n) for n, c in enumerate(snapshot["choices"], start=1) if c["correct"]
        ]
        for position, snapshot in rows
    }


def sign_in(stats: Stats, client: httpx.Client, username: str) -> bool:
    page = timed(stats, client, "login page", "GET", "/accounts/login/")
    if page is None:
        return False
    done = timed(
        stats,
        client,
        "login",
        "POST",
        "/accounts/login/",
        data={
            "username": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": csrf(page),
        },
    )
    return done is not None and done.status_code == 302


def trainee(
    stats: Stats, base: str, index: int, env: dict, deadline: float, outcomes: dict
) -> None:
    with httpx.Client(base_url=base, timeout=30, follow_redirects=False) as client:
        if not sign_in(stats, client, f"load{index}"):
            stats.error(f"load{index}: could not sign in")
            return
        quiz = timed(stats, client, "quiz page", "GET", "/quizzes/final-exam/")
        if quiz is None:
            return
        started = timed(
            stats,
            client,
            "start",
            "POST",
            "/quizzes/final-exam/start/",
            data={"csrfmiddlewaretoken": csrf(quiz)},
        )
        if started is None or started.status_code != 302:
            stats.error(f"load{index}: start gave {started and started.status_code}")
            return
        attempt_id = int(ATTEMPT.search(started.headers["location"]).group(1))
        good = index % 2 == 0
        answers = right_answers(env["DATABASE_URL"], attempt_id) if good else {}
        page = timed(stats, client, "attempt page", "GET", f"/attempts/{attempt_id}/")
        position = 1
        while (
            page is not None and page.status_code == 200 and time.monotonic() < deadline
        ):
            names = sorted(
                set(re.findall(r'name="(q-\d+)" id="[^"]+" value="(\d+)"', page.text))
            )
            if not names:
                break
            field = names[0][0]
            values = [v for n, v in names if n == field]
            chosen = answers.get(int(field[2:]), values[:1]) if good else values[:1]
            data = {
                "csrfmiddlewaretoken": csrf(page),
                "page": str(position),
                "shown": field[2:],
                field: [str(v) for v in chosen],
                "nav": "next",
            }
            saved = timed(
                stats,
                client,
                "save answer",
                "POST",
                f"/attempts/{attempt_id}/",
                data=data,
            )
            if saved is None or saved.status_code != 302:
                stats.error(f"load{index}: save gave {saved and saved.status_code}")
                return
            if position == 20:
                break
            position += 1
            page = timed(
                stats,
                client,
                "attempt page",
                "GET",
                f"/attempts/{attempt_id}/?page={position}",
            )
        review = timed(
            stats, client, "review page", "GET", f"/attempts/{attempt_id}/submit/"
        )
        if review is None:
            return
        submitted = timed(
            stats,
            client,
            "submit",
            "POST",
            f"/attempts/{attempt_id}/submit/",
            data={"csrfmiddlewaretoken": csrf(review)},
        )
        if submitted is not None and submitted.status_code == 302:
            outcomes[attempt_id] = good
            timed(
                stats, client, "result page", "GET", f"/attempts/{attempt_id}/result/"
            )
        else:
            stats.error(
                f"load{index}: submit gave {submitted and submitted.status_code}"
            )


def supervisor(stats: Stats, base: str, stop: threading.Event, deadline: float) -> None:
    with httpx.Client(base_url=base, timeout=60, follow_redirects=False) as client:
        if not sign_in(stats, client, "supervisor"):
            stats.error("supervisor could not sign in")
            return
        index = timed(stats, client, "reports", "GET", "/reports/")
        match = re.search(
            r"/reports/cohorts/(\d+)/", index.text if index is not None else ""
        )
        cohort = match.group(1) if match else "1"
        while not stop.is_set() and time.monotonic() < deadline:
            timed(stats, client, "cohort report", "GET", f"/reports/cohorts/{cohort}/")
            timed(stats, client, "question stats", "GET", "/reports/questions/")
            time.sleep(0.2)


def check_database(env: dict, outcomes: dict) -> list[str]:
    code = (
        "import json\nfrom django.db.models import Count\n"
        "from quiz.models import Attempt, Certificate\n"
        "attempts = list(Attempt.objects.filter(quiz__slug='final-exam').values('pk', 'user_id', 'state', 'score', 'passed'))\n"
        "open_dupes = Attempt.objects.filter(state='in_progress').values('user', 'quiz').annotate(n=Count('pk')).filter(n__gt=1).count()\n"
        "certs = list(Certificate.objects.values('user_id', 'quiz__slug').annotate(n=Count('pk')))\n"
        "print(json.dumps({'attempts': attempts, 'open_dupes': open_dupes, 'certs': certs}, default=str))"
    )
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    import json

    data = json.loads(out.strip().splitlines()[-1])
    problems = []
    by_pk = {a["pk"]: a for a in data["attempts"]}
    for attempt_id, good in outcomes.items():
        attempt = by_pk.get(attempt_id)
        if (
            attempt is None
            or attempt["state"] != "finished"
            or attempt["score"] is None
        ):
            problems.append(f"attempt {attempt_id} was submitted but is not graded")
        elif good and not attempt["passed"]:
            problems.append(f"attempt {attempt_id} answered right but did not pass")
    if data["open_dupes"]:
        problems.append(f"{data['open_dupes']} trainees have two attempts in progress")
    passers = {a["user_id"] for a in data["attempts"] if a["passed"]}
    certified = {
        c["user_id"]: c["n"] for c in data["certs"] if c["quiz__slug"] == "final-exam"
    }
    for user_id in passers:
        if certified.get(user_id) != 1:
            problems.append(
                f"user {user_id} passed but holds {certified.get(user_id, 0)} certificates"
            )
    for user_id in certified:
        if user_id not in passers:
            problems.append(f"user {user_id} holds a certificate without a pass")
    print(
        f"database: {len(outcomes)} submitted, {sum(1 for a in data['attempts'] if a['state'] == 'finished')} graded, "
        f"{len(passers)} passed, {sum(certified.values())} certificates, {data['open_dupes']} duplicate open attempts"
    )
    return problems


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return (
        values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]
        if values
        else 0.0
    )


def start_redis(port: int) -> subprocess.Popen:
    redis = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
        stdout=subprocess.DEVNULL,
    )
    for _ in range(50):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return redis
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("redis-server did not come up")


def start_server(env: dict, workers: int, stderr=None) -> tuple[subprocess.Popen, str]:
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "60",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,  # the console mail backend prints
        stderr=stderr,
    )
    return server, f"http://127.0.0.1:{port}"


def wait_up(base: str) -> bool:
    for _ in range(100):
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    return False


class RedisKiller(threading.Thread):
    """Kills the script's Redis `after` seconds into the run, starts it again on
    the same port 3 seconds later."""

    def __init__(self, redis: dict, after: float, stop: threading.Event):
        super().__init__(daemon=True)
        self.redis, self.after, self.stop = redis, after, stop
        self.events: list[str] = []

    def run(self) -> None:
        if self.stop.wait(self.after):
            return
        self.redis["process"].kill()
        self.redis["process"].wait(timeout=10)
        self.events.append(f"redis killed at {self.after:.0f} s")
        time.sleep(3)
        self.redis["process"] = start_redis(self.redis["port"])
        self.events.append("redis restarted 3 s later")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--trainees", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--time-limit", type=float, default=300, help="seconds for the whole run"
    )
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/rulewise_load"
    )
    parser.add_argument("--servers", type=int, default=1, help="gunicorn instances")
    parser.add_argument(
        "--redis", action="store_true", help="start a redis-server for the cache"
    )
    parser.add_argument(
        "--kill-redis-after",
        type=float,
        default=None,
        help="kill that Redis this many seconds into the run, restart it 3 s later",
    )
    args = parser.parse_args()
    if not 1 <= args.trainees <= 200:
        parser.error("--trainees must be between 1 and 200")
    if not 1 <= args.servers <= 4:
        parser.error("--servers must be between 1 and 4")
    if args.kill_redis_after is not None and not args.redis:
        parser.error("--kill-redis-after needs --redis")
    env = env_for(args.database_url)
    redis = {}
    if args.redis:
        redis["port"] = free_port()
        redis["process"] = start_redis(redis["port"])
        env["REDIS_URL"] = f"redis://127.0.0.1:{redis['port']}/0"
    servers = []
    try:
        return run(args, env, redis, servers)
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
        for server in servers:
            server.wait(timeout=30)
        if redis:
            redis["process"].kill()
            redis["process"].wait(timeout=10)


def run(args, env: dict, redis: dict, servers: list) -> int:
    prepare(args, env)
    for _ in range(args.servers):
        server, base = start_server(env, args.workers)
        servers.append(server)
        SERVERS.append(base)
    if not all(wait_up(base) for base in SERVERS):
        print("gunicorn did not come up", file=sys.stderr)
        return 1
    base = SERVERS[0]
    stats, outcomes, stop = Stats(), {}, threading.Event()
    killer = None
    if args.kill_redis_after is not None:
        killer = RedisKiller(redis, args.kill_redis_after, stop)
        killer.start()
    deadline = time.monotonic() + args.time_limit
    started = time.perf_counter()
    watcher = threading.Thread(target=supervisor, args=(stats, base, stop, deadline))
    watcher.start()
    with ThreadPoolExecutor(max_workers=args.trainees) as pool:
        for i in range(args.trainees):
            pool.submit(trainee, stats, base, i, env, deadline, outcomes)
    stop.set()
    watcher.join(timeout=60)
    elapsed = time.perf_counter() - started
    if killer is not None:
        killer.join(timeout=30)

    total = sum(stats.statuses.values())
    print(
        f"\n{args.trainees} trainees, {args.servers} server(s) x {args.workers} "
        f"gunicorn workers{', Redis cache' if args.redis else ''}, {elapsed:.1f} s"
    )
    if killer is not None:
        print("; ".join(killer.events) or "the run ended before Redis was killed")
    print(f"requests: {total}  throughput: {total / elapsed:.1f} req/s")
    print(f"statuses: {dict(sorted(stats.statuses.items()))}")
    print(
        f"{'request':<16}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}"
    )
    for label, values in sorted(stats.latencies.items()):
        print(
            f"{label:<16}{len(values):>6}{1000 * statistics.median(values):>9.1f}"
            f"{1000 * percentile(values, 95):>9.1f}{1000 * percentile(values, 99):>9.1f}{1000 * max(values):>9.1f}"
        )
    problems = list(stats.errors)
    problems += check_database(env, outcomes)
    if len(outcomes) != args.trainees:
        problems.append(f"only {len(outcomes)} of {args.trainees} trainees submitted")
    five_hundreds = sum(
        n for code, n in stats.statuses.items() if code >= 500 or code == 0
    )
    print(f"5xx and transport errors: {five_hundreds}")
    if problems:
        print("\nPROBLEMS:\n  " + "\n  ".join(problems[:50]))
        return 1
    print("OK: no 5xx, nothing lost.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

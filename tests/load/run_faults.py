"""The database stops for a few seconds under a running site: 503, never 500, and
back by itself.

Run from the repository root (needs PostgreSQL's server binaries, as on Debian's
postgresql package, and root to start them as the postgres user):

    .venv/bin/python tests/load/run_faults.py            # what CI runs

It starts a PostgreSQL cluster of its own on a free loopback port (so the shared
server is never touched), migrates a database there, starts gunicorn on it with
persistent connections, signs a trainee in, and sends a bounded stream of
requests (a signed-in page, the landing page, /healthz) while it stops that
PostgreSQL for DOWN seconds and starts it again. It checks: no 500 at any time;
every answer while the database is down is 503 with Retry-After; once the
database answers again, every page is 200 again within a second (recovery by
itself). Exit status 1 otherwise. Traffic goes to 127.0.0.1 only.
"""

import argparse
import contextlib
import glob
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.load.run_load import (  # noqa: E402
    env_for,
    free_port,
    manage,
    start_server,
    wait_up,
)

PASSWORD = "fault-" + secrets.token_hex(8)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PAGES = ("/quizzes/", "/", "/healthz")


def pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise SystemExit(f"PostgreSQL's {name} is not installed")
    return found[-1]


def as_postgres(*args: str) -> None:
    subprocess.run(
        ["runuser", "-u", "postgres", "--", *args],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


class Cluster:
    """A throwaway PostgreSQL cluster on a free loopback port."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="rulewise-pg-"))
        shutil.chown(self.dir, "postgres")
        self.port = free_port()
        as_postgres(
            pg_bin("initdb"),
            "-D",
            str(self.dir / "data"),
            "-A",
            "trust",
            "-U",
            "postgres",
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1"
        as_postgres(
            pg_bin("pg_ctl"), "-D", str(self.dir / "data"), "-o", options, "-w", "start"
        )

    def stop(self) -> None:
        as_postgres(
            pg_bin("pg_ctl"), "-D", str(self.dir / "data"), "-m", "fast", "stop"
        )

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def prepare(env: dict) -> None:
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    manage(env, "load_course", "-v0")
    script = (
        "from accounts.models import User\n"
        "from accounts.roles import Role, role_group\n"
        "u = User.objects.create_user('faulty', password=" + repr(PASSWORD) + ")\n"
        "u.groups.add(role_group(Role.TRAINEE))\n"
    )
    manage(env, "shell", "-c", script)


def sign_in(client: httpx.Client) -> bool:
    page = client.get("/accounts/login/")
    token = CSRF.search(page.text)
    done = client.post(
        "/accounts/login/",
        data={
            "username": "faulty",
            "password": PASSWORD,
            "csrfmiddlewaretoken": token.group(1) if token else "",
        },
    )
    return done.status_code == 302


def sweep(client: httpx.Client, seconds: float, log: list, phase: str) -> None:
    """Every page in turn for `seconds` (bounded: at most 20 requests a second)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for path in PAGES:
            try:
                response = client.get(path)
                log.append((phase, path, response.status_code, response.headers))
            except httpx.HTTPError as exc:
                log.append((phase, path, 0, {"error": str(exc)}))
        time.sleep(0.15)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--down", type=float, default=5, help="seconds the database is down"
    )
    args = parser.parse_args()
    cluster = Cluster()
    server = None
    try:
        cluster.start()
        import psycopg

        admin = f"postgres://postgres@127.0.0.1:{cluster.port}/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute("CREATE DATABASE rulewise_fault")
        env = env_for(f"postgres://postgres@127.0.0.1:{cluster.port}/rulewise_fault")
        env.pop("REDIS_URL", None)
        prepare(env)
        # The workers log every refused connection with its traceback: to a file,
        # summed up below, not thousands of lines in CI's output.
        server_log = open(cluster.dir / "gunicorn.log", "w")  # noqa: SIM115
        server, base = start_server(env, workers=2, stderr=server_log)
        if not wait_up(base):
            print("gunicorn did not come up", file=sys.stderr)
            return 1
        log: list = []
        with httpx.Client(base_url=base, timeout=10, follow_redirects=False) as client:
            if not sign_in(client):
                print("could not sign in", file=sys.stderr)
                return 1
            sweep(client, 3, log, "before")
            cluster.stop()
            sweep(client, args.down, log, "down")
            cluster.start()
            sweep(client, 1, log, "recovering")
            sweep(client, 3, log, "after")
        server_log.flush()
        logged = (cluster.dir / "gunicorn.log").read_text(errors="replace")
        print(
            f"server log: {logged.count('database unreachable')} "
            "'database unreachable' warnings"
        )
        return report(log)
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        cluster.remove()


def report(log: list) -> int:
    problems = []
    counts: dict[tuple[str, int], int] = {}
    for phase, path, status, headers in log:
        counts[(phase, status)] = counts.get((phase, status), 0) + 1
        if status >= 500 and status != 503 or status == 0:
            problems.append(f"{phase} {path}: {status} {headers.get('error', '')}")
        if status == 503 and not headers.get("retry-after"):
            problems.append(f"{phase} {path}: 503 without Retry-After")
        if phase in ("before", "after") and status != 200:
            problems.append(f"{phase} {path}: {status}")
        if phase == "down" and status != 503:
            problems.append(f"down {path}: {status}, not 503")
    for (phase, status), n in sorted(counts.items()):
        print(f"{phase:<11} {status}: {n}")
    if problems:
        print("\nPROBLEMS:\n  " + "\n  ".join(problems[:40]))
        return 1
    print(
        "OK: 503 with Retry-After while the database was down, no 500, back by itself."
    )
    return 0


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())

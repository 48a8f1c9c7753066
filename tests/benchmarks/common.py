"""What generate.py and bench.py share: the production-like environment, the database."""

import os
import secrets
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
BENCH_PASSWORD = "bench-password"  # noqa: S105 (a scratch benchmark database)
BENCH_TRAINEE = "bench-trainee"
BENCH_SUPERVISOR = "bench-supervisor"
REGIONAL_SUPERVISOR = "bench-regional"
STAFF_USER = "instructor"  # made by seed_demo; sees every cohort and attempt
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/rulewise_bench_{scale}"


def production_env(
    database_url: str, settings_module: str = "config.settings"
) -> dict[str, str]:
    """The environment of tests/load/run_load.py: DEBUG off, no TLS redirect, no lockout."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE=settings_module,
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="bench-" + secrets.token_urlsafe(40),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_SECURE_COOKIES="false",
        DJANGO_LOG_LEVEL="WARNING",
        DATABASE_URL=database_url,
        DATABASE_CONN_MAX_AGE="60",
        AXES_FAILURE_LIMIT="100000",
    )
    env.pop("REDIS_URL", None)
    return env


def setup_django(database_url: str) -> None:
    """Point this process at the database with production settings, then django.setup()."""
    os.environ.clear()
    os.environ.update(production_env(database_url))
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    import django

    django.setup()


def is_postgres(database_url: str) -> bool:
    return urlsplit(database_url).scheme in {"postgres", "postgresql", "pgsql"}


def sqlite_path(database_url: str) -> Path:
    path = urlsplit(database_url).path
    # sqlite:////abs/path -> /abs/path; sqlite:///rel/path -> rel/path
    return Path(path[1:] if path.startswith("//") else path.lstrip("/") or path)


def postgres_admin_url(database_url: str) -> tuple[str, str]:
    """(URL of the `postgres` maintenance database, name of the target database)."""
    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    return urlunsplit(parts._replace(path="/postgres")), name


def postgres_version(database_url: str) -> str:
    import psycopg

    with psycopg.connect(database_url) as conn:
        return conn.execute("SHOW server_version").fetchone()[0]

"""Rulewise settings, read from the environment (see README, "Configuration")."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    """Read a yes/no environment variable ("1", "true", "yes", "on" are yes)."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated environment variable."""
    return [
        item.strip()
        for item in os.environ.get(name, default).split(",")
        if item.strip()
    ]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"{name} must be a whole number, not {value!r}."
        ) from exc


DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random string in "
            "production, or set DJANGO_DEBUG=true for local development."
        )
    # Only ever used with DEBUG on, on a developer's machine.
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "localhost"
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000").rstrip("/")

# The question bank asks the apps built on it through these dotted paths, called
# explicitly (questions never imports quiz; see docs/architecture.md):
# - what a change to questions would leave published quizzes unable to assemble,
#   called with question_ids, category_ids and rule_ids, returning
#   (key, amount, message) for each problem;
# - facility and discrimination for the question list, {question id: (n, %, %)};
# - where a seed-bank revision retires a question, its successor takes the old
#   one's place in the quizzes' fixed lists, called with old_id and new_id,
#   returning the titles of the quizzes changed.
QUESTION_BANK_GUARDS = ["quiz.services.published_quiz_problems"]
QUESTION_BANK_SUCCESSORS = ["quiz.services.quiz_questions_succeed"]
QUESTION_ITEM_STATISTICS = "quiz.reports.selectors.question_item_summary"
# Reminders (accounts/reminders.py): each provider is called with `today` and
# returns the reminders due (trainees' certificates expiring, the supervisors'
# weekly digest, assigned quizzes due in 3 days or overdue); `send_reminders`
# queues each once per (user, reason, date).
REMINDER_PROVIDERS = [
    "quiz.certificates.reminders.certificate_expiry_reminders",
    "quiz.reports.reminders.supervisor_digest_reminders",
    "quiz.programme.reminders.assignment_reminders",
]

INSTALLED_APPS = [
    "accounts",
    "questions",
    "quiz",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "bootstrap",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "axes",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The language cookie after a sign-in that applied the preferred language.
    "accounts.language.PreferredLanguageMiddleware",
    # Nothing a signed-in user sees, and no download, is kept by a cache.
    "accounts.http.PrivateCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Refuses what no form sends (other charsets, NUL characters, absurd admin date
    # filters) with a 400, after CSP so that its page carries the policy too.
    "config.middleware.RequestSanityMiddleware",
    # Last, as django-axes asks: it turns lockouts into the lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # Refuses a locked-out username or address before checking the password.
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.PermissionBackend",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            # Django's cached loader, with the tags whose output is fixed
            # (literal translate, url, static) rendered once and kept.
            "loaders": [
                (
                    "config.templates.Loader",
                    [
                        "django.template.loaders.filesystem.Loader",
                        "django.template.loaders.app_directories.Loader",
                    ],
                )
            ],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.roles",
            ],
        },
    },
]

# Database: SQLite file in the repo folder unless DATABASE_URL says otherwise.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not env_bool(
    "DATABASE_JIT", default=False
):
    # PostgreSQL's JIT compiles each report query anew: measured at scale L it
    # spent 300 of the cohort report's 600 ms compiling. Our queries are short.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DATABASE_PREPARED_STATEMENTS", default=True
):
    # Lets psycopg prepare statements (Django turns them off). Django's own
    # cursors bind values on the client and are never prepared; the attempt
    # page's kept query (quiz/compiled.py) binds on the server and is prepared
    # on its first run per connection: planning it cost the server ten times
    # running it. Set DATABASE_PREPARED_STATEMENTS=false behind a connection
    # pooler in transaction mode that does not track prepared statements
    # (PgBouncer before 1.21).
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while a writer commits; IMMEDIATE takes the write
    # lock at BEGIN, so two graders never deadlock upgrading a read lock.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# Cache: Redis when REDIS_URL is set; otherwise the database cache, so every
# worker sees the same counters (never per-process memory in production).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "rulewise",
            # An outage is a miss, logged, never an error page (the cache holds
            # nothing the site cannot recompute), and a dead server costs at
            # most half a second per call.
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    DJANGO_REDIS_LOGGER = "rulewise.cache"  # quietened in LOGGING below
    # Sessions stay in the database (the default engine), not in Redis: they
    # survive a Redis outage, and a cache that missed a logout while it was down
    # cannot bring a session back afterwards.
else:
    CACHES = {
        "default": {
            # Created by `migrate` (accounts/apps.py); a missing or unreachable
            # table is a miss, logged, never an error page (config/cache.py).
            "BACKEND": "config.cache.TolerantDatabaseCache",
            "LOCATION": "rulewise_cache",
        }
    }

# The attempt pages' rendered questions (quiz/attempts/rendering.py): markup only,
# never an answer. Per-process memory by default (a database cache would cost the
# query it saves); Redis, shared by the app servers, when REDIS_URL is set.
if REDIS_URL:
    CACHES["render"] = {
        **CACHES["default"],
        "KEY_PREFIX": "rulewise-render",
        "TIMEOUT": 6 * 60 * 60,
    }
else:
    CACHES["render"] = {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "rulewise-render",
        "TIMEOUT": 6 * 60 * 60,
        "OPTIONS": {"MAX_ENTRIES": env_int("RENDER_CACHE_ENTRIES", 5000)},
    }

# The interface in English or Russian: the browser's Accept-Language by default,
# the header's switch (Django's set_language) or the user's preferred language
# (accounts.User.language, applied at sign-in). The catalogue is
# locale/ru/LC_MESSAGES/django.po, compiled to the committed django.mo.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates and numbers in the active language's formats; config/formats/en keeps
# the site's English short dates.
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Mail: console by default, SMTP when EMAIL_HOST is set.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
    # A mail server that accepts the connection and then says nothing must not
    # hold the task worker (and the mail's row lock) for ever: the send fails
    # after this many seconds and is retried like any other failure.
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Rulewise <noreply@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# The task queue (Django's tasks API through the django-tasks backport). By default
# the tasks are rows in this database: they survive restarts, any app server can
# enqueue, and `manage.py db_worker` runs them. Swappable for another backend
# (RQ, Celery) by its dotted path; the immediate backend runs each task at once
# in the process that enqueues it (no worker; a slow SMTP server then slows pages).
_tasks_backend = os.environ.get("TASKS_BACKEND", "")
TASKS = {
    "default": {
        "BACKEND": _tasks_backend or "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
# Every mail goes through the queue (accounts/mail.py): a send that fails is tried
# again after MAIL_RETRY_SECONDS, then twice that, ... up to MAIL_MAX_ATTEMPTS
# tries, then kept as failed (OutgoingMail in the admin), never dropped.
MAIL_MAX_ATTEMPTS = env_int("MAIL_MAX_ATTEMPTS", 8)
MAIL_RETRY_SECONDS = env_int("MAIL_RETRY_SECONDS", 60)

# Security. Behind a TLS-terminating proxy set DJANGO_SECURE_PROXY_SSL_HEADER to
# "HTTP_X_FORWARDED_PROTO,https".
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_AGE = env_int("DJANGO_SESSION_COOKIE_AGE", 60 * 60 * 12)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
_proxy_header = env_list("DJANGO_SECURE_PROXY_SSL_HEADER")
if _proxy_header:
    if len(_proxy_header) != 2:
        raise ImproperlyConfigured(
            'DJANGO_SECURE_PROXY_SSL_HEADER must look like "HTTP_X_FORWARDED_PROTO,https".'
        )
    SECURE_PROXY_SSL_HEADER = tuple(_proxy_header)
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool(
        "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True
    )
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# A strict Content-Security-Policy: our own files only, no inline script or style
# anywhere (charts are SVG with presentation attributes, scripts are static files).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Login throttling (django-axes): after AXES_FAILURE_LIMIT failures from one
# address, that address is locked for the cool-off time, whichever accounts it
# tried: a guessing run from one address is stopped. An account is never locked
# for everyone: a stranger's wrong passwords lock the stranger's address, not the
# account's owner out of it (locking by username would let anyone do that). Counters live in the
# database, so every worker sees them. Staff lift a lockout in the admin
# (Axes > Access attempts) or with `manage.py axes_reset_username NAME`.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Behind a proxy every request comes from the proxy's address: set how many
# trusted proxies append to X-Forwarded-For (nginx alone: 1), so throttling sees
# the real client and one person's typos never lock everyone out.
TRUSTED_PROXY_COUNT = env_int("DJANGO_TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "accounts.net.client_address"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        # A cache outage: one traceback, then a line a minute (config/logs.py).
        "repeated": {"()": "config.logs.Repeated", "seconds": 60},
    },
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO"),
    },
    "loggers": {"rulewise.cache": {"filters": ["repeated"]}},
}

# Question interchange limits (see questions/formats).
QUESTION_IMPORT_MAX_BYTES = env_int("QUESTION_IMPORT_MAX_BYTES", 2 * 1024 * 1024)
QUESTION_IMPORT_MAX_QUESTIONS = env_int("QUESTION_IMPORT_MAX_QUESTIONS", 1000)
CSRF_FAILURE_VIEW = "config.views.csrf_failure"
QUIZ_DEADLINE_GRACE_SECONDS = env_int("QUIZ_DEADLINE_GRACE_SECONDS", 10)
# Public certificate verification: wrong codes allowed per address and window.
CERTIFICATE_VERIFY_MAX_MISSES = env_int("CERTIFICATE_VERIFY_MAX_MISSES", 20)
# Password reset (accounts/views.py): per address, then per e-mail, per window.
PASSWORD_RESET_MAX_PER_ADDRESS = env_int("PASSWORD_RESET_MAX_PER_ADDRESS", 10)
PASSWORD_RESET_MAX_PER_EMAIL = env_int("PASSWORD_RESET_MAX_PER_EMAIL", 3)
PASSWORD_RESET_WINDOW_SECONDS = env_int("PASSWORD_RESET_WINDOW_SECONDS", 3600)
CERTIFICATE_VERIFY_WINDOW_SECONDS = env_int("CERTIFICATE_VERIFY_WINDOW_SECONDS", 600)
# Question statistics are kept this long in the cache ("Recalculate now" refreshes).
REPORT_STATISTICS_CACHE_SECONDS = env_int("REPORT_STATISTICS_CACHE_SECONDS", 600)
# Question statistics flag no question (too easy, check the key...) until it has
# this many graded attempts: after a handful, every figure is noise.
STATISTICS_MIN_ATTEMPTS = env_int("STATISTICS_MIN_ATTEMPTS", 20)
# Needs attention: a trainee with no attempt started for this many days.
ATTENTION_INACTIVE_DAYS = env_int("ATTENTION_INACTIVE_DAYS", 14)
# The dashboard's needs-attention summary is kept this long (the page is live).
ATTENTION_SUMMARY_CACHE_SECONDS = env_int("ATTENTION_SUMMARY_CACHE_SECONDS", 300)

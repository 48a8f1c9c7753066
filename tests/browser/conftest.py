"""Fixtures for the end-to-end tests: Debian's Chromium driven by Playwright.

The tests run against pytest-django's ``live_server`` with the demo data
(``seed_demo``), every page under a strict Content-Security-Policy (the site's
own, or STRICT_CSP below where a response has none). They are skipped, with the
reason, where /usr/bin/chromium is missing; .ci/run installs it (Playwright
comes with the test extras). Set RULEWISE_SCREENSHOTS to a folder to have the
trainee flow save screenshots of the attempt and result pages.
"""

import io
import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from django.contrib.auth.models import Group
from django.core.management import call_command

from accounts.roles import Role

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEMO_PASSWORD = "browser-demo-pass-2025"

# What the site must work under: nothing inline, nothing from elsewhere. Added to
# every response of the live server that does not set a policy of its own.
STRICT_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        # Bootstrap's stylesheet draws its icons (checkbox ticks, close buttons)
        # as data: SVG images.
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)


def pytest_collection_modifyitems(config, items):
    """Skip the browser tests up front (before any fixture) without Chromium."""
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(
        reason=f"{CHROMIUM} is missing: install Debian's chromium package "
        "(apt-get install chromium) to run the browser tests"
    )
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for a test module.

    Playwright's sync API keeps an asyncio event loop running on the main thread
    while the browser is open. Two things follow for the test code's ORM calls
    (and pytest-django's own set-up and flush between tests):

    - Django refuses them (SynchronousOnlyOperation) unless
      DJANGO_ALLOW_ASYNC_UNSAFE is set. It is safe here: the test code only reads
      and writes between page loads, never while the live server handles a
      request. It is set only while the browser runs, so the rest of the suite
      keeps the check.
    - Django's connection handler keeps one set of connections for plain code
      and another for code that runs inside an event loop, so the test code
      would get new connections: ones without the serialized migration data
      that serialized_rollback restores (so the role groups would vanish after
      the first test), and, on in-memory SQLite, not the connection the live
      server shares. The connections of the main thread are handed over instead.
    """
    from playwright.sync_api import sync_playwright

    from django.db import connections

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    sync_connections = {alias: connections[alias] for alias in connections}
    try:
        with sync_playwright() as playwright:
            for alias, connection in sync_connections.items():
                connections[alias] = connection
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def strict_csp(live_server):
    """Serve every page of the live server with STRICT_CSP (unless it has a policy)."""
    httpd = live_server.thread.httpd
    app = httpd.get_app()

    def with_csp(environ, start_response):
        def start(status, headers, exc_info=None):
            if not any(
                name.lower() == "content-security-policy" for name, _ in headers
            ):
                headers = [*headers, ("Content-Security-Policy", STRICT_CSP)]
            return start_response(status, headers, exc_info)

        return app(environ, start)

    httpd.set_app(with_csp)
    yield STRICT_CSP
    httpd.set_app(app)


@pytest.fixture
def demo(transactional_db):
    """The demo users, the seed bank and the demo quizzes; returns the password."""
    missing = {Role.TRAINEE, Role.INSTRUCTOR, Role.SUPERVISOR} - set(
        Group.objects.values_list("name", flat=True)
    )
    assert not missing, (
        f"role groups {sorted(missing)} are missing: mark the test "
        "django_db(transaction=True, serialized_rollback=True)"
    )
    call_command(
        "seed_demo", "--password", DEMO_PASSWORD, "--force", stdout=io.StringIO()
    )
    return DEMO_PASSWORD


@dataclass
class BrowserLog:
    """What one page asked for and complained about."""

    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    bad_responses: list[str] = field(default_factory=list)


@pytest.fixture
def browser_log() -> BrowserLog:
    return BrowserLog()


@pytest.fixture
def page(browser, live_server, strict_csp, browser_log):
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 1280, "height": 900},
        locale="en-GB",
        timezone_id="UTC",
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    log = browser_log
    page.on("request", lambda request: log.requests.append(request.url))
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and log.console_errors.append(f"{message.text} ({message.location})")
        ),
    )
    page.on("pageerror", lambda error: log.page_errors.append(str(error)))
    page.on(
        "requestfailed",
        lambda request: log.failed_requests.append(
            f"{request.method} {request.url}: {request.failure}"
        ),
    )
    page.on(
        "response",
        lambda response: (
            response.status >= 400
            and log.bad_responses.append(f"{response.status} {response.url}")
        ),
    )
    yield page
    context.close()

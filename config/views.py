import logging
import sys

from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """The database and the cache, each "ok" or "unreachable": 200 while the
    database answers (a cache outage only degrades the site), 503 when it does not
    (for load balancers)."""
    database = _probe(_database_answers)
    cache_state = _probe(_cache_answers)
    status = "ok" if cache_state == "ok" else "degraded"
    if database != "ok":
        status = "error"
    body = {"status": status, "database": database, "cache": cache_state}
    response = JsonResponse(body, status=200 if database == "ok" else 503)
    if database != "ok":
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _probe(check) -> str:
    try:
        return "ok" if check() else "unreachable"
    except Exception:  # noqa: BLE001 - any failure means "unreachable"
        return "unreachable"


def _database_answers() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def _cache_answers() -> bool:
    # The tolerant caches turn a failure into a miss: a value written must be read.
    cache.set("rw:healthz", 1, timeout=10)
    return cache.get("rw:healthz") == 1


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on every page (the admin's too): the site's
    icon, not a 404."""
    return redirect(static("img/favicon.svg"), permanent=True)


DATABASE_DOWN = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5
logger = logging.getLogger("rulewise.errors")


def server_error(request: HttpRequest) -> HttpResponse:
    """500, or 503 with Retry-After when the database is unreachable: a client
    (or a trainee) should try again, not give up. Rendered without the database."""
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_DOWN) or (
        isinstance(error, DatabaseError) and not connection.is_usable()
    ):
        logger.warning("database unreachable: %s", error)
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return defaults.server_error(request)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """An expired or missing CSRF token: our styled page, still a 403."""
    return render(request, "403_csrf.html", status=403)

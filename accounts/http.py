"""HTTP headers for what is private to a user: download names (below) and no
caching of signed-in pages (PrivateCacheMiddleware)."""

import re
import unicodedata
from urllib.parse import quote

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header

from accounts.throttle import Window

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def ascii_filename(filename: str) -> str:
    """The name in plain ASCII for old clients: accents dropped ("José" → "Jose"),
    anything else (Cyrillic, quotes, spaces) as "_"."""
    decomposed = unicodedata.normalize("NFKD", filename)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _UNSAFE.sub("_", kept)


def attachment_header(filename: str) -> str:
    """A Content-Disposition for a download, whatever script the name is in.

    An ASCII `filename="..."` every client reads, and when the name is not plain
    ASCII the exact name as `filename*=UTF-8''...` too (RFC 6266, RFC 5987).
    A non-Latin name written as is would make Django MIME-encode the whole header,
    which browsers do not read as a file name.
    """
    fallback = ascii_filename(filename)
    header = content_disposition_header(True, fallback)
    if fallback == filename:
        return header
    return f"{header}; filename*=UTF-8''{quote(filename, safe='')}"


class PrivateCacheMiddleware:
    """`Cache-Control: private, no-store` on every response to a signed-in user,
    and on every download: a shared computer's browser or a proxy must keep no copy
    of a result, a report, a CSV or a certificate. A view that set Cache-Control
    itself is left alone; anonymous pages (the landing page, certificate
    verification) stay cacheable. Static files never get here (WhiteNoise answers
    them first)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response
        user = getattr(request, "user", None)
        download = response.get("Content-Disposition", "").startswith("attachment")
        if download or (user is not None and user.is_authenticated):
            response["Cache-Control"] = "private, no-store"
        return response


def too_many_requests(request, template: str, *, window_seconds: int) -> HttpResponse:
    """429 with Retry-After: the rest of the throttle's current window, and the
    page saying in how many minutes to try again."""
    wait = Window.of(window_seconds).retry_after()
    response = render(request, template, {"minutes": -(-wait // 60)}, status=429)
    response["Retry-After"] = str(wait)
    return response

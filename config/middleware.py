"""Refuse requests no form could have sent, with a 400 and a message, before
they reach a view that would trip over them (and answer 500)."""

import re

from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.translation import gettext as _

# What the site's forms send: UTF-8, or no charset at all (which means UTF-8).
ACCEPTED_CHARSETS = {"", "utf-8", "utf8"}
# Plain forms only: a multipart form (an upload) is left to its form, which names
# the line or field of a NUL character (every CharField refuses them).
PLAIN_FORM = "application/x-www-form-urlencoded"
# The admin's date filters (date hierarchy, ?started_at__year=2026).
DATE_PART = re.compile(r"__(year|month|day)$")
DATE_PART_RANGE = {"year": (1, 9999), "month": (1, 12), "day": (1, 31)}


def refusal(request: HttpRequest) -> str | None:
    """Why the request is refused, or None."""
    content_type = request.META.get("CONTENT_TYPE", "")
    media, _sep, params = content_type.partition(";")
    charset = ""
    match = re.search(r"charset=\"?([^\";]+)", params, re.IGNORECASE)
    if match:
        charset = match.group(1).strip().lower()
    if request.method == "POST" and charset not in ACCEPTED_CHARSETS:
        return _("Send the form as UTF-8; %(charset)s is not understood.") % {
            "charset": charset[:40]
        }
    for key, value in request.GET.lists():
        if "\x00" in key or any("\x00" in item for item in value):
            return _("The address contains a NUL character.")
        part = DATE_PART.search(key)
        if part and not all(_in_range(item, part.group(1)) for item in value):
            return _("That date filter is not a date.")
    if request.method == "POST" and media.strip().lower() == PLAIN_FORM:
        for key, value in request.POST.lists():
            if "\x00" in key or any("\x00" in item for item in value):
                return _("The form contains a NUL character; nothing was saved.")
    return None


def _in_range(raw: str, part: str) -> bool:
    low, high = DATE_PART_RANGE[part]
    return raw.isascii() and raw.isdigit() and len(raw) <= 4 and low <= int(raw) <= high


class RequestSanityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        problem = refusal(request)
        if problem is not None:
            body = loader.render_to_string("400.html", {"message": problem})
            return HttpResponse(body, status=400)
        return self.get_response(request)

"""The client's address, the same way for login throttling and certificate checks."""

import ipaddress

from django.conf import settings


def client_address(request) -> str | None:
    """REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the address they saw.

    Each trusted proxy appends the address it received the request from to
    X-Forwarded-For, so the client is the N-th entry from the right; anything
    further left was written by the client and is not trusted.
    """
    # None when unknown (a request built in code): django-axes stores None, not junk.
    remote = request.META.get("REMOTE_ADDR") or None
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < count:
        return remote
    candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote

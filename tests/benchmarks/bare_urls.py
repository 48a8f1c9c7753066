"""The site's URLs plus /bench-bare/: the cheapest page Django can serve here.

The bare view renders a tiny template string through the full middleware stack
(sessions, CSRF, CSP, axes ...) without touching the database: the floor that
the attempt page's throughput is compared with. /bench-bare-signed-in/ also loads
the session and the user (two queries): the floor of a signed-in page. Used only
by bench_settings.
"""

from django.http import HttpRequest, HttpResponse
from django.template import Context, Template
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns

TINY = Template(
    "<!doctype html><html lang='en'><title>{{ title }}</title>"
    "<p>{{ message }}</p></html>"
)


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(TINY.render(Context({"title": "Bare", "message": "Hello"})))


def bare_signed_in(request: HttpRequest) -> HttpResponse:
    """The same, naming the signed-in user: the floor of any page behind a login."""
    name = request.user.display_name if request.user.is_authenticated else "guest"
    return HttpResponse(TINY.render(Context({"title": "Bare", "message": name})))


urlpatterns = [
    path("bench-bare/", bare, name="bench-bare"),
    path("bench-bare-signed-in/", bare_signed_in, name="bench-bare-signed-in"),
    *site_urlpatterns,
]

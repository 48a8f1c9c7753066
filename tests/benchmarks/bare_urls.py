"""The site's URLs plus /bench-bare/: the cheapest page Django can serve here.

The bare view renders a tiny template string through the full middleware stack
(sessions, CSRF, CSP, axes ...) without touching the database: the floor that
the attempt page's throughput is compared with. Used only by bench_settings.
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


urlpatterns = [path("bench-bare/", bare, name="bench-bare"), *site_urlpatterns]

"""The interface language: the browser's Accept-Language by default, the header's
switch (Django's set_language, which also stores the choice of a signed-in user),
and the user's preferred language (User.language), applied at sign-in.

Django keeps the choice in the language cookie (settings.LANGUAGE_COOKIE_NAME),
read by LocaleMiddleware on every request. A sign-in happens inside a view, which
has no response yet: the user_logged_in receiver activates the language for the
rest of the request and marks the request; PreferredLanguageMiddleware then sets
the cookie on the response.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

_PENDING = "_rulewise_language"


def language_supported(code: str) -> bool:
    return code in dict(settings.LANGUAGES)


def user_language(user) -> str:
    """The language to write to `user` in (mail, certificates): their preferred
    language, else the site's default."""
    code = getattr(user, "language", "")
    return code if language_supported(code) else settings.LANGUAGE_CODE


def in_language_of(user):
    """`with in_language_of(user):` what is rendered inside is in their language."""
    return translation.override(user_language(user))


def set_language_cookie(response: HttpResponse, code: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def apply_preferred_language(sender, request=None, user=None, **kwargs) -> None:
    """user_logged_in receiver: the user's preferred language, if they chose one,
    from now on (this request, then the cookie)."""
    code = getattr(user, "language", "")
    if request is None or not code or not language_supported(code):
        return
    translation.activate(code)
    request.LANGUAGE_CODE = code
    setattr(request, _PENDING, code)


class PreferredLanguageMiddleware:
    """Sets the language cookie when a sign-in in this request chose a language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        code = getattr(request, _PENDING, None)
        if code:
            set_language_cookie(response, code)
        return response


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language (POST, CSRF, a safe `next`), and for a signed-in
    user the choice is also their preferred language for the next sign-in."""
    response = django_set_language(request)
    code = request.POST.get("language", "")
    user = request.user
    if (
        user.is_authenticated
        and language_supported(code)
        and getattr(user, "language", code) != code
    ):
        user.language = code
        user.save(update_fields=["language"])
    return response

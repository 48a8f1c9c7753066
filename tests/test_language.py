"""Choosing the interface language: Accept-Language by default, the header's
switch (set_language: POST, CSRF), the preferred language on the user, applied
at sign-in; dates in the active language's formats."""

import datetime

import pytest

from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import formats, translation

from tests.factories import PASSWORD, TraineeFactory

pytestmark = pytest.mark.django_db

COOKIE = settings.LANGUAGE_COOKIE_NAME


def test_the_browser_language_decides_by_default(client):
    response = client.get(reverse("login"), headers={"accept-language": "ru"})

    assert response["Content-Language"] == "ru"
    assert '<html lang="ru">' in response.content.decode()


def test_english_without_a_russian_browser(client):
    response = client.get(reverse("login"), headers={"accept-language": "de"})

    assert response["Content-Language"] == "en"


def test_the_header_offers_both_languages_by_a_post_form(client):
    html = client.get(reverse("login")).content.decode()

    assert f'action="{reverse("set_language")}"' in html
    assert 'name="language" value="ru"' in html
    assert 'name="language" value="en"' in html
    assert "Русский" in html


def test_the_switch_needs_the_csrf_token():
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("set_language"), {"language": "ru"})

    assert response.status_code == 403
    assert COOKIE not in response.cookies


def test_the_switch_sets_the_cookie_and_returns_to_the_page():
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("login"))  # the CSRF cookie, as a browser has it
    token = client.cookies[settings.CSRF_COOKIE_NAME].value

    response = client.post(
        reverse("set_language"),
        {"language": "ru", "next": reverse("login"), "csrfmiddlewaretoken": token},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert response.cookies[COOKIE].value == "ru"
    page = client.get(reverse("login"))
    assert page["Content-Language"] == "ru"


def test_the_switch_refuses_a_get(client):
    assert client.get(reverse("set_language") + "?language=ru").status_code == 405


def test_the_switch_stores_the_choice_of_a_signed_in_user(client):
    user = TraineeFactory()
    client.force_login(user)

    client.post(reverse("set_language"), {"language": "ru", "next": "/"})

    user.refresh_from_db()
    assert user.language == "ru"


def test_an_unknown_language_changes_nothing(client):
    user = TraineeFactory(language="ru")
    client.force_login(user)

    response = client.post(reverse("set_language"), {"language": "xx", "next": "/"})

    assert response.status_code == 302
    assert COOKIE not in response.cookies
    user.refresh_from_db()
    assert user.language == "ru"


def test_the_switch_of_an_anonymous_visitor_stores_nothing(client):
    response = client.post(reverse("set_language"), {"language": "ru", "next": "/"})

    assert response.cookies[COOKIE].value == "ru"


def test_the_preferred_language_applies_at_sign_in(client):
    user = TraineeFactory(language="ru")

    response = client.post(
        reverse("login"),
        {"username": user.username, "password": PASSWORD},
        headers={"accept-language": "en"},
    )

    assert response.status_code == 302
    assert response.cookies[COOKIE].value == "ru"
    page = client.get(response["Location"], headers={"accept-language": "en"})
    assert page["Content-Language"] == "ru"


def test_no_preferred_language_leaves_the_browser_to_decide(client):
    user = TraineeFactory(language="")

    response = client.post(
        reverse("login"),
        {"username": user.username, "password": PASSWORD},
        headers={"accept-language": "ru"},
    )

    assert COOKIE not in response.cookies
    page = client.get(response["Location"], headers={"accept-language": "ru"})
    assert page["Content-Language"] == "ru"


def test_the_preferences_page_sets_the_preferred_language(client):
    user = TraineeFactory(language="")
    client.force_login(user)
    page = client.get(reverse("accounts:preferences")).content.decode()
    assert 'name="language"' in page

    response = client.post(
        reverse("accounts:preferences"),
        {"reminders_enabled": "on", "language": "ru"},
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "ru"


def test_the_preferences_page_refuses_an_unknown_language(client):
    user = TraineeFactory(language="")
    client.force_login(user)

    response = client.post(reverse("accounts:preferences"), {"language": "xx"})

    assert response.status_code == 200
    assert response.context["form"].errors["language"]
    user.refresh_from_db()
    assert user.language == ""


def test_dates_follow_the_active_language():
    day = datetime.date(2026, 12, 2)
    with translation.override("en"):
        assert formats.date_format(day, "SHORT_DATE_FORMAT") == "2 Dec 2026"
        assert formats.date_format(day, "j E Y") == "2 December 2026"
    with translation.override("ru"):
        assert formats.date_format(day, "SHORT_DATE_FORMAT") == "02.12.2026"
        assert formats.date_format(day, "j E Y") == "2 декабря 2026"
        assert formats.number_format(87.5, 1) == "87,5"


def test_scores_take_the_languages_decimal_mark():
    from quiz.templatetags.quiz_tags import percent

    with translation.override("en"):
        assert percent("83.330") == "83.33%"
        assert percent(100) == "100%"
    with translation.override("ru"):
        assert percent("83.330") == "83,33%"
        assert percent("100.00") == "100%"


def test_chart_dates_follow_the_tables():
    from quiz.reports.charts import _date

    moment = datetime.datetime(2026, 12, 2, 12, tzinfo=datetime.UTC)
    with translation.override("en"):
        assert _date(moment) == "2 Dec 2026"
    with translation.override("ru"):
        assert _date(moment) == "02.12.2026"

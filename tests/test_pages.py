"""The site's own pages: landing, sign-in, dashboards, errors, health."""

import re

import pytest

from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_landing_page_says_what_the_site_is(client):
    response = client.get("/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "cervical" in body and "Sign in" in body


VERIFY_LINK = re.compile(
    r'<a [^>]*href="/certificates/verify/"[^>]*>\s*Verify a certificate\s*</a>'
)


def main_and_footer(response):
    body = response.content.decode()
    assert body.count("<footer") == 1
    main, footer = body.split("<footer")
    return main, footer


def test_landing_page_links_to_certificate_verification(client):
    main, footer = main_and_footer(client.get("/"))

    assert reverse("quiz:certificate-verify-form") == "/certificates/verify/"
    assert VERIFY_LINK.search(main.split('<main id="main"')[1])
    assert VERIFY_LINK.search(footer)


@pytest.mark.parametrize(
    "url", ["/", "/no-such-page/", "/accounts/login/", "/certificates/verify/"]
)
def test_the_footer_links_to_certificate_verification(client, trainee, url):
    if url == "/":
        client.force_login(trainee)  # the dashboard, not the landing page

    _main, footer = main_and_footer(client.get(url))

    assert VERIFY_LINK.search(footer)


def test_login_page_links_only_our_own_static_files(client):
    body = client.get(reverse("login")).content.decode()

    urls = re.findall(r'(?:src|href)="([^"]+)"', body)
    assets = [u for u in urls if re.search(r"\.(css|js|svg|png|ico|woff2?)(\?|$)", u)]
    assert assets, "the page loads no asset at all?"
    assert all(u.startswith("/static/") for u in assets), assets
    assert "/static/bootstrap/css/bootstrap.min.css" in assets
    assert not re.search(r"https?://", " ".join(urls))
    assert "<script>" not in body and "style=" not in body


def test_static_bootstrap_is_served(client):
    response = client.get("/static/bootstrap/css/bootstrap.min.css")

    assert response.status_code == 200


def test_login_with_the_form_reaches_the_dashboard(client, trainee, password):
    response = client.post(
        reverse("login"),
        {"username": trainee.username, "password": password},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == "/"
    assert "My quizzes" in response.content.decode()


def test_wrong_password_shows_a_clear_error(client, trainee):
    response = client.post(
        reverse("login"), {"username": trainee.username, "password": "x"}
    )

    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()


def test_logout_is_a_post(client, trainee):
    client.force_login(trainee)

    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_instructor_dashboard_links_to_the_question_bank(instructor_client):
    body = instructor_client.get("/").content.decode()

    assert reverse("admin:questions_question_changelist") in body
    assert "My quizzes" not in body


def test_supervisor_dashboard_lists_only_own_cohorts(supervisor_client, cohort):
    from tests.factories import CohortFactory

    other = CohortFactory(name="Somebody else's cohort")

    body = supervisor_client.get("/").content.decode()

    assert cohort.name in body
    assert other.name not in body


def test_user_without_role_gets_a_clear_empty_state(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory())

    assert "no role yet" in client.get("/").content.decode()


def test_password_change_page_is_styled_with_crispy(trainee_client):
    body = trainee_client.get(reverse("password_change")).content.decode()

    assert re.search(r'<input type="password"[^>]*class="[^"]*form-control', body)
    assert "Change your password" in body


def test_password_reset_sends_an_email_with_a_link(
    client, trainee, django_capture_on_commit_callbacks
):
    # Queued, then sent by the task (at once here: the immediate backend).
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": trainee.email})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/reset/" in mail.outbox[0].body
    assert mail.outbox[0].to == [trainee.email]


def test_404_page_is_styled(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()
    assert "/static/css/rulewise.css" in response.content.decode()


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    # the cache is reported beside the database (issue 13); see tests/test_faults.py
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


def test_500_template_renders_without_a_request(client):
    from django.template.loader import render_to_string

    html = render_to_string("500.html")

    assert "Something went wrong" in html

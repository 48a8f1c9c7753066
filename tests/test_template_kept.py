"""Tags with a fixed output (literal translate, url, static) are rendered once
and kept (config/templates.py): every page reads as it did with Django's own
loader, and what the output depends on (language, URL prefix, escaping,
settings) is part of what it is kept under."""

import copy
import re

import pytest

from django.conf import settings
from django.template import Context, engines
from django.test import override_settings
from django.urls import reverse, set_script_prefix
from django.utils import translation

from config.templates import Kept, keep_fixed
from quiz.attempts.services import attempt_start
from tests.factories import QuizFactory, take

pytestmark = pytest.mark.django_db


def plain_templates() -> list[dict]:
    """The site's template settings with Django's cached loader instead."""
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["OPTIONS"]["loaders"] = [
        (
            "django.template.loaders.cached.Loader",
            [
                "django.template.loaders.filesystem.Loader",
                "django.template.loaders.app_directories.Loader",
            ],
        )
    ]
    return templates


TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
NONCE = re.compile(r'nonce="[^"]+"')


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return NONCE.sub("", TOKEN.sub("", response.content.decode()))


def test_the_site_uses_the_keeping_loader():
    loaders = settings.TEMPLATES[0]["OPTIONS"]["loaders"]
    assert loaders[0][0] == "config.templates.Loader"
    template = engines["django"].engine.get_template("base.html")
    assert any(isinstance(node, Kept) for node in template.nodelist)


def test_pages_read_as_with_djangos_own_loader(
    client, trainee, supervisor, instructor, cohort
):
    quiz = QuizFactory(questions__n=2)
    finished = take(quiz, trainee)
    attempt = attempt_start(quiz=QuizFactory(questions__n=3), user=trainee)
    pages = {
        None: ["/", reverse("login"), reverse("quiz:certificate-verify-form")],
        trainee: [
            "/",
            reverse("quiz:quiz-list"),
            reverse("quiz:quiz-detail", args=[quiz.slug]),
            reverse("quiz:attempt-detail", args=[attempt.pk]),
            reverse("quiz:attempt-submit", args=[attempt.pk]),
            reverse("quiz:attempt-result", args=[finished.pk]),
            reverse("quiz:attempt-history"),
            reverse("quiz:rule-list"),
        ],
        supervisor: [
            reverse("quiz:reports"),
            reverse("quiz:report-attention"),
            reverse("quiz:report-questions"),
        ],
        instructor: [reverse("admin:index"), "/admin/questions/question/"],
    }
    for user, urls in pages.items():
        client.logout()
        if user is not None:
            client.force_login(user)
        for url in urls:
            kept = page(client, url)
            with override_settings(TEMPLATES=plain_templates()):
                plain = page(client, url)
            assert kept == plain, url
            assert page(client, url) == kept, url  # the second time, from what was kept


def test_only_tags_without_variables_are_kept():
    template = (
        engines["django"]
        .from_string(
            "{% load i18n static %}"
            '{% translate "Dashboard" %}{% url "quiz:home" %}{% static "css/rulewise.css" %}'
            '{% translate word %}{% translate "x" as y %}{% url "quiz:attempt-detail" pk %}'
            '{% static path %}{% translate "Dashboard"|upper %}'
            '{% if a %}{% translate "Quizzes" %}{% else %}{% url "login" %}{% endif %}'
        )
        .template
    )
    assert keep_fixed(template.nodelist) == 5


def test_escaping_is_part_of_the_key():
    template = (
        engines["django"].from_string('{% url "quiz:rule-detail" "A&B" %}').template
    )
    keep_fixed(template.nodelist)
    assert template.render(Context({})) == "/rules/A&amp;B/"
    assert template.render(Context({}, autoescape=False)) == "/rules/A&B/"
    assert template.render(Context({})) == "/rules/A&amp;B/"


def test_the_url_prefix_is_part_of_the_key():
    template = engines["django"].from_string('{% url "quiz:rule-list" %}').template
    keep_fixed(template.nodelist)
    assert template.render(Context({})) == "/rules/"
    set_script_prefix("/school/")
    try:
        assert template.render(Context({})) == "/school/rules/"
    finally:
        set_script_prefix("/")
    assert template.render(Context({})) == "/rules/"


def test_the_language_is_part_of_the_key():
    template = (
        engines["django"]
        .from_string('{% load i18n %}{% translate "Dashboard" %}')
        .template
    )
    keep_fixed(template.nodelist)
    [kept] = [node for node in template.nodelist if isinstance(node, Kept)]
    with translation.override("en"):
        template.render(Context({}))
    with translation.override("ru"):
        template.render(Context({}))
    assert {key[1] for key in kept.outputs} == {"en", "ru"}
    assert len(kept.outputs) == 2


def test_a_settings_change_is_never_served_what_was_kept_before():
    template = (
        engines["django"]
        .from_string('{% load static %}{% static "css/rulewise.css" %}')
        .template
    )
    keep_fixed(template.nodelist)
    assert template.render(Context({})) == "/static/css/rulewise.css"
    with override_settings(STATIC_URL="/assets/"):
        assert template.render(Context({})) == "/assets/css/rulewise.css"
    assert template.render(Context({})) == "/static/css/rulewise.css"

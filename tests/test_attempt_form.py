"""The attempt page's form is the one parser of what a page posts."""

from types import SimpleNamespace

import pytest

from django.http import QueryDict

from quiz.attempts.forms import AttemptPageForm, Navigation


def item(position, qtype="single", n=3):
    choices = [{"id": position * 100 + k} for k in range(1, n + 1)]
    return SimpleNamespace(position=position, qtype=qtype, choices=choices)


ITEMS = [item(1), item(2, "multiple"), item(3, "true_false", n=2)]


def form(query: str, pages: int = 3) -> AttemptPageForm:
    return AttemptPageForm(QueryDict(query), items=ITEMS, pages=pages)


def test_answers_are_choice_ids_by_their_shown_place():
    posted = form("shown=1&shown=2&q-1=2&q-2=1&q-2=3&q-2=3")

    assert posted.is_valid()
    assert posted.cleaned_data["answers"] == {1: [102], 2: [201, 203]}


def test_a_shown_question_left_blank_is_saved_blank():
    posted = form("shown=3")

    assert posted.is_valid()
    assert posted.cleaned_data["answers"] == {3: []}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("shown=x", "not understood"),
        ("q-abc=1", "not understood"),
        ("q-9=1", "Question 9 is not part of this attempt"),
        ("q-1=4", "not one of its choices"),
        ("q-1=0", "not one of its choices"),
        ("q-1=%C2%B2", "not one of its choices"),  # a superscript two
        ("q-1=1&q-1=2", "takes a single answer"),
    ],
)
def test_bad_posts_are_refused_with_a_reason(query, message):
    posted = form(query)

    assert not posted.is_valid()
    assert message in posted.error_message()


@pytest.mark.parametrize(
    ("nav", "expected"),
    [
        ("", Navigation("save")),
        ("next", Navigation("next")),
        ("submit", Navigation("submit")),
        ("page-2", Navigation("page", 2)),
        ("page-9", Navigation("save")),  # beyond the last page: just save
        ("page-²", Navigation("save")),
        ("rocket", Navigation("save")),
    ],
)
def test_navigation(nav, expected):
    posted = form(f"nav={nav}")

    assert posted.is_valid()
    assert posted.cleaned_data["nav"] == expected


@pytest.mark.parametrize("page", ["0", "4", "x", "-1", "1.5"])
def test_a_page_outside_the_attempt_is_an_error_on_page(page):
    posted = form(f"page={page}")

    assert not posted.is_valid()
    assert "page" in posted.errors


def test_page_defaults_to_the_first():
    posted = form("")

    assert posted.is_valid()
    assert posted.cleaned_data["page"] == 1

"""What an attempt page posts: the form parses its shape (the one parser), the
save service checks it against the attempt (which it reads once, locked)."""

import pytest

from django.http import QueryDict
from django.urls import reverse

from quiz.attempts.forms import AttemptPageForm
from quiz.attempts.navigation import Navigation
from quiz.attempts.services import attempt_start
from quiz.models import Attempt
from tests.factories import QuestionFactory, QuizFactory, published_question


def form(query: str) -> AttemptPageForm:
    return AttemptPageForm(QueryDict(query))


def test_answers_are_parsed_as_places_in_the_order_shown():
    posted = form("shown=1&shown=2&q-1=2&q-2=1&q-2=3")

    assert posted.is_valid()
    assert posted.cleaned_data["answers"] == {1: [2], 2: [1, 3]}


def test_a_shown_question_left_blank_is_saved_blank():
    posted = form("shown=3")

    assert posted.is_valid()
    assert posted.cleaned_data["answers"] == {3: []}
    assert posted.cleaned_data["flags"] == {3: False}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("shown=x", "not understood"),
        ("q-abc=1", "not understood"),
        ("q-1=%C2%B2", "not one of its choices"),  # a superscript two
        ("q-1=x", "not one of its choices"),
        ("shown=1&flag=2", "not understood"),  # a flag for a question not shown
    ],
)
def test_malformed_posts_are_refused_with_a_reason(query, message):
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
        ("page-9", Navigation("page", 9)),  # the attempt decides (target below)
        ("page-²", Navigation("save")),
        ("rocket", Navigation("save")),
    ],
)
def test_navigation(nav, expected):
    posted = form(f"nav={nav}")

    assert posted.is_valid()
    assert posted.cleaned_data["nav"] == expected


@pytest.mark.parametrize(
    ("nav", "page", "target"),
    [
        (Navigation("save"), 2, 2),
        (Navigation("next"), 2, 3),
        (Navigation("next"), 3, 3),
        (Navigation("prev"), 1, 1),
        (Navigation("prev"), 3, 2),
        (Navigation("page", 1), 3, 1),
        (Navigation("page", 9), 2, 2),  # beyond the last page: stay, saved
        (Navigation("page", 0), 2, 2),
        (Navigation("review"), 2, None),
        (Navigation("submit"), 2, None),
    ],
)
def test_where_navigation_leads_in_a_three_page_attempt(nav, page, target):
    assert nav.target(page, 3) == target


@pytest.mark.parametrize("page", ["0", "x", "-1", "1.5", "99999"])
def test_a_malformed_page_is_an_error_on_page(page):
    posted = form(f"page={page}")

    assert not posted.is_valid()
    assert "page" in posted.errors


def test_page_defaults_to_the_first():
    posted = form("")

    assert posted.is_valid()
    assert posted.cleaned_data["page"] == 1


# --- checked against the attempt, by the save service ---------------------------


def posted(query: str) -> dict[str, list[str]]:
    """POST data with repeated keys kept (the test client posts a QueryDict's
    last value only)."""
    return dict(QueryDict(query).lists())


@pytest.fixture
def attempt(trainee):
    """Three questions, one per page: single (3 choices), multiple, true/false."""
    questions = [
        published_question(),
        published_question(qtype="multiple"),
        published_question(qtype="true_false"),
    ]
    quiz = QuizFactory(
        questions=questions, layout="one_per_page", shuffle_questions=False
    )
    return attempt_start(quiz=quiz, user=trainee)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("shown=9&q-9=1", "Question 9 is not part of this attempt"),
        ("shown=1&q-1=4", "not one of its choices"),
        ("shown=1&q-1=0", "not one of its choices"),
        ("shown=1&q-1=1&q-1=2", "takes a single answer"),
        ("shown=3&q-3=3", "not one of its choices"),
    ],
)
@pytest.mark.django_db
def test_answers_the_attempt_does_not_have_are_refused_and_nothing_is_saved(
    trainee_client, attempt, query, message
):
    response = trainee_client.post(
        reverse("quiz:attempt-detail", args=[attempt.pk]),
        posted(f"page=1&nav=save&{query}"),
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not attempt.items.exclude(selected=[]).exists()


@pytest.mark.django_db
def test_a_multiple_answer_question_takes_several_places_once_each(
    trainee_client, attempt
):
    trainee_client.post(
        reverse("quiz:attempt-detail", args=[attempt.pk]),
        posted("page=2&nav=save&shown=2&q-2=1&q-2=3&q-2=3"),
    )
    item = attempt.items.get(position=2)
    assert item.selected == [item.choices[0]["id"], item.choices[2]["id"]]


@pytest.mark.django_db
def test_a_page_beyond_the_attempt_is_not_found_and_nothing_is_saved(
    trainee_client, attempt
):
    response = trainee_client.post(
        reverse("quiz:attempt-detail", args=[attempt.pk]),
        posted("page=4&nav=save&shown=1&q-1=1"),
    )

    assert response.status_code == 404
    assert not attempt.items.exclude(selected=[]).exists()
    assert Attempt.objects.get(pk=attempt.pk).last_page == 1


@pytest.mark.django_db
def test_another_trainees_attempt_is_not_found(client, attempt):
    from tests.factories import TraineeFactory

    client.force_login(TraineeFactory())
    response = client.post(
        reverse("quiz:attempt-detail", args=[attempt.pk]),
        posted("page=1&nav=save&shown=1&q-1=1"),
    )

    assert response.status_code == 404
    assert not attempt.items.exclude(selected=[]).exists()
    assert QuestionFactory._meta.model.objects.count() == 3

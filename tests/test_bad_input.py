"""Bad input never gives a 500 and never changes data (property-based, hypothesis)."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from accounts.models import Cohort
from questions.models import Choice, Question
from quiz.attempts.services import attempt_start
from quiz.models import Attempt, AttemptQuestion, Certificate
from tests.factories import (
    CohortFactory,
    QuizFactory,
    TraineeFactory,
    UserFactory,
    published_question,
)

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

junk_text = st.one_of(
    st.text(max_size=50),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1000, max_size=5000),
    st.sampled_from(
        [
            "",
            " ",
            "-1",
            "0",
            "99999999999999999999",
            "1e9",
            "null",
            "<script>",
            "' OR 1=1 --",
            "²",
            "١٢",
            "page-²",
            "\x00",
        ]
    ),
)
junk_value = st.one_of(
    junk_text, st.integers(min_value=-(2**63), max_value=2**63).map(str)
)
junk_form = st.dictionaries(
    st.one_of(
        st.text(max_size=12),
        st.sampled_from(
            [
                "shown",
                "nav",
                "page",
                "q-1",
                "q-2",
                "q-99",
                "q-0",
                "q--1",
                "code",
                "format",
                "pasted",
                "text",
                "username",
                "password",
                "email",
                "action",
            ]
        ),
    ),
    st.lists(junk_value, max_size=3),
    max_size=6,
)


def snapshot():
    return (
        get_user_model().objects.count(),
        Cohort.objects.count(),
        Question.objects.count(),
        Choice.objects.count(),
        Attempt.objects.filter(state="finished").count(),
        Certificate.objects.count(),
        sorted(AttemptQuestion.objects.values_list("pk", "selected")),
    )


def post(client, url, data):
    clean = {
        k.replace("\x00", ""): [v.replace("\x00", "") for v in vs]
        for k, vs in data.items()
    }
    return client.post(url, clean)


@pytest.fixture
def world(db):
    trainee = TraineeFactory()
    quiz = QuizFactory(questions__n=2, max_attempts=1)
    attempt = attempt_start(quiz=quiz, user=trainee)
    other = attempt_start(
        quiz=QuizFactory(questions=[published_question()]), user=TraineeFactory()
    )
    return {"trainee": trainee, "attempt": attempt, "other": other, "quiz": quiz}


@FUZZ
@given(data=junk_form)
def test_attempt_page_post_never_500_nor_writes_junk(world, data):
    client = Client()
    client.force_login(world["trainee"])
    data = {
        k: v
        for k, v in data.items()
        if not (k.startswith("q-") and all(x.isdigit() for x in v))
    }
    data["nav"] = [v for v in data.get("nav", []) if v != "submit"] or ["save"]
    before = snapshot()

    response = post(
        client, reverse("quiz:attempt-detail", args=[world["attempt"].pk]), data
    )

    assert response.status_code < 500
    if response.status_code != 302:
        assert response.status_code in (400, 404)
        assert snapshot() == before


@FUZZ
@given(data=junk_form, target=st.sampled_from(["other", "missing"]))
def test_posts_to_someone_elses_attempt_are_404(world, data, target):
    client = Client()
    client.force_login(world["trainee"])
    pk = world["other"].pk if target == "other" else 10**9
    before = snapshot()

    for name in ("quiz:attempt-detail", "quiz:attempt-submit"):
        response = post(client, reverse(name, args=[pk]), data)
        assert response.status_code == 404
    assert snapshot() == before


@FUZZ
@given(data=junk_form)
def test_login_and_password_forms_reject_junk(db, data):
    client = Client()
    before = snapshot()

    for name in ("login", "password_reset"):
        response = post(client, reverse(name), data)
        assert response.status_code in (200, 302, 400, 403, 429)
    assert snapshot() == before
    assert "_auth_user_id" not in client.session


@FUZZ
@given(data=junk_form)
def test_password_change_with_junk_changes_nothing(world, data):
    client = Client()
    client.force_login(world["trainee"])
    password_before = get_user_model().objects.get(pk=world["trainee"].pk).password

    response = post(client, reverse("password_change"), data)

    assert response.status_code in (200, 400)
    assert (
        get_user_model().objects.get(pk=world["trainee"].pk).password == password_before
    )


@FUZZ
@given(code=junk_text)
def test_certificate_verification_with_junk_codes(db, code):
    client = Client()
    safe = code.replace("\x00", "")

    form = client.get(reverse("quiz:certificate-verify-form"), {"code": safe})
    assert form.status_code in (200, 302, 400)
    if "/" not in safe and safe.strip() and safe == safe.strip() and len(safe) < 200:
        page = client.get(reverse("quiz:certificate-verify", args=[safe]))
        assert page.status_code in (404, 429)


@FUZZ
@given(data=junk_form, slug=st.sampled_from(["quiz", "missing"]))
def test_quiz_start_with_junk_never_500(world, data, slug):
    client = Client()
    client.force_login(TraineeFactory())
    target = world["quiz"].slug if slug == "quiz" else "no-such-quiz"

    response = post(client, reverse("quiz:quiz-start", args=[target]), data)

    assert response.status_code in (302, 403, 404)


@FUZZ
@given(text=st.text(max_size=3000), fmt=st.sampled_from(["gift", "aiken", "bogus", ""]))
def test_admin_import_with_junk_never_500_and_confirms_nothing_bad(db, text, fmt):
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    before = Question.objects.count()

    response = client.post(
        reverse("admin:questions_question_import"),
        {"format": fmt, "pasted": text.replace("\x00", ""), "preview": "1"},
    )

    assert response.status_code in (200, 400)
    assert Question.objects.count() == before


@FUZZ
@given(text=st.text(max_size=2000))
def test_enrolment_with_junk_never_500_and_is_all_or_nothing(db, text):
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    cohort = CohortFactory()
    users_before = get_user_model().objects.count()

    response = client.post(
        reverse("admin:accounts_cohort_enroll", args=[cohort.pk]),
        {"text": text.replace("\x00", "")},
    )

    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert get_user_model().objects.count() == users_before
        assert not cohort.trainees.exists()


@FUZZ
@given(
    params=st.dictionaries(
        st.sampled_from(
            [
                "quiz",
                "cohort",
                "date_from",
                "date_to",
                "attempts",
                "status",
                "sort",
                "page",
                "format",
                "table",
            ]
        ),
        junk_text.map(lambda s: s.replace("\x00", "")),
        max_size=5,
    )
)
def test_report_filters_with_junk_never_500(db, params):
    client = Client()
    supervisor = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(supervisor)
    cohort = Cohort.objects.first() or CohortFactory()

    for url in (
        reverse("quiz:report-questions"),
        reverse("quiz:report-cohort", args=[cohort.pk]),
    ):
        response = client.get(url, params)
        assert response.status_code in (200, 400, 404), (url, params)

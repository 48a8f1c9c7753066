"""Every URL of the site, as every kind of user: the expected status, table-driven.

The URL list comes from the resolver: a new URL without an entry here fails
`test_every_url_has_an_entry`. The admin's generated model pages are Django's
own; its custom pages (preview, import, enrol) are listed like the rest.
"""

import re

import pytest

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from quiz.attempts.services import attempt_start, attempt_submit
from quiz.models import Certificate
from quiz.practice.services import practice_serve, practice_start
from tests.factories import (
    CohortFactory,
    QuizFactory,
    SupervisorFactory,
    TraineeFactory,
    UserFactory,
    correct_answers,
    published_question,
)

pytestmark = pytest.mark.django_db

USERS = [
    "anon",
    "trainee",
    "other_trainee",
    "instructor",
    "own_supervisor",
    "other_supervisor",
    "superuser",
]

# Django's generated admin pages and its own plumbing: not ours to tabulate.
ADMIN_GENERATED = re.compile(
    r"^admin:(\w+_\w+_(changelist|add|change|delete|history)|index|login|logout|"
    r"password_change|password_change_done|jsi18n|app_list|view_on_site|autocomplete|"
    r"auth_user_password_change|accounts_user_password_change)$"
)


def url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = (
                f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            )
            yield from url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


R302, R405 = 302, 405
ALL_200 = dict.fromkeys(USERS, 200)
SIGNED_IN_200 = {**dict.fromkeys(USERS, 200), "anon": R302}
TRAINEE_PAGE = {
    "anon": R302,
    "trainee": 200,
    "other_trainee": 200,
    "instructor": 403,
    "own_supervisor": 403,
    "other_supervisor": 403,
    "superuser": 200,
}
OWN_ATTEMPT = {**TRAINEE_PAGE, "other_trainee": 404, "superuser": 404}
REPORT = {
    "anon": R302,
    "trainee": 403,
    "other_trainee": 403,
    "instructor": 200,
    "own_supervisor": 200,
    "other_supervisor": 200,
    "superuser": 200,
}
SCOPED_REPORT = {**REPORT, "other_supervisor": 404}
STAFF_ADMIN = {
    "anon": R302,
    "trainee": R302,
    "other_trainee": R302,
    "instructor": 200,
    "own_supervisor": R302,
    "other_supervisor": R302,
    "superuser": 200,
}

# name: (method, args from the world, expected status per user)
MATRIX = {
    "quiz:home": ("get", lambda w: [], ALL_200),
    "login": ("get", lambda w: [], ALL_200),
    "logout": ("get", lambda w: [], dict.fromkeys(USERS, R405)),
    "accounts:preferences": ("get", lambda w: [], SIGNED_IN_200),
    "password_change": ("get", lambda w: [], SIGNED_IN_200),
    "password_change_done": ("get", lambda w: [], SIGNED_IN_200),
    "password_reset": ("get", lambda w: [], ALL_200),
    "password_reset_done": ("get", lambda w: [], ALL_200),
    "password_reset_confirm": ("get", lambda w: ["MQ", "bad-token"], ALL_200),
    "password_reset_complete": ("get", lambda w: [], ALL_200),
    "healthz": ("get", lambda w: [], ALL_200),
    # POST only (the header's switch); what it does is in test_language.py.
    "set_language": ("get", lambda w: [], dict.fromkeys(USERS, R405)),
    "quiz:quiz-list": ("get", lambda w: [], TRAINEE_PAGE),
    "quiz:quiz-detail": ("get", lambda w: [w["quiz"].slug], TRAINEE_PAGE),
    "quiz:quiz-start": (
        "post",
        lambda w: [w["quiz"].slug],
        {**TRAINEE_PAGE, "trainee": R302, "other_trainee": R302, "superuser": R302},
    ),
    "quiz:attempt-history": ("get", lambda w: [], TRAINEE_PAGE),
    "quiz:attempt-detail": ("get", lambda w: [w["open"].pk], OWN_ATTEMPT),
    "quiz:attempt-submit": ("get", lambda w: [w["open"].pk], OWN_ATTEMPT),
    "quiz:attempt-result": ("get", lambda w: [w["finished"].pk], OWN_ATTEMPT),
    "quiz:certificate-list": ("get", lambda w: [], SIGNED_IN_200),
    "quiz:certificate-verify-form": ("get", lambda w: [], ALL_200),
    "quiz:certificate-verify": (
        "get",
        lambda w: [w["certificate"].display_code],
        ALL_200,
    ),
    "quiz:certificate-pdf": (
        "get",
        lambda w: [w["certificate"].display_code],
        {**SCOPED_REPORT, "trainee": 200, "other_trainee": 404},
    ),
    "quiz:reports": ("get", lambda w: [], REPORT),
    "quiz:report-cohort": ("get", lambda w: [w["cohort"].pk], SCOPED_REPORT),
    "quiz:report-trainee": ("get", lambda w: [w["trainee"].pk], SCOPED_REPORT),
    "quiz:report-attempt": ("get", lambda w: [w["finished"].pk], SCOPED_REPORT),
    "quiz:report-questions": ("get", lambda w: [], REPORT),
    "quiz:report-attention": ("get", lambda w: [], REPORT),
    # Supervisors grant overrides to their own cohorts' trainees only.
    "quiz:override-grant": ("get", lambda w: [w["trainee"].pk], SCOPED_REPORT),
    # ... and remind them from the needs-attention list (an empty POST: 400).
    "quiz:attention-remind": (
        "post",
        lambda w: [w["trainee"].pk],
        {
            who: 400 if status == 200 else status
            for who, status in SCOPED_REPORT.items()
        },
    ),
    "quiz:rule-list": ("get", lambda w: [], SIGNED_IN_200),
    "quiz:rule-detail": ("get", lambda w: [w["rule"].code], SIGNED_IN_200),
    "quiz:practice": ("get", lambda w: [], TRAINEE_PAGE),
    "quiz:practice-rule": ("get", lambda w: [w["rule"].code], TRAINEE_PAGE),
    "quiz:practice-item": ("get", lambda w: [w["practice_item"].pk], OWN_ATTEMPT),
    # POST only (a GET is 405 for everyone); who may post is in test_practice.py.
    "quiz:practice-next": (
        "get",
        lambda w: [w["practice_item"].session_id],
        dict.fromkeys(USERS, R405),
    ),
    "quiz:practice-end": (
        "get",
        lambda w: [w["practice_item"].session_id],
        dict.fromkeys(USERS, R405),
    ),
    "admin:questions_question_preview": (
        "get",
        lambda w: [w["question"].pk],
        STAFF_ADMIN,
    ),
    "admin:questions_question_import": ("get", lambda w: [], STAFF_ADMIN),
    "admin:accounts_cohort_enroll": (
        "get",
        lambda w: [w["cohort"].pk],
        {**STAFF_ADMIN, "instructor": 403},
    ),
}


def build_world() -> dict:
    """One of each kind of user and of each object the URLs take."""
    trainee = TraineeFactory()
    own_supervisor = SupervisorFactory()
    cohort = CohortFactory(trainees=[trainee], supervisors=[own_supervisor])
    other_supervisor = SupervisorFactory()
    CohortFactory(trainees=[TraineeFactory()], supervisors=[other_supervisor])
    question = published_question()
    quiz = QuizFactory(questions=[question], certificate_on_pass=True)
    finished = attempt_start(quiz=quiz, user=trainee)
    attempt_submit(attempt=finished, user=trainee, answers=correct_answers(finished))
    practice = QuizFactory(questions__n=1)
    session = practice_start(user=trainee)
    return {
        "rule": question.rules.first(),
        "practice_item": practice_serve(user=trainee, session=session),
        "trainee": trainee,
        "other_trainee": TraineeFactory(),
        "instructor": UserFactory(is_staff=True, role="Instructor"),
        "own_supervisor": own_supervisor,
        "other_supervisor": other_supervisor,
        "superuser": UserFactory(is_staff=True, is_superuser=True),
        "cohort": cohort,
        "quiz": quiz,
        "question": question,
        "finished": finished,
        "open": attempt_start(quiz=practice, user=trainee),
        "certificate": Certificate.objects.get(user=trainee),
    }


@pytest.fixture
def world(db):
    return build_world()


def test_every_url_has_an_entry():
    ours = {name for name in url_names() if not ADMIN_GENERATED.match(name)}

    assert ours - set(MATRIX) == set(), "add these URLs to the access matrix"
    assert set(MATRIX) - ours == set(), "these entries name no URL"


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_access(world, name):
    method, args, expected = MATRIX[name]
    url = reverse(name, args=args(world))
    failures = []
    for who in USERS:
        client = Client()
        if who != "anon":
            client.force_login(world[who])
        response = getattr(client, method)(url)
        if response.status_code != expected[who]:
            failures.append(f"{who}: {response.status_code} (expected {expected[who]})")
        if response.status_code == R302 and expected[who] == R302 and who == "anon":
            assert "login" in response["Location"], (
                f"{name} {who}: {response['Location']}"
            )
    assert not failures, f"{name} {url}: " + "; ".join(failures)

"""Supervisor reports: scoping, tables, mastery, CSV, charts and query counts."""

import csv
import io

import pytest

from django.urls import reverse

from accounts.models import User
from quiz.attempts.selectors import rule_mastery
from quiz.attempts.services import attempt_start, attempt_submit
from quiz.models import Attempt
from tests.factories import (
    CohortFactory,
    QuizFactory,
    RuleFactory,
    SupervisorFactory,
    TraineeFactory,
    correct_answers,
    published_question,
    take,
    wrong_answers,
)

pytestmark = pytest.mark.django_db


def read_csv(response) -> list[dict]:
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM for Excel"
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.fixture
def quiz(db):
    return QuizFactory(questions__n=2, title="Module one", slug="module-one")


@pytest.fixture
def other_supervisor_client(client):
    other = SupervisorFactory()
    CohortFactory(trainees=[TraineeFactory()], supervisors=[other])
    client.force_login(other)
    return client


# --- scoping -------------------------------------------------------------------------


def report_urls(cohort, trainee, attempt):
    return [
        reverse("quiz:report-cohort", args=[cohort.pk]),
        reverse("quiz:report-cohort", args=[cohort.pk]) + "?format=csv",
        reverse("quiz:report-trainee", args=[trainee.pk]),
        reverse("quiz:report-trainee", args=[trainee.pk]) + "?format=csv",
        reverse("quiz:report-trainee", args=[trainee.pk]) + "?format=csv&table=mastery",
        reverse("quiz:report-attempt", args=[attempt.pk]),
        reverse("quiz:report-questions")
        + f"?quiz={attempt.quiz_id}&cohort={cohort.pk}",
    ]


def test_supervisor_of_another_cohort_gets_404_everywhere(
    other_supervisor_client, cohort, trainee, quiz
):
    attempt = take(quiz, trainee)

    for url in report_urls(cohort, trainee, attempt):
        assert other_supervisor_client.get(url).status_code == 404, url


def test_own_supervisor_and_instructor_see_everything(
    supervisor_client, cohort, trainee, quiz, client, instructor
):
    attempt = take(quiz, trainee)

    for url in report_urls(cohort, trainee, attempt):
        assert supervisor_client.get(url).status_code == 200, url
    client.force_login(instructor)
    for url in report_urls(cohort, trainee, attempt):
        assert client.get(url).status_code == 200, url


def test_trainee_gets_403_and_anonymous_goes_to_login(trainee_client, client, cohort):
    assert trainee_client.get(reverse("quiz:reports")).status_code == 403
    assert (
        trainee_client.get(reverse("quiz:report-cohort", args=[cohort.pk])).status_code
        == 403
    )
    trainee_client.logout()
    response = client.get(reverse("quiz:reports"))
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("login")
    )


def test_question_stats_for_a_supervisor_count_only_their_cohorts(
    supervisor_client, cohort, trainee, quiz
):
    take(quiz, trainee, right=True)
    take(quiz, TraineeFactory(), right=False)  # not in the supervisor's cohort

    response = supervisor_client.get(
        reverse("quiz:report-questions"), {"quiz": quiz.pk}
    )

    assert response.context["quiz_stats"].attempts == 1
    assert response.context["quiz_stats"].mean == 100


def test_reports_index_lists_own_cohorts_with_completion(
    supervisor_client, cohort, trainee
):
    certifying = QuizFactory(questions__n=1, certificate_on_pass=True)
    take(certifying, trainee)
    CohortFactory(name="Not mine")

    html = supervisor_client.get(reverse("quiz:reports")).content.decode()

    assert cohort.name in html and "Not mine" not in html
    assert "100%" in html


# --- cohort overview ------------------------------------------------------------------------


def test_cohort_overview_shows_grades_attempts_and_totals(
    supervisor_client, cohort, trainee, quiz
):
    take(quiz, trainee, right=False)
    take(quiz, trainee, right=True)
    slow = TraineeFactory(first_name="Zed", last_name="Slow")
    cohort.trainees.add(slow)

    response = supervisor_client.get(reverse("quiz:report-cohort", args=[cohort.pk]))

    rows = {t.pk: cells for t, cells in response.context["rows"]}
    [cell] = rows[trainee.pk]
    assert cell.grade == 100 and cell.attempts == 2 and cell.passed
    assert rows[slow.pk] == [None]
    [total] = response.context["totals"]
    assert total.passed == 1 and total.trainees == 2 and total.completion == 50
    assert total.mean_grade == 100


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("passed", {"passer"}),
        ("failed", {"failer"}),
        ("not_started", {"idle"}),
        ("in_progress", {"busy"}),
    ],
)
def test_cohort_overview_filters_by_status(
    supervisor_client, supervisor, quiz, status, expected
):
    users = {
        name: TraineeFactory(username=name)
        for name in ["passer", "failer", "idle", "busy"]
    }
    CohortFactory(
        name="Filtered", trainees=list(users.values()), supervisors=[supervisor]
    )
    take(quiz, users["passer"])
    take(quiz, users["failer"], right=False)
    attempt_start(quiz=quiz, user=users["busy"])
    cohort = supervisor.supervised_cohorts.get(name="Filtered")

    response = supervisor_client.get(
        reverse("quiz:report-cohort", args=[cohort.pk]),
        {"quiz": quiz.slug, "status": status},
    )

    assert {t.username for t, _cells in response.context["rows"]} == expected


def test_cohort_overview_sorts_by_grade(supervisor_client, supervisor, quiz):
    low, high = TraineeFactory(username="low"), TraineeFactory(username="high")
    cohort = CohortFactory(trainees=[low, high], supervisors=[supervisor])
    take(quiz, low, right=False)
    take(quiz, high)

    response = supervisor_client.get(
        reverse("quiz:report-cohort", args=[cohort.pk]),
        {"quiz": quiz.slug, "sort": "-grade"},
    )

    assert [t.username for t, _ in response.context["rows"]] == ["high", "low"]


def test_cohort_overview_rejects_unknown_filters(supervisor_client, cohort):
    url = reverse("quiz:report-cohort", args=[cohort.pk])

    assert supervisor_client.get(url, {"status": "bogus"}).status_code == 404
    assert supervisor_client.get(url, {"quiz": "no-such-quiz"}).status_code == 404


def test_cohort_overview_paginates(supervisor_client, supervisor, quiz):
    cohort = CohortFactory(
        trainees=[TraineeFactory() for _ in range(55)], supervisors=[supervisor]
    )
    url = reverse("quiz:report-cohort", args=[cohort.pk])

    first = supervisor_client.get(url)
    second = supervisor_client.get(url, {"page": 2})

    assert len(first.context["rows"]) == 50 and len(second.context["rows"]) == 5


# --- CSV ------------------------------------------------------------------------------------------


def test_cohort_csv_parses_back_with_stable_columns_and_unicode(
    supervisor_client, supervisor, quiz
):
    trainee = TraineeFactory(username="zoe", first_name="Zoë", last_name="Ñúñez-Łukasz")
    cohort = CohortFactory(trainees=[trainee], supervisors=[supervisor])
    take(quiz, trainee)

    rows = read_csv(
        supervisor_client.get(
            reverse("quiz:report-cohort", args=[cohort.pk]), {"format": "csv"}
        )
    )

    assert list(rows[0]) == [
        "username",
        "name",
        "email",
        "module-one_grade",
        "module-one_attempts",
        "module-one_passed",
        "module-one_certificate",
    ]
    assert rows[0]["name"] == "Zoë Ñúñez-Łukasz"
    assert rows[0]["module-one_grade"] == "100.00"
    assert rows[0]["module-one_passed"] == "yes"


@pytest.mark.parametrize("evil", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)"])
def test_csv_neutralises_formula_injection(supervisor_client, supervisor, evil):
    trainee = TraineeFactory(first_name=evil, last_name="")
    cohort = CohortFactory(trainees=[trainee], supervisors=[supervisor])

    rows = read_csv(
        supervisor_client.get(
            reverse("quiz:report-cohort", args=[cohort.pk]), {"format": "csv"}
        )
    )

    assert rows[0]["name"] == "'" + evil


def test_cohort_csv_header_from_a_quiz_slug_cannot_run_as_a_formula(
    supervisor_client, cohort
):
    QuizFactory(questions__n=1, slug="-2-3", title="Dashes")

    body = b"".join(
        supervisor_client.get(
            reverse("quiz:report-cohort", args=[cohort.pk]), {"format": "csv"}
        ).streaming_content
    ).decode("utf-8-sig")

    header = next(csv.reader(io.StringIO(body)))
    assert "'-2-3_grade" in header and "-2-3_grade" not in header
    assert all(not cell.startswith(("=", "+", "-", "@")) for cell in header)


def test_csv_is_streamed(supervisor_client, cohort):
    response = supervisor_client.get(
        reverse("quiz:report-cohort", args=[cohort.pk]), {"format": "csv"}
    )

    assert response.streaming
    assert "attachment" in response["Content-Disposition"]


def test_every_report_table_exports_csv(supervisor_client, cohort, trainee, quiz):
    take(quiz, trainee)
    urls = {
        reverse("quiz:reports"): "cohort",
        reverse("quiz:report-trainee", args=[trainee.pk]): "quiz",
        reverse("quiz:report-trainee", args=[trainee.pk]) + "?table=mastery": "rule",
        reverse("quiz:report-questions") + f"?quiz={quiz.pk}": "facility_percent",
    }
    for url, column in urls.items():
        separator = "&" if "?" in url else "?"
        rows = read_csv(supervisor_client.get(url + separator + "format=csv"))
        assert rows and column in rows[0], url


# --- trainee page and mastery --------------------------------------------------------------------


def test_mastery_flags_rules_under_80_percent(trainee):
    critical = RuleFactory(code="R-NO-TWIST", critical=True)
    easy = RuleFactory(code="R-EASY")
    RuleFactory(code="R-UNSEEN")
    quiz = QuizFactory(
        questions=[
            published_question(rules=[critical]),
            published_question(rules=[easy]),
        ]
    )
    for _ in range(3):
        attempt = attempt_start(quiz=quiz, user=trainee)
        answers = correct_answers(attempt)
        bad = attempt.items.get(critical=True).position
        answers[bad] = wrong_answers(attempt)[bad]
        attempt_submit(attempt=attempt, user=trainee, answers=answers)

    mastery = {row.rule.code: row for row in rule_mastery(user=trainee)}

    assert mastery["R-NO-TWIST"].share == 0 and not mastery["R-NO-TWIST"].mastered
    assert mastery["R-EASY"].share == 100 and mastery["R-EASY"].mastered
    assert mastery["R-UNSEEN"].answers == 0
    assert next(iter(rule_mastery(user=trainee))).rule.critical  # critical first


def test_mastery_counts_only_the_latest_ten_answers(trainee):
    rule = RuleFactory(code="R-LATEST")
    quiz = QuizFactory(questions=[published_question(rules=[rule])])
    for _ in range(10):
        take(quiz, trainee, right=False)
    for _ in range(10):
        take(quiz, trainee, right=True)

    row = next(r for r in rule_mastery(user=trainee) if r.rule.code == "R-LATEST")

    assert row.answers == 10 and row.share == 100


def test_trainee_page_shows_history_chart_and_flagged_mastery(
    supervisor_client, trainee, cohort, quiz
):
    attempt = take(quiz, trainee, right=False)

    html = supervisor_client.get(
        reverse("quiz:report-trainee", args=[trainee.pk])
    ).content.decode()

    assert reverse("quiz:report-attempt", args=[attempt.pk]) in html
    assert "not yet mastered" in html
    assert '<svg class="rw-chart"' in html
    assert 'role="img"' in html and "<title" in html and "<desc" in html


def test_trainee_sees_their_mastery_on_the_dashboard(trainee_client, trainee, quiz):
    take(quiz, trainee, right=False)

    html = trainee_client.get("/").content.decode()

    assert "My rule mastery" in html and "not yet mastered" in html


def test_supervisor_review_of_an_attempt_shows_the_answers(
    supervisor_client, trainee, cohort, quiz
):
    attempt = take(quiz, trainee, right=False)

    html = supervisor_client.get(
        reverse("quiz:report-attempt", args=[attempt.pk])
    ).content.decode()

    assert "your answer, wrong" in html and trainee.display_name in html


def test_charts_have_text_alternatives(supervisor_client, cohort, trainee, quiz):
    take(quiz, trainee)
    pages = [
        reverse("quiz:reports"),
        reverse("quiz:report-cohort", args=[cohort.pk]),
        reverse("quiz:report-trainee", args=[trainee.pk]),
        reverse("quiz:report-questions") + f"?quiz={quiz.pk}",
    ]
    for url in pages:
        html = supervisor_client.get(url).content.decode()
        assert '<svg class="rw-chart"' in html, url
        assert "<figcaption" in html and "</desc>" in html, url


def test_question_stats_filters_first_attempts_and_dates(
    supervisor_client, cohort, trainee, quiz
):
    take(quiz, trainee, right=False)
    take(quiz, trainee, right=True)
    url = reverse("quiz:report-questions")

    all_attempts = supervisor_client.get(url, {"quiz": quiz.pk})
    first_only = supervisor_client.get(url, {"quiz": quiz.pk, "attempts": "first"})
    future = supervisor_client.get(url, {"quiz": quiz.pk, "date_from": "2999-01-01"})
    backwards = supervisor_client.get(
        url, {"quiz": quiz.pk, "date_from": "2030-01-02", "date_to": "2030-01-01"}
    )

    assert all_attempts.context["quiz_stats"].attempts == 2
    assert first_only.context["quiz_stats"].attempts == 1
    assert first_only.context["quiz_stats"].mean == 0
    assert future.context["quiz_stats"].attempts == 0
    assert backwards.status_code == 400


def test_admin_question_list_shows_facility_and_discrimination(
    instructor_client, quiz, trainee
):
    take(quiz, trainee, right=True)
    take(quiz, TraineeFactory(), right=False)

    html = instructor_client.get(
        reverse("admin:questions_question_changelist")
    ).content.decode()

    assert "facility" in html.lower() and "discrimination" in html.lower()
    assert "50% (n=2)" in html


# --- query counts stay flat ------------------------------------------------------------------------


def cohort_of(size, supervisor, quiz):
    trainees = [TraineeFactory() for _ in range(size)]
    for trainee in trainees:
        take(quiz, trainee, right=trainee.pk % 2 == 0)
    return CohortFactory(trainees=trainees, supervisors=[supervisor]), trainees[0]


@pytest.mark.parametrize("size", [5, 100])
def test_report_query_counts_do_not_grow(
    supervisor_client, supervisor, quiz, size, django_assert_num_queries
):
    cohort, trainee = cohort_of(size, supervisor, quiz)
    # session, the user with permissions (2); the cohort, the published quizzes, the
    # trainees' count and page (2), grades and certificates of the page (2), the
    # totals: count, grades, certificates (3); the rule heatmap of the page:
    # the rules and the latest answers per trainee and rule (2)
    with django_assert_num_queries(13):
        assert (
            supervisor_client.get(
                reverse("quiz:report-cohort", args=[cohort.pk])
            ).status_code
            == 200
        )
    # auth (2); the trainee, their attempts with quizzes, the rules, the latest
    # answers per rule; practice (4): cards with their rules, the latest practice
    # answers per rule, sessions and answers, the streak's days
    with django_assert_num_queries(10):
        assert (
            supervisor_client.get(
                reverse("quiz:report-trainee", args=[trainee.pk])
            ).status_code
            == 200
        )
    # auth (2); cohorts with their sizes, valid certificates per cohort
    with django_assert_num_queries(4):
        assert supervisor_client.get(reverse("quiz:reports")).status_code == 200
    # question statistics: auth (2), the form's quiz (1), four aggregates (the
    # answers by slot, question, mark and rest; choice counts; the snapshots
    # answered; attempts by score and total), question titles and choices (2),
    # the filter's quiz and cohort lists (2)
    with django_assert_num_queries(11):
        assert (
            supervisor_client.get(
                reverse("quiz:report-questions"), {"quiz": quiz.pk}
            ).status_code
            == 200
        )


def test_report_query_counts_equal_for_5_and_100_trainees(client, quiz):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size in (5, 100):
        supervisor = SupervisorFactory()
        cohort, trainee = cohort_of(size, supervisor, quiz)
        client.force_login(supervisor)
        per_page = []
        for url in [
            reverse("quiz:report-cohort", args=[cohort.pk]),
            reverse("quiz:report-trainee", args=[trainee.pk]),
            reverse("quiz:reports"),
            reverse("quiz:report-questions") + f"?quiz={quiz.pk}",
        ]:
            with CaptureQueriesContext(connection) as ctx:
                client.get(url)
            per_page.append(len(ctx.captured_queries))
        counts.append(per_page)
    assert counts[0] == counts[1]


def test_csv_export_queries_grow_by_chunks_not_rows(
    supervisor_client, supervisor, quiz, settings
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cohort, _ = cohort_of(30, supervisor, quiz)
    with CaptureQueriesContext(connection) as ctx:
        response = supervisor_client.get(
            reverse("quiz:report-cohort", args=[cohort.pk]), {"format": "csv"}
        )
        rows = read_csv(response)
    assert len(rows) == 30
    # auth (2), the cohort, the quizzes, the trainees, then per chunk of 500: grades
    # and certificates (2)
    assert len(ctx.captured_queries) == 7
    assert User.objects.count() > 30 and Attempt.objects.count() >= 30


def test_question_stats_with_a_unicode_digit_cohort_is_404(supervisor_client):
    assert (
        supervisor_client.get(
            reverse("quiz:report-questions"), {"cohort": "²"}
        ).status_code
        == 404
    )


def test_trainee_mastery_hides_quizzes_that_hide_their_answers(trainee_client, trainee):
    from quiz.models import ReviewPolicy

    rule = RuleFactory(code="R-HIDDEN")
    quiz = QuizFactory(
        questions=[published_question(rules=[rule])], review=ReviewPolicy.NEVER
    )
    take(quiz, trainee, right=False)

    own = {r.rule.code: r for r in rule_mastery(user=trainee, reviewable_only=True)}
    supervisor_view = {r.rule.code: r for r in rule_mastery(user=trainee)}

    assert own["R-HIDDEN"].answers == 0
    assert supervisor_view["R-HIDDEN"].answers == 1


def test_instructors_do_not_see_audit_entries_about_accounts(
    instructor_client, instructor
):
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    LogEntry.objects.create(
        user=instructor,
        content_type=ContentType.objects.get_for_model(User),
        object_repr="someone's account",
        action_flag=CHANGE,
    )

    html = instructor_client.get(
        reverse("admin:admin_logentry_changelist")
    ).content.decode()

    assert "someone&#x27;s account" not in html and "someone's account" not in html


def test_question_statistics_are_cached_until_recalculated(
    instructor_client, cohort, trainee, quiz
):
    supervisor_client = instructor_client  # only instructors may recalculate
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("quiz:report-questions")
    take(quiz, trainee, right=True)
    first = supervisor_client.get(url, {"quiz": quiz.pk})
    take(quiz, trainee, right=False)

    with CaptureQueriesContext(connection) as cached_run:
        cached = supervisor_client.get(url, {"quiz": quiz.pk})
    fresh = supervisor_client.get(url, {"quiz": quiz.pk, "refresh": "1"})

    assert first.context["quiz_stats"].attempts == 1
    assert cached.context["quiz_stats"].attempts == 1  # as calculated before
    assert cached.context["computed"].from_cache
    assert not any(
        "quiz_attemptquestion" in q["sql"] for q in cached_run.captured_queries
    )
    assert fresh.context["quiz_stats"].attempts == 2
    assert "Recalculate now" in fresh.content.decode()


def test_supervisor_cannot_force_a_recalculation(
    supervisor_client, cohort, trainee, quiz
):
    url = reverse("quiz:report-questions")
    take(quiz, trainee, right=True)
    supervisor_client.get(url, {"quiz": quiz.pk})
    take(quiz, trainee, right=False)

    forced = supervisor_client.get(url, {"quiz": quiz.pk, "refresh": "1"})

    assert forced.context["computed"].from_cache
    assert forced.context["quiz_stats"].attempts == 1
    assert "Recalculate now" not in forced.content.decode()


def test_recalculation_runs_at_most_once_a_minute_per_quiz(
    instructor_client, trainee, quiz
):
    url = reverse("quiz:report-questions")
    take(quiz, trainee, right=True)
    instructor_client.get(url, {"quiz": quiz.pk, "refresh": "1"})
    take(quiz, trainee, right=False)

    again = instructor_client.get(url, {"quiz": quiz.pk, "refresh": "1"})

    assert again.context["computed"].from_cache
    assert again.context["quiz_stats"].attempts == 1


@pytest.mark.parametrize(
    ("method", "expected"),
    [("highest", 100), ("latest", 0), ("first", 100), ("average", 50)],
)
def test_cohort_grades_follow_each_quizs_grading_method(trainee, method, expected):
    from decimal import Decimal

    from quiz.reports.selectors import grade_cells

    quiz = QuizFactory(questions__n=1, grading_method=method)
    other = QuizFactory(questions__n=1, grading_method="highest")
    take(quiz, trainee, right=True)
    take(quiz, trainee, right=False)
    take(other, trainee, right=False)

    cells = grade_cells([trainee.pk], [quiz, other])

    assert cells[(trainee.pk, quiz.pk)].grade == Decimal(expected)
    assert cells[(trainee.pk, other.pk)].grade == 0


def test_question_stats_label_choices_as_the_trainees_saw_them(
    supervisor_client, cohort, trainee
):
    from questions.models import Choice

    question = published_question(
        choices=[("Smooth, gradual strokes", True), ("A quick twist", False)]
    )
    quiz = QuizFactory(questions=[question])
    take(quiz, trainee, right=True)
    # Edited afterwards: the right choice reworded and made wrong, the other removed.
    right = question.choices.get(text="Smooth, gradual strokes")
    Choice.objects.filter(pk=right.pk).update(text="Reworded", correct=False)
    question.choices.filter(text="A quick twist").delete()

    response = supervisor_client.get(
        reverse("quiz:report-questions"), {"quiz": quiz.pk}
    )
    (row,) = response.context["rows"]
    labels = [
        (label["text"], label["correct"], count) for label, count in row["choices"]
    ]

    assert labels == [
        ("Smooth, gradual strokes", True, 1),
        ("A quick twist (removed from the question since)", False, 0),
    ]
    assert (
        "<strong>Smooth, gradual strokes</strong> (correct): 1"
        in response.content.decode()
    )


def test_question_stats_labels_are_read_in_chunks(
    supervisor_client, cohort, trainee, monkeypatch
):
    import quiz.reports.selectors

    monkeypatch.setattr(quiz.reports.selectors, "LABEL_PAIRS_PER_QUERY", 1)
    quiz_ = QuizFactory(questions__n=3)
    take(quiz_, trainee, right=True)

    response = supervisor_client.get(
        reverse("quiz:report-questions"), {"quiz": quiz_.pk}
    )

    rows = response.context["rows"]
    assert len(rows) == 3
    assert all(
        [label["correct"] for label, _count in row["choices"]].count(True) >= 1
        and row["stats"].choice_labels
        for row in rows
    )


def test_certified_counts_only_valid_certificates(supervisor_client, supervisor):
    from datetime import timedelta

    from django.utils import timezone

    from quiz.certificates.services import certificate_revoke
    from quiz.models import Certificate

    exam = QuizFactory(
        questions__n=1, certificate_on_pass=True, certificate_validity_months=12
    )
    valid, revoked, expired, idle = TraineeFactory.create_batch(4)
    CohortFactory(
        name="Valid only",
        trainees=[valid, revoked, expired, idle],
        supervisors=[supervisor],
    )
    for trainee in (valid, revoked, expired):
        take(exam, trainee)
    certificate_revoke(
        certificate=Certificate.objects.get(user=revoked),
        by=supervisor,
        reason="Failed the practical assessment.",
    )
    long_ago = timezone.now() - timedelta(days=800)
    Certificate.objects.filter(user=expired).update(
        issued_at=long_ago, expires_at=long_ago + timedelta(days=365)
    )

    response = supervisor_client.get(reverse("quiz:reports"))

    [cohort] = [c for c in response.context["cohorts"] if c.name == "Valid only"]
    assert cohort.n_trainees == 4
    assert cohort.n_certified == 1
    assert "Valid certificate" in response.content.decode()

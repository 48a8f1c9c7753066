"""Instructors author questions in the admin; a broken question cannot be published."""

import re

import pytest

from django.contrib.messages import get_messages
from django.urls import reverse

from questions.models import Choice, Question, QuestionStatus, QuestionType, Rule
from tests.factories import (
    CategoryFactory,
    QuestionFactory,
    RuleFactory,
    UserFactory,
    published_question,
)

pytestmark = pytest.mark.django_db


def add_form_data(*, category, rules, status, choices, qtype="single", stem="How?"):
    data = {
        "title": "A new question",
        "idnumber": "",
        "qtype": qtype,
        "category": category.pk,
        "stem": stem,
        "explanation": "Because the rule says so.",
        "status": status,
        "rules_tested": [rule.pk for rule in rules],
        "choices-TOTAL_FORMS": str(len(choices)),
        "choices-INITIAL_FORMS": "0",
        "choices-MIN_NUM_FORMS": "0",
        "choices-MAX_NUM_FORMS": "1000",
    }
    for i, (text, correct) in enumerate(choices):
        data[f"choices-{i}-order"] = str(i)
        data[f"choices-{i}-text"] = text
        data[f"choices-{i}-feedback"] = f"About {text}"
        if correct:
            data[f"choices-{i}-correct"] = "on"
    return data


def test_instructor_opens_changelist_add_form_and_preview(instructor_client):
    question = published_question()

    changelist = instructor_client.get(reverse("admin:questions_question_changelist"))
    add = instructor_client.get(reverse("admin:questions_question_add"))
    preview = instructor_client.get(
        reverse("admin:questions_question_preview", args=[question.pk])
    )

    assert changelist.status_code == 200
    assert question.title in changelist.content.decode()
    assert add.status_code == 200
    assert preview.status_code == 200
    assert question.stem in preview.content.decode()
    assert "Preview as a trainee sees it" in preview.content.decode()


def test_instructor_gets_403_on_users_and_groups(instructor_client):
    assert (
        instructor_client.get(reverse("admin:accounts_user_changelist")).status_code
        == 403
    )
    assert (
        instructor_client.get(reverse("admin:auth_group_changelist")).status_code == 403
    )
    index = instructor_client.get(reverse("admin:index")).content.decode()
    assert "Questions" in index
    assert reverse("admin:accounts_user_changelist") not in index


def test_trainee_cannot_reach_the_admin(trainee_client):
    response = trainee_client.get(reverse("admin:questions_question_changelist"))

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_preview_of_a_missing_question_is_404(instructor_client):
    response = instructor_client.get(
        reverse("admin:questions_question_preview", args=[999999])
    )

    assert response.status_code == 404


def test_admin_creates_a_published_question_with_author_and_rules(
    instructor_client, instructor
):
    category, rule = CategoryFactory(), RuleFactory()
    data = add_form_data(
        category=category,
        rules=[rule],
        status=QuestionStatus.PUBLISHED,
        choices=[("Smoothly", True), ("With a twist", False)],
    )

    response = instructor_client.post(reverse("admin:questions_question_add"), data)

    assert response.status_code == 302, (
        response.context["errors"] if response.context else ""
    )
    question = Question.objects.get(title="A new question")
    assert question.status == QuestionStatus.PUBLISHED
    assert question.author == instructor
    assert list(question.rules.all()) == [rule]
    assert question.choices.count() == 2


@pytest.mark.parametrize(
    ("choices", "rules", "message"),
    [
        ([("Smoothly", True), ("Gradually", True)], True, "exactly one correct choice"),
        ([("Smoothly", True), ("With a twist", False)], False, "at least one rule"),
        ([("Smoothly", True), ("smoothly", False)], True, "same text"),
    ],
)
def test_admin_refuses_to_publish_a_broken_question_and_saves_nothing(
    instructor_client, choices, rules, message
):
    category, rule = CategoryFactory(), RuleFactory()
    data = add_form_data(
        category=category,
        rules=[rule] if rules else [],
        status=QuestionStatus.PUBLISHED,
        choices=choices,
    )

    response = instructor_client.post(reverse("admin:questions_question_add"), data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Question.objects.filter(title="A new question").exists()
    assert not Choice.objects.exists()


def test_admin_saves_a_broken_question_as_draft(instructor_client):
    data = add_form_data(
        category=CategoryFactory(),
        rules=[],
        status=QuestionStatus.DRAFT,
        choices=[("Smoothly", True), ("Gradually", True)],
    )

    response = instructor_client.post(reverse("admin:questions_question_add"), data)

    assert response.status_code == 302
    assert Question.objects.get(title="A new question").status == QuestionStatus.DRAFT


def test_admin_edit_that_breaks_a_published_question_is_refused(instructor_client):
    question = published_question(qtype=QuestionType.SINGLE)
    choices = list(question.choices.all())
    data = add_form_data(
        category=question.category,
        rules=list(question.rules.all()),
        status=QuestionStatus.PUBLISHED,
        choices=[],
        stem=question.stem,
    )
    data.update(
        {
            "choices-TOTAL_FORMS": str(len(choices)),
            "choices-INITIAL_FORMS": str(len(choices)),
        }
    )
    for i, choice in enumerate(choices):
        data[f"choices-{i}-id"] = str(choice.pk)
        data[f"choices-{i}-question"] = str(question.pk)
        data[f"choices-{i}-order"] = str(i)
        data[f"choices-{i}-text"] = choice.text
        data[f"choices-{i}-correct"] = "on"  # every choice correct: not single any more

    response = instructor_client.post(
        reverse("admin:questions_question_change", args=[question.pk]), data
    )

    assert response.status_code == 200
    assert "exactly one correct choice" in response.content.decode()
    assert question.choices.filter(correct=True).count() == 1


def test_bulk_publish_reports_which_questions_failed_and_why(instructor_client):
    good = QuestionFactory(title="Good one")
    bad = QuestionFactory(
        title="Bad one", choices=[("A", True), ("B", True), ("C", False)]
    )
    no_rule = QuestionFactory(title="No rule", rules=[])

    response = instructor_client.post(
        reverse("admin:questions_question_changelist"),
        {
            "action": "publish_selected",
            "_selected_action": [good.pk, bad.pk, no_rule.pk],
        },
        follow=True,
    )

    texts = [str(m) for m in get_messages(response.wsgi_request)]
    good.refresh_from_db()
    bad.refresh_from_db()
    no_rule.refresh_from_db()
    assert good.status == QuestionStatus.PUBLISHED
    assert bad.status == QuestionStatus.DRAFT
    assert no_rule.status == QuestionStatus.DRAFT
    assert "1 question published." in texts
    assert any("Bad one" in t and "exactly one correct choice" in t for t in texts)
    assert any("No rule" in t and "at least one rule" in t for t in texts)


def test_bulk_unpublish_retires_questions(instructor_client):
    question = published_question()

    instructor_client.post(
        reverse("admin:questions_question_changelist"),
        {"action": "unpublish_selected", "_selected_action": [question.pk]},
    )

    question.refresh_from_db()
    assert question.status == QuestionStatus.DRAFT


def test_changelist_filters_and_search(instructor_client):
    critical_rule = RuleFactory(critical=True)
    critical = published_question(title="Critical one", rules=[critical_rule])
    plain = published_question(
        title="Plain one", choices=[("Alpha", True), ("Beta", False)]
    )
    url = reverse("admin:questions_question_changelist")

    only_critical = instructor_client.get(url, {"critical": "yes"}).content.decode()
    by_choice_text = instructor_client.get(url, {"q": "Beta"}).content.decode()
    by_rule = instructor_client.get(
        url, {"rules__id__exact": critical_rule.pk}
    ).content.decode()

    assert critical.title in only_critical and plain.title not in only_critical
    assert plain.title in by_choice_text and critical.title not in by_choice_text
    assert critical.title in by_rule and plain.title not in by_rule


def test_deleting_a_rule_in_use_is_refused_with_the_reason(instructor_client):
    rule = RuleFactory(title="Rule in use")
    QuestionFactory(rules=[rule], title="Uses the rule")

    response = instructor_client.post(
        reverse("admin:questions_rule_delete", args=[rule.pk]), {"post": "yes"}
    )

    assert Rule.objects.filter(pk=rule.pk).exists()
    body = response.content.decode()
    assert "protected" in body
    assert "Uses the rule" in body or "rule tested" in body.lower()


def test_question_list_says_its_discrimination_is_pooled(admin_client):
    """Pooled over quizzes of different lengths it is not Moodle's per-quiz index:
    the note above the list says so."""
    published_question()
    response = admin_client.get(reverse("admin:questions_question_changelist"))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Facility and discrimination: all quizzes pooled." in body


def column_classes(body: str) -> list[str]:
    """The list's columns, in order, as Django names them (column-<field>)."""
    return re.findall(r'<th scope="col" class="[^"]*column-([\w_]+)', body)


def test_question_list_puts_what_instructors_scan_for_first(instructor_client):
    published_question()

    response = instructor_client.get(reverse("admin:questions_question_changelist"))

    assert column_classes(response.content.decode())[:7] == [
        "id",
        "__str__",
        "type_label",
        "status",
        "critical_flag",
        "facility",
        "discrimination",
    ]


def test_question_list_shows_each_rule_code_on_its_own_line(instructor_client):
    rules = [RuleFactory(code="R-FIRST"), RuleFactory(code="R-SECOND")]
    published_question(rules=rules)

    response = instructor_client.get(reverse("admin:questions_question_changelist"))

    assert "R-FIRST<br>R-SECOND" in response.content.decode()


@pytest.mark.parametrize("n_questions", [1, 8])
def test_question_list_queries_do_not_grow_with_the_questions(
    instructor_client, n_questions, django_assert_num_queries
):
    for _ in range(n_questions):
        published_question()
    url = reverse("admin:questions_question_changelist")

    # session, the user with their groups' permissions, their own permissions
    # (the admin's model permission checks),
    # the category and rule filters (2), the filtered and the full count (2),
    # the page of questions (with critical flag and choice count), their rules
    # (prefetch), their item statistics
    with django_assert_num_queries(10):
        response = instructor_client.get(url)

    assert response.status_code == 200


# --- The admin's skin: favicon, colours, the way to the reports ----------------


def test_admin_pages_link_the_site_favicon_and_stylesheet(client, instructor):
    pages = [
        reverse("admin:login"),  # signed out
        reverse("admin:index"),
        reverse("admin:questions_question_changelist"),
        reverse("admin:quiz_quiz_add"),
    ]
    for url in pages:
        response = client.get(url)
        client.force_login(instructor)
        body = response.content.decode()

        assert response.status_code == 200

        assert re.search(r'<link rel="icon" href="[^"]*img/favicon[^"]*\.svg"', body)
        assert re.search(
            r'<link rel="stylesheet" href="[^"]*css/admin[^"]*\.css"', body
        )


def test_admin_links_the_reports_for_instructors(instructor_client):
    body = instructor_client.get(reverse("admin:index")).content.decode()

    assert f'<a href="{reverse("quiz:reports")}">Reports</a>' in body


def test_admin_shows_no_reports_link_to_staff_who_may_not_read_them(client):
    staff = UserFactory(is_staff=True)
    client.force_login(staff)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 200
    assert reverse("quiz:reports") not in response.content.decode()

"""End-to-end: a trainee signs in, takes quizzes and reads the feedback, in Chromium."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from quiz.course import FINAL_EXAM_SIZE, FINAL_EXAM_SLUG
from quiz.models import Attempt, AttemptState, Quiz
from quiz.templatetags.quiz_tags import percent
from tests.browser.axe import AxeAudit

pytestmark = [
    pytest.mark.browser,
    # live_server needs real transactions; the flush between tests would also
    # remove the role groups of the data migration, so they are restored.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TRAINEE = "trainee"
FINAL_EXAM_TITLE = "Final exam: safe massage with a cervical hernia"
# A module quiz of the demo (all questions on one page) whose every question
# tests a safety-critical rule, with enough questions that one wrong answer
# still scores above the pass mark.
SAFETY_MODULE_SLUG = "module-home-massage"


# --- helpers ------------------------------------------------------------------


def sign_in(
    page: Page, password: str, username: str = TRAINEE, name: str = "Ana Costa"
) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {name}")


def open_quiz_and_start(page: Page, title: str) -> Attempt:
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Quizzes"
    ).click()
    expect(page).to_have_url(re.compile(r"/quizzes/$"))
    page.get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    page.get_by_role("button", name="Start the quiz").click()
    expect(page).to_have_url(re.compile(r"/attempts/\d+/$"))
    pk = int(re.search(r"/attempts/(\d+)/", page.url).group(1))
    return Attempt.objects.get(pk=pk, user__username=TRAINEE, quiz__title=title)


def right_choices(item) -> list[int]:
    return [c["id"] for c in item.snapshot["choices"] if c["correct"]]


def wrong_choice(item) -> list[int]:
    return [next(c["id"] for c in item.snapshot["choices"] if not c["correct"])]


def is_autosave(response) -> bool:
    request = response.request
    return request.method == "POST" and request.headers.get("x-requested-with") == (
        "fetch"
    )


def choose(page: Page, item, choice_ids: list[int]) -> None:
    """Click the labels of the choices, as a person would.

    Each click makes attempt.js autosave in the background; wait for that save,
    so that it never races the form's own submission. The page must have
    loaded first: attempt.js adds the autosave at the end of the page.
    """
    page.wait_for_load_state("load")
    # The page numbers the choices in the order shown, never by their ids.
    place = {c["id"]: n for n, c in enumerate(item.snapshot["choices"], start=1)}
    for choice_id in choice_ids:
        with page.expect_response(is_autosave) as saved:
            page.locator(f'label[for="q-{item.position}-{place[choice_id]}"]').click()
        assert saved.value.status == 204, saved.value.status
    for choice in item.snapshot["choices"]:
        box = page.locator(f"#q-{item.position}-{place[choice['id']]}")
        if choice["id"] in choice_ids:
            expect(box).to_be_checked()
        else:
            expect(box).not_to_be_checked()


def screenshot(page: Page, name: str) -> None:
    folder = os.environ.get("RULEWISE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name), full_page=True)


def review_and_submit(page: Page, attempt: Attempt) -> None:
    page.get_by_role("button", name="Review and submit").click()
    expect(page).to_have_url(re.compile(rf"/attempts/{attempt.pk}/submit/$"))
    n = attempt.items.count()
    expect(page.get_by_role("main")).to_contain_text(
        f"You have answered all {n} questions."
    )
    page.get_by_role("button", name="Submit and see my result").click()
    expect(page).to_have_url(re.compile(rf"/attempts/{attempt.pk}/result/$"))


# --- tests --------------------------------------------------------------------


def test_trainee_takes_the_final_exam_and_sees_feedback(page: Page, demo):
    sign_in(page, demo)
    attempt = open_quiz_and_start(page, FINAL_EXAM_TITLE)
    items = list(attempt.items.all())
    assert len(items) == FINAL_EXAM_SIZE

    for item in items:
        expect(page).to_have_url(
            re.compile(rf"/attempts/{attempt.pk}/(\?page={item.position})?$")
        )
        expect(page.get_by_role("main")).to_contain_text(
            f"Question {item.position} of {FINAL_EXAM_SIZE}"
        )
        expect(page.locator("legend")).to_contain_text(item.snapshot["stem"].strip())
        multiple = item.snapshot["qtype"] == "multiple"
        expect(
            page.locator(f'input[name="q-{item.position}"]').first
        ).to_have_attribute("type", "checkbox" if multiple else "radio")
        choose(page, item, right_choices(item))
        if item.position == 1:
            screenshot(page, "attempt.png")
        if item.position < FINAL_EXAM_SIZE:
            page.get_by_role("button", name="Save and next").click()
        else:
            expect(page.get_by_role("button", name="Save and next")).to_have_count(0)

    review_and_submit(page, attempt)

    attempt.refresh_from_db()
    assert attempt.state == AttemptState.FINISHED
    assert attempt.passed is True
    assert attempt.failed_critical is False
    assert attempt.score == 100

    main = page.get_by_role("main")
    expect(page.get_by_role("heading", level=1)).to_have_text("Passed")
    expect(main).to_contain_text("Score 100% (pass mark 80%)")
    expect(main).to_contain_text(
        f"{FINAL_EXAM_SIZE} of {FINAL_EXAM_SIZE} questions fully right."
    )
    expect(page.get_by_role("alert")).to_have_count(0)
    questions = page.locator("main article")
    expect(questions).to_have_count(FINAL_EXAM_SIZE)
    for item in attempt.items.all():
        card = page.get_by_role(
            "article", name=re.compile(rf"^Question {item.position}\b")
        )
        expect(card.get_by_role("heading")).to_contain_text("Right")
        expect(card).to_contain_text(item.snapshot["stem"].strip())
        expect(card.get_by_text("your answer, right")).to_have_count(
            len(right_choices(item))
        )
        if item.snapshot.get("explanation"):
            expect(card).to_contain_text("Why:")
        codes = card.locator(".rw-rule-code")
        expect(codes).to_have_text([rule["code"] for rule in item.snapshot["rules"]])
        if item.critical:
            expect(card.get_by_text("safety-critical").first).to_be_visible()
    screenshot(page, "result.png")

    # The quiz list now shows the exam as passed.
    page.goto("/quizzes/")
    card = page.locator(".card").filter(has_text=FINAL_EXAM_TITLE)
    expect(card.locator(".badge")).to_have_text("Passed")


def test_wrong_answer_on_a_safety_critical_question_fails_the_attempt(page: Page, demo):
    quiz = Quiz.objects.get(slug=SAFETY_MODULE_SLUG)
    sign_in(page, demo)
    attempt = open_quiz_and_start(page, quiz.title)
    items = list(attempt.items.all())
    critical = [item for item in items if item.critical]
    assert critical, "the module quiz has no safety-critical question"
    assert (len(items) - 1) * 100 / len(items) >= quiz.pass_mark, (
        "one wrong answer must still score above the pass mark for this test"
    )
    wrong = critical[0]

    # All questions on one page.
    expect(page.locator("fieldset")).to_have_count(len(items))
    for item in items:
        choose(page, item, wrong_choice(item) if item == wrong else right_choices(item))
    review_and_submit(page, attempt)

    attempt.refresh_from_db()
    assert attempt.state == AttemptState.FINISHED
    assert attempt.score >= attempt.pass_mark
    assert attempt.passed is False
    assert attempt.failed_critical is True

    main = page.get_by_role("main")
    expect(page.get_by_role("heading", level=1)).to_have_text("Not passed")
    expect(main).to_contain_text(
        f"Score {percent(attempt.score)} (pass mark {attempt.pass_mark}%)"
    )
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(
        "A safety-critical question was answered wrongly, so this attempt does not "
        "pass whatever the score."
    )
    failed_codes = [
        rule["code"] for rule in wrong.snapshot["rules"] if rule["critical"]
    ]
    assert failed_codes
    expect(alert.locator(".rw-rule-code")).to_have_text(failed_codes)

    card = page.get_by_role(
        "article", name=re.compile(rf"^Question {wrong.position}\b")
    )
    expect(card.get_by_role("heading")).to_contain_text("Wrong")
    expect(card.get_by_text("your answer, wrong")).to_have_count(1)
    expect(card.get_by_text("correct answer", exact=True)).to_have_count(
        len(right_choices(wrong))
    )
    for code in failed_codes:
        expect(card.locator(".rw-rule-code", has_text=code)).to_have_count(1)


def test_pages_have_no_serious_accessibility_violations(page: Page, demo):
    audit = AxeAudit()
    page.goto("/")
    audit.check(page)
    page.goto("/accounts/login/")
    audit.check(page)
    # The login form showing an error.
    page.get_by_label("Username").fill(TRAINEE)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".alert-danger, .invalid-feedback").first).to_be_visible()
    audit.check(page)

    sign_in(page, demo)
    audit.check(page)  # dashboard
    page.goto("/quizzes/")
    audit.check(page)
    page.goto(f"/quizzes/{FINAL_EXAM_SLUG}/")
    audit.check(page)
    attempt = open_quiz_and_start(page, FINAL_EXAM_TITLE)
    audit.check(page)  # attempt page, question 1
    items = list(attempt.items.all())
    choose(page, items[0], wrong_choice(items[0]))
    # Jump with the question navigator to question 10, answer it, move on: the
    # navigator then marks answered questions, one with a two-digit number
    # (axe skips one-character buttons in its contrast check).
    page.get_by_role("button", name="10 (not answered)").click()
    expect(page).to_have_url(re.compile(r"\?page=10$"))
    choose(page, items[9], right_choices(items[9]))
    page.get_by_role("button", name="Save and next").click()
    expect(page).to_have_url(re.compile(r"\?page=11$"))
    expect(page.get_by_role("button", name="10 (answered)")).to_be_visible()
    audit.check(page)  # question 11, with the navigator showing answered questions
    page.get_by_role("button", name="Review and submit").click()
    expect(page).to_have_url(re.compile(rf"/attempts/{attempt.pk}/submit/$"))
    audit.check(page)  # review page, listing the unanswered questions
    page.get_by_role("button", name="Submit and see my result").click()
    expect(page).to_have_url(re.compile(rf"/attempts/{attempt.pk}/result/$"))
    audit.check(page)  # result page: right, wrong and unanswered questions
    page.goto(f"/quizzes/{FINAL_EXAM_SLUG}/")
    audit.check(page)  # quiz page with the attempts table
    page.goto("/attempts/")
    audit.check(page)

    if audit.minor:
        print("Minor/moderate axe findings (not failing):", *audit.minor, sep="\n  ")
    assert not audit.failures, "\n\n".join(audit.failures)


def test_pages_load_nothing_from_elsewhere_and_log_no_errors(
    page: Page, demo, live_server, browser_log
):
    response = page.goto("/")
    # The site's own policy, or the test's strict one where the site sets none.
    policy = response.headers["content-security-policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, policy
    sign_in(page, demo)

    # The site's stylesheet and Bootstrap's JavaScript are served and work.
    expect(page.locator(".rw-navbar")).to_have_css(
        "background-color", "rgb(15, 95, 92)"
    )
    page.get_by_role("button", name="Ana Costa").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.keyboard.press("Escape")

    attempt = open_quiz_and_start(page, FINAL_EXAM_TITLE)
    # attempt.js runs: the countdown is filled in and an answer is autosaved.
    expect(page.locator(".rw-timer-left")).to_have_text(re.compile(r"^\d+:\d\d$"))
    first = attempt.items.get(position=1)
    choose(page, first, right_choices(first))
    page.get_by_role("button", name="Save and next").click()
    expect(page).to_have_url(re.compile(r"\?page=2$"))
    page.get_by_role("button", name="Review and submit").click()
    page.get_by_role("button", name="Submit and see my result").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Not passed")
    page.get_by_role("link", name="All my attempts").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My attempts")

    origin = live_server.url + "/"
    assert len(browser_log.requests) > 20, browser_log.requests
    outside = [url for url in browser_log.requests if not url.startswith(origin)]
    assert not outside, f"requests outside {origin}: {outside}"
    assert not browser_log.console_errors, (
        f"console errors (CSP: {policy}):\n" + "\n".join(browser_log.console_errors)
    )
    assert not browser_log.page_errors, browser_log.page_errors
    # A request cut short by the next page load (often the favicon) is no error;
    # one refused by the policy or the network (net::ERR_BLOCKED_BY_CSP...) is.
    failed = [f for f in browser_log.failed_requests if "net::ERR_ABORTED" not in f]
    assert not failed, failed
    assert not browser_log.bad_responses, browser_log.bad_responses

    # Control: the policy is enforced and its violations reach the console log.
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.inlineRan = true";
            document.body.append(script);
        }"""
    )
    expect(page.locator("body")).to_be_visible()
    assert page.evaluate("window.inlineRan") is None
    assert any("Content Security Policy" in e for e in browser_log.console_errors), (
        browser_log.console_errors
    )

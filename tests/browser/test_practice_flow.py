"""End-to-end: a trainee reads the rules and practises, with immediate feedback,
in Chromium under the strict CSP, with an axe scan of every practice page."""

import re

import pytest
from playwright.sync_api import Page, expect

from quiz.practice.models import PracticeCard, PracticeItem
from tests.browser.axe import AxeAudit
from tests.browser.test_trainee_flow import screenshot, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def answer(page: Page, item: PracticeItem, right: bool) -> None:
    """Click the label of a right (or a wrong) choice, as a person would."""
    for place, choice in enumerate(item.choices, start=1):
        if choice["correct"] == right:
            page.locator(f'label[for="answer-{place}"]').click()
            if item.qtype != "multiple" or not right:
                break
    page.get_by_role("button", name="Check my answer").click()


def test_trainee_practises_with_immediate_feedback(page: Page, demo):
    audit = AxeAudit()
    sign_in(page, demo)
    expect(page.get_by_role("main")).to_contain_text("0 questions due today")

    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Rules"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rules of the course")
    expect(page.locator("mark").first).to_be_visible()
    audit.check(page)  # the rules reader, critical rules first
    screenshot(page, "rules-reader.png")

    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Practice"
    ).click()
    audit.check(page)  # practice home: nothing due yet, a streak of 0
    page.get_by_role("button", name="Start a session").click()
    expect(page).to_have_url(re.compile(r"/practice/questions/\d+/$"))
    audit.check(page)  # a question, no key
    screenshot(page, "practice-question.png")

    for n, right in enumerate([False, True, True], start=1):
        pk = int(re.search(r"/practice/questions/(\d+)/", page.url).group(1))
        item = PracticeItem.objects.get(pk=pk, session__user__username="trainee")
        assert item.critical  # critical rules come first
        answer(page, item, right=right)
        verdict = page.get_by_role("heading", level=2).first
        expect(verdict).to_contain_text("Right" if right else "Wrong")
        expect(page.get_by_role("main")).to_contain_text("Why:")
        if n == 1:
            audit.check(page)  # the feedback of a wrong answer
            screenshot(page, "practice-feedback.png")
        page.get_by_role("button", name="Next").click()

    page.get_by_role("button", name="Stop for now").click()
    expect(page).to_have_url(re.compile(r"/practice/$"))
    expect(page.get_by_role("alert").or_(page.locator(".alert")).first).to_contain_text(
        "Session ended: 2 of 3 right."
    )
    assert PracticeCard.objects.filter(user__username="trainee", reps=1).count() == 3

    page.goto("/")
    expect(page.get_by_role("main")).to_contain_text("a streak of 1 day")

    if audit.minor:
        print("Minor/moderate axe findings (not failing):", *audit.minor, sep="\n  ")
    assert not audit.failures, "\n\n".join(audit.failures)

"""End-to-end: the exam screen in Chromium. Flags, resuming where the trainee
stopped, the countdown's warning, the "Saved" state (and what happens offline),
the summary before submitting, and the result page's strip and "only my mistakes"."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from django.utils import timezone

from quiz.models import Attempt
from tests.browser.test_trainee_flow import (
    FINAL_EXAM_TITLE,
    choose,
    is_autosave,
    open_quiz_and_start,
    right_choices,
    screenshot,
    sign_in,
    wrong_choice,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def nav_button(page: Page, position: int):
    return page.locator(f'.rw-qgrid [data-position="{position}"]')


def test_flag_and_unflag_a_question(page: Page, demo):
    sign_in(page, demo)
    attempt = open_quiz_and_start(page, FINAL_EXAM_TITLE)
    page.wait_for_load_state("load")

    # The toggle is a checkbox behind a button-like label; ticking it saves.
    with page.expect_response(is_autosave) as saved:
        page.locator('label[for="flag-1"]').click()
    assert saved.value.status == 204
    expect(page.locator("#flag-1")).to_be_checked()
    expect(page.locator('label[for="flag-1"]')).to_contain_text("Flagged")
    expect(nav_button(page, 1)).to_have_class(re.compile(r"\brw-qbtn-flagged\b"))
    expect(nav_button(page, 1)).to_contain_text("(not answered, flagged)")
    assert attempt.items.get(position=1).flagged

    # Stored with the attempt: another page shows it, and so does a reload.
    page.get_by_role("button", name="Save and next").click()
    expect(page).to_have_url(re.compile(r"\?page=2$"))
    expect(nav_button(page, 1)).to_have_class(re.compile(r"\brw-qbtn-flagged\b"))
    nav_button(page, 1).click()
    expect(page).to_have_url(re.compile(r"\?page=1$"))
    expect(page.locator("#flag-1")).to_be_checked()

    with page.expect_response(is_autosave):
        page.locator('label[for="flag-1"]').click()
    expect(page.locator("#flag-1")).not_to_be_checked()
    expect(nav_button(page, 1)).not_to_have_class(re.compile(r"\brw-qbtn-flagged\b"))
    assert not attempt.items.get(position=1).flagged


def test_resume_opens_the_question_where_the_trainee_stopped(page: Page, demo):
    sign_in(page, demo)
    attempt = open_quiz_and_start(page, FINAL_EXAM_TITLE)
    items = list(attempt.items.all())
    for position in (1, 2):
        choose(page, items[position - 1], right_choices(items[position - 1]))
        page.get_by_role("button", name="Save and next").click()
    expect(page).to_have_url(re.compile(r"\?page=3$"))

    page.goto("/")
    page.get_by_role("link", name=re.compile("^Resume")).first.click()
    expect(page).to_have_url(re.compile(rf"/attempts/{attempt.pk}/$"))
    expect(page.locator("#question-3")).to_be_visible()
    expect(page.locator(".rw-qgrid .rw-qbtn-current")).to_have_attribute(
        "data-position", "3"
    )
    expect(page.locator("#rw-answered")).to_have_text("2")


def test_the_countdown_warns_five_minutes_and_one_minute_before_the_end(
    page: Page, demo
):
    sign_in(page, demo)
    attempt = open_quiz_and_start(page, FINAL_EXAM_TITLE)
    timer = page.locator("#rw-timer")
    expect(timer).not_to_have_class(re.compile("rw-timer-(warn|last)"))
    expect(page.locator(".rw-timer-left")).to_have_text(re.compile(r"^(29|30):\d\d$"))

    # 61 seconds left: the page opens warned (five minutes), and the countdown
    # itself moves to the last-minute warning, in words, a second later.
    Attempt.objects.filter(pk=attempt.pk).update(
        deadline=timezone.now() + timedelta(seconds=62)
    )
    page.reload()
    expect(timer).to_have_class(re.compile(r"\brw-timer-warn\b"))
    expect(page.locator("#rw-timer-warning")).to_contain_text("5 minutes or less left")
    expect(timer).to_have_class(re.compile(r"\brw-timer-last\b"), timeout=8_000)
    expect(page.locator("#rw-timer-warning")).to_contain_text("Less than a minute left")
    expect(page.locator(".rw-timer-left")).to_have_text(re.compile(r"^0:[0-5]\d$"))
    # The bar stays in view while the trainee scrolls.
    page.set_viewport_size({"width": 375, "height": 740})
    page.mouse.wheel(0, 2000)
    box = page.locator(".rw-exam-bar").bounding_box()
    assert box is not None and 0 <= box["y"] < 740, box
    screenshot(page, "exam-last-minute-375.png")


def test_saving_shows_saved_and_says_so_when_the_connection_drops(page: Page, demo):
    sign_in(page, demo)
    attempt = open_quiz_and_start(page, FINAL_EXAM_TITLE)
    first, second = attempt.items.all()[:2]
    state = page.locator("#rw-save-state")
    choose(page, first, right_choices(first))
    expect(state).to_have_text(re.compile(r"^Saved at \d"))
    assert attempt.items.get(position=1).selected == right_choices(first)

    # Offline: the change is kept on the page, the bar says it is not saved…
    page.context.set_offline(True)
    place = {c["id"]: n for n, c in enumerate(first.snapshot["choices"], start=1)}
    other = place[wrong_choice(first)[0]]
    page.locator(f'label[for="q-1-{other}"]').click()
    expect(page.locator("#rw-save-state.rw-save-failed")).to_contain_text("Not saved")
    assert attempt.items.get(position=1).selected == right_choices(first)

    # …and sends it again once the connection is back.
    page.context.set_offline(False)
    expect(state).to_have_text(re.compile(r"^Saved at \d"), timeout=10_000)
    # (A tick adds to a multiple-answer question's choices; it replaces a
    # single-answer question's.)
    expected = set(wrong_choice(first))
    if first.qtype == "multiple":
        expected |= set(right_choices(first))
    assert set(attempt.items.get(position=1).selected) == expected
    assert second.position == 2


def test_the_summary_lists_flags_and_leads_back_to_a_question(page: Page, demo):
    sign_in(page, demo)
    attempt = open_quiz_and_start(page, FINAL_EXAM_TITLE)
    items = list(attempt.items.all())
    choose(page, items[0], right_choices(items[0]))
    page.get_by_role("button", name="Save and next").click()
    with page.expect_response(is_autosave):
        page.locator('label[for="flag-2"]').click()
    page.get_by_role("button", name="Finish attempt…").click()
    expect(page).to_have_url(re.compile(rf"/attempts/{attempt.pk}/submit/$"))
    summary = page.locator(".rw-summary")
    expect(summary.locator("li")).to_have_count(len(items))
    expect(summary.locator("li").nth(0)).to_contain_text("Answered")
    expect(summary.locator("li").nth(1)).to_contain_text("Not answered")
    expect(summary.locator("li").nth(1)).to_contain_text("Flagged")
    expect(page.get_by_role("main")).to_contain_text(
        f"{len(items) - 1} questions are not answered."
    )
    summary.get_by_role("link", name="Question 2", exact=True).click()
    expect(page).to_have_url(re.compile(r"\?page=2$"))
    expect(page.locator("#flag-2")).to_be_checked()


def test_the_result_strip_and_only_my_mistakes(page: Page, demo):
    sign_in(page, demo)
    attempt = open_quiz_and_start(page, FINAL_EXAM_TITLE)
    items = list(attempt.items.all())
    choose(page, items[0], right_choices(items[0]))
    page.get_by_role("button", name="Save and next").click()
    choose(page, items[1], wrong_choice(items[1]))
    page.get_by_role("button", name="Review and submit").click()
    page.get_by_role("button", name="Submit and see my result").click()
    expect(page).to_have_url(re.compile(rf"/attempts/{attempt.pk}/result/$"))

    strip = page.locator(".rw-strip")
    expect(strip.locator(".rw-strip-cell")).to_have_count(len(items))
    expect(strip.locator(".rw-strip-right")).to_have_count(1)
    expect(strip.locator(".rw-strip-wrong")).to_have_count(1)
    expect(strip.locator(".rw-strip-unanswered")).to_have_count(len(items) - 2)
    expect(page.locator("article")).to_have_count(len(items))
    expect(
        page.get_by_role("button", name=re.compile(r"^Try again \(2 attempts left\)$"))
    ).to_be_visible()

    page.get_by_role("link", name=f"Only my mistakes ({len(items) - 1})").click()
    expect(page).to_have_url(re.compile(r"\?show=mistakes$"))
    expect(page.locator("article")).to_have_count(len(items) - 1)
    expect(page.locator("#q1-title")).to_have_count(0)
    expect(page.locator("#q2-title")).to_contain_text("Wrong")
    page.set_viewport_size({"width": 375, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "result-mistakes-375.png")

    # The square of the right question leads back to the whole review.
    strip.locator(".rw-strip-right").click()
    expect(page).to_have_url(re.compile(r"/result/\?#q1-title$"))
    expect(page.locator("#q1-title")).to_be_visible()

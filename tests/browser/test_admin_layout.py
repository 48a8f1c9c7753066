"""The admin as an instructor sees it at 1280 × 900 in Chromium: the question list
and the quiz form fit, the quiz form shows its total, the site's colours, the way
to the reports and the favicon, all under the strict CSP."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from questions.interchange import questions_export
from questions.models import Question, Rule
from quiz.course import FINAL_EXAM_SIZE, FINAL_EXAM_SLUG
from quiz.models import Quiz

pytestmark = [
    pytest.mark.browser,
    # live_server needs real transactions; the flush between tests would also
    # remove the role groups of the data migration, so they are restored.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDTH = 1280
TEAL = "rgb(15, 95, 92)"  # --rw-teal, #0f5f5c, in static/css/rulewise.css
# The question list's columns that must be in view, as Django names them.
LIST_COLUMNS = {
    "id": "ID",
    "type_label": "Type",
    "status": "Status",
    "critical_flag": "Critical",
    "facility": "Facility",
    "discrimination": "Discrimination",
}


def sign_in_to_the_admin(page: Page, password: str) -> None:
    """The demo's instructor (Ivan Petrov) is the staff user who authors."""
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("instructor")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def screenshot(page: Page, name: str) -> None:
    folder = os.environ.get("RULEWISE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name), full_page=True)


def document_width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def in_view(page: Page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    assert box is not None, f"{selector} is not rendered"
    return box["x"] >= 0 and box["x"] + box["width"] <= WIDTH


def test_question_list_fits_1280_with_its_statistics_in_view(
    page: Page, demo, browser_log
):
    sign_in_to_the_admin(page, demo)

    page.goto("/admin/questions/question/")

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Select question to change"
    )
    assert document_width(page) <= WIDTH
    for name, label in LIST_COLUMNS.items():
        header = f"#result_list thead th.column-{name}"
        expect(page.locator(header)).to_have_text(re.compile(label, re.I))
        assert in_view(page, header), f"the {label} column is off-screen"
    # Every column, not only those: the list does not scroll inside its box.
    results = page.locator("#changelist-form .results")
    assert results.evaluate("box => box.scrollWidth <= box.clientWidth")
    screenshot(page, "admin-question-list-1280.png")
    assert not browser_log.console_errors, browser_log.console_errors


def test_quiz_form_fits_1280_and_shows_its_total(page: Page, demo, browser_log):
    final_exam = Quiz.objects.get(slug=FINAL_EXAM_SLUG)
    critical = Rule.objects.critical().count()
    sign_in_to_the_admin(page, demo)

    page.goto(f"/admin/quiz/quiz/{final_exam.pk}/change/")

    # One draw per critical rule: the final exam covers them all.
    expect(page.locator(".field-question_total")).to_contain_text(
        f"{FINAL_EXAM_SIZE} questions · covers {critical} of {critical} "
        "safety-critical rules"
    )
    expect(page.locator("#draws-group tbody tr.has_original")).not_to_have_count(0)
    assert document_width(page) <= WIDTH
    assert in_view(page, "#draws-group table")
    save = page.get_by_role("button", name="Save", exact=True)
    assert save.evaluate("button => getComputedStyle(button).backgroundColor") == TEAL
    screenshot(page, "admin-quiz-form-1280.png")
    assert not browser_log.console_errors, browser_log.console_errors


def test_admin_links_the_reports_and_the_site_favicon(page: Page, demo, browser_log):
    sign_in_to_the_admin(page, demo)

    icon = page.locator('head link[rel="icon"]')
    expect(icon).to_have_attribute("href", re.compile(r"img/favicon.*\.svg$"))
    favicon = page.request.get(icon.get_attribute("href"))
    assert favicon.ok and "svg" in favicon.headers["content-type"]

    page.locator("#user-tools").get_by_role("link", name="Reports").click()

    expect(page).to_have_url(re.compile(r"/reports/$"))
    assert not browser_log.bad_responses, browser_log.bad_responses


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_import_preview_fits_a_phone(page: Page, demo, language):
    """The preview's table scrolls in its own box at 375 px; the page does not."""
    text = questions_export(
        questions=Question.objects.filter(idnumber__in=["SEED-001", "SEED-002"]),
        fmt="gift",
        language=language,
    ).text
    if language == "en":
        Question.objects.update(idnumber="")  # the English import makes copies
    sign_in_to_the_admin(page, demo)
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto("/admin/questions/question/import/")
    page.get_by_label("Language of the texts").select_option(language)
    page.locator("textarea").fill(text)
    page.get_by_role("button", name="Preview").click()

    expect(page.locator(".rw-table-scroll table")).to_be_visible()
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], widths

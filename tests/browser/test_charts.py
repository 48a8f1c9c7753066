"""End-to-end: every chart a supervisor reads, measured in Chromium at 375 and 1280 px.

The text of a chart keeps its size whatever the width of the page (at least 12 px
as drawn, the SVG's scale included), no label runs out of the chart's box or over
another, and axe finds nothing serious in the charts.
"""

import re
from datetime import UTC, datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from accounts.models import Cohort, User
from questions.models import Rule
from quiz.attempts.services import attempt_start, attempt_submit
from quiz.models import Attempt, Quiz
from tests.browser.axe import SERIOUS, format_violations
from tests.browser.test_certificates_and_reports import pass_final_exam
from tests.browser.test_trainee_flow import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDTHS = (375, 1280)
MIN_TEXT_PX = 12

# Every <text> of every visible chart on the page: its rendered font size (the
# computed size times the SVG's scale on screen) and whether its box lies inside
# the chart's box (the SVG clips what lies outside).
MEASURE = """
() => [...document.querySelectorAll("svg.rw-chart")]
  .filter((svg) => svg.getBoundingClientRect().width > 0)
  .map((svg) => {
    const box = svg.getBoundingClientRect();
    const scale = svg.getScreenCTM().a;
    return {
      id: svg.id || svg.getAttribute("aria-labelledby"),
      width: box.width,
      texts: [...svg.querySelectorAll("text")].map((text) => {
        const r = text.getBoundingClientRect();
        return {
          text: text.textContent,
          px: parseFloat(getComputedStyle(text).fontSize) * scale,
          left: r.left - box.left, right: box.right - r.right,
          top: r.top - box.top, bottom: box.bottom - r.bottom,
          rect: [r.left, r.top, r.right, r.bottom],
        };
      }),
    };
  })
"""


def overlap(a, b) -> float:
    """The area two text boxes share (a few px of touching glyph boxes are fine)."""
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    return width * height if width > 1 and height > 1 else 0.0


def chart_problems(page: Page) -> tuple[list[str], list[dict]]:
    charts = page.evaluate(MEASURE)
    problems = []
    for chart in charts:
        where = f"{page.url} {chart['id']}"
        if chart["width"] > page.viewport_size["width"]:
            problems.append(f"{where}: {chart['width']:.0f} px wide")
        for t in chart["texts"]:
            if t["px"] < MIN_TEXT_PX - 0.01:
                problems.append(f"{where}: {t['text']!r} is {t['px']:.1f} px")
            for side in ("left", "right", "top", "bottom"):
                if t[side] < -0.5:
                    problems.append(
                        f"{where}: {t['text']!r} cut on the {side} by {-t[side]:.1f} px"
                    )
        texts = chart["texts"]
        for i, a in enumerate(texts):
            for b in texts[i + 1 :]:
                if overlap(a["rect"], b["rect"]) > 4:
                    problems.append(f"{where}: {a['text']!r} overlaps {b['text']!r}")
    return problems, charts


def fail_a_module(username: str = "trainee") -> Attempt:
    """One wrong answer per question on a module quiz (the rest of the rules)."""
    trainee = User.objects.get(username=username)
    quiz = Quiz.objects.published().exclude(slug__startswith="final").first()
    attempt = attempt_start(quiz=quiz, user=trainee)
    answers = {
        item.position: [
            next(c["id"] for c in item.snapshot["choices"] if not c["correct"])
        ]
        for item in attempt.items.all()
    }
    attempt_submit(attempt=attempt, user=trainee, answers=answers)
    return attempt


@pytest.fixture
def history(demo):
    """The trainee failed a module on 3 March 2025 and passed the exam on 17 April."""
    failed = fail_a_module()
    Attempt.objects.filter(pk=failed.pk).update(
        finished_at=datetime(2025, 3, 3, 10, tzinfo=UTC)
    )
    passed = pass_final_exam().attempt
    Attempt.objects.filter(pk=passed.pk).update(
        finished_at=datetime(2025, 4, 17, 15, tzinfo=UTC)
    )
    return passed


def chart_pages(history) -> list[str]:
    trainee = User.objects.get(username="trainee")
    cohort = Cohort.objects.get(trainees=trainee)
    return [
        "/reports/",
        f"/reports/cohorts/{cohort.pk}/",
        f"/reports/trainees/{trainee.pk}/",
        f"/reports/questions/?quiz={history.quiz_id}",
    ]


@pytest.mark.parametrize("width", WIDTHS)
def test_chart_text_is_12_px_or_more_and_never_clipped(
    page: Page, demo, history, width
):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, demo, username="supervisor", name="Sofia Romano")
    problems, seen = [], 0
    axe = Axe()
    for url in chart_pages(history):
        page.goto(url)
        expect(page.locator("svg.rw-chart").first).to_be_visible()
        # The rules other than the critical ones are drawn on demand: open them.
        for summary in page.locator("details:has(svg.rw-chart) > summary").all():
            summary.click()
        found, charts = chart_problems(page)
        problems += found
        # axe over the charts only: the rest of each page has its own audits.
        violations = axe.run(
            page, context={"include": [["svg.rw-chart"], ["details.rw-chart-more"]]}
        ).response["violations"]
        serious = [v for v in violations if v["impact"] in SERIOUS]
        if serious:
            problems.append(format_violations(page.url, serious))
        seen += len(charts)
        assert all(chart["texts"] for chart in charts), url
    assert seen >= 6, "every chart page was measured"
    assert not problems, "\n".join(problems)


def test_score_chart_has_dates_and_mastery_chart_critical_rules_first(
    page: Page, demo, history
):
    sign_in(page, demo, username="supervisor", name="Sofia Romano")
    trainee = User.objects.get(username="trainee")
    page.goto(f"/reports/trainees/{trainee.pk}/")

    scores = page.locator("svg#chart-scores")
    expect(scores.locator("text", has_text="3 Mar 2025")).to_have_count(1)
    expect(scores.locator("text", has_text="17 Apr 2025")).to_have_count(1)

    # The chart shown draws the safety-critical rules, each bar under its title.
    critical = page.locator("svg#chart-mastery")
    expect(critical).to_be_visible()
    shown = " ".join(critical.locator("text").all_text_contents())
    for rule in Rule.objects.all():
        assert (squeeze(rule.title) in squeeze(shown)) == rule.critical, rule.code
    # The other rules wait behind a <details>, drawn on the server, no JavaScript.
    others = page.locator("svg#chart-mastery-other")
    expect(others).to_be_hidden()
    page.get_by_text(re.compile(r"The other rules of the course \(\d+\)")).click()
    expect(others).to_be_visible()
    drawn = squeeze(" ".join(others.locator("text").all_text_contents()))
    assert all(
        squeeze(rule.title) in drawn for rule in Rule.objects.filter(critical=False)
    )


def squeeze(text: str) -> str:
    """Text without its spaces: a wrapped label's lines join without one."""
    return re.sub(r"\s+", "", text)

"""Charts: text that keeps its size, labels whole, the tables' numbers, dates, and the
mastery chart's safety-critical rules first (the browser measures them in
tests/browser/test_charts.py)."""

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest

from django.test import override_settings
from django.urls import reverse

from quiz.reports.charts import (
    LABEL_CHARS,
    bar_chart,
    histogram,
    line_chart,
    position_chart,
)
from tests.factories import (
    CohortFactory,
    QuizFactory,
    RuleFactory,
    published_question,
)
from tests.test_reports import take

SVG = "{http://www.w3.org/2000/svg}"
LONG = (
    "Module 3: Massage at home and who may massage a neck with a cervical hernia "
    "(and who never may)"
)
MARCH, APRIL = datetime(2025, 3, 3, 10, tzinfo=UTC), datetime(2025, 4, 17, tzinfo=UTC)


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def texts(svg: ET.Element) -> list[str]:
    """Each <text>'s words, its wrapped lines joined by a space."""
    return [" ".join(t.itertext()) for t in svg.iter(f"{SVG}text")]


def every_chart() -> dict[str, str]:
    return {
        "bars": bar_chart(
            [(LONG, 62.5, True), ("Module 2", None, False)],
            title="Completion",
            uid="c-bars",
            threshold=80,
            threshold_label="mastered at 80%",
        ),
        "histogram": histogram(
            [0, 1, 0, 0, 0, 2, 0, 0, 3, 9], title="Spread", uid="c-hist", pass_mark=80
        ),
        "line": line_chart(
            [(LONG, [(MARCH, 40.0), (APRIL, 62.5)]), ("Final", [(APRIL, 100.0)])],
            title="Scores",
            uid="c-line",
        ),
        "positions": position_chart(
            [(1, 62.5, 45.0, False), (2, 100.0, -52.5, True), (3, None, None, False)],
            title="Positions",
            uid="c-pos",
        ),
    }


@pytest.mark.parametrize("kind", ["bars", "histogram", "line", "positions"])
def test_chart_text_is_drawn_in_css_pixels_never_scaled(kind):
    svg = parse(every_chart()[kind])

    # A viewBox would scale the drawing, text included, to the card's width.
    assert "viewBox" not in svg.attrib
    assert svg.get("width") == "100%" and svg.get("height").isdigit()
    sizes = [float(t.get("font-size")) for t in svg.iter(f"{SVG}text")]
    assert sizes and min(sizes) >= 12


def test_a_long_label_is_wrapped_whole_never_cut():
    svg = parse(every_chart()["bars"])

    label = next(
        t for t in svg.iter(f"{SVG}text") if "Module 3" in "".join(t.itertext())
    )
    lines = [span.text for span in label.iter(f"{SVG}tspan")]
    assert len(lines) > 1 and all(len(line) <= LABEL_CHARS for line in lines)
    assert " ".join(lines) == LONG
    assert "…" not in every_chart()["bars"]


def test_a_chart_is_as_tall_as_its_wrapped_labels_need():
    short = parse(bar_chart([("Module 1", 50.0, False)], title="t", uid="a"))
    wrapped = parse(bar_chart([(LONG, 50.0, False)], title="t", uid="b"))

    assert int(wrapped.get("height")) > int(short.get("height"))


def test_numbers_round_half_up_as_the_tables_do():
    charts = every_chart()

    assert ">63%<" in charts["bars"] and f"{LONG}: 63%" in charts["bars"]
    assert "17 Apr 2025 63%" in charts["line"]
    assert "pass mark 63%" in histogram([0] * 10, title="t", uid="h", pass_mark=62.5)


def test_score_chart_puts_the_first_and_last_day_on_its_axis():
    svg = parse(every_chart()["line"])

    assert {"3 Mar 2025", "17 Apr 2025"} <= set(texts(svg))


def test_score_chart_of_one_day_names_that_day_once():
    svg = parse(
        line_chart(
            [("Quiz", [(MARCH, 40.0), (MARCH.replace(hour=11), 90.0)])],
            title="t",
            uid="l",
        )
    )

    assert texts(svg).count("3 Mar 2025") == 1


@override_settings(TIME_ZONE="America/New_York")
def test_score_chart_dates_are_the_sites_days_as_in_the_table():
    late_evening = datetime(2025, 3, 3, 2, tzinfo=UTC)  # 2 March, 21:00 in New York

    svg = parse(line_chart([("Quiz", [(late_evening, 50.0)])], title="t", uid="l"))

    assert "2 Mar 2025" in texts(svg)


def test_each_chart_keeps_its_text_alternative():
    for kind, chart in every_chart().items():
        svg = parse(chart)
        title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
        assert svg.get("role") == "img", kind
        assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        assert title.text and desc.text, kind

    bars = parse(every_chart()["bars"]).find(f"{SVG}desc").text
    assert bars == f"{LONG}: 63%; Module 2: no answers yet"


def test_chart_labels_are_escaped():
    chart = bar_chart([("<b>R&D</b>", 50.0, False)], title="t", uid="x")

    assert "<b>" not in chart and "&lt;b&gt;R&amp;D" in chart


# --- on the reports ------------------------------------------------------------------


def svg_by_id(html: str, uid: str) -> str:
    match = re.search(rf'<svg [^>]*id="{uid}".*?</svg>', html, re.S)
    assert match, uid
    return match.group(0)


@pytest.mark.django_db
def test_mastery_chart_shows_the_critical_rules_and_the_rest_on_demand(
    supervisor_client, cohort, trainee
):
    critical = RuleFactory(title="Never twist the neck", critical=True)
    other = RuleFactory(title="Massage relieves spasm")
    quiz = QuizFactory(
        questions=[
            published_question(rules=[critical]),
            published_question(rules=[other]),
        ]
    )
    take(quiz, trainee, right=False)

    html = supervisor_client.get(
        reverse("quiz:report-trainee", args=[trainee.pk])
    ).content.decode()

    shown = svg_by_id(html, "chart-mastery")
    assert "Never twist the neck" in shown and "Massage relieves spasm" not in shown
    details = re.search(r"<details.*?</details>", html, re.S).group(0)
    assert "The other rule of the course (1)" in details
    assert "Massage relieves spasm" in svg_by_id(details, "chart-mastery-other")
    assert html.index(shown) < html.index(details)


@pytest.mark.django_db
def test_mastery_chart_of_a_course_without_critical_rules_shows_every_rule(
    supervisor_client, cohort, trainee
):
    rule = RuleFactory(title="Massage relieves spasm")
    take(QuizFactory(questions=[published_question(rules=[rule])]), trainee)

    html = supervisor_client.get(
        reverse("quiz:report-trainee", args=[trainee.pk])
    ).content.decode()

    assert "Massage relieves spasm" in svg_by_id(html, "chart-mastery")
    assert "chart-mastery-other" not in html


@pytest.mark.django_db
def test_completion_chart_of_an_empty_cohort_says_it_has_no_trainees(
    supervisor_client, supervisor
):
    QuizFactory(questions__n=1, title="Module one")
    empty = CohortFactory(trainees=[], supervisors=[supervisor])

    html = supervisor_client.get(
        reverse("quiz:report-cohort", args=[empty.pk])
    ).content.decode()

    chart = svg_by_id(html, "chart-completion")
    assert "no trainees yet" in chart and "no answers yet" not in chart


def test_position_chart_draws_a_negative_discrimination_down_in_red():
    chart = every_chart()["positions"]
    svg = parse(chart)
    bars = list(svg.iter(f"{SVG}rect"))

    # Facility 62.5 and 100, discrimination 45 and -52.5 (position 3: none).
    assert len(bars) == 4
    red = [r for r in bars if r.get("fill") == "#b02a37"]
    assert len(red) == 2  # position 2 is flagged: both its bars
    assert "position 1: facility 63%, discrimination 45%" in chart
    assert "position 2: facility 100%, discrimination -53% (flagged)" in chart
    assert "position 3: facility —, discrimination —" in chart
    assert {"1", "2", "3"} <= set(texts(svg))

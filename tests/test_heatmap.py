"""The cohort's rule heatmap: rules (critical first) × trainees, each cell the
trainee's mastery in words and colour, and the weakest rules summarised."""

import pytest

from django.urls import reverse

from quiz.attempts.services import attempt_start, attempt_submit
from quiz.reports.selectors import cohort_heatmap
from tests.factories import (
    CohortFactory,
    QuizFactory,
    RuleFactory,
    TraineeFactory,
    correct_answers,
    published_question,
    wrong_answers,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort_with_answers(supervisor):
    """Ana masters both rules; Ben gets the critical one wrong, the other right;
    Cy has answered nothing."""
    critical = RuleFactory(code="R-CRIT", critical=True, order=9)
    plain = RuleFactory(code="R-PLAIN", order=1)
    quiz = QuizFactory(
        questions=[
            published_question(rules=[critical]),
            published_question(rules=[plain]),
        ]
    )
    ana, ben, cy = (TraineeFactory(last_name=n) for n in ("Ana", "Ben", "Cy"))
    for trainee, wrong in ((ana, set()), (ben, {1})):
        attempt = attempt_start(quiz=quiz, user=trainee)
        answers = correct_answers(attempt)
        answers.update({p: wrong_answers(attempt)[p] for p in wrong})
        attempt_submit(attempt=attempt, user=trainee, answers=answers)
    cohort = CohortFactory(trainees=[ana, ben, cy], supervisors=[supervisor])
    return cohort, (ana, ben, cy), (critical, plain)


def test_rules_critical_first_by_trainees_with_their_mastery(cohort_with_answers):
    cohort, trainees, (critical, plain) = cohort_with_answers

    heatmap = cohort_heatmap(list(trainees))

    rules = [rule for rule, _cells in heatmap.rows]
    assert rules.index(critical) < rules.index(plain)
    by_rule = dict(heatmap.rows)
    assert [c.band if c else None for c in by_rule[critical]] == ["high", "low", None]
    assert [c.share if c else None for c in by_rule[plain]] == [100, 100, None]


def test_the_weakest_rules_are_summarised(cohort_with_answers):
    cohort, trainees, (critical, plain) = cohort_with_answers

    [weakest] = cohort_heatmap(list(trainees)).weakest

    assert weakest.rule == critical
    assert (weakest.mean_share, weakest.answered, weakest.not_mastered) == (50, 2, 1)


def test_the_cohort_page_shows_it_in_words(supervisor_client, cohort_with_answers):
    cohort, trainees, rules = cohort_with_answers

    html = supervisor_client.get(
        reverse("quiz:report-cohort", args=[cohort.pk])
    ).content.decode()

    assert "The cohort&#x27;s weakest rules" in html or "The cohort's weakest" in html
    assert "R-CRIT" in html and "50% on average; 1 of 2 trainees" in html
    # The text alternative: every cell has its number or a dash, the key says
    # what the colours mean.
    assert '<td class="rw-heat rw-heat-low">0%</td>' in html
    assert '<td class="rw-heat rw-heat-none">–</td>' in html
    assert "not answered yet" in html


def test_a_cohort_without_answers_says_so(supervisor_client, supervisor):
    QuizFactory()
    cohort = CohortFactory(trainees=[TraineeFactory()], supervisors=[supervisor])

    html = supervisor_client.get(
        reverse("quiz:report-cohort", args=[cohort.pk])
    ).content.decode()

    assert "No answers yet" in html
    assert "rw-heatmap-table" not in html

"""Which questions an attempt gets: the quiz's fixed list plus its random draws.

Draws may overlap (a rule's questions sit in some category), so picking them one
draw after another at random can fail where a valid choice exists. Each drawn
question is a slot to fill; slots are matched to distinct questions with
augmenting paths (Kuhn's algorithm), after shuffling, which finds a valid choice
whenever one exists and is random enough for a quiz.
"""

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any  # a QuizDraw: quiz.models imports this module

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from questions.models import Question, QuestionRule, QuestionStatus, Rule

# Bounds the matching's recursion depth (and any sensible exam).
MAX_QUESTIONS = 300


class SelectionError(Exception):
    """The quiz cannot be assembled from the published questions as they stand."""


def _match(slot_pools: Sequence[Sequence[int]]) -> list[int] | None:
    """A distinct question for every slot, or None when none exists."""
    owner: dict[int, int] = {}

    def augment(slot: int, seen: set[int]) -> bool:
        for question in slot_pools[slot]:
            if question in seen:
                continue
            seen.add(question)
            if question not in owner or augment(owner[question], seen):
                owner[question] = slot
                return True
        return False

    for slot in range(len(slot_pools)):
        if not augment(slot, set()):
            return None
    chosen = [0] * len(slot_pools)
    for question, slot in owner.items():
        chosen[slot] = question
    return chosen


def _draw_pools(quiz) -> list[tuple[Any, list[int]]]:
    """Each draw with the ids of the published questions it may take."""
    draws = list(quiz.draws.all())
    category_ids = {d.category_id for d in draws if d.category_id}
    rule_ids = {d.rule_id for d in draws if d.rule_id}
    by_category: dict[int, list[int]] = {}
    for pk, category_id in Question.objects.filter(
        status=QuestionStatus.PUBLISHED, category_id__in=category_ids
    ).values_list("pk", "category_id"):
        by_category.setdefault(category_id, []).append(pk)
    by_rule: dict[int, list[int]] = {}
    for pk, rule_id in QuestionRule.objects.filter(
        rule_id__in=rule_ids, question__status=QuestionStatus.PUBLISHED
    ).values_list("question_id", "rule_id"):
        by_rule.setdefault(rule_id, []).append(pk)
    return [
        (
            draw,
            sorted(by_category.get(draw.category_id, []))
            if draw.category_id
            else sorted(by_rule.get(draw.rule_id, [])),
        )
        for draw in draws
    ]


@dataclass(frozen=True)
class SelectionProblem:
    """Why a quiz cannot be assembled: what (key), how badly (amount: questions
    missing, or 1), and the message for the instructor."""

    key: tuple
    amount: int
    message: str


def _fixed_ids(quiz) -> tuple[list[int], list[SelectionProblem]]:
    ids, problems = [], []
    for quiz_question in quiz.quiz_questions.select_related("question"):
        if quiz_question.question.status != QuestionStatus.PUBLISHED:
            problems.append(
                SelectionProblem(
                    ("fixed", quiz_question.question_id),
                    1,
                    _("“%(question)s” is no longer published.")
                    % {"question": quiz_question.question},
                )
            )
        else:
            ids.append(quiz_question.question_id)
    return ids, problems


def _draw_candidates(quiz, fixed: list[int]) -> list[tuple[Any, list[int]]]:
    """Each draw with the questions it may take, minus the fixed list's."""
    excluded = set(fixed)
    return [
        (draw, [pk for pk in pool if pk not in excluded])
        for draw, pool in _draw_pools(quiz)
    ]


def select_question_ids(quiz, rng: random.Random) -> list[tuple[int, int]]:
    """(slot, question id) of an attempt's questions, in the order they are shown."""
    fixed, problems = _fixed_ids(quiz)
    if problems:  # never a shorter quiz than its author made (it may certify)
        raise SelectionError(
            _("This quiz cannot be started now: %(why)s Tell your instructor.")
            % {"why": " ".join(p.message for p in problems)}
        )
    slots: list[list[int]] = []
    for draw, candidates in _draw_candidates(quiz, fixed):
        for _i in range(draw.count):
            slot = candidates[:]
            rng.shuffle(slot)
            slots.append(slot)
    order = list(range(len(slots)))
    rng.shuffle(order)
    matched = _match([slots[i] for i in order])
    if matched is None:
        raise SelectionError(
            _("This quiz asks for more questions than the bank has published.")
        )
    drawn = [0] * len(slots)
    for position, slot_index in enumerate(order):
        drawn[slot_index] = matched[position]
    ids = list(enumerate(fixed + drawn, start=1))
    if not ids:
        raise SelectionError(_("This quiz has no questions."))
    if quiz.shuffle_questions:
        rng.shuffle(ids)
    return ids


def selection_shortfalls(quiz) -> list[SelectionProblem]:
    """Why the quiz cannot be assembled, each with what is short and by how much."""
    fixed, problems = _fixed_ids(quiz)
    slots: list[list[int]] = []
    for draw, candidates in _draw_candidates(quiz, fixed):
        if len(candidates) < draw.count:
            problems.append(
                SelectionProblem(
                    ("draw", draw.pk),
                    draw.count - len(candidates),
                    _(
                        "The draw “%(draw)s” asks for %(n)d questions but only %(m)d "
                        "published questions fit it."
                    )
                    % {"draw": draw, "n": draw.count, "m": len(candidates)},
                )
            )
        slots.extend([candidates] * draw.count)
    if len(fixed) + len(slots) > MAX_QUESTIONS:
        problems.append(
            SelectionProblem(
                ("size",),
                len(fixed) + len(slots) - MAX_QUESTIONS,
                _("A quiz has at most %(max)d questions; this one asks for %(n)d.")
                % {"max": MAX_QUESTIONS, "n": len(fixed) + len(slots)},
            )
        )
    if not problems and slots and _match(slots) is None:
        problems.append(
            SelectionProblem(
                ("overlap",),
                1,
                _(
                    "The draws overlap: the published questions cannot fill all of "
                    "them with different questions."
                ),
            )
        )
    if not fixed and not slots and not problems:
        problems.append(
            SelectionProblem(
                ("empty",),
                1,
                _("Add questions to the quiz, as a fixed list or as draws."),
            )
        )
    return problems


def selection_problems(quiz) -> list[str]:
    """Why the quiz cannot be published: missing questions or impossible draws."""
    return [problem.message for problem in selection_shortfalls(quiz)]


# --- what every attempt asks (the quiz form's total) --------------------------


@dataclass(frozen=True)
class QuizTotal:
    """What every attempt of a quiz asks: how many questions, and which of the
    safety-critical rules it is sure to ask about."""

    questions: int
    critical_rules: list[Rule]
    covered: list[Rule]

    @property
    def missing(self) -> list[Rule]:
        return [rule for rule in self.critical_rules if rule not in self.covered]


def quiz_total(quiz: Any) -> QuizTotal:
    """The quiz's questions (fixed + drawn) and the critical rules every attempt
    covers: one a fixed question tests, or one a draw is from. A category draw may
    ask about a rule, but not surely, so it covers none. Three queries whatever
    the quiz's size, one when its draws and fixed questions are prefetched."""
    draws = list(quiz.draws.all())
    drawn_rules = {draw.rule_id for draw in draws if draw.rule_id}
    rules = list(
        Rule.objects.critical().annotate(
            in_fixed=Exists(
                QuestionRule.objects.filter(
                    rule=OuterRef("pk"), question__quiz_questions__quiz=quiz
                )
            )
        )
    )
    return QuizTotal(
        questions=len(quiz.quiz_questions.all()) + sum(d.count for d in draws),
        critical_rules=rules,
        covered=[r for r in rules if r.in_fixed or r.pk in drawn_rules],
    )

"""What a trainee practises next: pure, over plain values, so the order is tested
without a database.

1. due cards of safety-critical rules;
2. due cards of rules the trainee missed in graded attempts;
3. due cards and new questions of rules under the mastery threshold;
4. other due cards;
5. new questions of rules not practised yet.
Within a step, the longest overdue first, new questions after due ones, then by
the rules' order. Practising one rule also offers its cards not due yet (the
soonest first): a trainee who asks to practise a rule gets to.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Candidate:
    """A published question as the ordering sees it."""

    question_id: int
    rule_ids: frozenset[int]
    critical: bool
    rank: int = 0  # the question's place in the bank's order (rules, then id)


CRITICAL, MISSED, WEAK, DUE, NEW, AHEAD = range(6)


def practice_order(
    candidates: Iterable[Candidate],
    *,
    due: Mapping[int, datetime],
    now: datetime,
    missed_rules: set[int],
    weak_rules: set[int],
    exclude: set[int] = frozenset(),  # type: ignore[assignment]
    rule_id: int | None = None,
) -> list[int]:
    """Question ids in the order they should be practised (only those to offer).

    `due` maps each question the trainee holds a card for to the card's due time.
    """
    candidates = [
        c
        for c in candidates
        if c.question_id not in exclude and (rule_id is None or rule_id in c.rule_ids)
    ]
    practised = {
        rule for c in candidates if c.question_id in due for rule in c.rule_ids
    }
    keyed = []
    for c in candidates:
        when = due.get(c.question_id)
        step = _step(c, when, now, missed_rules, weak_rules, practised, rule_id)
        if step is not None:
            keyed.append(((step, when is None, when or now, c.rank), c.question_id))
    keyed.sort()
    return [question_id for _key, question_id in keyed]


def _step(c, when, now, missed_rules, weak_rules, practised, rule_id) -> int | None:
    is_due = when is not None and when <= now
    is_new = when is None
    if is_due and c.critical:
        return CRITICAL
    if is_due and c.rule_ids & missed_rules:
        return MISSED
    if (is_due or is_new) and c.rule_ids & weak_rules:
        return WEAK
    if is_due:
        return DUE
    if is_new and (rule_id is not None or not c.rule_ids <= practised):
        return NEW
    if rule_id is not None:
        return AHEAD
    return None

"""Reads on practice: what comes next, what is due, the streak, practice mastery
and retention per rule. Each in a fixed number of queries."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, F, OuterRef, Q, Subquery, Window
from django.db.models.functions import RowNumber, TruncDate
from django.utils import timezone

from accounts.policy import can_take_quizzes
from questions.models import QuestionRule, QuestionStatus, Rule
from questions.source import PassageInContext, course_text, passage_in_context
from quiz.attempts.models import AttemptQuestionRule, AttemptState
from quiz.attempts.selectors import (
    MASTERY_WINDOW,
    MasteryRow,
    MasteryShare,
    reviewable_q,
    rule_mastery,
)
from quiz.practice.models import PracticeCard, PracticeItem, PracticeSession, Rating
from quiz.practice.ordering import Candidate, practice_order
from quiz.practice.scheduling import retrievability

STREAK_HORIZON_DAYS = 366


def practice_candidates() -> list[Candidate]:
    """Every published question with its rules (1 query)."""
    rows = (
        QuestionRule.objects.filter(question__status=QuestionStatus.PUBLISHED)
        .order_by("rule__order", "rule__code", "question_id")
        .values_list("question_id", "rule_id", "rule__critical")
    )
    rules: dict[int, set[int]] = defaultdict(set)
    critical: dict[int, bool] = defaultdict(bool)
    rank: dict[int, int] = {}
    for question_id, rule_id, is_critical in rows:
        rules[question_id].add(rule_id)
        critical[question_id] |= is_critical
        rank.setdefault(question_id, len(rank))
    return [
        Candidate(
            question_id=pk,
            rule_ids=frozenset(rules[pk]),
            critical=critical[pk],
            rank=rank[pk],
        )
        for pk in rank
    ]


def missed_rule_ids(*, user) -> set[int]:
    """Rules of questions the trainee got wrong in a graded attempt whose review
    they may see (1 query): a quiz that hides its answers must not have them
    told back through what practice asks first."""
    return set(
        AttemptQuestionRule.objects.filter(
            item__attempt__user=user,
            item__attempt__state=AttemptState.FINISHED,
            item__fully_correct=False,
        )
        .filter(reviewable_q("item__attempt__"))
        .values_list("rule_id", flat=True)
        .distinct()
    )


def next_question_id(
    *, user, session: PracticeSession, now: datetime | None = None
) -> int | None:
    """The question to serve next in a session, by quiz/practice/ordering.py
    (6 queries: the bank, the cards, the missed rules, the rules and their
    mastery, what the session served)."""
    now = now or timezone.now()
    due = dict(PracticeCard.objects.filter(user=user).values_list("question_id", "due"))
    weak = {
        row.rule.pk
        for row in rule_mastery(user=user, reviewable_only=True)
        if row.share is not None and not row.mastered
    }
    served = set(session.items.values_list("card__question_id", flat=True))
    order = practice_order(
        practice_candidates(),
        due=due,
        now=now,
        missed_rules=missed_rule_ids(user=user),
        weak_rules=weak,
        exclude=served,
        rule_id=session.rule_id,
    )
    return order[0] if order else None


def end_of_today(now: datetime) -> datetime:
    """The start of tomorrow in the site's time zone: "due today" is before it."""
    local = timezone.localtime(now)
    return (local + timedelta(days=1)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )


def streak_of(days: set[date], today: date) -> int:
    """Consecutive days with practice up to today; a streak not yet continued
    today still counts until the day is over."""
    day = today if today in days else today - timedelta(days=1)
    n = 0
    while day in days:
        n += 1
        day -= timedelta(days=1)
    return n


@dataclass(frozen=True)
class Glance:
    """What the dashboard says about practice."""

    due_today: int
    streak: int


def practice_glance(*, user, now: datetime | None = None) -> Glance:
    """Questions due by the end of today and the streak (2 queries)."""
    now = now or timezone.now()
    due_today = (
        PracticeCard.objects.of_published(user)
        .filter(due__lt=end_of_today(now))
        .count()
    )
    return Glance(due_today=due_today, streak=_streak(user, now))


def _streak(user, now: datetime) -> int:
    days = set(
        PracticeItem.objects.filter(
            session__user=user,
            answered_at__gte=now - timedelta(days=STREAK_HORIZON_DAYS),
        )
        .annotate(day=TruncDate("answered_at"))
        .values_list("day", flat=True)
        .distinct()
    )
    return streak_of(days, timezone.localdate(now))


@dataclass
class RulePractice(MasteryShare):
    """A trainee's practice of one rule: cards, due now, estimated retention and
    practice mastery (the latest answers, as exam mastery counts them)."""

    cards: int = 0
    due: int = 0
    retention_sum: float = 0.0
    reviewed: int = 0
    answers: int = 0
    correct: int = 0

    @property
    def retention(self) -> float | None:
        """Mean chance, in percent, of recalling the rule's practised questions now."""
        return 100 * self.retention_sum / self.reviewed if self.reviewed else None


@dataclass
class PracticeOverview:
    """Practice activity of one trainee, per rule and in all."""

    rules: dict[int, RulePractice] = field(default_factory=dict)
    sessions: int = 0
    answers: int = 0
    streak: int = 0
    due_cards: int = 0

    def of(self, rule: Rule) -> RulePractice:
        return self.rules.get(rule.pk) or RulePractice()


def practice_overview(*, user, now: datetime | None = None) -> PracticeOverview:
    """Per rule: cards, due now, retention, practice mastery; in all: sessions,
    answers, due now, streak (4 queries)."""
    now = now or timezone.now()
    overview = PracticeOverview()
    cards = PracticeCard.objects.of_published(user).values_list(
        "pk",
        "state",
        "step",
        "stability",
        "difficulty",
        "due",
        "last_review",
        "question__question_rules__rule_id",
    )
    due_cards = set()
    for pk, state, step, stability, difficulty, due, last, rule_id in cards:
        card = PracticeCard(
            pk=pk,
            state=state,
            step=step,
            stability=stability,
            difficulty=difficulty,
            due=due,
            last_review=last,
        )
        row = overview.rules.setdefault(rule_id, RulePractice())
        row.cards += 1
        if due <= now:
            row.due += 1
            due_cards.add(pk)
        if last is not None:
            row.reviewed += 1
            row.retention_sum += retrievability(card, now)
    overview.due_cards = len(due_cards)
    for rule_id, rating in _latest_practice_answers(user):
        row = overview.rules.setdefault(rule_id, RulePractice())
        row.answers += 1
        row.correct += rating == Rating.GOOD
    totals = PracticeSession.objects.filter(user=user).aggregate(
        sessions=Count("pk", distinct=True),
        answers=Count("items", filter=Q(items__answered_at__isnull=False)),
    )
    overview.sessions, overview.answers = totals["sessions"], totals["answers"]
    overview.streak = _streak(user, now)
    return overview


def _latest_practice_answers(user):
    rule = "card__question__question_rules__rule_id"
    return (
        PracticeItem.objects.filter(session__user=user, answered_at__isnull=False)
        .annotate(
            rule_id=F(rule),
            rank=Window(
                RowNumber(),
                partition_by=[F(rule)],
                order_by=[F("answered_at").desc(), F("pk").desc()],
            ),
        )
        .filter(rank__lte=MASTERY_WINDOW)
        .values_list("rule_id", "rating")
    )


@dataclass
class RuleEntry:
    """A rule as the rules reader shows it: its passage in the course text and,
    for a trainee, exam mastery beside practice."""

    rule: Rule
    context: PassageInContext | None = None
    exam: MasteryRow | None = None
    practice: RulePractice | None = None


def rules_reader(*, user, code: str | None = None) -> list[RuleEntry]:
    """Every rule (or the one with `code`), critical first, with its passage; for
    a trainee their exam and practice mastery (1 query, or 6 for a trainee)."""
    if can_take_quizzes(user):
        rows = rule_mastery(user=user, reviewable_only=True)
        overview = practice_overview(user=user)
        entries = [
            RuleEntry(
                rule=row.rule,
                exam=row,
                practice=overview.of(row.rule),
            )
            for row in rows
            if code is None or row.rule.code == code
        ]
    else:
        rules = Rule.objects.all()
        if code is not None:
            rules = rules.filter(code=code)
        entries = [RuleEntry(rule=rule) for rule in rules]
    text = course_text()
    for entry in entries:
        entry.context = passage_in_context(text, entry.rule.passage)
    return entries


def open_session(*, user) -> PracticeSession | None:
    """The trainee's open session, with how many questions it has served and
    answered, and the one waiting for an answer (1 query)."""
    pending = PracticeItem.objects.filter(
        session=OuterRef("pk"), answered_at__isnull=True
    ).values("pk")[:1]
    return (
        PracticeSession.objects.filter(user=user, ended_at__isnull=True)
        .select_related("rule")
        .annotate(
            n_answered=Count("items", filter=Q(items__answered_at__isnull=False)),
            n_right=Count("items", filter=Q(items__rating=Rating.GOOD)),
            pending_id=Subquery(pending),
        )
        .first()
    )


def session_tally(session: PracticeSession) -> dict:
    """How a session went: answered and right (1 query)."""
    return PracticeItem.objects.filter(
        session=session, answered_at__isnull=False
    ).aggregate(answered=Count("pk"), right=Count("pk", filter=Q(rating=Rating.GOOD)))


@dataclass
class PracticeReport:
    """A trainee's practice for their report: the totals, and per rule (in the
    order given) practice mastery, due now and estimated retention."""

    overview: PracticeOverview
    rows: list[tuple[Rule, RulePractice]]

    @property
    def critical_rows(self) -> list[tuple[Rule, RulePractice]]:
        return [(rule, row) for rule, row in self.rows if rule.critical]

    @property
    def other_rows(self) -> list[tuple[Rule, RulePractice]]:
        return [
            (rule, row) for rule, row in self.rows if not rule.critical and row.cards
        ]


def practice_by_rule(user, rules: list[Rule]) -> PracticeReport:
    """practice_overview() laid out over the rules already read (4 queries)."""
    overview = practice_overview(user=user)
    return PracticeReport(overview, [(rule, overview.of(rule)) for rule in rules])

"""Writes on attempts: start, save answers, submit, grade."""

import logging
import random
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from enum import Enum

from django_tasks import task

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.models import User
from questions.models import Choice, Question, QuestionRule, Rule
from quiz.attempts import timing
from quiz.attempts.grading import (
    GradedItem,
    attempt_grade,
    mark_decimal,
    question_mark,
)
from quiz.attempts.models import (
    Attempt,
    AttemptQuestion,
    AttemptQuestionRule,
    AttemptState,
    attempt_closes_from,
    items_with_closes,
)
from quiz.attempts.navigation import Navigation
from quiz.certificates.services import certificate_issue_for_attempt
from quiz.models import Quiz
from quiz.programme.effective import Effective, effective_for
from quiz.selection import SelectionError, select_question_ids
from quiz.snapshots import question_snapshot

logger = logging.getLogger(__name__)


class AttemptError(Exception):
    """A request on an attempt that cannot be honoured; the message is for the trainee."""


class AttemptClosedError(AttemptError):
    pass


class InvalidAnswerError(AttemptError):
    pass


class StartRefusedError(AttemptError):
    pass


# --- starting ---------------------------------------------------------------


def _when(moment) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _snapshot_sources(ids) -> dict[int, tuple[Question, list[Choice], list[Rule]]]:
    """Each question with its choices and its rules, in two queries: the
    questions come with their choices (every question has some), the rules in
    their usual order (critical first)."""
    sources: dict[int, tuple[Question, list[Choice], list[Rule]]] = {}
    for choice in Choice.objects.filter(question_id__in=ids).select_related(
        "question__category"
    ):
        sources.setdefault(choice.question_id, (choice.question, [], []))[1].append(
            choice
        )
    links = (
        QuestionRule.objects.filter(question_id__in=ids)
        .select_related("rule")
        .order_by(*(_related_order("rule", name) for name in Rule._meta.ordering or ()))
    )
    for link in links:
        sources[link.question_id][2].append(link.rule)
    return sources


def _related_order(relation: str, name: str) -> str:
    """A model's ordering term ("-critical") over a relation ("-rule__critical")."""
    descending = name.startswith("-")
    return ("-" if descending else "") + f"{relation}__{name.lstrip('-')}"


class _OverdueInTheWay(Exception):
    """The trainee's open attempt at the quiz ran out of time: it is graded in a
    transaction of its own (a refusal to start must not roll the grade back)."""

    def __init__(self, attempt: Attempt):
        self.attempt = attempt


def attempt_start(
    *,
    quiz: Quiz,
    user,
    rng: random.Random | None = None,
    settings: Effective | None = None,
    language: str | None = None,
) -> Attempt:
    """Resume the trainee's open attempt, or start a new one with its questions
    fixed. settings: what the trainee has on the quiz, when the caller read it
    with the quiz (quiz/programme/selectors.py open_to); read here otherwise.
    language: what a new attempt's questions are shown in (quiz/snapshots.py),
    the active language by default; a resumed attempt keeps its own."""
    rng = rng or random.Random(secrets.randbits(64))
    language = language or get_language()
    for _retry in range(2):
        try:
            return _start_or_resume(quiz, user, rng, settings, language)
        except _OverdueInTheWay as blocked:
            attempt_close_if_overdue(attempt=blocked.attempt)
    return _start_or_resume(quiz, user, rng, settings, language)


def _start_or_resume(
    quiz: Quiz, user, rng: random.Random, settings: Effective | None, language: str
) -> Attempt:
    now = timezone.now()
    with transaction.atomic():
        # The trainee's attempts at the quiz, locked: the open one is resumed,
        # their count numbers the next. Two starts at once cannot both add one:
        # the constraints (one open attempt per quiz, unique numbers) refuse the
        # second, which then resumes the first (below). With when the quiz
        # closes for this trainee (quiz/programme/effective.py).
        attempts = list(
            Attempt.objects.select_for_update(of=("self",))
            .with_closes()
            .filter(quiz=quiz, user=user)
        )
        current = next((a for a in attempts if not a.is_finished), None)
        if current is not None:
            current.quiz = quiz
            if current.is_overdue(now=now, grace=timing.grace()):
                raise _OverdueInTheWay(current)
            return current
        # What this trainee has on the quiz: their cohorts' dates, their
        # override (quiz/programme/effective.py).
        mine = settings or effective_for(user=user, quiz=quiz)
        _refuse_start(quiz, mine, used=len(attempts), now=now)
        try:
            ids = select_question_ids(quiz, rng)
        except SelectionError as exc:  # the bank changed under the quiz
            raise StartRefusedError(str(exc)) from exc
        sources = _snapshot_sources([pk for _slot, pk in ids])
        ends = timing.deadline_at_start(
            started_at=now, time_limit=mine.time_limit, closes_at=mine.closes_at
        )
        try:
            with transaction.atomic():
                attempt = Attempt.objects.create(
                    quiz=quiz,
                    user=user,
                    number=len(attempts) + 1,
                    started_at=now,
                    deadline=ends,
                    pass_mark=quiz.pass_mark,
                )
        except IntegrityError:
            # Another request started it a moment ago: resume that one.
            return Attempt.objects.get(
                quiz=quiz, user=user, state=AttemptState.IN_PROGRESS
            )
        items = []
        for position, (slot, pk) in enumerate(ids, start=1):
            question, choices, rules = sources[pk]
            snapshot = question_snapshot(
                question, choices, rules, rng, quiz.shuffle_choices, language
            )
            items.append(
                AttemptQuestion(
                    attempt=attempt,
                    question=question,
                    position=position,
                    slot=slot,
                    snapshot=snapshot,
                    critical=any(rule["critical"] for rule in snapshot["rules"]),
                )
            )
        AttemptQuestion.objects.bulk_create(items)
        AttemptQuestionRule.objects.bulk_create(
            AttemptQuestionRule(item=item, rule_id=rule["id"])
            for item in items
            for rule in item.snapshot["rules"]
        )
        if attempt.deadline is not None:
            transaction.on_commit(lambda: _schedule_close(attempt), robust=True)
    return attempt


def _schedule_close(attempt: Attempt) -> None:
    """Have a worker grade the attempt when its time is up (past the grace), if
    the queue can wait; `close_overdue_attempts` from cron catches the rest (an
    attempt given more time meanwhile is left open by the task)."""
    backend = attempt_close_when_due.get_backend()
    if attempt.deadline is None or not backend.supports_defer:
        return
    run_after = attempt.deadline + timing.grace() + timedelta(seconds=1)
    attempt_close_when_due.using(run_after=run_after).enqueue(attempt.pk)


def _refuse_start(quiz: Quiz, mine: Effective, *, used: int, now) -> None:
    """Why the trainee may not start the quiz now, if they may not: under the
    settings they have on it (their cohorts' dates, their override)."""
    if not quiz.published:
        raise StartRefusedError(_("This quiz is not open."))
    if not mine.visible:
        raise StartRefusedError(_("This quiz is not assigned to you."))
    if not mine.has_opened(now):
        raise StartRefusedError(
            _("This quiz opens on %(date)s.") % {"date": _when(mine.opens_at)}
        )
    if mine.is_closed(now):
        raise StartRefusedError(
            _("This quiz closed on %(date)s.") % {"date": _when(mine.closes_at)}
        )
    if mine.is_exhausted(used):
        raise StartRefusedError(
            _("You have used all %(n)d attempts allowed for this quiz.")
            % {"n": mine.max_attempts}
        )


# --- answering --------------------------------------------------------------


class SaveOutcome(Enum):
    SAVED = "saved"
    TIMED_OUT = "timed_out"
    SUBMITTED = "submitted"


class NoSuchPageError(AttemptError):
    """A page number beyond the attempt's pages."""


def _pk(attempt: Attempt | int) -> int:
    return attempt if isinstance(attempt, int) else attempt.pk


def _locked_items(attempt_id: int, user) -> list[AttemptQuestion]:
    """An open attempt's questions, each with the attempt and its quiz, in one
    query that locks the attempt row (of: never the quiz every trainee shares,
    nor the question rows). Every write on an open attempt starts here, so
    saves and the submit of one attempt take turns, and each reads the rows once.
    Raises Attempt.DoesNotExist (not the user's, or no such attempt) and
    AttemptClosedError (already submitted)."""
    items = list(
        items_with_closes(
            AttemptQuestion.objects.select_for_update(of=("attempt",))
            .select_related("attempt__quiz")
            .filter(attempt_id=attempt_id, attempt__user=user)
            .order_by("position")
        )
    )
    if not items:
        raise Attempt.DoesNotExist
    attempt_closes_from(items)
    attempt = items[0].attempt
    for item in items:
        item.attempt = attempt
    if attempt.is_finished:
        raise AttemptClosedError(
            _("This attempt was already submitted; nothing was changed.")
        )
    return items


def _item_at(items: dict[int, AttemptQuestion], position: int) -> AttemptQuestion:
    item = items.get(position)
    if item is None:
        raise InvalidAnswerError(
            _("Question %(n)s is not part of this attempt.") % {"n": position}
        )
    return item


def _checked_answers(items: dict[int, AttemptQuestion], answers) -> dict:
    """Every answer belongs to this attempt before any is written: the question
    is one of its positions, each choice one of that question's, a single-answer
    question has one."""
    for position, ids in answers.items():
        item = _item_at(items, position)
        if not set(ids) <= item.choice_ids:
            raise InvalidAnswerError(
                _("That answer to question %(n)d is not one of its choices.")
                % {"n": position}
            )
        if item.qtype != "multiple" and len(set(ids)) > 1:
            raise InvalidAnswerError(
                _("Question %(n)d takes a single answer.") % {"n": position}
            )
    return {position: list(dict.fromkeys(ids)) for position, ids in answers.items()}


def _ids_from_places(
    items: dict[int, AttemptQuestion], places: dict[int, list[int]]
) -> dict[int, list[int]]:
    """A page's answers (each choice's place in the order shown) as choice ids."""
    answers: dict[int, list[int]] = {}
    for position, chosen in places.items():
        item = _item_at(items, position)
        if any(not 1 <= place <= len(item.choices) for place in chosen):
            raise InvalidAnswerError(
                _("That answer to question %(n)d is not one of its choices.")
                % {"n": position}
            )
        answers[position] = [item.choices[place - 1]["id"] for place in chosen]
    return answers


def attempt_save_answers(
    *,
    attempt: Attempt | int,
    user,
    answers: dict[int, list],
    flags: dict[int, bool] | None = None,
    page: int | None = None,
) -> SaveOutcome:
    """Save answers {position: [choice ids]} and flags {position: flagged}, and
    remember the page the trainee goes to next (where "Resume" opens); an
    overdue attempt is graded instead."""
    with transaction.atomic():
        items = _locked_items(_pk(attempt), user)
        locked = items[0].attempt
        if _finish_if_overdue(locked, timezone.now(), items):
            return SaveOutcome.TIMED_OUT
        _write(locked, items, answers, flags or {}, page)
    return SaveOutcome.SAVED


@dataclass(frozen=True)
class PageSaved:
    outcome: SaveOutcome
    target: int | None = None  # the page to show next; None: the summary
    pages: int = 1
    answered: int = 0  # questions answered after the save


def attempt_save_page(
    *,
    attempt_id: int,
    user,
    answers: dict[int, list[int]],
    flags: dict[int, bool],
    page: int,
    nav: Navigation,
) -> PageSaved:
    """What a posted attempt page asks, in one transaction on one read of the
    attempt: save its answers (by place, as the page posts them) and flags,
    remember the page it goes to, or submit. An overdue attempt is graded as it
    stood instead. Raises NoSuchPageError for a page beyond the attempt."""
    with transaction.atomic():
        items = _locked_items(attempt_id, user)
        attempt = items[0].attempt
        pages = attempt.quiz.page_count(len(items))
        if page > pages:
            raise NoSuchPageError(_("No such page in this attempt."))
        if _finish_if_overdue(attempt, timezone.now(), items):
            return PageSaved(SaveOutcome.TIMED_OUT)
        by_position = {item.position: item for item in items}
        chosen = _ids_from_places(by_position, answers)
        target = nav.target(page, pages)
        _write(attempt, items, chosen, flags, target)
        if nav.action == "submit":
            _grade_and_finish(attempt, timed_out=False, items=items)
            return PageSaved(SaveOutcome.SUBMITTED)
    answered = sum(1 for item in items if item.selected)
    return PageSaved(SaveOutcome.SAVED, target=target, pages=pages, answered=answered)


def _write(
    attempt: Attempt,
    items: list[AttemptQuestion],
    answers: dict[int, list],
    flags: dict[int, bool],
    page: int | None,
) -> None:
    """Answers, flags and the page to resume on, on the rows already read."""
    by_position = {item.position: item for item in items}
    parsed = _checked_answers(by_position, answers)
    for position in sorted(flags):
        _item_at(by_position, position)
    now = timezone.now()
    changed = {}
    for position, ids in parsed.items():
        item = by_position[position]
        if item.selected != ids:
            item.selected = ids
            item.answered_at = now if ids else None
            changed[position] = item
    for position, flagged in flags.items():
        item = by_position[position]
        if item.flagged != flagged:
            item.flagged = flagged
            changed[position] = item
    if changed:
        AttemptQuestion.objects.bulk_update(
            changed.values(), ["selected", "answered_at", "flagged"]
        )
    if page is not None and page != attempt.last_page:
        attempt.last_page = page
        attempt.save(update_fields=["last_page"])


# --- submitting and grading -------------------------------------------------


@dataclass(frozen=True)
class SubmitOutcome:
    attempt: Attempt
    late: bool


def attempt_submit(
    *, attempt: Attempt | int, user, answers: dict[int, list] | None = None
) -> SubmitOutcome:
    """Grade the attempt once, atomically; a late submit is graded as it stood."""
    with transaction.atomic():
        items = _locked_items(_pk(attempt), user)
        locked = items[0].attempt
        if isinstance(user, User):
            # The attempt is the user's (the locked read says so): a certificate
            # issued by this pass names them without reading them again.
            locked.user = user
        if _finish_if_overdue(locked, timezone.now(), items):
            return SubmitOutcome(attempt=locked, late=True)
        if answers:
            _write(locked, items, answers, {}, None)
        _grade_and_finish(locked, timed_out=False, items=items)
    return SubmitOutcome(attempt=locked, late=False)


def attempt_close_if_overdue(*, attempt: Attempt) -> bool:
    """Grade an open attempt whose time is up, as it stands. True when it did."""
    if attempt.is_finished or not attempt.is_overdue(grace=timing.grace()):
        return False
    with transaction.atomic():
        locked = (
            Attempt.objects.select_for_update(of=("self",))
            .select_related("quiz")
            .with_closes()
            .get(pk=attempt.pk)
        )
        if locked.is_finished:
            return False
        closed = _finish_if_overdue(locked, timezone.now())
    if closed:
        attempt.refresh_from_db()
    return closed


@dataclass
class CloseReport:
    closed: int = 0
    failed: list[int] = field(default_factory=list)  # attempt ids, logged


def attempts_close_overdue(*, user=None) -> CloseReport:
    """Close every overdue open attempt of the user, or of everyone (the cron
    command). One that cannot be graded is logged and left open; the others are
    graded all the same."""
    now, grace = timezone.now(), timing.grace()
    open_attempts = Attempt.objects.filter(state=AttemptState.IN_PROGRESS)
    overdue: Iterable[Attempt]
    if user is not None:
        # A trainee's few open attempts: their closing dates read once in the
        # SELECT, the rule applied here (timing.is_overdue) rather than
        # repeated in the WHERE clause of a query every trainee page makes.
        overdue = [
            attempt
            for attempt in open_attempts.filter(user=user)
            .with_closes()
            .select_related("quiz")
            if attempt.is_overdue(now=now, grace=grace)
        ]
    else:
        overdue = (
            open_attempts.overdue(now=now, grace=grace)
            .with_closes()
            .select_related("quiz")
        )
    report = CloseReport()
    for attempt in overdue:
        try:
            report.closed += attempt_close_if_overdue(attempt=attempt)
        except Exception:
            logger.exception("could not grade overdue attempt %s", attempt.pk)
            report.failed.append(attempt.pk)
    return report


@task()
def attempt_close_when_due(attempt_id: int) -> bool:
    """The task _schedule_close enqueues: grade the attempt if its time is up."""
    attempt = Attempt.objects.select_related("quiz").filter(pk=attempt_id).first()
    return attempt is not None and attempt_close_if_overdue(attempt=attempt)


def _finish_if_overdue(attempt: Attempt, now, items=None) -> bool:
    """Within a transaction holding the attempt's lock: grade it if time is up."""
    if attempt.is_overdue(now=now, grace=timing.grace()):
        _grade_and_finish(attempt, timed_out=True, items=items)
        return True
    return False


def _finish_time(attempt: Attempt, *, timed_out: bool):
    """When the attempt ended: now, or, when its time ran out, the deadline.

    An overdue attempt is graded whenever someone notices (the trainee's next visit,
    the cron command), possibly weeks later; its finish date, and so its
    certificate's issue and expiry dates and the reports' dates, are the deadline's.
    """
    now = timezone.now()
    ends = attempt.effective_deadline if timed_out else None
    if ends is None:
        return now
    return max(attempt.started_at, min(now, ends))


GRADED_FIELDS = [
    "score",
    "marks_total",
    "passed",
    "failed_critical",
    "state",
    "finished_at",
    "timed_out",
]


def _grade_and_finish(attempt: Attempt, *, timed_out: bool, items=None) -> None:
    """Mark every question and the attempt, once. `items`: its questions, when
    the caller read them under the lock already."""
    items = list(attempt.items.all()) if items is None else items
    graded = []
    for item in items:
        correct = {c["id"] for c in item.snapshot["choices"] if c["correct"]}
        mark = question_mark(item.qtype, correct, set(item.selected))
        item.mark = mark_decimal(mark)
        item.fully_correct = mark == 1
        graded.append(GradedItem(mark=mark, critical=item.critical))
    AttemptQuestion.objects.bulk_update(items, ["mark", "fully_correct"])
    grade = attempt_grade(graded, attempt.pass_mark)
    attempt.score = grade.score_decimal
    # From the exact marks, not the stored (rounded) ones.
    attempt.marks_total = grade.marks_total_decimal
    attempt.passed = grade.passed
    attempt.failed_critical = grade.failed_critical
    attempt.state = AttemptState.FINISHED
    attempt.finished_at = _finish_time(attempt, timed_out=timed_out)
    attempt.timed_out = timed_out
    attempt.save(update_fields=GRADED_FIELDS)
    # Same transaction as the grade: a pass and its certificate land together.
    certificate_issue_for_attempt(attempt=attempt)

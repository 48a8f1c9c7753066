"""Writes on attempts: start, save answers, submit, grade."""

import logging
import random
import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from questions.models import Question
from quiz.attempts import timing
from quiz.attempts.grading import GradedItem, attempt_grade, question_mark, to_decimal
from quiz.attempts.models import (
    Attempt,
    AttemptQuestion,
    AttemptQuestionRule,
    AttemptState,
)
from quiz.certificates.services import certificate_issue_for_attempt
from quiz.models import Quiz
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


def attempt_start(*, quiz: Quiz, user, rng: random.Random | None = None) -> Attempt:
    """Resume the trainee's open attempt, or start a new one with its questions fixed."""
    rng = rng or random.Random(secrets.randbits(64))
    # Grade what ran out of time first, in its own transaction: a refusal below
    # (no attempts left, say) must not roll that grade back.
    attempts_close_overdue(user=user)
    now = timezone.now()
    with transaction.atomic():
        # One start at a time per trainee: the user row is the lock.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        current = (
            Attempt.objects.select_for_update()
            .filter(quiz=quiz, user=user, state=AttemptState.IN_PROGRESS)
            .first()
        )
        if current is not None:
            current.quiz = quiz
            if not _finish_if_overdue(current, now):
                return current
        if not quiz.published:
            raise StartRefusedError(_("This quiz is not open."))
        if quiz.is_closed:
            raise StartRefusedError(
                _("This quiz closed on %(date)s.")
                % {
                    "date": date_format(
                        timezone.localtime(quiz.closes_at), "DATETIME_FORMAT"
                    )
                }
            )
        used = Attempt.objects.filter(quiz=quiz, user=user).count()
        if quiz.max_attempts is not None and used >= quiz.max_attempts:
            raise StartRefusedError(
                _("You have used all %(n)d attempts allowed for this quiz.")
                % {"n": quiz.max_attempts}
            )
        try:
            ids = select_question_ids(quiz, rng)
        except SelectionError as exc:  # the bank changed under the quiz
            raise StartRefusedError(str(exc)) from exc
        questions = {
            q.pk: q
            for q in Question.objects.filter(pk__in=[pk for _slot, pk in ids])
            .select_related("category")
            .prefetch_related("choices", "rules")
        }
        ends = timing.deadline_at_start(
            started_at=now, time_limit=quiz.time_limit, closes_at=quiz.closes_at
        )
        try:
            with transaction.atomic():
                attempt = Attempt.objects.create(
                    quiz=quiz,
                    user=user,
                    number=used + 1,
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
            question = questions[pk]
            snapshot = question_snapshot(question, rng, quiz.shuffle_choices)
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
    return attempt


# --- answering --------------------------------------------------------------


class SaveOutcome(Enum):
    SAVED = "saved"
    TIMED_OUT = "timed_out"


def _checked_answers(items: dict[int, AttemptQuestion], answers) -> dict:
    """Every answer belongs to this attempt before any is written: the question
    is one of its positions, each choice one of that question's (the page's form
    has parsed them; this guards every other caller)."""
    for position, ids in answers.items():
        item = items.get(position)
        if item is None:
            raise InvalidAnswerError(
                _("Question %(n)s is not part of this attempt.") % {"n": position}
            )
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


def _locked_open_attempt(attempt_id: int, user) -> Attempt:
    # of=self: lock the attempt row only, never the quiz every trainee shares.
    attempt = (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("quiz")
        .get(pk=attempt_id, user=user)
    )
    if attempt.is_finished:
        raise AttemptClosedError(
            _("This attempt was already submitted; nothing was changed.")
        )
    return attempt


def attempt_save_answers(
    *,
    attempt: Attempt,
    user,
    answers: dict[int, list],
    flags: dict[int, bool] | None = None,
    page: int | None = None,
) -> SaveOutcome:
    """Save answers {position: [choice ids]} and flags {position: flagged}, and
    remember the page the trainee goes to next (where "Resume" opens); an
    overdue attempt is graded instead."""
    with transaction.atomic():
        attempt = _locked_open_attempt(attempt.pk, user)
        if _finish_if_overdue(attempt, timezone.now()):
            return SaveOutcome.TIMED_OUT
        _write_answers(attempt, answers, flags or {})
        if page is not None and page != attempt.last_page:
            attempt.last_page = page
            attempt.save(update_fields=["last_page"])
    return SaveOutcome.SAVED


def _write_answers(
    attempt: Attempt, answers: dict[int, list], flags: dict[int, bool]
) -> None:
    if not answers and not flags:
        return
    items = {item.position: item for item in attempt.items.all()}
    parsed = _checked_answers(items, answers)
    unknown = set(flags) - set(items)
    if unknown:
        raise InvalidAnswerError(
            _("Question %(n)s is not part of this attempt.") % {"n": min(unknown)}
        )
    now = timezone.now()
    changed = {}
    for position, ids in parsed.items():
        item = items[position]
        if item.selected != ids:
            item.selected = ids
            item.answered_at = now if ids else None
            changed[position] = item
    for position, flagged in flags.items():
        item = items[position]
        if item.flagged != flagged:
            item.flagged = flagged
            changed[position] = item
    AttemptQuestion.objects.bulk_update(
        changed.values(), ["selected", "answered_at", "flagged"]
    )


# --- submitting and grading -------------------------------------------------


@dataclass(frozen=True)
class SubmitOutcome:
    attempt: Attempt
    late: bool


def attempt_submit(
    *, attempt: Attempt, user, answers: dict[int, list] | None = None
) -> SubmitOutcome:
    """Grade the attempt once, atomically; a late submit is graded as it stood."""
    with transaction.atomic():
        attempt = _locked_open_attempt(attempt.pk, user)
        if _finish_if_overdue(attempt, timezone.now()):
            return SubmitOutcome(attempt=attempt, late=True)
        _write_answers(attempt, answers or {}, {})
        _grade_and_finish(attempt, timed_out=False)
    return SubmitOutcome(attempt=attempt, late=False)


def attempt_close_if_overdue(*, attempt: Attempt) -> bool:
    """Grade an open attempt whose time is up, as it stands. True when it did."""
    if attempt.is_finished or not attempt.is_overdue(grace=timing.grace()):
        return False
    with transaction.atomic():
        locked = (
            Attempt.objects.select_for_update(of=("self",))
            .select_related("quiz")
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
    overdue = Attempt.objects.filter(
        timing.overdue_q(now=timezone.now(), grace=timing.grace()),
        state=AttemptState.IN_PROGRESS,
    ).select_related("quiz")
    if user is not None:
        overdue = overdue.filter(user=user)
    report = CloseReport()
    for attempt in overdue:
        try:
            report.closed += attempt_close_if_overdue(attempt=attempt)
        except Exception:
            logger.exception("could not grade overdue attempt %s", attempt.pk)
            report.failed.append(attempt.pk)
    return report


def _finish_if_overdue(attempt: Attempt, now) -> bool:
    """Within a transaction holding the attempt's lock: grade it if time is up."""
    if attempt.is_overdue(now=now, grace=timing.grace()):
        _grade_and_finish(attempt, timed_out=True)
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


def _grade_and_finish(attempt: Attempt, *, timed_out: bool) -> None:
    items = list(attempt.items.all())
    graded = []
    for item in items:
        correct = {c["id"] for c in item.snapshot["choices"] if c["correct"]}
        mark = question_mark(item.qtype, correct, set(item.selected))
        item.mark = to_decimal(mark, "0.0001")
        item.fully_correct = mark == 1
        graded.append(GradedItem(mark=mark, critical=item.critical))
    AttemptQuestion.objects.bulk_update(items, ["mark", "fully_correct"])
    grade = attempt_grade(graded, attempt.pass_mark)
    attempt.score = grade.score_decimal
    attempt.marks_total = sum((item.mark or Decimal(0) for item in items), Decimal(0))
    attempt.passed = grade.passed
    attempt.failed_critical = grade.failed_critical
    attempt.state = AttemptState.FINISHED
    attempt.finished_at = _finish_time(attempt, timed_out=timed_out)
    attempt.timed_out = timed_out
    attempt.save(
        update_fields=[
            "score",
            "marks_total",
            "passed",
            "failed_critical",
            "state",
            "finished_at",
            "timed_out",
        ]
    )
    # Same transaction as the grade: a pass and its certificate land together.
    certificate_issue_for_attempt(attempt=attempt)

"""Writes on practice: start a session, serve the next question, answer it.

Nothing here writes a table that assessment reads: marks come from the same
grading arithmetic as attempts (quiz/attempts/grading.py), but land on the
practice item and its FSRS card only.
"""

import random
import secrets
from datetime import datetime
from fractions import Fraction

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from questions.models import Question, QuestionStatus, Rule
from questions.source import cleaned
from quiz.attempts.grading import question_mark, to_decimal
from quiz.practice import scheduling
from quiz.practice.models import (
    PracticeCard,
    PracticeItem,
    PracticeSession,
)
from quiz.practice.selectors import next_question_id
from quiz.snapshots import question_snapshot


class PracticeError(Exception):
    """A practice request that cannot be honoured; the message is for the trainee."""


class AlreadyAnsweredError(PracticeError):
    pass


class InvalidPracticeAnswerError(PracticeError):
    pass


def practice_start(
    *, user, rule: Rule | None = None, now: datetime | None = None
) -> PracticeSession:
    """Open a session (of the due cards, or of one rule), ending the one open
    before; a second tab starting at the same moment continues this one."""
    now = now or timezone.now()
    with transaction.atomic():
        open_ = list(
            PracticeSession.objects.select_for_update().filter(
                user=user, ended_at__isnull=True
            )
        )
        for session in open_:
            if session.rule_id == (rule.pk if rule else None) and not _done(session):
                return session
        _end([session.pk for session in open_], now)
        try:
            with transaction.atomic():
                session = PracticeSession(user=user, rule=rule, started_at=now)
                # The one-open-session constraint is settled by the database
                # (IntegrityError below): validated here it would read a session
                # another tab committed a moment ago and refuse instead of
                # continuing it.
                session.full_clean(validate_constraints=False)
                session.save()
        except IntegrityError:
            return PracticeSession.objects.get(user=user, ended_at__isnull=True)
    return session


def _end(session_ids: list[int], now: datetime) -> None:
    """End locked sessions. A question served but never answered is dropped, not
    scheduled: its card may be served again in a later session."""
    if not session_ids:
        return
    PracticeItem.objects.filter(
        session_id__in=session_ids, answered_at__isnull=True
    ).delete()
    PracticeSession.objects.filter(pk__in=session_ids).update(ended_at=now)


def _done(session: PracticeSession) -> bool:
    return session.items.filter(answered_at__isnull=False).count() >= session.size


def practice_serve(
    *,
    user,
    session: PracticeSession,
    now: datetime | None = None,
    rng: random.Random | None = None,
    language: str | None = None,
) -> PracticeItem | None:
    """The question waiting for an answer in the session, or the next one by the
    practice order; None (and the session ended) when it is complete or nothing
    is left to practise. language: what a new question is shown in
    (quiz/snapshots.py), the active language by default; one waiting keeps its
    own."""
    now = now or timezone.now()
    language = language or get_language()
    rng = rng or random.Random(secrets.randbits(64))
    with transaction.atomic():
        # The session row serialises two tabs: the second gets the same question.
        session = PracticeSession.objects.select_for_update().get(
            pk=session.pk, user=user
        )
        if session.ended_at is not None:
            return None
        items = list(session.items.order_by("position"))
        pending = next((item for item in items if not item.is_answered), None)
        if pending is not None:
            return pending
        question_id = None
        if len(items) < session.size:
            question_id = next_question_id(user=user, session=session, now=now)
        if question_id is None:
            _end([session.pk], now)
            return None
        item = _serve(session, question_id, len(items) + 1, now, rng, language)
        if item is None:
            _end([session.pk], now)
        return item


def _serve(
    session, question_id: int, position: int, now, rng, language: str
) -> PracticeItem | None:
    question = (
        Question.objects.select_related("category")
        .prefetch_related("choices", "rules")
        .filter(pk=question_id, status=QuestionStatus.PUBLISHED)
        .first()
    )
    if question is None:  # retired a moment ago
        return None
    card, _created = PracticeCard.objects.get_or_create(
        user_id=session.user_id,
        question=question,
        defaults={"due": now, "created_at": now},
    )
    rules = list(question.rules.all())
    snapshot = question_snapshot(
        question,
        list(question.choices.all()),
        rules,
        rng,
        shuffle_choices=True,
        language=language,
    )
    # The feedback quotes each rule's passage of the course (the cleaned
    # edition), as it was served.
    passages = {rule.pk: cleaned(rule.passage) for rule in rules}
    for rule in snapshot["rules"]:
        rule["passage"] = passages[rule["id"]]
    return PracticeItem.objects.create(
        session=session,
        card=card,
        position=position,
        snapshot=snapshot,
        critical=any(rule["critical"] for rule in snapshot["rules"]),
        served_at=now,
    )


def practice_answer(
    *, user, item_id: int, choice_ids: list[int], now: datetime | None = None
) -> PracticeItem:
    """Mark the answer to a served question and reschedule its card with the
    fsrs Scheduler, once: a replay or a second tab is refused and changes
    nothing. Raises PracticeItem.DoesNotExist for an item not the trainee's."""
    now = now or timezone.now()
    with transaction.atomic():
        # Locks the item and its card (FOR UPDATE covers both joined rows).
        item = (
            PracticeItem.objects.select_for_update()
            .select_related("card")
            .get(pk=item_id, session__user=user)
        )
        if item.is_answered:
            raise AlreadyAnsweredError(_("This question has already been answered."))
        selected = list(dict.fromkeys(choice_ids))
        if not selected or not set(selected) <= {c["id"] for c in item.choices}:
            raise InvalidPracticeAnswerError(
                _("That answer is not one of its choices.")
            )
        if item.qtype != "multiple" and len(selected) > 1:
            raise InvalidPracticeAnswerError(_("This question takes a single answer."))
        mark = question_mark(
            item.qtype, {c["id"] for c in item.choices if c["correct"]}, set(selected)
        )
        rating = scheduling.rating_for(mark)
        scheduling.review(item.card, rating, now)
        item.card.save()
        item.selected = selected
        item.answered_at = now
        item.mark = to_decimal(Fraction(mark), "0.0001")
        item.rating = rating
        item.save(update_fields=["selected", "answered_at", "mark", "rating"])
    return item


def practice_stop(
    *, user, session: PracticeSession, now: datetime | None = None
) -> None:
    """End the trainee's session; a question left unanswered is left unscheduled."""
    with transaction.atomic():
        ids = list(
            PracticeSession.objects.select_for_update()
            .filter(pk=session.pk, user=user, ended_at__isnull=True)
            .values_list("pk", flat=True)
        )
        _end(ids, now or timezone.now())

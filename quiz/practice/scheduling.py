"""The FSRS scheduler (the `fsrs` package) and how an answer becomes a rating.

Nothing here schedules by itself: the package's Scheduler does, on its own Card;
this module only converts between its Card and the stored row's fields.
"""

from datetime import UTC, datetime
from fractions import Fraction

import fsrs

from quiz.practice.models import PracticeCard, Rating

# Fuzzing off: a wrong answer or a success is scheduled the same way for
# everyone, and a trainee (or a test with a fixed clock) can be told exactly
# when the question comes back. A class of trainees is small enough that
# spreading the load over neighbouring days buys nothing.
SCHEDULER = fsrs.Scheduler(desired_retention=0.9, enable_fuzzing=False)

CARD_FIELDS = ("state", "step", "stability", "difficulty", "due", "last_review")


def rating_for(mark: Fraction) -> Rating:
    """Wrong: Again; partly right: Hard; right: Good."""
    if mark >= 1:
        return Rating.GOOD
    if mark > 0:
        return Rating.HARD
    return Rating.AGAIN


def _utc(moment: datetime | None) -> datetime | None:
    # fsrs insists on datetime.timezone.utc itself, not an equal zone.
    return None if moment is None else moment.astimezone(UTC)


def to_fsrs(card: PracticeCard) -> fsrs.Card:
    return fsrs.Card(
        card_id=card.pk,
        state=fsrs.State(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=_utc(card.due),
        last_review=_utc(card.last_review),
    )


def review(card: PracticeCard, rating: Rating, now: datetime) -> PracticeCard:
    """The card after an answer at `now`, as the fsrs Scheduler decides (in place)."""
    was_learnt = card.state == fsrs.State.Review
    reviewed, _log = SCHEDULER.review_card(
        to_fsrs(card), fsrs.Rating(rating), review_datetime=_utc(now)
    )
    for name in CARD_FIELDS:
        value = getattr(reviewed, name)
        setattr(card, name, int(value) if name == "state" else value)
    card.reps += 1
    if rating == Rating.AGAIN and was_learnt:  # a lapse: forgotten once learnt
        card.lapses += 1
    return card


def retrievability(card: PracticeCard, now: datetime) -> float:
    """The chance the trainee recalls the card now (0 before any review)."""
    return SCHEDULER.get_card_retrievability(to_fsrs(card), _utc(now))

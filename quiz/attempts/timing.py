"""When an attempt's time is up: one rule, written once in Python and once in SQL.

An attempt ends at the earlier of its own deadline (the start plus the time limit,
fixed when it starts) and its quiz's closing date for its trainee (which an
instructor may bring forward later; the trainee's cohorts and override decide
it, in quiz/programme/effective.py). It is overdue once that moment plus the grace period has passed:
the grace covers the last save posted as the countdown reaches zero.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q


def grace() -> timedelta:
    return timedelta(seconds=getattr(settings, "QUIZ_DEADLINE_GRACE_SECONDS", 10))


def earliest(*moments: datetime | None) -> datetime | None:
    """The earliest of the moments given, ignoring the missing ones."""
    present = [moment for moment in moments if moment is not None]
    return min(present) if present else None


def deadline_at_start(
    *, started_at: datetime, time_limit, closes_at
) -> datetime | None:
    """The deadline an attempt stores when it starts."""
    return earliest(started_at + time_limit if time_limit else None, closes_at)


def effective_deadline(*, deadline, closes_at) -> datetime | None:
    """The stored deadline, or the quiz's closing date if that came earlier."""
    return earliest(deadline, closes_at)


def is_overdue(*, deadline, closes_at, now: datetime, grace: timedelta) -> bool:
    ends = effective_deadline(deadline=deadline, closes_at=closes_at)
    # now - grace, not ends + grace: a deadline near datetime.max cannot overflow.
    return ends is not None and now - grace > ends


def overdue_q(*, now: datetime, grace: timedelta, closes: str) -> Q:
    """The same rule over attempts annotated with `closes`, when the quiz closes
    for each one's trainee (AttemptQuerySet.overdue: quiz/programme/effective.py
    decides it, from the cohorts' dates and the trainee's override)."""
    cutoff = now - grace
    return Q(deadline__lt=cutoff) | Q(**{f"{closes}__lt": cutoff})


# The countdown's two warnings, as Moodle's timer turns red in its last minutes:
# the page says it in words at these points (and announces them to a screen
# reader), not only in colour.
WARN_BEFORE = timedelta(minutes=5)
LAST_MINUTE = timedelta(minutes=1)


@dataclass(frozen=True)
class TimeLeft:
    """What the countdown shows when a page is rendered."""

    ends: datetime
    seconds: int  # whole seconds left, never negative

    @property
    def minutes(self) -> int:
        """Whole minutes left, rounded up: "2 min" until the last second of it."""
        return -(-self.seconds // 60)

    @property
    def level(self) -> str:
        """ "", "warn" (five minutes or less) or "last" (the last minute)."""
        if self.seconds <= LAST_MINUTE.total_seconds():
            return "last"
        if self.seconds <= WARN_BEFORE.total_seconds():
            return "warn"
        return ""


def time_left(*, ends: datetime | None, now: datetime) -> TimeLeft | None:
    if ends is None:
        return None
    return TimeLeft(ends=ends, seconds=max(0, int((ends - now).total_seconds())))

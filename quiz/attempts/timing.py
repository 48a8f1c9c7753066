"""When an attempt's time is up: one rule, written once in Python and once in SQL.

An attempt ends at the earlier of its own deadline (the start plus the time limit,
fixed when it starts) and its quiz's closing date (which an instructor may bring
forward later). It is overdue once that moment plus the grace period has passed:
the grace covers the last save posted as the countdown reaches zero.
"""

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


def overdue_q(*, now: datetime, grace: timedelta, prefix: str = "") -> Q:
    """The same rule over attempts (or rows reaching one through `prefix`)."""
    cutoff = now - grace
    return Q(**{f"{prefix}deadline__lt": cutoff}) | Q(
        **{f"{prefix}quiz__closes_at__lt": cutoff}
    )

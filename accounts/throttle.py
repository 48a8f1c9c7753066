"""Throttles: how many times something may happen per key in a fixed window.

Counters live in the database (accounts.models.RateCounter): one UPDATE ... SET
hits = hits + 1 per event, exact when many requests race, on SQLite and
PostgreSQL alike, whatever the cache. Windows are fixed (aligned on multiples of
their length since the epoch): a window ends exactly `seconds` after it starts,
and Retry-After says when.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import RateCounter

PRUNE_AFTER = timedelta(days=2)


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime

    @classmethod
    def of(cls, seconds: int, now: datetime | None = None) -> "Window":
        now = now or timezone.now()
        epoch = int(now.timestamp())
        start = datetime.fromtimestamp(epoch - epoch % seconds, tz=now.tzinfo)
        return cls(start=start, end=start + timedelta(seconds=seconds))

    def retry_after(self, now: datetime | None = None) -> int:
        """Whole seconds until the window ends (at least 1)."""
        left = (self.end - (now or timezone.now())).total_seconds()
        return max(1, int(-(-left // 1)))


def hits(key: str, seconds: int) -> int:
    """How many times `key` was counted in the current window."""
    window = Window.of(seconds)
    found = (
        RateCounter.objects.filter(key=key, window_start=window.start)
        .values_list("hits", flat=True)
        .first()
    )
    return found or 0


def hit(key: str, seconds: int) -> int:
    """Count one more for `key` in the current window; the new count, read in the
    same statement as the increment (UPDATE ... RETURNING: SQLite 3.35+ and
    PostgreSQL), so two racing requests never both read the same number."""
    key, window = key[:200], Window.of(seconds)
    count = _increment(key, window.start)
    if count is None:
        try:
            with transaction.atomic():
                RateCounter.objects.create(key=key, window_start=window.start, hits=1)
            count = 1
        except IntegrityError:  # created by a concurrent request just now
            count = _increment(key, window.start)
        else:
            # A new window began for this key: drop the long-expired counters.
            RateCounter.objects.filter(
                window_start__lt=timezone.now() - PRUNE_AFTER
            ).delete()
    return count or 1


def _increment(key: str, window_start: datetime) -> int | None:
    table = connection.ops.quote_name(RateCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET hits = hits + 1 "  # noqa: S608 - the table name only
            "WHERE key = %s AND window_start = %s RETURNING hits",
            [key, connection.ops.adapt_datetimefield_value(window_start)],
        )
        row = cursor.fetchone()
    return row[0] if row else None

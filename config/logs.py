"""Logging filters.

A Redis outage makes every request's cache calls fail (and be ignored: the
cache is a miss, never an error page, see config/settings.py). django-redis logs
each with its traceback: hundreds of identical tracebacks a minute hide the one
line an operator needs. `Repeated` lets the first record of a kind through with
its traceback, then one line a window saying how many were held back.
"""

import logging
import threading
import time


class Repeated(logging.Filter):
    """The first record per (logger, message) in each window passes whole; the
    rest are counted, and the next one to pass says how many were left out."""

    def __init__(self, seconds: float = 60.0) -> None:
        super().__init__()
        self.seconds = float(seconds)
        self._lock = threading.Lock()
        self._seen: dict[tuple[str, str], tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, str(record.msg))
        now = time.monotonic()
        with self._lock:
            since, held = self._seen.get(key, (0.0, 0))
            if since and now - since < self.seconds:
                self._seen[key] = (since, held + 1)
                return False
            self._seen[key] = (now, 0)
        if held:
            record.msg = f"{record.msg} ({held} more like it in the last window)"
            record.exc_info = None  # the first one of the outage had it
            record.exc_text = None
        return True

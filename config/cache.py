"""A database cache that degrades instead of failing.

The cache holds nothing the site cannot do without (computed statistics, page
fragments): when its table is missing or the database refuses a cache query, a
read is a miss and a write is skipped, with a warning in the log, and the page is
served. Each operation runs in a savepoint, so a failed cache query inside a
request's transaction does not abort the transaction on PostgreSQL.

Counters that must be exact (throttles) do not live in the cache: see
accounts/throttle.py.
"""

import logging

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.db import DatabaseError, router, transaction

logger = logging.getLogger("rulewise.cache")


class TolerantDatabaseCache(DatabaseCache):
    def _guard(self, operation: str, call, default):
        db = router.db_for_write(self.cache_model_class)
        try:
            with transaction.atomic(using=db):
                return call()
        except DatabaseError as exc:
            logger.warning(
                "cache %s failed (%s); served without the cache", operation, exc
            )
            return default

    def get(self, key, default=None, version=None):
        return self._guard(
            "get",
            lambda: super(TolerantDatabaseCache, self).get(key, default, version),
            default,
        )

    def get_many(self, keys, version=None):
        return self._guard(
            "get_many",
            lambda: super(TolerantDatabaseCache, self).get_many(keys, version),
            {},
        )

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._guard(
            "set",
            lambda: super(TolerantDatabaseCache, self).set(
                key, value, timeout, version
            ),
            None,
        )

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(
            "add",
            lambda: super(TolerantDatabaseCache, self).add(
                key, value, timeout, version
            ),
            False,
        )

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(
            "touch",
            lambda: super(TolerantDatabaseCache, self).touch(key, timeout, version),
            False,
        )

    def delete(self, key, version=None):
        return self._guard(
            "delete",
            lambda: super(TolerantDatabaseCache, self).delete(key, version),
            False,
        )

    def delete_many(self, keys, version=None):
        self._guard(
            "delete_many",
            lambda: super(TolerantDatabaseCache, self).delete_many(keys, version),
            None,
        )

    def has_key(self, key, version=None):
        return self._guard(
            "has_key",
            lambda: super(TolerantDatabaseCache, self).has_key(key, version),
            False,
        )

    def clear(self):
        self._guard("clear", lambda: super(TolerantDatabaseCache, self).clear(), None)

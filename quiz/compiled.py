"""A query of fixed shape, compiled once per database connection.

Building a queryset and compiling it to SQL is Python work the database never
sees, and for a query whose shape never changes (only the values it compares
do) it gives the same SQL on every call: on the attempt page it was more than
half of the request's CPU. `KeptQuery` builds the queryset once per connection
(each thread has its own) with marker values where the call's values go, keeps
the SQL, its parameters and what the ORM turns rows into instances with, and
then runs that SQL with each call's values. The SQL is the ORM's own, from the
same queryset code, so every rule inside it keeps its one owner.

Only for values that cannot change the SQL's shape: integers compared for
equality with a key (a primary key, a foreign key). A value the ORM writes into
the SQL itself, passes more than once or not unchanged, or decides on (a value
out of a column's range makes a condition that can never hold), is refused
when the query is first built, never silently left as a marker.
"""

import functools
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import DatabaseError, connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators

# Integers no query of this site compares with: each call's values take their
# places in the parameters.
MARK_BASE = -917_000_000


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    slots: tuple[tuple[str, int], ...]  # (value name, index in params)
    compiler: Any  # the compiler the SQL came from: its connection, converters
    converters: dict
    model: type[Model]
    init_list: list[str]
    fields: slice
    populators: list  # (RelatedPopulator, the foreign key it follows)
    annotations: tuple[tuple[str, int], ...]
    col_count: int | None  # columns to keep when the ORM selected extra ones


def _fetch(connection, sql: str, params: list) -> list:
    with _cursor(connection) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _stale_plan(error: DatabaseError) -> bool:
    """PostgreSQL's "cached plan must not change result type" (feature not
    supported, 0A000), raised by a prepared statement after a schema change."""
    cause = error.__cause__
    return getattr(cause, "sqlstate", None) == "0A000" and "cached plan" in str(cause)


def _cursor(connection):
    """A cursor for a kept query's SQL. On PostgreSQL a prepared statement: the
    SQL is the same on every call, and planning it (its joins and subqueries)
    cost the server about ten times running it (0.9-1.0 ms against 0.1 ms on
    the attempt page, EXPLAIN ANALYZE at S). Django's own cursors bind values on
    the client, which psycopg cannot prepare; this one binds them on the server
    and prepares the statement on its first execution on the connection: parsed
    once, and after five runs planned once (PostgreSQL's generic plan, where it
    costs no more than the custom ones). psycopg keeps it per connection and
    forgets its statements when a transaction rolls back; they are prepared
    again on the next run.
    It is wrapped as Django wraps its cursors, so its errors are Django's and
    execute_wrappers see it. Where queries are logged (DEBUG, a test counting
    them), Django's own cursor: its log reads the SQL with the values in, which a
    server-binding cursor does not have. Elsewhere, Django's cursor."""
    if connection.vendor != "postgresql" or connection.queries_logged:
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        return connection._prepare_cursor(
            _preparing_cursor_class()(connection.connection)
        )


@functools.cache
def _preparing_cursor_class() -> type:
    """Made on first use: Django's PostgreSQL backend is imported only where a
    PostgreSQL database is configured."""
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparingCursor(ServerBindingCursor):
        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True, binary=binary)

    return PreparingCursor


class KeptQuery:
    """`build(**values)` returns the queryset; calling the KeptQuery with the
    same keyword values returns the instances the queryset would (select_related
    objects and annotations included), without building or compiling it again.
    With `shared_related`, every row's related objects are the first row's (for
    the rows of one parent, read with it): built once, not once per row."""

    def __init__(
        self,
        model: type[Model],
        build: Callable[..., QuerySet],
        names: Sequence[str],
        *,
        shared_related: bool = False,
    ) -> None:
        self.model = model
        self.build = build
        self.names = tuple(names)
        self.shared_related = shared_related
        self._kept: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def sql(self, using: str | None = None) -> tuple[str, tuple]:
        """The kept SQL and its parameters (with the markers), for tests."""
        compiled = self._compiled(using or router.db_for_read(self.model))
        return compiled.sql, compiled.params

    def __call__(self, **values: int) -> list:
        if set(values) != set(self.names):
            raise TypeError(f"expected the values {self.names}, got {tuple(values)}")
        alias = router.db_for_read(self.model)
        compiled = self._compiled(alias)
        params = list(compiled.params)
        for name, index in compiled.slots:
            value = values[name]
            if type(value) is not int:
                raise TypeError(f"{name} must be an int, not {type(value).__name__}")
            params[index] = value
        connection = compiled.compiler.connection
        try:
            rows = _fetch(connection, compiled.sql, params)
        except DatabaseError as error:
            if not _stale_plan(error) or connection.in_atomic_block:
                raise
            # A migration changed the type of a column the prepared statement
            # returns: it cannot run again on this connection (PostgreSQL
            # refuses, psycopg keeps it). A new connection prepares it anew.
            connection.close()
            rows = _fetch(connection, compiled.sql, params)
        if compiled.col_count is not None:
            rows = [row[: compiled.col_count] for row in rows]
        if compiled.converters:
            rows = compiled.compiler.apply_converters(rows, compiled.converters)
        return self._instances(alias, compiled, rows)

    def _instances(self, alias: str, compiled: _Compiled, rows) -> list:
        """What ModelIterable makes of the rows."""
        objects = []
        first = None
        for row in rows:
            obj = compiled.model.from_db(
                alias, compiled.init_list, row[compiled.fields]
            )
            if first is None or not self.shared_related:
                for populator, _field in compiled.populators:
                    populator.populate(row, obj)
                first = obj
            else:
                self._share(first, obj, compiled)
            for name, index in compiled.annotations:
                setattr(obj, name, row[index])
            objects.append(obj)
        return objects

    @staticmethod
    def _share(first: Model, obj: Model, compiled: _Compiled) -> None:
        for _populator, field in compiled.populators:
            if getattr(obj, field.attname) != getattr(first, field.attname):
                raise ValueError(f"rows with different {field.name}: not shared")
            field.set_cached_value(obj, field.get_cached_value(first))

    def _compiled(self, alias: str) -> _Compiled:
        connection = connections[alias]
        compiled = self._kept.get(connection)
        if compiled is None:
            compiled = self._compile(alias)
            self._kept[connection] = compiled
        return compiled

    def _compile(self, alias: str) -> _Compiled:
        marks = {name: MARK_BASE - i for i, name in enumerate(self.names)}
        queryset = self.build(**marks).using(alias)
        if queryset.model is not self.model:
            raise TypeError(f"build returned a queryset of {queryset.model}")
        compiler = queryset.query.get_compiler(using=alias)
        try:
            sql, params = compiler.as_sql()
        except (EmptyResultSet, FullResultSet) as error:
            raise ValueError(
                f"{self.names}: the ORM decided on the markers' values themselves "
                "(out of a column's range?): this query cannot be kept"
            ) from error
        params = tuple(params)
        slots = []
        for name, mark in marks.items():
            found = [i for i, p in enumerate(params) if type(p) is int and p == mark]
            if len(found) != 1:
                raise ValueError(
                    f"{name} is in the parameters {len(found)} times, not once"
                )
            slots.append((name, found[0]))
        select, klass_info = compiler.select, compiler.klass_info
        col_count = compiler.col_count
        fields = [s[0] for s in select[:col_count]]
        selected = klass_info["select_fields"]
        # One populator per related model, in the order of related_klass_infos.
        populators = list(
            zip(
                get_related_populators(klass_info, select, alias),
                (info["field"] for info in klass_info.get("related_klass_infos", [])),
                strict=True,
            )
        )
        return _Compiled(
            sql=sql,
            params=params,
            slots=tuple(slots),
            compiler=compiler,
            converters=compiler.get_converters(fields),
            model=klass_info["model"],
            init_list=[
                s[0].target.attname for s in select[selected[0] : selected[-1] + 1]
            ],
            fields=slice(selected[0], selected[-1] + 1),
            populators=populators,
            annotations=tuple(compiler.annotation_col_map.items()),
            col_count=col_count if compiler.has_extra_select else None,
        )

"""Streamed, pipelined bulk inserts inside the unit of work's transaction.

Rows are never gathered in full: a generator yields them and ``insert``
writes them in batches as they come (Postgres: a COPY per batch; SQLite: an
executemany per batch), handing each batch to a writer thread so that the
database ingests one while Python builds the next.
"""

from __future__ import annotations

import io
import itertools
import json
import operator
import queue
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection

from mentara_seed.failpoints import failpoint
from mentara_seed.schema.versions import Target
from mentara_seed.seeding.columns import Columns, copy_data, sqlite_params
from mentara_seed.seeding.deferred import Deferred

# Rows per executemany batch (SQLite), and between two crash-injection points on SQLite.
BATCH = 5_000
# Rows per COPY statement (Postgres): big enough to amortise a statement, small enough to pipeline.
COPY_BATCH = 5_000
# Tables smaller than this are planned well enough without statistics: not worth an ANALYZE.
ANALYZE_FROM = 10_000


class InsertFailed(RuntimeError):
    """A batch the database refused; raised by the next statement on the connection (or ``finish``),
    naming the table, with the database's own error as its cause."""


def batched(rows: Iterable, size: int) -> Iterator[list]:
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


class BulkWriter:
    """Writes rows into the tables of one connection's transaction, and counts what it added.

    ``target`` (when known) names the columns each table has: columns a row
    carries that the target lacks (a newer version's) are left out.
    """

    def __init__(self, conn: Connection, target: Target | None = None, defer: bool = True) -> None:
        self.conn = conn
        self.target = target
        self.postgres = conn.dialect.name == "postgresql"
        self.added: Counter[str] = Counter()
        # The last batch of an insert may still be finishing in the database while Python goes
        # on; the next statement on the connection, or ``finish``, waits for it first.
        self._writer: threading.Thread | None = None
        self._failed: list[BaseException] = []
        self._failed_table = ""
        # (Nearly) empty tables load without index upkeep (and, on Postgres, per-row foreign-key
        # checks), rebuilt before the unit of work ends (``deferred``).
        self.deferred = Deferred(conn, enabled=defer)
        self._driver_errors = conn.dialect.loaded_dbapi.Error
        sa.event.listen(conn, "before_cursor_execute", self._wait_for_writer)

    def insert(self, table: sa.Table, rows: Iterable[dict]) -> int:
        """Insert ``rows`` (dicts with the same keys) as they are produced, inside the current transaction.

        ``rows`` may be a generator: it is consumed once, never held in full.
        It may read other tables as it goes (the driver takes the statements
        in turn), never ``table`` itself, whose earlier batches may still be
        in flight.

        Batches are pipelined: this thread prepares batch k+1 while a writer
        thread hands batch k to the database and waits for it, so the
        database's work (parsing, index updates, foreign-key checks, which
        Postgres runs when a COPY ends) overlaps Python's. The last batch is
        not waited for here either: the next statement on the connection (or
        ``finish``) waits for it first, and re-raises its error if it failed.
        """
        rows = iter(rows)
        first = next(rows, None)
        if first is None:
            return 0
        self._join_writer()
        columns = self._present(table, tuple(first))
        prepare, send, size = (self._copy if self.postgres else self._executemany)(table, columns)
        return self._pipeline(table, columns, ((prepare(batch), len(batch))
                                               for batch in batched(itertools.chain((first,), rows), size)), send)

    def insert_columns(self, table: sa.Table, batches: Iterable[Columns]) -> int:
        """Insert batches built a column at a time (``seeding.columns``), as ``insert`` does rows:
        streamed, pipelined, in the current transaction. Every batch has the same columns."""
        batches = (b for b in batches if len(b))
        first = next(batches, None)
        if first is None:
            return 0
        self._join_writer()
        names = first.names()
        columns = self._present(table, names)
        keep = None if columns == names else columns
        prepare, size = (copy_data, COPY_BATCH) if self.postgres else (sqlite_params, BATCH)
        send = self._sender(table, columns)

        def slices() -> Iterator[tuple[object, int]]:
            for batch in itertools.chain((first,), batches):
                if keep is not None:
                    batch = Columns({name: batch.columns[name] for name in keep})
                for start in range(0, len(batch), size):
                    part = batch.slice(start, start + size)
                    yield prepare(part), len(part)

        return self._pipeline(table, columns, slices(), send)

    def _present(self, table: sa.Table, columns: tuple[str, ...]) -> tuple[str, ...]:
        """``columns`` less those the target lacks (a newer version's)."""
        if self.target is not None and self.target.has(table):
            present = self.target.columns[table.name]
            return tuple(c for c in columns if c in present)
        return columns

    def replay(self, table: sa.Table, columns: tuple[str, ...], batches: Iterable[tuple[object, int]]) -> int:
        """Write batches another process prepared (``seeding.parallel``) for ``columns`` of ``table``,
        as ``insert`` would have: pipelined, in the current transaction."""
        self._join_writer()
        return self._pipeline(table, columns, batches, self._sender(table, columns))

    def _sender(self, table: sa.Table, columns: tuple[str, ...]) -> Callable[[object], None]:
        """How a prepared batch of ``columns`` reaches ``table``: one COPY of its text (Postgres), one
        executemany of its parameter rows (SQLite)."""
        raw = self.conn.connection.driver_connection
        if self.postgres:
            statement = _copy_statement(table, columns)

            def send(data: bytes) -> None:
                with raw.cursor() as cursor, cursor.copy(statement) as copy:
                    copy.write(data)
        else:
            statement = _insert_statement(table, columns)

            def send(params: list) -> None:
                raw.executemany(statement, params)
        return send

    def _pipeline(self, table: sa.Table, columns: tuple[str, ...], prepared: Iterable[tuple[object, int]],
                  send: Callable) -> int:
        """Send each prepared batch from a writer thread while this one prepares the next."""
        self.deferred.before_first_rows(table.name)
        handoff: queue.Queue = queue.Queue(maxsize=1)
        failed: list[BaseException] = []

        def write() -> None:
            try:
                while (data := handoff.get()) is not None:
                    if not failed:
                        send(data)
            except BaseException as exc:  # re-raised in the calling thread
                failed.append(exc)
                while handoff.get() is not None:  # let the producer finish handing off
                    pass

        writer = threading.Thread(target=write, name=f"insert-{table.name}", daemon=True)
        writer.start()
        written = 0
        try:
            for data, n in prepared:
                if failed:
                    break
                handoff.put(data)
                written += n
                failpoint(f"insert:{table.name}")
        except BaseException:
            handoff.put(None)
            writer.join()
            raise
        handoff.put(None)
        self._writer, self._failed, self._failed_table = writer, failed, table.name
        self.added[table.name] += written
        return written

    def finish(self) -> None:
        """End the writing: wait for the batch in flight (raising its error), rebuild the deferred
        indexes and foreign keys, refresh the statistics."""
        self._join_writer()
        sa.event.remove(self.conn, "before_cursor_execute", self._wait_for_writer)
        try:
            self.deferred.rebuild()
        except sa.exc.DBAPIError as exc:  # a row the live index or key would have refused
            first_line = str(exc.orig).strip().splitlines()[0]
            raise InsertFailed(f"inserting into {self.deferred.rebuilding.table} failed: {first_line}") from exc.orig
        self.analyze()

    def _wait_for_writer(self, _conn, _cursor, statement, *_) -> None:
        self._join_writer()
        try:
            self.deferred.before_statement(statement)
        except self._driver_errors as exc:  # a row the live index or key would have refused
            first_line = str(exc).strip().splitlines()[0]
            raise InsertFailed(f"inserting into {self.deferred.rebuilding.table} failed: {first_line}") from exc

    def _join_writer(self) -> None:
        if self._writer is not None:
            self._writer.join()
            self._writer = None
        if self._failed:
            failure, self._failed = self._failed[0], []
            if isinstance(failure, Exception):
                # Not the driver's own exception class: SQLAlchemy would report it as the error of
                # whichever statement happens to wait for the writer.
                first_line = str(failure).strip().splitlines()[0] if str(failure).strip() else repr(failure)
                raise InsertFailed(f"inserting into {self._failed_table} failed: {first_line}") from failure
            raise failure

    # -- planner statistics --------------------------------------------------------------
    def analyze(self) -> None:
        """Refresh the planner's statistics of the tables this unit of work grew by a tenth or more.

        Freshly bulk-loaded tables have none, and without them a planner takes
        a table of thousands for a handful of rows: the next grouped query (a
        check, an enricher's deficits) can pick a nested loop and take seconds
        instead of milliseconds. It is autovacuum's own rule, applied now,
        inside the transaction (whose rows it counts), so that the very next
        queries plan well; a small top-up, or a small table, changes nothing.
        Both samples are coarse, at a tenth of the cost: Postgres' autovacuum
        re-analyzes in full soon after the commit anyway.
        """
        if not self.added:
            return
        known = self._known_rows()
        grown = [name for name, n in sorted(self.added.items())
                 if n >= 0.1 * max(known.get(name, 0), 0) and n + max(known.get(name, 0), 0) >= ANALYZE_FROM]
        if not grown:
            return
        if self.postgres:
            self.conn.exec_driver_sql("SET LOCAL default_statistics_target = 10")
            self.conn.exec_driver_sql("ANALYZE " + ", ".join(f'"{name}"' for name in grown))
            self.conn.exec_driver_sql("RESET default_statistics_target")
        else:
            self.conn.exec_driver_sql("PRAGMA analysis_limit = 400")
            for name in grown:
                self.conn.exec_driver_sql(f'ANALYZE "{name}"')

    def _known_rows(self) -> dict[str, float]:
        """Rows per table as the planner last counted them (none before the first analysis)."""
        if self.postgres:
            return dict(self.conn.execute(
                sa.text("SELECT relname, reltuples FROM pg_class WHERE relkind = 'r' AND relname = ANY(:names)"
                        " AND relnamespace = current_schema()::regnamespace")
                .bindparams(sa.bindparam("names", sorted(self.added), type_=postgresql.ARRAY(sa.Text)))
            ).all())
        if not self.conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first():
            return {}
        return dict(self.conn.exec_driver_sql(
            "SELECT tbl, max(CAST(stat AS INTEGER)) FROM sqlite_stat1 GROUP BY tbl").all())

    # -- the two wire formats --------------------------------------------------------------
    def _copy(self, table: sa.Table, columns: tuple[str, ...]) -> tuple[Callable, Callable, int]:
        """Postgres: a batch is COPY text, formatted by psycopg's own COPY formatter into memory,
        and sent as one COPY."""
        from psycopg.copy import Copy, FileWriter  # here: runs against SQLite never need psycopg

        values_of = _getter(columns)
        literals = [(i, literal) for i, name in enumerate(columns)
                    if (literal := _pg_literal(table.c[name].type)) is not None]
        formatting = self.conn.connection.driver_connection.cursor()  # lends its adapters to the formatter; never executes anything

        def prepare(batch: list[dict]) -> bytes:
            buffer = io.BytesIO()
            with Copy(formatting, writer=FileWriter(buffer)) as copy:
                for row in batch:
                    values = values_of(row)
                    if literals:
                        values = list(values)
                        for i, literal in literals:
                            if values[i] is not None:
                                values[i] = literal(values[i])
                    copy.write_row(values)
            return buffer.getvalue()

        return prepare, self._sender(table, columns), COPY_BATCH

    def _executemany(self, table: sa.Table, columns: tuple[str, ...]) -> tuple[Callable, Callable, int]:
        """SQLite: a batch is a list of parameter rows, converted by the columns' own bind processors,
        and sent as one executemany (SQLite releases the GIL while it writes)."""
        dialect = self.conn.dialect
        values_of = _getter(columns)
        processors = [(i, p) for i, name in enumerate(columns)
                      if (p := table.c[name].type.dialect_impl(dialect).bind_processor(dialect)) is not None]
        def prepare(batch: list[dict]) -> list[list]:
            params = []
            for row in batch:
                values = list(values_of(row))
                for i, process in processors:
                    values[i] = process(values[i])
                params.append(values)
            return params

        return prepare, self._sender(table, columns), BATCH


def _copy_statement(table: sa.Table, columns: tuple[str, ...]) -> str:
    names = ", ".join(f'"{name}"' for name in columns)
    return f'COPY "{table.name}" ({names}) FROM STDIN'


def _insert_statement(table: sa.Table, columns: tuple[str, ...]) -> str:
    names = ", ".join(f'"{name}"' for name in columns)
    return f'INSERT INTO "{table.name}" ({names}) VALUES ({", ".join("?" * len(columns))})'


def _getter(columns: tuple[str, ...]) -> Callable[[dict], tuple]:
    if len(columns) == 1:
        name = columns[0]
        return lambda row: (row[name],)
    return operator.itemgetter(*columns)


def _text_array(values: list[str]) -> str:
    if not values:
        return "{}"
    return "{" + ",".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values) + "}"


def _int_array(values: list[int]) -> str:
    return "{" + ",".join(str(int(v)) for v in values) + "}"


def _pg_literal(column_type) -> Callable[[object], str] | None:
    """How a value of ``column_type`` is spelled in COPY's text format, where psycopg's own
    adaptation is slow (arrays are adapted element by element in Python) or needs a wrapper (JSON)."""
    if isinstance(column_type, sa.ARRAY):
        return _int_array if isinstance(column_type.item_type, sa.Integer) else _text_array
    if isinstance(column_type, sa.JSON):
        return json.dumps
    return None

"""The shared machinery of every generator: deficits, deterministic ids, streamed bulk inserts.

A generator is a short statement of a rule: which entities fall short (one
grouped query), how many rows each needs, and how one missing row is made.
``Seeding`` does the rest once, for all of them: it allocates each new row a
deterministic id that is not taken yet, streams the rows into the database
inside the asset's single transaction, and counts what was added.

Rows are never gathered in full: a generator yields them, ``insert`` writes
them in batches as they come (Postgres: a COPY per batch; SQLite: an
executemany per batch), handing each batch to a writer thread so that the
database ingests one while Python builds the next; generators work a bounded
chunk of entities at a time, so memory does not grow with the volume.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
import operator
import queue
import threading
from collections import Counter
from typing import Callable, Iterable, Iterator, Mapping, NamedTuple, Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection

from mentara_seed.failpoints import failpoint
from mentara_seed.generate.keys import Stream, seed_id, unit
from mentara_seed.requirements import Requirement
from mentara_seed.settings import SeedSettings
from mentara_seed.volumes import Volumes, volumes_for

# Rows per executemany batch (SQLite), and between two crash-injection points on SQLite.
BATCH = 5_000
# Rows per COPY statement (Postgres): big enough to amortise a statement, small enough to pipeline.
COPY_BATCH = 5_000
# Entities whose new rows are allocated and built together: bounds a generator's working memory.
ENTITIES_PER_CHUNK = 5_000
# Ids looked up in one query (one bound parameter: a separated text on Postgres, a JSON list on SQLite).
LOOKUP = 100_000
_SEPARATOR = "\x1f"  # ASCII unit separator: never in an id, an e-mail or a name
# Tables smaller than this are planned well enough without statistics: not worth an ANALYZE.
ANALYZE_FROM = 10_000


def chunks(items: Sequence, size: int = BATCH) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def batched(rows: Iterable, size: int) -> Iterator[list]:
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


class Deficit(NamedTuple):
    """One entity that falls short of a requirement (a tuple: made by the hundred thousand)."""

    subject: str
    have: int
    missing: int


class Seeding:
    """One unit of work (one asset) against the target database."""

    def __init__(self, conn: Connection, settings: SeedSettings) -> None:
        self.conn = conn
        self.postgres = conn.dialect.name == "postgresql"
        self.settings = settings
        self.mode = settings.mode
        self.anchor = settings.anchor
        self.volumes: Volumes = volumes_for(settings.mode, settings.scale)
        self.added: Counter[str] = Counter()
        self.found: dict[str, dict[str, int]] = {}
        self.unmet: Counter[str] = Counter()
        self.updated: Counter[str] = Counter()
        self._context = f"{settings.mode}/{settings.anchor.isoformat()}"
        # The last batch of an insert may still be finishing in the database while Python goes
        # on; the next statement on the connection, or ``finish``, waits for it first (see ``insert``).
        self._writer: threading.Thread | None = None
        self._writer_failed: list[BaseException] = []
        sa.event.listen(conn, "before_cursor_execute", self._wait_for_writer)

    # -- randomness and time -------------------------------------------------
    def rng(self, purpose: str, *parts: object) -> Stream:
        """The stream of one row or entity: its purpose, its key, the mode and the anchor."""
        return Stream(f"{purpose}/{self._context}/{'/'.join(map(str, parts))}".encode())

    def unit(self, purpose: str, *parts: object) -> float:
        """One uniform draw in [0, 1) for a row or entity that needs no more (cheaper than a stream)."""
        return unit(purpose, self._context, *parts)

    def moment_after(self, draw: float, start: dt.datetime) -> dt.datetime:
        """The moment a fraction ``draw`` of the way from ``start`` to the anchor, to the millisecond."""
        span_ms = int((self.anchor - start).total_seconds() * 1000)
        if span_ms <= 0:
            return self.anchor
        return start + dt.timedelta(milliseconds=1 + int(draw * span_ms))

    def days_before(self, rng: Stream, low: float, high: float) -> dt.datetime:
        """A moment between ``high`` and ``low`` days before the anchor, to the second."""
        return self.anchor - dt.timedelta(seconds=rng.randint(int(low * 86400), int(high * 86400)))

    def between(self, rng: Stream, start: dt.datetime, end: dt.datetime) -> dt.datetime:
        """A moment in [start, end], to the millisecond (``end`` if the window is empty)."""
        span_ms = int((end - start).total_seconds() * 1000)
        if span_ms <= 0:
            return end
        return start + dt.timedelta(milliseconds=rng.randint(1, span_ms))

    # -- reading -----------------------------------------------------------------
    def scalars(self, statement) -> list:
        return self.conn.execute(statement).scalars().all()

    def rows(self, statement) -> Sequence[sa.Row]:
        return self.conn.execute(statement).all()

    def count(self, table: sa.Table) -> int:
        return self.conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()

    def counts(self, statement) -> dict[str, int]:
        """``{subject: n}`` from a ``(subject, n)`` query."""
        return dict(self.conn.execute(statement).tuples().all())

    def one_of(self, column, values: Iterable[str]) -> sa.ColumnElement[bool]:
        """``column IN (values)`` as a single bound parameter, however many values.

        An IN list of thousands of parameters costs more to build and parse
        than to run; a separated text the server splits (Postgres) or a JSON
        list (SQLite) is one value.
        """
        values = list(values)
        if not values:
            return sa.false()
        if self.postgres:
            # One text the server splits: five times cheaper than an array parameter of 100,000
            # ids (which both SQLAlchemy and the server take apart element by element). Exact
            # unless a value holds the separator itself; then the array it is.
            joined = _SEPARATOR.join(values)
            if joined.count(_SEPARATOR) == len(values) - 1:
                return column == sa.any_(sa.func.string_to_array(sa.literal(joined, sa.Text), _SEPARATOR))
            return column == sa.any_(sa.literal(values, postgresql.ARRAY(sa.Text)))
        listed = sa.func.json_each(sa.literal(json.dumps(values), sa.Text)).table_valued("value")
        return column.in_(sa.select(listed.c.value))

    def deficits(self, requirement: Requirement) -> list[Deficit]:
        """Every entity short of ``requirement``, from one grouped query."""
        minimum = requirement.minimum(self.mode)
        counts = requirement.counts(self.anchor).subquery()
        # Sorted here, not by the query: an ORDER BY can lead the planner into a nested loop.
        statement = sa.select(counts.c.subject, counts.c.n).where(counts.c.n < minimum)
        found = [Deficit(subject, n, minimum - n) for subject, n in sorted(self.conn.execute(statement).tuples())]
        # The first survey of a requirement is what the asset found; later ones see its own rows.
        self.found.setdefault(requirement.name, {
            "entities": len(found),
            "rows_missing": sum(d.missing for d in found),
        })
        return found

    def existing_ids(self, table: sa.Table, ids: Iterable[str]) -> set[str]:
        key = next(iter(table.primary_key.columns))
        present: set[str] = set()
        for part in chunks(list(ids), LOOKUP):
            present.update(self.scalars(sa.select(key).where(self.one_of(key, part))))
        return present

    # -- allocating ids ----------------------------------------------------------
    def allocate(self, table: sa.Table, purpose: str, needs: Mapping[str, int]) -> dict[str, list[str]]:
        """For each entity, ``needs[entity]`` new ids of ``purpose`` not present in ``table``.

        Ids are ``seed_id(purpose, entity, ordinal)`` for the smallest free
        ordinals, so rows deleted from a seeded database come back with the
        ids (and so the values) they had.
        """
        allocated: dict[str, list[str]] = {entity: [] for entity in needs}
        pending = {entity: n for entity, n in needs.items() if n > 0}
        start = 0
        while pending:
            window = max(pending.values())
            candidates = {
                entity: [seed_id(purpose, entity, ordinal) for ordinal in range(start, start + window)]
                for entity in pending
            }
            taken = self.existing_ids(table, (i for ids in candidates.values() for i in ids))
            for entity, ids in candidates.items():
                free = [i for i in ids if i not in taken][: pending[entity]] if taken else ids[: pending[entity]]
                allocated[entity].extend(free)
                pending[entity] -= len(free)
            pending = {entity: n for entity, n in pending.items() if n > 0}
            start += window
        return allocated

    def new_ids(self, table: sa.Table, purpose: str,
                needs: Mapping[str, int]) -> Iterator[Iterator[tuple[str, str, Stream]]]:
        """The rows to make, a chunk of entities at a time: ``(entity, new id, the row's stream)``.

        Entities come in sorted order and each gets ``needs[entity]`` ids from
        ``allocate``; a caller builds and inserts one chunk before asking for
        the next, so the working set stays bounded whatever the volume. Each
        row's stream is made as the row is (while the database ingests the
        rows before it).
        """
        wanted = sorted(entity for entity, n in needs.items() if n > 0)
        for part in chunks(wanted, ENTITIES_PER_CHUNK):
            allocated = self.allocate(table, purpose, {entity: needs[entity] for entity in part})
            yield ((entity, row_id, self.rng(purpose, row_id)) for entity in part for row_id in allocated[entity])

    def finish(self) -> None:
        """End this unit of work's writing: wait for the COPY in flight, refresh the statistics."""
        self._join_writer()
        sa.event.remove(self.conn, "before_cursor_execute", self._wait_for_writer)
        self.analyze()

    def _wait_for_writer(self, *_) -> None:
        self._join_writer()

    def _join_writer(self) -> None:
        if self._writer is not None:
            self._writer.join()
            self._writer = None
        if self._writer_failed:
            raise self._writer_failed[0]

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
            ).tuples().all())
        if not self.conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first():
            return {}
        return dict(self.conn.exec_driver_sql(
            "SELECT tbl, max(CAST(stat AS INTEGER)) FROM sqlite_stat1 GROUP BY tbl").tuples().all())

    # -- writing -----------------------------------------------------------------
    def insert(self, table: sa.Table, rows: Iterable[dict]) -> int:
        """Insert ``rows`` (dicts with the same keys) as they are produced, inside the current transaction.

        ``rows`` may be a generator: it is consumed once, never held in full.
        It may read other tables as it goes (a view loading on first use, say:
        the driver takes the statements in turn), never ``table`` itself,
        whose earlier batches may still be in flight.

        Batches are pipelined: this thread prepares batch k+1 while a writer
        thread hands batch k to the database and waits for it, so the
        database's work (parsing, index updates, foreign-key checks, which
        Postgres runs when a COPY ends) overlaps Python's instead of taking
        turns with it. The last batch is not waited for here either: Python
        goes on (building the next chunk's ids, say) until it next uses the
        connection, which waits for the writer first.
        """
        rows = iter(rows)
        first = next(rows, None)
        if first is None:
            return 0
        self._join_writer()
        prepare, send, size = (self._copy if self.postgres else self._executemany)(table, tuple(first))
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
            for batch in batched(itertools.chain((first,), rows), size):
                if failed:
                    break
                handoff.put(prepare(batch))
                written += len(batch)
                failpoint(f"insert:{table.name}")
        except BaseException:
            handoff.put(None)
            writer.join()
            raise
        handoff.put(None)
        self._writer, self._writer_failed = writer, failed
        self.added[table.name] += written
        return written

    def _copy(self, table: sa.Table, columns: tuple[str, ...]) -> tuple[Callable, Callable, int]:
        """Postgres: a batch is COPY text, formatted by psycopg's own COPY formatter into memory,
        and sent as one COPY."""
        from psycopg.copy import Copy, FileWriter  # here: runs against SQLite never need psycopg

        values_of = _getter(columns)
        literals = [(i, literal) for i, name in enumerate(columns)
                    if (literal := _pg_literal(table.c[name].type)) is not None]
        names = ", ".join(f'"{name}"' for name in columns)
        statement = f'COPY "{table.name}" ({names}) FROM STDIN'
        raw = self.conn.connection.driver_connection
        formatting = raw.cursor()  # lends its adapters to the formatter; never executes anything

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

        def send(data: bytes) -> None:
            with raw.cursor() as cursor, cursor.copy(statement) as copy:
                copy.write(data)

        return prepare, send, COPY_BATCH

    def _executemany(self, table: sa.Table, columns: tuple[str, ...]) -> tuple[Callable, Callable, int]:
        """SQLite: a batch is a list of parameter rows, converted by the columns' own bind processors,
        and sent as one executemany (SQLite releases the GIL while it writes)."""
        dialect = self.conn.dialect
        values_of = _getter(columns)
        processors = [(i, p) for i, name in enumerate(columns)
                      if (p := table.c[name].type.dialect_impl(dialect).bind_processor(dialect)) is not None]
        names = ", ".join(f'"{name}"' for name in columns)
        statement = f'INSERT INTO "{table.name}" ({names}) VALUES ({", ".join("?" * len(columns))})'
        raw = self.conn.connection.driver_connection

        def prepare(batch: list[dict]) -> list[list]:
            params = []
            for row in batch:
                values = list(values_of(row))
                for i, process in processors:
                    values[i] = process(values[i])
                params.append(values)
            return params

        def send(params: list[list]) -> None:
            raw.executemany(statement, params)

        return prepare, send, BATCH


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

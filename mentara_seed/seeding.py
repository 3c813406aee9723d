"""The shared machinery of every generator: deficits, deterministic ids, bulk inserts.

A generator is a short statement of a rule: which entities fall short (one
grouped query), how many rows each needs, and how one missing row is made.
``Seeding`` does the rest once, for all of them: it allocates each new row a
deterministic id that is not taken yet, inserts in bulk inside the asset's
single transaction, and counts what was added.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Iterator, Mapping, Sequence

import sqlalchemy as sa
from psycopg.types.json import Jsonb
from sqlalchemy.engine import Connection

from mentara_seed.failpoints import failpoint
from mentara_seed.generate.keys import seed_id, stream, unit
from mentara_seed.requirements import Requirement
from mentara_seed.settings import SeedSettings
from mentara_seed.volumes import Volumes, volumes_for

CHUNK = 5_000
COPY_CHUNK = 50_000


def chunks(items: Sequence, size: int = CHUNK) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(frozen=True)
class Deficit:
    """One entity that falls short of a requirement."""

    subject: str
    have: int
    missing: int


class Seeding:
    """One unit of work (one asset) against the target database."""

    def __init__(self, conn: Connection, settings: SeedSettings) -> None:
        self.conn = conn
        self.settings = settings
        self.mode = settings.mode
        self.anchor = settings.anchor
        self.volumes: Volumes = volumes_for(settings.mode, settings.scale)
        self.added: Counter[str] = Counter()
        self.found: dict[str, dict[str, int]] = {}
        self.unmet: Counter[str] = Counter()
        self.updated: Counter[str] = Counter()

    # -- randomness and time -------------------------------------------------
    def rng(self, purpose: str, *parts: object) -> random.Random:
        """The stream of one row or entity: its purpose, its key, the mode and the anchor."""
        return stream(purpose, self.mode, self.anchor.isoformat(), *parts)

    def unit(self, purpose: str, *parts: object) -> float:
        """One uniform draw in [0, 1) for a row that needs no more (cheaper than a stream)."""
        return unit(purpose, self.mode, self.anchor.isoformat(), *parts)

    def moment_after(self, draw: float, start: dt.datetime) -> dt.datetime:
        """The moment a fraction ``draw`` of the way from ``start`` to the anchor, to the millisecond."""
        span_ms = int((self.anchor - start).total_seconds() * 1000)
        if span_ms <= 0:
            return self.anchor
        return start + dt.timedelta(milliseconds=1 + int(draw * span_ms))

    def days_before(self, rng: random.Random, low: float, high: float) -> dt.datetime:
        """A moment between ``high`` and ``low`` days before the anchor, to the second."""
        return self.anchor - dt.timedelta(seconds=rng.randint(int(low * 86400), int(high * 86400)))

    def between(self, rng: random.Random, start: dt.datetime, end: dt.datetime) -> dt.datetime:
        """A moment in [start, end], to the millisecond (``end`` if the window is empty)."""
        span_ms = int((end - start).total_seconds() * 1000)
        if span_ms <= 0:
            return end
        return start + dt.timedelta(milliseconds=rng.randint(1, span_ms))

    # -- reading -----------------------------------------------------------------
    def scalars(self, statement) -> list:
        return list(self.conn.execute(statement).scalars())

    def rows(self, statement) -> list[sa.Row]:
        return list(self.conn.execute(statement))

    def count(self, table: sa.Table) -> int:
        return self.conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()

    def counts(self, statement) -> dict[str, int]:
        """``{subject: n}`` from a ``(subject, n)`` query."""
        return {subject: n for subject, n in self.conn.execute(statement)}

    def deficits(self, requirement: Requirement) -> list[Deficit]:
        """Every entity short of ``requirement``, from one grouped query."""
        minimum = requirement.minimum(self.mode)
        counts = requirement.counts(self.anchor).subquery()
        statement = (
            sa.select(counts.c.subject, counts.c.n)
            .where(counts.c.n < minimum)
            .order_by(counts.c.subject)
        )
        found = [Deficit(subject, n, minimum - n) for subject, n in self.conn.execute(statement)]
        # The first survey of a requirement is what the asset found; later ones see its own rows.
        self.found.setdefault(requirement.name, {
            "entities": len(found),
            "rows_missing": sum(d.missing for d in found),
        })
        return found

    def existing_ids(self, table: sa.Table, ids: Iterable[str]) -> set[str]:
        key = next(iter(table.primary_key.columns))
        present: set[str] = set()
        for part in chunks(list(ids)):
            present.update(self.conn.execute(sa.select(key).where(key.in_(part))).scalars())
        return present

    # -- writing -----------------------------------------------------------------
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
                free = [i for i in ids if i not in taken][: pending[entity]]
                allocated[entity].extend(free)
                pending[entity] -= len(free)
            pending = {entity: n for entity, n in pending.items() if n > 0}
            start += window
        return allocated

    def insert(self, table: sa.Table, rows: Sequence[dict]) -> int:
        """Bulk-insert ``rows`` (all with the same keys) inside the current transaction.

        Postgres gets COPY (the bulk-load path, about twice executemany's rate);
        SQLite gets executemany in large batches.
        """
        if not rows:
            return 0
        write = self._copy if self.conn.dialect.name == "postgresql" else self._executemany
        for part in chunks(rows, COPY_CHUNK if self.conn.dialect.name == "postgresql" else CHUNK):
            write(table, part)
            failpoint(f"insert:{table.name}")
        self.added[table.name] += len(rows)
        return len(rows)

    def _executemany(self, table: sa.Table, rows: Sequence[dict]) -> None:
        self.conn.execute(table.insert(), list(rows))

    def _copy(self, table: sa.Table, rows: Sequence[dict]) -> None:
        columns = list(rows[0])
        json_columns = {name for name in columns if isinstance(table.c[name].type, sa.JSON)}
        names = ", ".join(f'"{name}"' for name in columns)
        cursor = self.conn.connection.driver_connection.cursor()
        with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([
                    Jsonb(row[name]) if name in json_columns and row[name] is not None else row[name]
                    for name in columns
                ])

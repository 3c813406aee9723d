"""One unit of work (one asset) against the target database: the machinery every generator shares.

A generator is a short statement of a rule: which entities fall short (one
grouped query, ``deficits``), how many rows each needs, and how one missing
row is made. ``Seeding`` gives it the rest: its draws and clock (``Draws``,
which it is), reads, deterministic ids (``ids``: an ``IdAllocator``) and a
streamed bulk writer (``insert``: a ``BulkWriter``), all in the asset's single
transaction, and it counts what was added, found and left unmet.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import NamedTuple, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mentara_seed.requirements import Requirement
from mentara_seed.schema.versions import Target
from mentara_seed.seeding import parallel
from mentara_seed.seeding.columns import Columns
from mentara_seed.seeding.draws import Draws
from mentara_seed.seeding.ids import IdAllocator
from mentara_seed.seeding.shards import WHOLE, Shard
from mentara_seed.seeding.sql import LOOKUP, chunks, one_of
from mentara_seed.seeding.writer import BulkWriter
from mentara_seed.settings import SeedSettings
from mentara_seed.volumes import Volumes, volumes_for

__all__ = ["LOOKUP", "Deficit", "Seeding", "chunks"]

Item = TypeVar("Item")


class Deficit(NamedTuple):
    """One entity that falls short of a requirement (a tuple: made by the hundred thousand)."""

    subject: str
    missing: int


class Seeding(Draws):
    """One unit of work (one asset) against the target database."""

    def __init__(self, conn: Connection, settings: SeedSettings, target: Target, shard: Shard = WHOLE,
                 defer: bool = True, workers: int = 0) -> None:
        super().__init__(settings.mode, settings.anchor)
        # The subject entities this unit of work makes rows for (all of them, unless the asset runs
        # as shards: ``seeding.shards``). ``defer``: (nearly) empty tables may load without their indexes
        # (``seeding.deferred``); not where other units of work write at once (shards, parallel steps).
        self.shard = shard
        self.conn = conn
        self.postgres = conn.dialect.name == "postgresql"
        self.settings = settings
        self.target = target
        self.volumes: Volumes = volumes_for(settings.mode, settings.scale)
        self.writer = BulkWriter(conn, target, defer=defer and shard.count == 1)
        self.workers = workers  # processes building rows beside this one (``each``)
        self.built_by_workers = 0  # items they built
        self.ids = IdAllocator(conn, self, self.writer.deferred.lookups)
        self.found: dict[str, dict[str, int]] = {}
        self.unmet: Counter[str] = Counter()
        self.updated: Counter[str] = Counter()
        self.removed: Counter[str] = Counter()  # the seeder's own rows withdrawn (about something since deleted)

    def mine(self, entity: str) -> bool:
        """Whether this unit of work makes the rows of ``entity`` (always, unless it is one shard of several)."""
        return self.shard.owns(entity)

    @property
    def added(self) -> Counter[str]:
        return self.writer.added

    # -- reading -----------------------------------------------------------------
    def scalars(self, statement) -> list:
        return self.conn.execute(statement).scalars().all()

    def rows(self, statement) -> Sequence[sa.Row]:
        return self.conn.execute(statement).all()

    def count(self, table: sa.Table) -> int:
        return self.conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()

    def counts(self, statement) -> dict[str, int]:
        """``{subject: n}`` from a ``(subject, n)`` query."""
        return dict(self.conn.execute(statement).all())

    def one_of(self, column, values: Iterable[str]) -> sa.ColumnElement[bool]:
        """``column IN (values)`` as one bound parameter, however many values."""
        return one_of(self.postgres, column, values)

    def deficits(self, requirement: Requirement,
                 owner: Callable[[list[str]], Mapping[str, str]] | None = None) -> list[Deficit]:
        """Every entity short of ``requirement`` (of this shard's), from one grouped query (none where
        it does not apply). A shard owns a subject by its id, or by the id ``owner`` maps it to (a
        session's payment belongs with its client's payment methods)."""
        if not requirement.applies(self.target):
            return []
        statement = requirement.shortfall(self.mode, self.anchor, self.target.version)
        # Sorted here, not by the query: an ORDER BY can lead the planner into a nested loop.
        # (Subjects are unique: by subject alone. Rows are read one at a time, never all held at once.)
        rows = self.conn.execute(statement)
        if self.shard.count == 1:
            found = sorted(Deficit(subject, missing) for subject, _, missing in rows)
        elif owner is None:
            found = sorted(Deficit(subject, missing) for subject, _, missing in rows if self.shard.owns(subject))
        else:
            every = [Deficit(subject, missing) for subject, _, missing in rows]
            owners = owner([d.subject for d in every])
            found = sorted(d for d in every if self.shard.owns(owners.get(d.subject, d.subject)))
        # The first survey of a requirement is what the asset found; later ones see its own rows.
        self.found.setdefault(requirement.name, {
            "entities": len(found),
            "rows_missing": sum(d.missing for d in found),
        })
        return found

    def needs(self, requirement: Requirement,
              owner: Callable[[list[str]], Mapping[str, str]] | None = None) -> dict[str, int]:
        """``{subject: rows missing}`` for every entity short of ``requirement`` (``owner``: as for ``deficits``)."""
        return {d.subject: d.missing for d in self.deficits(requirement, owner)}

    # -- writing ----------------------------------------------------------------------
    def insert(self, table: sa.Table, rows: Iterable[dict]) -> int:
        return self.writer.insert(table, rows)

    def insert_columns(self, table: sa.Table, batches: Iterable[Columns]) -> int:
        """Insert batches built a column at a time (``seeding.columns``)."""
        return self.writer.insert_columns(table, batches)

    def each(self, items: Iterable[Item], build: Callable[[Item], None],
             portable: Callable[[Item], bool] = lambda _: True) -> None:
        """``build(item)`` for each of ``items``, in order, the rows of the items ``portable`` accepts
        also built by the worker processes (``seeding.parallel``). ``build`` must depend on no item
        before it, and leave nothing behind but its rows (``insert``) and what it counts unmet: what it
        changes in memory is lost with the worker. It should read nothing from the database (an item
        that does is built by this process, in its turn); ``items`` may, as they are produced, and decide in order
        what cannot be decided item by item (``parallel.ALL_WRITTEN`` waits for the writes before it)."""
        parallel.each(self, items, build, self.workers, portable)

    def finish(self) -> None:
        """End this unit of work's writing: wait for the batch in flight, refresh the statistics."""
        self.writer.finish()

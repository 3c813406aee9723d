"""Deterministic ids for new rows: the smallest ordinals of a purpose and entity not yet taken.

A new row's id is ``seed_id(purpose, entity, ordinal)`` (a UUID5), so the same
row gets the same id on every machine and in every run, and a row deleted
from a seeded database comes back with the id (and so the values) it had.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mentara_seed.generate.keys import Stream, seed_ids
from mentara_seed.seeding.draws import Draws
from mentara_seed.seeding.sql import LOOKUP, chunks, one_of

# Entities whose new rows are allocated and built together: bounds a generator's working memory.
ENTITIES_PER_CHUNK = 5_000


def _no_deferral(primary_key: bool = True) -> contextlib.AbstractContextManager:
    return contextlib.nullcontext()


class IdAllocator:
    """Allocates ids in one table, a chunk of entities at a time, with one lookup per chunk."""

    def __init__(self, conn: Connection, draws: Draws, lookups=_no_deferral) -> None:
        self.conn = conn
        self.draws = draws
        self.postgres = conn.dialect.name == "postgresql"
        self.lookups = lookups  # marks reads by primary key (``Deferred.lookups``)
        # Tables that held no row when this unit of work first allocated in them, and the
        # (table, purpose, entity) it has allocated since: there, nothing else can hold a candidate.
        self._found_empty: dict[str, bool] = {}
        self._allocated: set[tuple[str, str, str]] = set()
        # While an item is built for another process to write (``seeding.parallel``): its allocations.
        self.journal: list[tuple[str, str, str]] | None = None

    def existing_ids(self, table: sa.Table, ids: Iterable[str]) -> set[str]:
        key = next(iter(table.primary_key.columns))
        present: set[str] = set()
        with self.lookups():  # by primary key (a deferred load's comes back first)
            for part in chunks(list(ids), LOOKUP):
                present.update(self.conn.execute(sa.select(key).where(one_of(self.postgres, key, part))).scalars())
        return present

    def allocate(self, table: sa.Table, purpose: str, needs: Mapping[str, int]) -> dict[str, list[str]]:
        """For each entity, ``needs[entity]`` new ids of ``purpose`` not present in ``table``,
        from the smallest free ordinals.

        Where the table held no row when this unit of work first allocated in it (a fresh seed, a
        reset) and none of these entities has had ids of ``purpose`` from this unit yet, no
        candidate can be taken, so the lookups are skipped: every row this unit sees there is its
        own, and its ids are other keys' (a UUID5 of another key never equals one of these). (Shards
        writing the same table at once own other entities; their rows were invisible to a lookup
        before their commit anyway.)"""
        allocated: dict[str, list[str]] = {entity: [] for entity in needs}
        pending = {entity: n for entity, n in needs.items() if n > 0}
        # Keyed as the ids are made (``str`` of the entity): 5 and "5" are one entity.
        given = {(table.name, purpose, str(entity)) for entity in pending}
        fresh = bool(given) and self._empty_at_first_allocation(table) and not given & self._allocated
        self._allocated |= given
        if self.journal is not None:
            self.journal.extend(given)
        start = 0
        while pending:
            window = max(pending.values())
            candidates = {
                entity: seed_ids((purpose, entity), range(start, start + window))
                for entity in pending
            }
            taken = set() if fresh else self.existing_ids(table, (i for ids in candidates.values() for i in ids))
            for entity, ids in candidates.items():
                free = [i for i in ids if i not in taken][: pending[entity]] if taken else ids[: pending[entity]]
                allocated[entity].extend(free)
                pending[entity] -= len(free)
            pending = {entity: n for entity, n in pending.items() if n > 0}
            start += window
        return allocated

    def remember(self, allocated: list[tuple[str, str, str]]) -> None:
        """Allocations made for this unit of work by another process (``seeding.parallel``)."""
        self._allocated.update(allocated)

    def _empty_at_first_allocation(self, table: sa.Table) -> bool:
        """Whether ``table`` held no row when this unit of work first allocated in it."""
        if table.name not in self._found_empty:
            with self.lookups(primary_key=False):  # no index is needed to find one row
                self._found_empty[table.name] = self.conn.execute(sa.select(sa.literal(1)).select_from(table)
                                                                  .limit(1)).first() is None
        return self._found_empty[table.name]

    def new_ids(self, table: sa.Table, purpose: str,
                needs: Mapping[str, int]) -> Iterator[Iterator[tuple[str, str, Stream]]]:
        """The rows to make, a chunk of entities at a time: ``(entity, new id, the row's stream)``.

        Entities come in sorted order and each gets ``needs[entity]`` ids from
        ``allocate``; a caller builds and inserts one chunk before asking for
        the next, so the working set stays bounded whatever the volume. Each
        row's stream is made as the row is (while the database ingests the
        rows before it).
        """
        for part in self.allocated(table, purpose, needs):
            yield self.streams(purpose, part)

    def allocated(self, table: sa.Table, purpose: str, needs: Mapping[str, int],
                  entities: int | None = None) -> Iterator[list[tuple[str, str]]]:
        """``new_ids`` without the streams, ``entities`` (``ENTITIES_PER_CHUNK``) at a time: ``(entity, new
        id)`` (plain data, for ``Seeding.each``, whose items a worker process may build; ``streams`` adds them)."""
        wanted = sorted(entity for entity, n in needs.items() if n > 0)
        for part in chunks(wanted, entities or ENTITIES_PER_CHUNK):
            allocated = self.allocate(table, purpose, {entity: needs[entity] for entity in part})
            yield [(entity, row_id) for entity in part for row_id in allocated[entity]]

    def streams(self, purpose: str, part: Iterable[tuple[str, str]]) -> Iterator[tuple[str, str, Stream]]:
        """Each ``(entity, new id)`` with the row's stream, made as the row is."""
        return ((entity, row_id, self.draws.rng(purpose, row_id)) for entity, row_id in part)

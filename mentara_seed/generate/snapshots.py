"""Computed records (engagement, performance): written where missing, kept equal to the data where they are the seeder's."""

from __future__ import annotations

import sqlalchemy as sa

from mentara_seed import metrics
from mentara_seed.generate.keys import made_by_seeder, seed_id
from mentara_seed.seeding import Seeding


def write_snapshots(s: Seeding, table: sa.Table, key: str, figures: dict[str, dict], fields: tuple[str, ...],
                    purpose: str) -> None:
    """Insert a record for every subject of ``figures`` without one; update the seeder's own records
    whose stored figures differ from ``figures`` (dated at the anchor, when they were computed)."""
    column = table.c[key]
    figures = {subject: values for subject, values in figures.items() if s.mine(subject)}
    stored = {row[key]: row for row in s.conn.execute(
        sa.select(table.c.id, column, *(table.c[f] for f in fields), made_by_seeder(table.c.id).label("own"))).mappings()}
    missing = [subject for subject in sorted(figures) if subject not in stored]
    s.insert(table, ({"id": seed_id(purpose, subject), key: subject, **figures[subject], "lastCalculatedAt": s.anchor,
                      "createdAt": s.anchor, "updatedAt": s.anchor} for subject in missing))
    stale = [{"row_id": row["id"], **{f"new_{f}": figures[subject][f] for f in fields}}
             for subject, row in sorted(stored.items())
             if row["own"] and subject in figures and any(metrics.differs(row[f], figures[subject][f]) for f in fields)]
    if stale:
        s.conn.execute(sa.update(table).where(table.c.id == sa.bindparam("row_id"))
                       .values(**{f: sa.bindparam(f"new_{f}") for f in fields}, lastCalculatedAt=s.anchor,
                               updatedAt=s.anchor), stale)
        s.updated[table.name] += len(stale)

"""The Mentara schema versions the seeder knows, and which one a target database is.

Each version is one generated module of tables (``v2025_10``, ``v2026_02``)
and its expected snapshots (``expected/<version>/<dialect>.json``), all made
by ``codegen`` from Prisma's DDL. A target is compared with each version,
newest first, and seeded as the newest one it is compatible with:

- **additions** are fine: a table, a nullable or defaulted column, an index,
  an enum value, a dropped index (a constraint relaxed). The seeder leaves
  what it does not know to the database's defaults and reports them once.
- **incompatibilities** refuse the run before any write: a table or column it
  writes is gone, a type changed, a column became NOT NULL, a new NOT NULL
  column has no default, a primary key changed, an enum value it may write is
  gone, a foreign key was added to columns it writes.

Column order is ignored: a migration appends the columns that a fresh
``prisma migrate`` would have put in the middle.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any

import sqlalchemy as sa

from mentara_seed.schema import v2025_10, v2026_02

EXPECTED = Path(__file__).resolve().parent / "expected"


@dataclass(frozen=True)
class SchemaVersion:
    """One Mentara schema, as Prisma's DDL of that date defines it."""

    name: str
    module: ModuleType = field(repr=False)

    @property
    def metadata(self) -> sa.MetaData:
        return self.module.metadata

    @property
    def enums(self) -> dict[str, tuple[str, ...]]:
        return self.module.ENUMS

    def expected(self, dialect: str) -> dict[str, Any]:
        """The schema a database of this version reflects as (see ``schema_snapshot``)."""
        return _expected(self.name, dialect)

    def __str__(self) -> str:
        return self.name


@lru_cache(maxsize=8)
def _expected(version: str, dialect: str) -> dict[str, Any]:
    return json.loads((EXPECTED / version / f"{dialect}.json").read_text())


VERSIONS: tuple[SchemaVersion, ...] = (SchemaVersion("2025-10", v2025_10), SchemaVersion("2026-02", v2026_02))
LATEST = VERSIONS[-1]
BY_NAME = {version.name: version for version in VERSIONS}


@dataclass
class Comparison:
    """How a target's schema differs from one version's."""

    version: SchemaVersion
    additions: list[str] = field(default_factory=list)
    incompatible: list[str] = field(default_factory=list)
    missing_tables: list[str] = field(default_factory=list)

    def compatible(self, creating_missing: bool = False) -> bool:
        return not self.incompatible and (creating_missing or not self.missing_tables)


def _compare_table(name: str, want: dict, got: dict, out: Comparison) -> None:
    want_columns = {c["name"]: c for c in want["columns"]}
    got_columns = {c["name"]: c for c in got["columns"]}
    for column, expected in want_columns.items():
        actual = got_columns.get(column)
        if actual is None:
            out.incompatible.append(f'{name}: column "{column}" is gone')
            continue
        if actual["type"] != expected["type"]:
            out.incompatible.append(f"{name}.{column}: type {expected['type']} became {actual['type']}")
        if expected["nullable"] and not actual["nullable"]:
            out.incompatible.append(f"{name}.{column}: became NOT NULL (the seeder may leave it empty)")
        elif actual["nullable"] and not expected["nullable"]:
            out.additions.append(f"{name}.{column}: now nullable")
        if actual["default"] != expected["default"]:
            out.additions.append(f"{name}.{column}: default {expected['default']} became {actual['default']}")
    for column, actual in got_columns.items():
        if column in want_columns:
            continue
        if actual["nullable"] or actual["default"] is not None:
            out.additions.append(f'{name}: new column "{column}" (left to its default)')
        else:
            out.incompatible.append(f'{name}: new column "{column}" is NOT NULL without a default (the seeder cannot fill it)')
    if want["primary_key"]["columns"] != got["primary_key"]["columns"]:
        out.incompatible.append(f"{name}: primary key {want['primary_key']['columns']} became {got['primary_key']['columns']}")
    for index in sorted(want["indexes"].keys() - got["indexes"].keys()):
        out.additions.append(f'{name}: index "{index}" dropped')
    for index in sorted(got["indexes"].keys() - want["indexes"].keys()):
        out.additions.append(f'{name}: new index "{index}"')
    for index in sorted(want["indexes"].keys() & got["indexes"].keys()):
        if want["indexes"][index] != got["indexes"][index]:
            out.additions.append(f'{name}: index "{index}" changed')
    for key in sorted(want["foreign_keys"].keys() - got["foreign_keys"].keys()):
        out.additions.append(f'{name}: foreign key "{key}" dropped')
    for key in sorted(got["foreign_keys"].keys() - want["foreign_keys"].keys()):
        if set(got["foreign_keys"][key]["columns"]) & set(want_columns):
            out.incompatible.append(f'{name}: new foreign key "{key}" on columns the seeder writes')
        else:
            out.additions.append(f'{name}: new foreign key "{key}"')
    for key in sorted(want["foreign_keys"].keys() & got["foreign_keys"].keys()):
        expected, actual = want["foreign_keys"][key], got["foreign_keys"][key]
        if (expected["columns"], expected["referred_table"], expected["referred_columns"]) != (
                actual["columns"], actual["referred_table"], actual["referred_columns"]):
            out.incompatible.append(f'{name}: foreign key "{key}" now refers to {actual["referred_table"]}')
        elif expected != actual:
            out.additions.append(f'{name}: foreign key "{key}" changed its ON DELETE/UPDATE rule')


def compare(version: SchemaVersion, actual: dict[str, Any]) -> Comparison:
    """The additions and incompatibilities of the snapshot ``actual`` against ``version``."""
    expected = version.expected(actual["dialect"])
    out = Comparison(version)
    want, got = expected["tables"], actual["tables"]
    out.missing_tables = sorted(want.keys() - got.keys())
    for name in sorted(got.keys() - want.keys()):
        out.additions.append(f'new table "{name}"')
    for name in sorted(want.keys() & got.keys()):
        _compare_table(name, want[name], got[name], out)
    for name, values in sorted(expected["enums"].items()):
        present = actual["enums"].get(name)
        if present is None:
            out.incompatible.append(f'enum "{name}" is gone')
            continue
        gone = [v for v in values if v not in present]
        if gone:
            out.incompatible.append(f"enum {name}: values {', '.join(gone)} are gone")
        new = [v for v in present if v not in values]
        if new:
            out.additions.append(f"enum {name}: new values {', '.join(new)}")
    for name in sorted(actual["enums"].keys() - expected["enums"].keys()):
        out.additions.append(f'new enum "{name}"')
    return out


class SchemaMismatch(Exception):
    """No known version fits the target; ``closest`` is the comparison with the fewest problems."""

    def __init__(self, closest: Comparison) -> None:
        super().__init__(closest.version.name)
        self.closest = closest


def detect(actual: dict[str, Any], creating_missing: bool = False) -> Comparison:
    """The newest version the snapshot ``actual`` is compatible with (missing tables allowed when
    they are about to be created), or ``SchemaMismatch`` with the closest one."""
    comparisons = [compare(version, actual) for version in reversed(VERSIONS)]
    for k, comparison in enumerate(comparisons):
        if comparison.compatible(creating_missing):
            # Tables of a newer known version, without all of it, are a half-applied migration, not additions.
            own = set(comparison.version.metadata.tables)
            for newer in comparisons[:k]:
                if not newer.incompatible and (set(newer.version.metadata.tables) - own) & set(actual["tables"]):
                    raise SchemaMismatch(newer)
            return comparison
    # The closest: fewest problems, then the newest (comparisons run newest first; min keeps the first).
    raise SchemaMismatch(min(comparisons, key=lambda c: len(c.incompatible) + len(c.missing_tables)))


@dataclass(frozen=True)
class Target:
    """What the seeder may write on one target: its version, and the columns and enum values it has."""

    version: SchemaVersion
    columns: dict[str, frozenset[str]]  # table -> its columns in the target (a table of the version)
    enums: dict[str, tuple[str, ...]]  # enum -> its values the seeder may write
    additions: tuple[str, ...] = ()

    def has(self, table: str | sa.Table) -> bool:
        return (table if isinstance(table, str) else table.name) in self.columns

    def values(self, enum: str) -> tuple[str, ...]:
        return self.enums.get(enum, ())

    @classmethod
    def of(cls, comparison: Comparison, actual: dict[str, Any] | None = None) -> Target:
        """The target a comparison describes; without a snapshot, a database the seeder creates."""
        version = comparison.version
        expected = version.expected("postgresql")
        tables = actual["tables"] if actual is not None else expected["tables"]
        columns = {
            name: frozenset(c["name"] for c in tables.get(name, expected["tables"][name])["columns"])
            for name in expected["tables"]
        }
        return cls(version, columns, dict(version.enums), tuple(comparison.additions))

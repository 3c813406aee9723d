"""Portable column types for the Mentara schema (PostgreSQL and SQLite).

On PostgreSQL every type renders exactly as in the DDL Prisma generates
(``TIMESTAMP(3)``, ``TEXT[]``, ``JSONB``, ``DECIMAL(10,2)``, native enums), so
a database built from :mod:`mentara_seed.schema.tables` reflects identically
to one built by ``prisma migrate``. On SQLite the same tables work with the
closest equivalents: arrays and JSONB become JSON, enums become TEXT with a
CHECK constraint.

``None`` stored in an array or JSON column means SQL ``NULL`` (not the JSON
``null`` value), on both dialects.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.visitors import InternalTraversal

__all__ = [
    "CURRENT_TIMESTAMP",
    "Double",
    "EMPTY_INT_ARRAY",
    "EMPTY_TEXT_ARRAY",
    "EmptyArray",
    "IntArray",
    "Jsonb",
    "Money",
    "PrismaEnum",
    "TextArray",
    "Timestamp3",
    "pg_enum",
]

#: Prisma ``DateTime``: ``TIMESTAMP(3)`` without time zone; values are naive UTC.
Timestamp3 = sa.DateTime(timezone=False).with_variant(
    postgresql.TIMESTAMP(timezone=False, precision=3), "postgresql"
)

#: Prisma ``String[]``: ``TEXT[]``; a JSON list on SQLite.
TextArray = postgresql.ARRAY(sa.Text()).with_variant(sa.JSON(none_as_null=True), "sqlite")

#: Prisma ``Int[]``: ``INTEGER[]``; a JSON list on SQLite.
IntArray = postgresql.ARRAY(sa.Integer()).with_variant(sa.JSON(none_as_null=True), "sqlite")

#: Prisma ``Json``: ``JSONB``; JSON on SQLite.
Jsonb = postgresql.JSONB(none_as_null=True).with_variant(sa.JSON(none_as_null=True), "sqlite")

#: Prisma ``Float``: ``DOUBLE PRECISION``.
Double = sa.Double()

#: Prisma ``Decimal @db.Decimal(10, 2)``: ``DECIMAL(10,2)`` (``NUMERIC(10,2)``).
Money = sa.Numeric(10, 2)

#: ``DEFAULT CURRENT_TIMESTAMP``, valid on both dialects.
CURRENT_TIMESTAMP = sa.text("CURRENT_TIMESTAMP")


class PrismaEnum(sa.Enum):
    """``sa.Enum`` that is a native enum on PostgreSQL and TEXT + CHECK on SQLite.

    (A plain non-native ``sa.Enum`` would render ``VARCHAR(n)`` on SQLite.)
    """

    cache_ok = True


@compiles(PrismaEnum, "sqlite")
def _compile_prisma_enum_sqlite(type_, compiler, **kw):
    return "TEXT"


def pg_enum(name: str, values: Sequence[str], metadata: sa.MetaData | None = None) -> PrismaEnum:
    """The enum type Prisma creates as ``CREATE TYPE "<name>" AS ENUM (...)``.

    PostgreSQL gets the native type with exactly this (case-sensitive) name;
    SQLite gets TEXT with a CHECK constraint (named ``name``) listing
    ``values``. Python-side, strings outside ``values`` are rejected before
    they reach the database. With ``metadata`` the type is created and
    dropped together with that metadata.
    """
    return PrismaEnum(
        *values,
        name=name,
        create_constraint=True,
        native_enum=True,
        validate_strings=True,
        metadata=metadata,
    )


class EmptyArray(sa.sql.expression.ClauseElement):
    """Server default for an empty array, as Prisma writes it.

    PostgreSQL: ``ARRAY[]::TEXT[]`` / ``ARRAY[]::INTEGER[]``; SQLite (JSON
    storage): ``'[]'``. Use as ``server_default=EmptyArray("TEXT")``.
    """

    __visit_name__ = "mentara_empty_array"
    inherit_cache = True
    _traverse_internals = [("element_type", InternalTraversal.dp_string)]

    def __init__(self, element_type: str) -> None:
        self.element_type = element_type.upper()


@compiles(EmptyArray, "postgresql")
def _compile_empty_array_pg(element, compiler, **kw):
    return f"ARRAY[]::{element.element_type}[]"


@compiles(EmptyArray)
def _compile_empty_array_default(element, compiler, **kw):
    return "'[]'"


#: ``DEFAULT ARRAY[]::TEXT[]`` (``'[]'`` on SQLite).
EMPTY_TEXT_ARRAY = EmptyArray("TEXT")

#: ``DEFAULT ARRAY[]::INTEGER[]`` (``'[]'`` on SQLite).
EMPTY_INT_ARRAY = EmptyArray("INTEGER")

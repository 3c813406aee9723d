"""Creating and resetting the Mentara schema of a target, for the version it is (or will be)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mentara_seed.schema.versions import SchemaVersion


class SchemaError(RuntimeError):
    """The target's schema is not one the seeder can write to. The message is one line."""


def create_schema(conn: sa.Engine | Connection, version: SchemaVersion) -> None:
    """Create every table of ``version`` that is missing (and, on PostgreSQL, its enum types).

    Existing tables and types are left alone. On SQLite the enums become CHECK constraints.
    """
    version.metadata.create_all(conn, checkfirst=True)


def ensure_schema(conn: Connection, version: SchemaVersion) -> bool:
    """Create the schema of ``version`` on a database that has none of its tables; True if created.

    A database holding every table is used as it is (preflight vetted it). One
    holding only some of them is refused: creating the rest would paper over
    a half-migrated database.
    """
    present = set(sa.inspect(conn).get_table_names())
    expected = [table.name for table in version.metadata.sorted_tables]
    missing = [name for name in expected if name not in present]
    if not missing:
        return False
    if len(missing) < len(expected):
        raise SchemaError(
            f"the target has only part of the Mentara schema (missing tables: {', '.join(missing)}); "
            "run the Prisma migrations or point MENTARA_DATABASE_URL at an empty database"
        )
    create_schema(conn, version)
    return True


def reset_tables(conn: Connection, version: SchemaVersion) -> None:
    """Create whatever tables of ``version`` are missing, then empty every one (the schema stays).

    Tables outside the Mentara schema, such as Prisma's ``_prisma_migrations``,
    are left alone, unless they hold foreign keys to Mentara tables (a table a
    newer migration added): on Postgres those are emptied with them.
    """
    create_schema(conn, version)
    tables = list(reversed(version.metadata.sorted_tables))
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("TRUNCATE " + ", ".join(f'"{t.name}"' for t in tables) + " CASCADE")
    else:
        for table in tables:
            conn.execute(table.delete())

"""Making sure the target has the Mentara schema before anything is written."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mentara_seed.schema.tables import metadata


class SchemaError(RuntimeError):
    """The target's schema is not one the seeder can write to. The message is one line."""


def ensure_schema(conn: Connection) -> bool:
    """Create the schema on a database that has none of its tables; True if created.

    A database holding every Mentara table (made by Prisma or by the seeder)
    is used as it is. One holding only some of them is refused: creating the
    rest would paper over a half-migrated database.
    """
    present = set(sa.inspect(conn).get_table_names())
    expected = [table.name for table in metadata.sorted_tables]
    missing = [name for name in expected if name not in present]
    if not missing:
        return False
    if len(missing) < len(expected):
        raise SchemaError(
            f"the target has only part of the Mentara schema (missing tables: {', '.join(missing)}); "
            "run the Prisma migrations or point MENTARA_DATABASE_URL at an empty database"
        )
    metadata.create_all(conn)
    return True


def reset_tables(conn: Connection) -> None:
    """Create whatever tables are missing, then empty every Mentara table (the schema stays).

    Tables outside the Mentara schema, such as Prisma's ``_prisma_migrations``,
    are left alone.
    """
    metadata.create_all(conn, checkfirst=True)
    tables = list(reversed(metadata.sorted_tables))
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("TRUNCATE " + ", ".join(f'"{t.name}"' for t in tables))
    else:
        for table in tables:
            conn.execute(table.delete())

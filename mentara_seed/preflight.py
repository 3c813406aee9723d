"""Everything checked about the target before the first write of a run.

Each problem becomes one line that names it and the fix (docs/bad_inputs.md
lists every case), raised before anything is written: the file is not
created, no table is touched.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine

from mentara_seed.guard import RefusedError, check_not_production
from mentara_seed.schema.inspect import schema_snapshot
from mentara_seed.schema.manage import SchemaError
from mentara_seed.schema.versions import BY_NAME, VERSIONS, Comparison, SchemaMismatch, SchemaVersion, Target, detect
from mentara_seed.settings import DEFAULT_SQLITE_PATH, masked

# Tables that may sit beside the Mentara schema without making it "foreign".
BYSTANDERS = frozenset({"_prisma_migrations", "sqlite_sequence", "_mentara_production", "sqlite_stat1", "sqlite_stat4"})
KNOWN_TABLES = frozenset(name for version in VERSIONS for name in version.metadata.tables)
MAX_DIFF_LINES = 6


def sqlite_path(url: URL) -> Path:
    return Path(url.database).expanduser().resolve()


def check_sqlite_path(url: URL, create: bool) -> None:
    """The SQLite file must be a file in an existing directory; nothing is created for a read."""
    path = sqlite_path(url)
    if path.is_dir():
        raise SchemaError(f"{path} is a directory, not an SQLite file; point MENTARA_DATABASE_URL at a file inside it")
    if not create and not path.exists():
        raise SchemaError(f"there is no SQLite database at {path}; seed it first (python3 dev.py seed) or fix the path")
    if not path.parent.is_dir():
        if path == DEFAULT_SQLITE_PATH.resolve():
            path.parent.mkdir(parents=True, exist_ok=True)
        else:
            raise SchemaError(f"the directory {path.parent} does not exist; create it or fix MENTARA_DATABASE_URL")


def explain_connection_error(exc: Exception, url: URL) -> str:
    """One line for a failed connection: what went wrong and what to do."""
    text = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(getattr(exc, "orig", exc)).strip() else repr(exc)
    where = masked(url)
    lowered = text.lower()
    if url.drivername.startswith("sqlite"):
        path = sqlite_path(url)
        if "not a database" in lowered:
            return f"{path} is not an SQLite database; point MENTARA_DATABASE_URL at a new or existing .sqlite3 file"
        if "readonly" in lowered or "read-only" in lowered:
            return f"the SQLite file {path} is read-only; make it writable or seed a copy elsewhere"
        return (f"cannot open or create the SQLite file {path} ({text}); "
                "its directory must exist and be writable")
    if "password authentication failed" in lowered or ("role" in lowered and "does not exist" in lowered):
        return f"the server refused user '{url.username}' ({text}); check the user and password in MENTARA_DATABASE_URL"
    if "database" in lowered and "does not exist" in lowered:
        return (f"database '{url.database}' does not exist on {url.host or 'the local server'}; "
                f"create it (createdb {url.database}) or fix MENTARA_DATABASE_URL")
    if "not permitted to log in" in lowered:
        return f"user '{url.username}' may not log in ({text}); use a login role in MENTARA_DATABASE_URL"
    return f"cannot connect to {where} ({text}); is the server running and is MENTARA_DATABASE_URL right?"


def connect_checked(engine: Engine, url: URL, create: bool = True) -> Connection:
    if url.drivername.startswith("sqlite"):
        check_sqlite_path(url, create)
    try:
        conn = engine.connect()
        conn.exec_driver_sql("SELECT 1").all()
        if url.drivername.startswith("sqlite"):
            conn.exec_driver_sql("SELECT count(*) FROM sqlite_master").all()
        return conn
    except sa.exc.DBAPIError as exc:
        raise SchemaError(explain_connection_error(exc, url)) from None


def check_privileges(conn: Connection, creating: bool, tables) -> None:
    if conn.dialect.name != "postgresql":
        return
    user = conn.exec_driver_sql("SELECT current_user").scalar_one()
    if creating:
        if not conn.exec_driver_sql("SELECT has_schema_privilege(current_schema(), 'CREATE')").scalar_one():
            raise RefusedError(f"user '{user}' may not create tables in schema "
                               f"{conn.exec_driver_sql('SELECT current_schema()').scalar_one()}; "
                               "run the Prisma migrations first or connect as the schema's owner")
        return
    denied = conn.execute(
        sa.text(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relname = ANY(:names) "
            "AND NOT (has_table_privilege(c.oid, 'INSERT') AND has_table_privilege(c.oid, 'SELECT')) ORDER BY 1"
        ),
        {"names": sorted(tables)},
    ).scalars().all()
    if denied:
        raise RefusedError(f"user '{user}' may not write to {len(denied)} Mentara tables ({', '.join(denied[:3])}, ...); "
                           "grant SELECT, INSERT, UPDATE, DELETE on them or connect as a user who may")


def _shown(lines: list[str]) -> str:
    more = f" | ... ({len(lines) - MAX_DIFF_LINES} more)" if len(lines) > MAX_DIFF_LINES else ""
    return " | ".join(lines[:MAX_DIFF_LINES]) + more


def inspect_target(conn: Connection, creating: SchemaVersion, reset: bool = False) -> tuple[Target, bool]:
    """What the target is, as the seeder will write it: ``(target, empty)``.

    An empty database (no Mentara table) becomes ``creating``; any other is
    seeded as the newest known version it is compatible with (see
    ``schema.versions``), or refused with the differences and the fix.
    """
    present = set(sa.inspect(conn).get_table_names())
    if not present & KNOWN_TABLES:
        foreign = sorted(present - BYSTANDERS)
        if foreign:
            raise SchemaError(
                f"the target has {len(foreign)} other tables ({', '.join(foreign[:3])}) but no Mentara schema; "
                "point MENTARA_DATABASE_URL at the Mentara database or an empty one"
            )
        return Target.of(Comparison(creating)), True
    actual = schema_snapshot(conn, ignore=BYSTANDERS)
    try:
        comparison = detect(actual, creating_missing=reset)
    except SchemaMismatch as mismatch:
        closest = mismatch.closest
        if not closest.incompatible:
            raise SchemaError(
                f"the target has only part of the Mentara {closest.version} schema "
                f"(missing tables: {', '.join(closest.missing_tables)}); "
                "run the Prisma migrations, or reset_and_seed_job to create them"
            ) from None
        problems = closest.incompatible + [f'table "{name}" is gone' for name in closest.missing_tables]
        raise SchemaError(
            f"the target's schema is not one the seeder can write to; closest: Mentara {closest.version} "
            f"({len(problems)} incompatible change{'s' if len(problems) != 1 else ''}: {_shown(problems)}); "
            f"migrate it with Prisma to a schema "
            f"the seeder knows ({', '.join(BY_NAME)}) or update mentara_seed"
        ) from None
    return Target.of(comparison, actual), False


def preflight(engine: Engine, url: URL, creating: SchemaVersion, reset: bool = False) -> Target:
    """All checks before a run's first write; raises SchemaError/RefusedError with one line."""
    with connect_checked(engine, url) as conn:
        check_not_production(conn)
        target, empty = inspect_target(conn, creating, reset)
        present = set(sa.inspect(conn).get_table_names())
        incomplete = not set(target.version.metadata.tables) <= present
        check_privileges(conn, creating=empty or (reset and incomplete), tables=target.version.metadata.tables)
        conn.rollback()
    return target

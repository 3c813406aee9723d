"""Fingerprints of the target's tables: work whose inputs have not changed since it was last done is not
done again (Postgres 13 or later; SQLite in a file).

A table's fingerprint is its row count and the sum of a 64-bit hash of each
row's creating transaction id (``xmin``). An inserted or updated row carries
the id of a transaction that had not run before, and a row version, once
deleted, never comes back; so two moments with the same fingerprint have
the very same rows (an insert later deleted leaves them as they were), short
of a hash collision or a run of four billion transactions returning a row to
the same id. A false "changed" (a table rewritten by ``VACUUM FULL``) only
costs the work again. Reading every table of heavy x100 (3.1 million rows)
this way takes about half a second here, against about twenty for its
checks.

A fingerprint vouches for the work that read the same snapshot (a check's
evaluation: ``checks.incremental``), or for a state the work left and
verified (``fixpoint``).

SQLite keeps no row versions. There the fingerprint of every table is its
row count and the state of the database's files (``file_state``; for a
check, the state the table was last written in, ``FileChain``): the
device, inode, size and modification time (in nanoseconds) of the database
file and of its write-ahead log when that holds anything. A commit writes
to one of them. (Not the change time: SQLite running as root gives the log
back to the database's owner whenever a connection opens it, which changes
that time and nothing else.) Two guards make the state exact: it is read
only once its newest time lies ``GUARD_NS`` in the past (a write after the
read then gets a later time; a file system keeping times in whole
milliseconds or coarser gets no state, ``unsettled``), and work vouched for
by it reads between two equal readings of it (no commit in between). What
changes the files without changing a row (a checkpoint, a
``VACUUM``) only costs the work again; so the seeder empties the log into
the file after each of its commits (``checkpoint``), and closing the last
connection, which would do that, then changes nothing. What this does not
see: someone setting a file's modification time back by hand to the
nanosecond, over other contents of the very same size.

Keys (``key``) tie the fingerprints to everything else the work depends on:
the database (its cluster's system identifier where the role may read it,
its address, name and oid, so that a template copy is another database),
the seeder's code, the settings and the schema.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
import uuid
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mentara_seed.settings import SeedSettings


def supported(conn: Connection) -> bool:
    """Postgres 13 or later (``pg_current_snapshot``, ``pg_visible_in_snapshot``, ``xid8``), or an
    SQLite database in a file (``file_state``)."""
    if conn.dialect.name == "sqlite":
        return sqlite_file(conn) is not None
    return conn.dialect.name == "postgresql" and (conn.dialect.server_version_info or (0,)) >= (13,)


def sqlite_file(conn: Connection) -> Optional[Path]:
    """The file of an SQLite connection's main database (``None`` in memory)."""
    for _, name, file in conn.exec_driver_sql("PRAGMA database_list").all():
        if name == "main":
            return Path(file) if file else None
    return None


GUARD_NS = 20_000_000  # 20 ms: more than a kernel tick (file times come from a clock that may lag by one)
WAIT_S = 1.0  # at most, for the newest time to be GUARD_NS old (a time in the future, or commits nonstop)
_FILES = ("", "-wal", "-journal")


def unsettled() -> str:
    """A state equal to no other: what ``file_state`` says of files it cannot vouch for."""
    return f"unsettled/{uuid.uuid4()}"


def file_state(path: Path) -> str:
    """The state of an SQLite database's files: the device, inode, size and modification time of the
    database file, and of its write-ahead log (or rollback journal) when that holds anything. Read
    once the newest of those times is ``GUARD_NS`` old (waiting up to ``WAIT_S`` for it), so that
    any later write changes it. Files whose times are whole milliseconds (a file system that keeps
    coarse times, where two commits may get the same one), or that did not settle in time, get an
    ``unsettled`` state, which costs the work again."""
    deadline = time.monotonic() + WAIT_S
    while True:
        now, parts, newest = time.time_ns(), [], 0
        for suffix in _FILES:
            try:
                st = os.stat(f"{path}{suffix}")
            except FileNotFoundError:
                st = None
            if st is None or (suffix and st.st_size == 0):
                parts.append("-")  # no log, or an empty one: the file holds everything
                continue
            if st.st_mtime_ns % 1_000_000 == 0:
                return unsettled()
            parts.append(f"{st.st_dev}.{st.st_ino}.{st.st_size}.{st.st_mtime_ns}")
            newest = max(newest, st.st_mtime_ns)
        if now - newest >= GUARD_NS:
            return "/".join(parts)
        if time.monotonic() >= deadline:
            return unsettled()
        time.sleep(min(GUARD_NS - (now - newest), GUARD_NS) / 1e9)


def checkpoint(dbapi) -> bool:
    """Empties an SQLite database's write-ahead log into the file (``wal_checkpoint(TRUNCATE)``) on the
    DBAPI connection ``dbapi``, in no transaction, without waiting for a reader of an older snapshot
    or a writer; whether it could (if not, the state includes the log). Rows do not change."""
    timeout = dbapi.execute("PRAGMA busy_timeout").fetchone()[0]
    dbapi.execute("PRAGMA busy_timeout = 0")
    try:
        busy, _, _ = dbapi.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        return busy == 0
    except sqlite3.OperationalError:
        return False
    finally:
        dbapi.execute(f"PRAGMA busy_timeout = {int(timeout)}")


class FileChain:
    """What one run knows of an SQLite database's files, state after state (``file_state``).

    ``last`` is the state as the run last saw or left it; ``tables`` holds, for
    each table, the state right after the last commit known to have written it,
    which stands for the table's rows (the same rows while the run can
    account for every commit since). The run reads the state at the start of
    each of its transactions, once that has its snapshot (``look``), and
    commits its writing transactions through ``commit``, which tells its own
    commit from anyone else's. A state it cannot account for is someone
    else's commit: every table then stands at that state (``foreign`` says
    so). A run starts from the table states a complete run recorded for the
    very state it finds (``fixpoint``), or with every table at the state it
    finds. The tables a transaction wrote are those its statements name as
    SQLite compiles them (an authorizer, ``track``: trigger programs
    included), besides those the run counted; where the database has
    triggers at all, each commit of the run stands for every table.
    """

    FOREIGN = "others wrote meanwhile (the database's files changed between the run's transactions)"

    def __init__(self, file: Path, tables: Iterable[str], triggers: bool = False) -> None:
        self.file, self.triggers = file, triggers
        self.last = file_state(file)
        self.tables = dict.fromkeys(tables, self.last)
        self.foreign: Optional[str] = None
        self.touched: set[str] = set()
        self._tracked = None

    def track(self, conn: Connection) -> None:
        """From now until ``commit`` or ``untrack``: every table a statement compiled on ``conn`` would
        insert into, update or delete from (setting an authorizer recompiles every statement)."""
        self.untrack()
        self.touched = set()
        writes = (sqlite3.SQLITE_INSERT, sqlite3.SQLITE_UPDATE, sqlite3.SQLITE_DELETE)

        def authorize(action, table, _column, _database, _source):
            if action in writes and table:
                self.touched.add(table)
            return sqlite3.SQLITE_OK

        self._tracked = conn.connection.driver_connection
        self._tracked.set_authorizer(authorize)

    def untrack(self) -> None:
        if self._tracked is not None:
            self._tracked.set_authorizer(None)
            self._tracked = None

    def _others(self, state: str) -> None:
        self.foreign = self.foreign or self.FOREIGN
        self.tables = dict.fromkeys(self.tables, state)

    def look(self) -> str:
        """The state now; if it is not the one the run last saw, someone else committed."""
        now = file_state(self.file)
        if now != self.last:
            self._others(now)
            self.last = now
        return now

    def commit(self, conn: Connection, tables: Optional[Iterable[str]]) -> None:
        """Commits ``conn``'s transaction (which ``look`` began, and which wrote ``tables``; ``None``:
        any), empties the log into the file and reads the state it left, holding the write lock
        so that nobody commits meanwhile. ``PRAGMA data_version``, read on the same connection
        before the commit and again under that lock, changes only with another connection's commit:
        then the state is someone else's too."""
        dbapi = conn.connection.driver_connection
        before = dbapi.execute("PRAGMA data_version").fetchone()[0]
        conn.commit()
        self.untrack()
        checkpoint(dbapi)
        try:
            dbapi.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:  # (a writer held the lock past the busy timeout)
            self.last = unsettled()
            self._others(self.last)
            return
        try:
            state = file_state(self.file)
            others = dbapi.execute("PRAGMA data_version").fetchone()[0] != before
        finally:
            dbapi.execute("ROLLBACK")
        self.last = state
        if others:
            self._others(state)
            return
        for table in self.tables if tables is None or self.triggers else {*tables, *self.touched}:
            if table in self.tables:
                self.tables[table] = state


_HASH = "coalesce(sum(hashint8extended({}, 0)), 0)"
_MASK, _HALF = 2**32 - 1, 2**31


def _read(conn: Connection, tables: Iterable[str], extra: str = "", params: dict | None = None) -> list[tuple]:
    """A row per table, read in one statement: its name, row count, hash sum and ``extra`` (columns
    over its rows' ``xmin`` as numbers, ``t.x``). (One plain UNION ALL: Postgres scans in parallel.)"""
    quote = conn.dialect.identifier_preparer.quote
    rows = "(SELECT xmin::text::bigint AS x FROM {}) AS t" if extra else "{} AS t"
    query = " UNION ALL ".join(
        f"SELECT '{name}', count(*), {_HASH.format('t.x' if extra else 't.xmin::text::bigint')}{extra} FROM "
        + rows.format(quote(name)) for name in sorted(set(tables)))
    return conn.execute(sa.text(query), params or {}).all() if query else []


def table_fingerprints(conn: Connection, tables: Iterable[str]) -> dict[str, str]:
    """``{table: "rows:hash sum"}`` of ``tables``, read in one statement (one snapshot). On SQLite
    ``{table: "rows:file state"}``, the counts read in the connection's transaction."""
    if conn.dialect.name == "sqlite":
        quote = conn.dialect.identifier_preparer.quote
        query = " UNION ALL ".join(f"SELECT '{name}', count(*) FROM {quote(name)}" for name in sorted(set(tables)))
        counts = conn.exec_driver_sql(query).all() if query else []
        state = file_state(sqlite_file(conn))
        return {name: f"{n}:{state}" for name, n in counts}
    return {row[0]: f"{row[1]}:{row[2]}" for row in _read(conn, tables)}


def snapshot(conn: Connection) -> str:
    """The current snapshot (``pg_current_snapshot()``): what a statement now sees."""
    return conn.exec_driver_sql("SELECT pg_current_snapshot()::text").scalar_one()


def changes_since(conn: Connection, tables: Iterable[str], snapshot: str, ours: Iterable[int]) -> dict[str, tuple[str, int]]:
    """``{table: (fingerprint, rows others wrote)}``: the fingerprint now, and how many of its rows
    were written (inserted or updated) after ``snapshot`` by a transaction not in ``ours`` (full ids).

    A row counts when its 32-bit ``xmin`` is at or after the snapshot's oldest running transaction
    (modulo 2^32), is none of ``ours``, and, as a full id, is not visible in the snapshot. Live
    rows' ids lie within 2^31 of the current one (Postgres guarantees it), so a row's full id is
    the one nearest to the next id read just before (``reference``)."""
    low = int(snapshot.split(":")[0])
    reference = int(conn.exec_driver_sql("SELECT pg_snapshot_xmax(pg_current_snapshot())::text").scalar_one())
    epoch_base = reference + _HALF  # a row's full id is in (epoch_base - 2^32, epoch_base]
    full = f"(((:base >> 32) << 32) + t.x - CASE WHEN ((:base >> 32) << 32) + t.x > :base THEN {_MASK + 1} ELSE 0 END)"
    extra = (f", count(*) FILTER (WHERE ((t.x - :low) & {_MASK}) < {_HALF} AND t.x <> ALL(CAST(:ours AS bigint[])) "
             f"AND NOT pg_visible_in_snapshot({full}::text::xid8, CAST(:snapshot AS pg_snapshot)))")
    params = {"snapshot": snapshot, "low": low & _MASK, "base": epoch_base, "ours": sorted({x & _MASK for x in ours})}
    return {row[0]: (f"{row[1]}:{row[2]}", row[3]) for row in _read(conn, tables, extra, params)}


def has_written(conn: Connection) -> bool:
    """Whether the connection's transaction has written anything yet (Postgres: it has a transaction id)."""
    return conn.exec_driver_sql("SELECT pg_current_xact_id_if_assigned() IS NOT NULL").scalar_one()


def transaction_id(conn: Connection) -> int:
    """The full id of the connection's transaction (assigning one if it has none yet)."""
    return int(conn.exec_driver_sql("SELECT pg_current_xact_id()::text").scalar_one())


def identity(conn: Connection) -> str:
    """Which database this is: the cluster's system identifier (where the role may read it), the
    server's address, the database's name and its oid (a new one for a database dropped and made
    again, or copied from a template, whose rows keep their ``xmin``). An SQLite database: its file's
    path (a copy, or a file made again, has another inode and modification time: ``file_state``)."""
    if conn.dialect.name == "sqlite":
        return f"sqlite/{sqlite_file(conn)}"
    cluster = None
    if conn.exec_driver_sql("SELECT has_function_privilege('pg_control_system()', 'EXECUTE')").scalar_one():
        cluster = conn.exec_driver_sql("SELECT system_identifier FROM pg_control_system()").scalar_one()
    row = conn.exec_driver_sql(
        "SELECT coalesce(host(inet_server_addr()), 'socket'), inet_server_port(), current_database(), d.oid "
        "FROM pg_database d WHERE d.datname = current_database()"
    ).one()
    return "/".join(map(str, (cluster, *row)))


@cache
def code_digest() -> str:
    """A digest of the seeder's own source: a change to any of it is a change to what the work does."""
    root = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def settings_key(settings: SeedSettings) -> list:
    password = hashlib.sha256(settings.test_password.encode()).hexdigest()
    return [settings.mode, settings.scale, settings.anchor.isoformat(), password]


def target_key(target) -> list:
    """What the seeder knows of the target's schema: its version, columns, enum values and additions."""
    return [str(target.version), sorted((t, sorted(c)) for t, c in target.columns.items()),
            sorted(target.enums.items()), list(target.additions)]


def key(*parts) -> str:
    """A digest of ``parts`` (anything JSON can write) with the seeder's code."""
    return hashlib.sha256(json.dumps([code_digest(), *parts], default=str).encode()).hexdigest()

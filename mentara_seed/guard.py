"""Safety: the production guard, and one seeding run at a time per database.

The guard runs before any write. Allowed without asking: SQLite files and
database servers on the loopback interface (or the local socket). Any other
host must be listed in ``MENTARA_SEED_ALLOWED_HOSTS``. A database that an
operator has marked as production is refused even when its host is allowed:
the marker lives in the database itself (a schema on Postgres, outside
Prisma's ``public``; a table on SQLite), so a copied URL or a restored dump
still trips it.
"""

from __future__ import annotations

import fcntl
import hashlib
import ipaddress
import os
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine

from mentara_seed.settings import ENV_LOCK_TIMEOUT, parse_lock_timeout

ENV_ALLOWED_HOSTS = "MENTARA_SEED_ALLOWED_HOSTS"
PRODUCTION_SCHEMA = "mentara_production"  # Postgres: CREATE SCHEMA mentara_production;
PRODUCTION_TABLE = "_mentara_production"  # SQLite:   CREATE TABLE _mentara_production(x);
LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


class RefusedError(RuntimeError):
    """The seeder will not write to this database. The message says why, in one line."""


def allowed_hosts() -> set[str]:
    return {h.strip().lower() for h in os.environ.get(ENV_ALLOWED_HOSTS, "").split(",") if h.strip()}


def is_loopback(host: str | None) -> bool:
    if not host or host.startswith("/"):  # no host, or a Unix socket directory: this machine
        return True
    if host.lower() in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_host(url: URL) -> None:
    if url.drivername.startswith("sqlite"):
        return
    # psycopg also takes hosts from the query string (?host=...); no host at all is the local socket.
    in_query = url.query.get("host") or ()
    hosts = [h for h in [url.host, *([in_query] if isinstance(in_query, str) else in_query)] if h]
    for host in hosts:
        if not is_loopback(host) and host.lower() not in allowed_hosts():
            raise RefusedError(
                f"refusing to write to host '{host}': only SQLite files and loopback servers are allowed by default; "
                f"add it to {ENV_ALLOWED_HOSTS} if it really is a test database"
            )


def is_marked_production(conn: Connection) -> bool:
    if conn.dialect.name == "postgresql":
        return bool(conn.execute(
            sa.text("SELECT 1 FROM information_schema.schemata WHERE schema_name = :name"), {"name": PRODUCTION_SCHEMA}
        ).first())
    return PRODUCTION_TABLE in sa.inspect(conn).get_table_names()


def check_not_production(conn: Connection) -> None:
    if is_marked_production(conn):
        raise RefusedError(
            "refusing to write: this database is marked as production "
            + (f"(schema {PRODUCTION_SCHEMA} exists)" if conn.dialect.name == "postgresql" else f"(table {PRODUCTION_TABLE} exists)")
        )


class RunLock:
    """One seeding run at a time per database: a Postgres advisory lock or a lock file next to SQLite.

    Held from the run's first write until the run ends. A second run waits up
    to ``MENTARA_SEED_LOCK_TIMEOUT`` seconds (default 600), then stops with a
    clear message; the two never interleave.

    A run whose steps write from many processes at once (the distributed
    definitions: shards on Celery workers) holds it from its own process, named
    by its run id (``holder``), for the whole run; each step then checks that
    its run is the holder (``held_by``) instead of taking it.
    """

    def __init__(self, engine: Engine, url: URL) -> None:
        self.engine, self.url = engine, url
        self._conn: Connection | None = None
        self._file = None

    @property
    def key(self) -> int:
        return int.from_bytes(hashlib.blake2b(b"mentara_seed/run-lock", digest_size=8).digest(), "big", signed=True)

    def _path(self) -> Path:
        return Path(f"{Path(self.url.database).expanduser().resolve()}.lock")

    def acquire(self, timeout: float | None = None, holder: str | None = None) -> None:
        timeout = parse_lock_timeout(os.environ.get(ENV_LOCK_TIMEOUT)) if timeout is None else timeout
        deadline = time.monotonic() + timeout
        if self.url.drivername.startswith("sqlite"):
            self._file = open(self._path(), "a+")
            while True:
                try:
                    fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    self._file.truncate(0)
                    self._file.write(holder or "")
                    self._file.flush()
                    return
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        self._file.close()
                        self._file = None
                        raise RefusedError(self._busy(timeout)) from None
                    time.sleep(0.2)
        self._conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        if holder is not None:
            self._conn.execute(sa.text("SELECT set_config('application_name', :name, false)"), {"name": _holder(holder)})
        while not self._conn.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key}).scalar_one():
            if time.monotonic() >= deadline:
                self.release()
                raise RefusedError(self._busy(timeout))
            time.sleep(0.2)

    def held_by(self, holder: str) -> bool:
        """Whether the run ``holder`` holds this database's lock (from its own process)."""
        if self.url.drivername.startswith("sqlite"):
            try:
                with open(self._path()) as file:
                    try:
                        fcntl.flock(file, fcntl.LOCK_SH | fcntl.LOCK_NB)
                    except BlockingIOError:
                        return file.read() == holder  # held, and by that run
                    fcntl.flock(file, fcntl.LOCK_UN)
                    return False  # nobody holds it
            except FileNotFoundError:
                return False
        unsigned = self.key & 0xFFFFFFFFFFFFFFFF
        with self.engine.connect() as conn:
            return bool(conn.execute(sa.text(
                "SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                " WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database"
                " WHERE datname = current_database()) AND l.classid = CAST(:hi AS oid) AND l.objid = CAST(:lo AS oid)"
                " AND l.objsubid = 1 AND a.application_name = :name"),
                {"hi": unsigned >> 32, "lo": unsigned & 0xFFFFFFFF, "name": _holder(holder)}).first())

    def _busy(self, timeout: float) -> str:
        return (f"another seeding run holds this database's lock; waited {timeout:g} s "
                f"(raise {ENV_LOCK_TIMEOUT} to wait longer)")

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
        if self._conn is not None:
            try:
                self._conn.execute(sa.text("SELECT pg_advisory_unlock_all()"))
            finally:
                self._conn.close()
                self._conn = None


def _holder(run_id: str) -> str:
    """The lock connection's application_name: how a run's steps recognise it (at most 63 bytes)."""
    return f"mentara_seed run {run_id}"[:63]


# The advisory-lock key space of units of work (two int4 keys: apart from the run lock's one bigint).
UNIT_LOCK_SPACE = 0x4D53  # "MS"


def one_execution_at_a_time(conn: Connection, unit: str) -> None:
    """Within a writing transaction: no other transaction runs the unit of work ``unit`` (an asset, or a
    shard of one) until this one ends. A step delivered twice while its first copy still runs (Celery
    redelivers a task whose worker lost its broker connection: a long step on a solo pool misses the
    heartbeats) waits for the first copy to commit or roll back, then finds nothing to add, instead of
    writing the same rows at the same time. Postgres: a transaction-level advisory lock named by the
    unit. SQLite needs none: a second writer's first write fails at once ("database is locked"), so the
    second copy fails and writes nothing."""
    if conn.dialect.name == "postgresql":
        key = int.from_bytes(hashlib.blake2b(unit.encode(), digest_size=4).digest(), "big", signed=True)
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:space, :key)"), {"space": UNIT_LOCK_SPACE, "key": key})

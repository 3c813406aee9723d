"""Dagster resources: the target database and the run settings.

Both read their values from run config when given (launchpad, schedules) and
otherwise from the environment (``MENTARA_DATABASE_URL``, ``MENTARA_SEED_*``),
so the URL, and any password in it, never appears in the UI's config view.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import sqlalchemy as sa
from dagster import ConfigurableResource, InitResourceContext
from pydantic import Field, PrivateAttr
from sqlalchemy.engine import URL, Connection, Engine

from mentara_seed.guard import RefusedError, RunLock, check_host, check_not_production
from mentara_seed.preflight import check_sqlite_path, connect_checked, inspect_target, preflight
from mentara_seed.schema.manage import SchemaError, ensure_schema, reset_tables
from mentara_seed.schema.versions import SchemaVersion, Target
from mentara_seed.settings import (
    ENV_SHARDS,
    ENV_WORKERS,
    SeedSettings,
    SettingsError,
    masked,
    parse_schema_version,
    parse_shards,
    parse_workers,
    resolve_database_url,
)


def create_seed_engine(url: URL) -> Engine:
    """An engine tuned for bulk seeding on either backend."""
    if url.drivername.startswith("sqlite"):
        # Check queries run on threads of their own: their connections go back to the pool from there.
        engine = sa.create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})

        @sa.event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_connection, _record) -> None:
            # Let SQLAlchemy, not pysqlite, open transactions, so that DDL (schema
            # creation, reset) is transactional too: a crash leaves no half schema.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            # Foreign keys are off by default in SQLite; the seeder wants them checked.
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            # A larger page cache (64 MiB, not the default 2) and in-memory temporary b-trees: the
            # checks scan the same big tables one after another. (Memory-mapped I/O reads faster
            # still, but its pages count as the process's memory: a whole database's worth.)
            cursor.execute("PRAGMA cache_size=-65536")
            cursor.execute("PRAGMA temp_store=MEMORY")
            cursor.close()

        @sa.event.listens_for(engine, "begin")
        def _sqlite_begin(conn) -> None:
            conn.exec_driver_sql("BEGIN")

        return engine
    engine = sa.create_engine(url, pool_pre_ping=True)

    @sa.event.listens_for(engine, "connect")
    def _postgres_connect(dbapi_connection, _record) -> None:
        raise_work_mem(dbapi_connection)

    return engine


# The memory a sort or hash of the seeder's own queries may use before it spills to disk (its sessions
# only; Postgres' default is 4 MB). The checks' and deficits' grouped counts over a heavy x1000 seed
# (comments and hearts per post) hash millions of rows: with 4 MB they spill and took about twice as long.
WORK_MEM_KB = 64 * 1024


def raise_work_mem(dbapi_connection) -> None:
    """Raise the session's ``work_mem`` to ``WORK_MEM_KB``, never lower it (a role or database
    configured with more keeps it). Outside any transaction: a rollback does not undo it."""
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("SELECT set_config('work_mem', %s, false) FROM pg_settings"
                       " WHERE name = 'work_mem' AND setting::bigint < %s", (f"{WORK_MEM_KB}kB", WORK_MEM_KB))
    finally:
        cursor.close()
        dbapi_connection.autocommit = autocommit


@dataclass
class RunMemo:
    """What one run has learnt about its target, for its later steps (never kept across runs).

    Each fact is kept with the tables it was read from; a step that writes to
    one of them makes the run forget it (``forget``), so nothing stale is reused.
    """

    # Requirements an enricher surveyed, found nobody short of, and wrote nothing after: their
    # minimum checks need not ask again in this run.
    met: dict[str, frozenset[str]] = field(default_factory=dict)
    # Check findings by check name: a stage's checks and the audit summary evaluate each once.
    findings: dict[str, tuple[object, frozenset[str]]] = field(default_factory=dict)
    # Fingerprints of tables (``mentara_seed.fingerprints``), read before the work they vouch for.
    fingerprints: dict[str, str] = field(default_factory=dict)
    identity: Optional[str] = None  # the target's (``fingerprints.identity``)
    # ``fixpoint``: whether the run's first seeding step has looked, what it saw (a ``RunStart``),
    # and the run that left the database as it found it, complete (until the run writes).
    began: bool = False
    start: Optional[object] = None
    # SQLite: the states of the database's files the run has accounted for (``fingerprints.FileChain``).
    chain: Optional[object] = None
    unchanged_since: Optional[str] = None
    # Each check's latest completed evaluation in the Dagster instance, as read once this run
    # (``checks.incremental.completed``): facts about the instance, not the tables, never forgotten.
    completed: dict[str, object] = field(default_factory=dict)
    # Whether a step has reported the target's schema (its additions) yet.
    schema_noted: bool = False
    # How often the run has written each table (``forget``), and emptied them all (``forget_everything``):
    # a finding read on another thread is kept only if neither moved since before it read (``keep``).
    versions: dict[str, int] = field(default_factory=dict)
    epoch: int = 0
    # Postgres: fingerprints read in a check step's or early batch's snapshot, with that snapshot's text
    # (``checks.incremental.snapshot_fingerprints``): valid for any later transaction with an equal snapshot.
    pinned_prints: Optional[tuple[str, dict[str, str]]] = None
    # The checks evaluated while their stage's later assets ran (``checks.early.EarlyChecks``), if any.
    early: Optional[object] = None
    # Postgres: the snapshot the run's first seeding step found a recorded fixpoint in, held open while
    # the run has nothing to do (``fixpoint.Held``): its check steps and its report read that state.
    held: Optional[object] = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def forget(self, tables) -> None:
        """Drop every fact read from one of ``tables`` (a step has just written to them)."""
        tables = set(tables)
        with self.lock:
            for table in tables:
                self.versions[table] = self.versions.get(table, 0) + 1
            self.met = {k: t for k, t in self.met.items() if not t & tables}
            self.findings = {k: v for k, v in self.findings.items() if not v[1] & tables}
            self.fingerprints = {k: v for k, v in self.fingerprints.items() if k not in tables}

    def forget_everything(self) -> None:
        """Drop every fact about the tables (a step has emptied them all)."""
        with self.lock:
            self.epoch += 1
            self.met, self.findings, self.fingerprints = {}, {}, {}

    def written(self, tables) -> tuple[int, dict[str, int]]:
        """Where the run's writes to ``tables`` stand now (for ``keep``)."""
        with self.lock:
            return self.epoch, {table: self.versions.get(table, 0) for table in tables}

    def keep(self, findings: dict[str, tuple[object, frozenset[str]]], since: tuple[int, dict[str, int]]) -> list[str]:
        """Record ``findings`` (``{check: (finding, tables read)}``) read after ``since`` (``written``), each
        only if the run has written none of its tables since; the checks recorded."""
        epoch, versions = since
        with self.lock:
            kept = [name for name, (_, tables) in findings.items() if self.epoch == epoch
                    and all(self.versions.get(t, 0) == versions.get(t, 0) for t in tables)]
            self.findings.update({name: findings[name] for name in kept})
        return kept


class MentaraDatabase(ConfigurableResource):
    """The Mentara database to seed.

    ``url`` is an SQLAlchemy URL naming its driver (``postgresql+psycopg://...``
    or ``sqlite+pysqlite:///...``). Unset, it is ``MENTARA_DATABASE_URL``, and
    without that the embedded default SQLite file ``./.data/mentara.sqlite3``.
    ``schema`` is the Mentara schema version created in an empty database
    (``MENTARA_SEED_SCHEMA``, default the newest); a database that has one is
    seeded as the version it is.
    """

    url: Optional[str] = Field(
        default=None,
        description="SQLAlchemy URL of the target; default: $MENTARA_DATABASE_URL, else ./.data/mentara.sqlite3",
    )
    url_env: Optional[str] = Field(
        default=None,
        description="Name of an environment variable holding the URL (e.g. MENTARA_STAGING_DATABASE_URL), "
        "so that a secret URL never appears in run config",
    )
    schema_version: Optional[str] = Field(
        default=None,
        description="Mentara schema created in an empty database (2025-10 or 2026-02); default $MENTARA_SEED_SCHEMA, else the newest",
    )
    held_by_run: bool = Field(
        default=False,
        description="Set by the distributed definitions: the run holds the database's lock from its own process "
        "(its steps write from many processes at once), and each step checks that it does",
    )
    _engine: Optional[Engine] = PrivateAttr(default=None)
    _lock: Optional[RunLock] = PrivateAttr(default=None)
    _run_id: Optional[str] = PrivateAttr(default=None)
    _target: Optional[Target] = PrivateAttr(default=None)
    _memo: RunMemo = PrivateAttr(default_factory=RunMemo)

    def resolved_url(self) -> URL:
        if self.url is None and self.url_env:
            value = os.environ.get(self.url_env, "").strip()
            if not value:
                raise SettingsError(f"{self.url_env} is not set; it must hold the target database URL")
            return resolve_database_url(value)
        return resolve_database_url(self.url)

    def creating(self) -> SchemaVersion:
        """The schema version an empty target gets (validated: a bad value is a SettingsError)."""
        return parse_schema_version(self.schema_version)

    @property
    def target(self) -> Optional[Target]:
        """What the target is (its version, columns, additions), once a step of this run has looked."""
        return self._target

    @property
    def memo(self) -> RunMemo:
        return self._memo

    def describe(self) -> str:
        url = self.resolved_url()
        if url.drivername.startswith("sqlite"):
            return f"SQLite file {Path(url.database).expanduser().resolve()}"
        return masked(url)

    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = create_seed_engine(self.resolved_url())
        return self._engine

    @contextmanager
    def transaction(self, reset: bool = False) -> Iterator[Connection]:
        """One writing transaction, after the guard and under the run lock.

        The target must be allowed (loopback, SQLite or an allowed host) and not
        marked as production; the first write of a run takes the database's
        run lock and keeps it until the run ends, and vets the schema (see
        ``preflight``). An empty database gets the schema of ``creating()``;
        with ``reset``, every Mentara table is emptied first.
        """
        url = self.resolved_url()
        check_host(url)
        if self._lock is None:
            creating = self.creating()
            if url.drivername.startswith("sqlite"):
                check_sqlite_path(url, create=True)
            with connect_checked(self.engine(), url):  # an unreachable target fails with one line
                pass
            lock = RunLock(self.engine(), url)
            if self.held_by_run:
                # The run took the lock, made the schema and reset what it resets (``hold_for_run``).
                if self._run_id is None or not lock.held_by(self._run_id):
                    raise RefusedError(f"run {self._run_id} does not hold this database's lock; a distributed run "
                                       "takes it in its own process (mentara_seed.distributed)")
            else:
                # Lock first: a concurrent run must not see this one's schema half made.
                lock.acquire()
            self._lock = lock
            self._target = preflight(self.engine(), url, creating, reset=reset)
            if url.drivername.startswith("sqlite"):
                # Write-ahead logging: readers (the UI, an audit) never block on a seeding run.
                with self.engine().connect() as conn:
                    conn.connection.driver_connection.execute("PRAGMA journal_mode=WAL")
        with self.engine().begin() as conn:
            check_not_production(conn)
            if reset:
                reset_tables(conn, self._target.version)
            ensure_schema(conn, self._target.version)
            yield conn

    @contextmanager
    def hold_for_run(self, run_id: str, reset: bool = False) -> Iterator[None]:
        """A distributed run's own hold on the database, for the whole run, from the run's process:
        the guard and the lock, then, once and before any step, the schema checks and the schema
        (or, with ``reset``, every Mentara table emptied). Its steps, in other processes, only check
        that the run holds it (``held_by_run``)."""
        url = self.resolved_url()
        check_host(url)
        creating = self.creating()
        if url.drivername.startswith("sqlite"):
            check_sqlite_path(url, create=True)
        with connect_checked(self.engine(), url):
            pass
        lock = RunLock(self.engine(), url)
        lock.acquire(holder=run_id)
        try:
            target = preflight(self.engine(), url, creating, reset=reset)
            with self.engine().begin() as conn:
                check_not_production(conn)
                if reset:
                    reset_tables(conn, target.version)
                ensure_schema(conn, target.version)
            if url.drivername.startswith("sqlite"):
                with self.engine().connect() as conn:
                    conn.connection.driver_connection.execute("PRAGMA journal_mode=WAL")
            yield
        finally:
            lock.release()
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None

    def setup_for_execution(self, context: InitResourceContext) -> None:
        self._run_id = context.run.run_id if context.run is not None else None

    @contextmanager
    def read_only(self) -> Iterator[Connection]:
        """A connection that cannot write: checks and audits use nothing else.

        The first one of a run makes sure there is a Mentara schema to read
        (one the seeder knows), without creating anything.
        """
        with connect_checked(self.engine(), self.resolved_url(), create=False) as conn:
            if self._target is None:
                target, empty = inspect_target(conn, self.creating())
                if empty:
                    raise SchemaError("the target has no Mentara schema yet; seed it first (seed_job) or fix MENTARA_DATABASE_URL")
                conn.rollback()
                self._target = target
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("SET TRANSACTION READ ONLY")
            else:
                conn.exec_driver_sql("PRAGMA query_only = ON")
            try:
                yield conn
            finally:
                conn.rollback()
                if conn.dialect.name == "sqlite":
                    conn.connection.driver_connection.execute("PRAGMA query_only = OFF")

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        if self._memo.early is not None:
            self._memo.early.close()  # (no evaluation outlives the run's engine)
        if self._memo.held is not None:
            self._memo.held.close()
        self._target, self._memo = None, RunMemo()
        if self._lock is not None:
            self._lock.release()
            self._lock = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


class SeedConfig(ConfigurableResource):
    """Mode, scale, anchor time and test password of a run (env: ``MENTARA_SEED_*``)."""

    mode: Optional[str] = Field(default=None, description="light, medium or heavy; default $MENTARA_SEED_MODE, else medium")
    scale: Optional[int] = Field(default=None, description="whole number >= 1 multiplying users and communities; default $MENTARA_SEED_SCALE, else 1")
    anchor: Optional[str] = Field(default=None, description="ISO-8601 UTC date or time all timestamps are offsets from; default $MENTARA_SEED_ANCHOR, else the start of today (UTC)")
    test_password: Optional[str] = Field(default=None, description="password of the documented test accounts; default $MENTARA_SEED_TEST_PASSWORD, else MentaraDev!2025")
    shards: Optional[int] = Field(default=None, description="shards a sharded asset runs as (distributed definitions only); default $MENTARA_SEED_SHARDS, else 4")
    workers: Optional[int] = Field(default=None, description="processes building rows beside each step's own (Linux; "
                                   "the data is the same with any number); default $MENTARA_SEED_WORKERS, else one "
                                   "per two CPUs, at most 3")

    def resolve(self) -> SeedSettings:
        return SeedSettings.resolve(self.mode, self.scale, self.anchor, self.test_password)

    def resolve_shards(self) -> int:
        return parse_shards(self.shards if self.shards is not None else os.environ.get(ENV_SHARDS))

    def resolve_workers(self) -> int:
        return parse_workers(self.workers if self.workers is not None else os.environ.get(ENV_WORKERS))

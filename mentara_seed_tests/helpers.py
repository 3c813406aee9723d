"""Running real seeding jobs and reading databases back, for the tests."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from decimal import Decimal
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from dagster import DagsterInstance
from sqlalchemy.engine import make_url

from mentara_seed import registry
from mentara_seed.checks.definitions import CHECK_NAMES
from mentara_seed.definitions import defs
from mentara_seed.preflight import inspect_target
from mentara_seed.requirements import REQUIREMENTS
from mentara_seed.resources import MentaraDatabase, SeedConfig
from mentara_seed.schema.tables import metadata
from mentara_seed.schema.versions import LATEST

ANCHOR = "2026-01-15T00:00:00Z"
ALL_CHECKS = {*CHECK_NAMES, "database_audit"}
ANCHOR_DT = dt.datetime(2026, 1, 15)
REPO_ROOT = Path(__file__).resolve().parent.parent


def run_job(url: str, job: str = "seed_job", mode: str = "medium", anchor: str = ANCHOR, scale: int = 1,
            schema: str | None = None, **kwargs):
    """Execute a job of the real Definitions in process against ``url`` (an empty one gets ``schema``)."""
    return defs.resolve_job_def(job).execute_in_process(
        resources={"database": MentaraDatabase(url=url, schema_version=schema),
                   "seed_config": SeedConfig(mode=mode, anchor=anchor, scale=scale)},
        instance=kwargs.pop("instance", None) or DagsterInstance.ephemeral(),
        run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
        **kwargs,
    )


def undeclared_writes(result) -> dict[str, list[str]]:
    """``{asset: tables}``: the tables each seeding asset of a run wrote (added to, updated or deleted from,
    by its metadata) that its declaration does not name (``registry.Declaration.may_write``)."""
    declared, found = registry.load(), {}
    for event in result.get_asset_materialization_events():
        asset, metadata = event.asset_key.to_user_string(), event.materialization.metadata
        if asset in declared:
            wrote = {t for field in ("rows_added", "rows_updated", "rows_removed") if field in metadata
                     for t, n in metadata[field].value.items() if n}
            if wrote - declared[asset].may_write:
                found[asset] = sorted(wrote - declared[asset].may_write)
    return found


def evaluations(result) -> dict[str, object]:
    """The asset check evaluations of a run, by check name."""
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


def rows_added(result) -> dict[str, int]:
    """Rows added per seeding asset in a run, from its materialization metadata (the report sums them)."""
    return {
        event.asset_key.to_user_string(): event.materialization.metadata["rows_added_total"].value
        for event in result.get_asset_materialization_events()
        if event.asset_key.to_user_string() != "seed_report"
    }


def _plain(value):
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="milliseconds")
    if isinstance(value, (list, dict)):
        return json.dumps(value, sort_keys=True)
    if isinstance(value, bool):
        return int(value)
    return value


def dump(url: str) -> dict[str, list[tuple]]:
    """Every row of every Mentara table the database has (of any version), ordered by primary key,
    with the columns it has, in a backend-neutral form."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            inspector = sa.inspect(conn)
            present = set(inspector.get_table_names())
            out = {}
            for table in metadata.sorted_tables:
                if table.name not in present:
                    continue
                columns = [table.c[c["name"]] for c in inspector.get_columns(table.name) if c["name"] in table.c]
                out[table.name] = [
                    tuple(_plain(v) for v in row)
                    for row in conn.execute(sa.select(*columns).order_by(*table.primary_key.columns))
                ]
            return out
    finally:
        engine.dispose()


def digest(url: str) -> str:
    """One hash of every row of every Mentara table (``dump``): equal digests, equal databases."""
    return hashlib.sha256(json.dumps(dump(url), sort_keys=True, default=str).encode()).hexdigest()


@cache
def reference_digest(mode: str = "light", anchor: str = ANCHOR) -> str:
    """The digest of one uninterrupted in-process seed of an empty SQLite file: what every other way
    of seeding (killed and rerun, concurrent, sharded) must end as. Seeded once per test process."""
    with tempfile.TemporaryDirectory() as workdir:
        url = f"sqlite+pysqlite:///{Path(workdir) / 'reference.sqlite3'}"
        assert run_job(url, mode=mode, anchor=anchor).success
        return digest(url)


# Seeded databases kept by ``seeded`` (a copy of each per test process): SQLite files, Postgres template databases.
_SEEDED: dict[tuple, str] = {}
_CACHE_DIR: list[Path] = []


def _cache_dir() -> Path:
    if not _CACHE_DIR:
        _CACHE_DIR.append(Path(tempfile.mkdtemp(prefix="mentara_seeded_")))
    return _CACHE_DIR[0]


def _admin(url: str) -> sa.Engine:
    return sa.create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def _copy_postgres(admin: sa.Engine, source: str, target: str, replace: bool) -> None:
    with admin.connect() as conn:
        conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name "
                             "AND pid <> pg_backend_pid()"), {"name": source})
        if replace:
            conn.execute(sa.text(f'DROP DATABASE "{target}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{target}" TEMPLATE "{source}"'))


def seeded(url: str, mode: str = "medium", anchor: str = ANCHOR) -> None:
    """Make the empty target at ``url`` what a successful ``run_job(url, mode=mode, anchor=anchor)``
    makes it, for tests whose subject is what comes after a seed. The first time per test process
    and kind of target (backend and schema version) it is that run; after that, a copy of its result
    (a file copy on SQLite, a template database on Postgres), since a seed is deterministic."""
    parts = make_url(url)
    sqlite = parts.drivername.startswith("sqlite")
    version = None
    if not sqlite:
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            target, empty = inspect_target(conn, LATEST)
        engine.dispose()
        if empty:  # the seeder creates the schema: a target of its own kind, not worth keeping
            assert run_job(url, mode=mode, anchor=anchor).success
            return
        version = target.version.name
    key = ("sqlite" if sqlite else "postgres", version, mode, anchor)
    kept = _SEEDED.get(key)
    if kept is None:
        assert run_job(url, mode=mode, anchor=anchor).success
        if sqlite:
            engine = sa.create_engine(url)
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            engine.dispose()
            kept = str(_cache_dir() / f"{uuid.uuid4().hex[:8]}.sqlite3")
            shutil.copyfile(parts.database, kept)
        else:
            kept = f"mentara_seed_test_seeded_{uuid.uuid4().hex[:12]}"
            admin = _admin(url)
            _copy_postgres(admin, parts.database, kept, replace=False)
            admin.dispose()
        _SEEDED[key] = kept
        return
    if sqlite:
        assert not Path(parts.database).exists(), f"{url} is not an empty target"
        shutil.copyfile(kept, parts.database)
    else:
        admin = _admin(url)
        _copy_postgres(admin, kept, parts.database, replace=True)
        admin.dispose()


def drop_seeded(admin_url: str | None) -> None:
    """Drop what ``seeded`` kept (at the end of a test process)."""
    databases = [name for key, name in _SEEDED.items() if key[0] == "postgres"]
    if databases and admin_url:
        admin = _admin(admin_url)
        with admin.connect() as conn:
            for name in databases:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    for directory in _CACHE_DIR:
        shutil.rmtree(directory, ignore_errors=True)
    _SEEDED.clear()


def target_of(url: str):
    """What the seeder takes the database at ``url`` for (its Mentara version, columns, additions)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            target, empty = inspect_target(conn, LATEST)
    finally:
        engine.dispose()
    assert not empty, f"{url} has no Mentara schema"
    return target


def shortfalls(url: str, mode: str, anchor: dt.datetime = ANCHOR_DT) -> dict[str, int]:
    """Requirement name -> number of entities below the mode's minimum (only those > 0), as an
    independent reader of the database counts them: ``Requirement.shortfall``, nothing of a run."""
    target = target_of(url)
    engine = sa.create_engine(url)
    found = {}
    try:
        with engine.connect() as conn:
            for requirement in REQUIREMENTS:
                if not requirement.applies(target):
                    continue
                short = requirement.shortfall(mode, anchor, target.version).subquery()
                n = conn.execute(sa.select(sa.func.count()).select_from(short)).scalar_one()
                if n:
                    found[requirement.name] = n
    finally:
        engine.dispose()
    return found


def dagster_cli(args: list[str], url: str, home: Path, mode: str = "medium", anchor: str = ANCHOR,
                extra_env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the ``dagster`` CLI of this environment in a fresh process against ``url``."""
    home.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "MENTARA_DATABASE_URL": url,
        "MENTARA_SEED_MODE": mode,
        "MENTARA_SEED_ANCHOR": anchor,
        **(extra_env or {}),
    }
    dagster = Path(sys.executable).parent / "dagster"
    return subprocess.run([str(dagster), *args], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300)

"""The bulk path: (nearly) empty tables load without their secondary indexes (and, on Postgres,
foreign keys), which are rebuilt, from the catalog's own definitions, in the asset's transaction."""

from __future__ import annotations

import shutil
import subprocess

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from mentara_seed.schema.manage import create_schema
from mentara_seed.schema.versions import LATEST
from mentara_seed.seeding.deferred import catalog
from mentara_seed_tests.conftest import prisma_ddl, require
from mentara_seed_tests.helpers import dagster_cli, digest, reference_digest, run_job
from mentara_seed_tests.test_reliability import SEED


def _catalog(url: str) -> list[tuple]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return catalog(conn)
    finally:
        engine.dispose()


def _schema_dump(url: str) -> str:
    """``pg_dump --schema-only``: every object's DDL as Postgres would recreate it."""
    require(shutil.which("pg_dump") is not None, "pg_dump not found (the postgresql-client package)")
    parts = make_url(url)
    done = subprocess.run(["pg_dump", "--schema-only", "--no-owner", "-h", parts.host or "127.0.0.1",
                           "-p", str(parts.port or 5432), "-U", parts.username or "postgres", parts.database],
                          capture_output=True, text=True, check=True)
    # Less the version banner and the random key of psql's \restrict guard (pg_dump 15.14 and later).
    return "\n".join(line for line in done.stdout.splitlines()
                     if not line.startswith(("-- Dumped", "\\restrict", "\\unrestrict")))


def _sqlite_schema(tmp_path) -> str:
    """A SQLite file holding the schema exactly as the seeder creates it."""
    url = f"sqlite+pysqlite:///{tmp_path / 'schema.sqlite3'}"
    engine = sa.create_engine(url)
    create_schema(engine, LATEST)
    engine.dispose()
    return url


def test_a_seed_on_sqlite_rebuilds_every_index_it_deferred(tmp_path):
    url = f"sqlite+pysqlite:///{tmp_path / 'seeded.sqlite3'}"
    result = run_job(url, mode="light")
    assert result.success
    deferred = {t for e in result.get_asset_materialization_events() if e.asset_key.to_user_string() != "seed_report"
                for t in e.materialization.metadata["deferred_indexes"].value}
    assert {"Post", "Comment", "Message", "Notification"} <= deferred
    assert _catalog(url) == _catalog(_sqlite_schema(tmp_path))


@pytest.mark.parametrize("version", ["2025-10", "2026-02"])
def test_a_seed_rebuilds_what_it_deferred_exactly_as_prisma_made_it(postgres_databases, version):
    url = postgres_databases.create(ddl=prisma_ddl(version))
    before, ddl_before = _catalog(url), _schema_dump(url)
    result = run_job(url, mode="light")
    assert result.success
    deferred = {e.asset_key.to_user_string(): e.materialization.metadata["deferred_indexes"].value
                for e in result.get_asset_materialization_events() if e.asset_key.to_user_string() != "seed_report"}
    # The fresh seed loads its big tables without upkeep ...
    assert {"User", "Post", "Comment", "Message", "Notification"} <= {t for ts in deferred.values() for t in ts}
    # ... and puts back every index and constraint with the same name and definition.
    assert _catalog(url) == before
    assert _schema_dump(url) == ddl_before
    # A top-up of full tables defers nothing.
    again = run_job(url, mode="light")
    assert all(e.materialization.metadata["deferred_indexes"].value == []
               for e in again.get_asset_materialization_events() if e.asset_key.to_user_string() != "seed_report")


def test_a_run_killed_while_rebuilding_leaves_the_schema_and_the_rerun_converges(backend_url, tmp_path):
    url = backend_url
    before = _catalog(url if url.startswith("postgresql") else _sqlite_schema(tmp_path))

    # Killed inside the content asset's transaction, its comments loaded and Comment's indexes half rebuilt.
    killed = dagster_cli(SEED, url, tmp_path / "home1", mode="light", extra_env={"MENTARA_SEED_FAILPOINT": "rebuild:Comment"})
    assert killed.returncode != 0 and "RUN_SUCCESS" not in killed.stdout + killed.stderr
    assert _catalog(url) == before

    again = dagster_cli(SEED, url, tmp_path / "home2", mode="light")
    assert again.returncode == 0, again.stderr[-3000:]
    assert _catalog(url) == before
    assert digest(url) == reference_digest("light")


def test_a_run_killed_while_checking_a_kept_foreign_key_leaves_its_triggers_as_they_were(postgres_databases, tmp_path):
    """``content`` keeps its comments' key into ``User`` (loaded by an earlier asset), its checks off
    while the comments load; killed as that key is checked at the end, the run leaves every trigger
    firing and every index and key as Prisma made them."""
    url = postgres_databases.create(ddl=prisma_ddl(LATEST.name))
    before = _catalog(url)
    killed = dagster_cli(SEED, url, tmp_path / "home", mode="light",
                         extra_env={"MENTARA_SEED_FAILPOINT": "check:Comment_userId_fkey"})
    assert killed.returncode != 0 and "RUN_SUCCESS" not in killed.stdout + killed.stderr
    assert _catalog(url) == before
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:  # the assets before content committed; content left nothing
            assert conn.exec_driver_sql('SELECT count(*) FROM "User"').scalar_one() > 0
            assert conn.exec_driver_sql('SELECT count(*) FROM "Comment"').scalar_one() == 0
    finally:
        engine.dispose()


def test_the_seeders_postgres_sessions_sort_and_hash_in_64_mb_and_keep_a_larger_setting(postgres_databases):
    from mentara_seed.resources import WORK_MEM_KB, create_seed_engine

    def work_mem(url: str) -> list[str]:
        engine = create_seed_engine(make_url(url))
        try:
            with engine.connect() as conn:
                seen = [conn.exec_driver_sql("SHOW work_mem").scalar_one()]
                conn.rollback()  # (a session setting, not the transaction's)
                seen.append(conn.exec_driver_sql("SHOW work_mem").scalar_one())
            return seen
        finally:
            engine.dispose()

    assert WORK_MEM_KB == 64 * 1024
    url = postgres_databases.create()
    assert work_mem(url) == ["64MB", "64MB"]
    with postgres_databases.admin.connect() as conn:
        conn.exec_driver_sql(f'ALTER DATABASE "{make_url(url).database}" SET work_mem = \'256MB\'')
    assert work_mem(url) == ["256MB", "256MB"]
    for driver in ("postgresql+psycopg2", "postgresql+psycopg"):
        assert work_mem(make_url(url).set(drivername=driver).render_as_string(hide_password=False))[0] == "256MB"

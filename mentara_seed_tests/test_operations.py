"""Operations: reset, the production guard, the nightly schedule and one run at a time."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from dagster import RunRequest, build_schedule_context

from mentara_seed.guard import RefusedError, RunLock, check_host
from mentara_seed.resources import create_seed_engine
from mentara_seed.schedules import build_staging_schedule
from mentara_seed.settings import parse_database_url
from mentara_seed_tests.conftest import prisma_ddl
from mentara_seed_tests.helpers import ANCHOR, dump, run_job, seeded, shortfalls, target_of


def step_failure(result) -> str:
    return next(e for e in result.all_events if e.is_step_failure).step_failure_data.error.message


# -- reset ---------------------------------------------------------------------------
def test_reset_and_seed_gives_exactly_a_fresh_seed(target_url, tmp_path):
    seeded(target_url, mode="medium")
    fresh = f"sqlite+pysqlite:///{tmp_path / 'fresh.sqlite3'}"
    run_job(fresh, mode="light", schema=target_of(target_url).version.name)
    engine = sa.create_engine(target_url)
    with engine.begin() as conn:
        conn.execute(sa.text('CREATE TABLE "_prisma_migrations" (id TEXT PRIMARY KEY)'))
        conn.execute(sa.text("INSERT INTO \"_prisma_migrations\" VALUES ('20250101_init')"))
    result = run_job(target_url, job="reset_and_seed_job", mode="light")
    assert result.success
    assert dump(target_url) == dump(fresh)
    with engine.connect() as conn:  # Prisma's own table is not a seeded table
        assert conn.execute(sa.text('SELECT id FROM "_prisma_migrations"')).scalar_one() == "20250101_init"
    engine.dispose()


@pytest.mark.parametrize("version", ["2025-10", "2026-02"])
def test_reset_creates_tables_that_are_missing(postgres_databases, version):
    url = postgres_databases.create(ddl=prisma_ddl(version))
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text('DROP TABLE "Notification"'))
    engine.dispose()
    seeded = run_job(url, raise_on_error=False)
    assert not seeded.success and "missing tables: Notification" in step_failure(seeded)
    assert run_job(url, job="reset_and_seed_job").success
    assert shortfalls(url, "medium") == {}
    assert target_of(url).version.name == version


# -- the production guard --------------------------------------------------------------
@pytest.mark.parametrize("url", [
    "postgresql+psycopg://app:secret@db.internal.example.com:5432/mentara",
    "postgresql+psycopg://app@10.0.0.7/mentara",
    "postgresql+psycopg://app@/mentara?host=prod-db.example.com",
])
def test_other_hosts_are_refused_unless_allowed(url, monkeypatch):
    parsed = parse_database_url(url)
    with pytest.raises(RefusedError, match="refusing to write to host"):
        check_host(parsed)
    host = parsed.host or parsed.query["host"]
    monkeypatch.setenv("MENTARA_SEED_ALLOWED_HOSTS", f"staging.example.com, {host}")
    check_host(parsed)


@pytest.mark.parametrize("url", [
    "postgresql+psycopg://postgres@127.0.0.1/x", "postgresql+psycopg://postgres@localhost/x",
    "postgresql+psycopg://postgres@[::1]/x", "postgresql+psycopg://postgres@/x?host=/var/run/postgresql",
    "sqlite+pysqlite:////tmp/any.sqlite3",
])
def test_local_targets_are_allowed_by_default(url):
    check_host(parse_database_url(url))


def test_a_remote_host_is_refused_before_anything_happens(tmp_path):
    result = run_job("postgresql+psycopg://app:secret@db.internal.example.com/mentara", raise_on_error=False)
    assert not result.success
    message = step_failure(result)
    assert "refusing to write to host 'db.internal.example.com'" in message and "secret" not in message
    assert result.get_asset_materialization_events() == []


def _mark_production(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("CREATE SCHEMA mentara_production"))
        else:
            conn.execute(sa.text("CREATE TABLE _mentara_production (marked_at TEXT)"))
    engine.dispose()


@pytest.mark.parametrize("job", ["seed_job", "reset_and_seed_job", "enrich_job"])
def test_a_database_marked_production_is_refused_and_untouched(target_url, job):
    seeded(target_url, mode="light")
    _mark_production(target_url)
    before = dump(target_url)
    result = run_job(target_url, job=job, mode="light", raise_on_error=False)
    assert not result.success
    assert "refusing to write: this database is marked as production" in step_failure(result)
    assert dump(target_url) == before
    # Reading is harmless: the audit still runs against it.
    assert run_job(target_url, job="audit_job", mode="light").success


def test_an_empty_production_database_gets_no_schema(postgres_databases):
    url = postgres_databases.create()
    _mark_production(url)
    assert not run_job(url, raise_on_error=False).success
    engine = sa.create_engine(url)
    assert "User" not in sa.inspect(engine).get_table_names()
    engine.dispose()


# -- the nightly staging refresh -----------------------------------------------------------
def _tick(schedule):
    context = build_schedule_context(scheduled_execution_time=dt.datetime(2026, 11, 27, 3, 0, tzinfo=dt.UTC))
    return schedule.evaluate_tick(context)


@pytest.mark.parametrize("refresh, job", [("top-up", "enrich_job"), ("rebuild", "reset_and_seed_job")])
def test_the_schedule_tops_up_or_rebuilds_staging(refresh, job, monkeypatch):
    monkeypatch.setenv("MENTARA_STAGING_DATABASE_URL", "postgresql+psycopg://seed:pw@staging.example.com/mentara")
    schedule = build_staging_schedule(refresh=refresh, cron="30 2 * * *", timezone="Asia/Manila")
    assert (schedule.cron_schedule, schedule.execution_timezone, schedule.job_name) == ("30 2 * * *", "Asia/Manila", job)
    [request] = _tick(schedule).run_requests
    assert isinstance(request, RunRequest)
    assert request.job_name in (None, job)
    assert request.run_config == {"resources": {"database": {"config": {"url_env": "MENTARA_STAGING_DATABASE_URL"}}}}
    assert "pw" not in repr(request.run_config)
    assert request.tags["mentara/database"] == "staging" and request.tags["mentara/refresh"] == refresh


def test_the_schedule_defaults_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("MENTARA_STAGING_CRON", "15 4 * * 1-5")
    monkeypatch.setenv("MENTARA_STAGING_TIMEZONE", "Europe/Berlin")
    monkeypatch.setenv("MENTARA_STAGING_REFRESH", "rebuild")
    schedule = build_staging_schedule()
    assert (schedule.cron_schedule, schedule.execution_timezone, schedule.job_name) == (
        "15 4 * * 1-5", "Europe/Berlin", "reset_and_seed_job")
    monkeypatch.setenv("MENTARA_STAGING_REFRESH", "sometimes")
    with pytest.raises(ValueError, match="accepted: top-up, rebuild"):
        build_staging_schedule()


def test_the_schedule_skips_without_a_staging_database(monkeypatch):
    monkeypatch.delenv("MENTARA_STAGING_DATABASE_URL", raising=False)
    result = _tick(build_staging_schedule(refresh="top-up"))
    assert not result.run_requests and "MENTARA_STAGING_DATABASE_URL is not set" in result.skip_message


def test_a_tick_run_refreshes_the_staging_database(tmp_path, monkeypatch):
    staging = f"sqlite+pysqlite:///{tmp_path / 'staging.sqlite3'}"
    monkeypatch.setenv("MENTARA_STAGING_DATABASE_URL", staging)
    [request] = _tick(build_staging_schedule(refresh="rebuild")).run_requests
    from dagster import DagsterInstance

    from mentara_seed.definitions import defs
    result = defs.resolve_job_def("reset_and_seed_job").execute_in_process(
        run_config={**request.run_config, "resources": {**request.run_config["resources"],
                                                        "seed_config": {"config": {"mode": "light", "anchor": ANCHOR}}}},
        instance=DagsterInstance.ephemeral(), tags=request.tags,
    )
    assert result.success
    assert shortfalls(staging, "light") == {}


# -- one run at a time ---------------------------------------------------------------------
def test_a_second_run_waits_for_the_lock_then_says_why_it_gave_up(target_url):
    url = parse_database_url(target_url)
    engine = create_seed_engine(url)
    holder = RunLock(engine, url)
    holder.acquire(timeout=5)
    try:
        second = RunLock(create_seed_engine(url), url)
        with pytest.raises(RefusedError, match="another seeding run holds this database's lock; waited 0.5 s"):
            second.acquire(timeout=0.5)
    finally:
        holder.release()
    engine.dispose()
    RunLock(create_seed_engine(url), url).acquire(timeout=1)

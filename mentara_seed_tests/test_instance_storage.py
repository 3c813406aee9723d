"""The project's Dagster instance storage (``mentara_seed.instance_storage``, named by ``dagster.yaml``)."""

from __future__ import annotations

import sqlalchemy as sa
from dagster import AssetCheckKey, AssetKey, DagsterInstance
from sqlalchemy.engine import make_url

from mentara_seed.checks.definitions import CHECK_NAMES, owner
from mentara_seed.instance import prepare
from mentara_seed.instance_storage import PooledPostgresEventLogStorage
from mentara_seed_tests.helpers import run_job


def _instance(postgres_databases, tmp_path, monkeypatch) -> DagsterInstance:
    storage = make_url(postgres_databases.create()).set(drivername="postgresql+psycopg2")
    for name, value in prepare(tmp_path / "home", storage_url=storage.render_as_string(hide_password=False)).items():
        monkeypatch.setenv(name, value)
    return DagsterInstance.get()


def _catalog_queries(engine) -> list[str]:
    """The statements ``engine`` sends from now on that read Postgres' catalog (schema questions)."""
    seen: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):
        if "pg_catalog" in statement or "information_schema" in statement:
            seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", note)
    return seen


def test_a_run_stores_its_events_asking_the_storage_schema_once_per_table_and_column(postgres_databases, tmp_path,
                                                                                      monkeypatch):
    instance = _instance(postgres_databases, tmp_path, monkeypatch)
    events = instance.event_log_storage
    assert isinstance(events, PooledPostgresEventLogStorage)
    asked = _catalog_queries(events._engine)

    result = run_job(f"sqlite+pysqlite:///{tmp_path / 'target.sqlite3'}", mode="light", instance=instance)

    assert result.success
    # dagster-postgres asks before each check evaluation and materialization (about 430 times a run).
    assert 0 < len(asked) <= 12, f"{len(asked)} catalog queries, e.g. {asked[:3]}"
    # What it was asking about is still answered: every check's evaluation is stored and read back.
    for name in CHECK_NAMES:
        history = events.get_asset_check_execution_history(AssetCheckKey(AssetKey(owner(name)), name), limit=1)
        assert history and history[0].run_id == result.run_id, name


def test_a_table_not_found_is_asked_about_again(postgres_databases, tmp_path, monkeypatch):
    """Only what was found is remembered: a table a migration adds later is seen."""
    events = _instance(postgres_databases, tmp_path, monkeypatch).event_log_storage
    asked = _catalog_queries(events._engine)

    assert not events.has_table("mentara_later_table")
    assert not events.has_table("mentara_later_table")
    assert len(asked) == 2
    with events._engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE mentara_later_table (id int)")
    assert events.has_table("mentara_later_table")
    assert events.has_table("mentara_later_table")
    assert len(asked) == 3


def test_instances_built_one_after_another_hold_the_connections_of_one(postgres_databases, tmp_path, monkeypatch):
    """A ``dagster-celery`` worker builds an instance per step and never disposes of it: the idle
    connections of the earlier ones go back when a later one is built, so they do not pile up."""
    _instance(postgres_databases, tmp_path, monkeypatch)
    database = make_url(DagsterInstance.get().event_log_storage._engine.url).database
    kept = []
    for _ in range(8):
        instance = DagsterInstance.get()
        instance.get_runs(limit=1)  # each storage connects
        instance.event_log_storage.get_asset_check_execution_history(AssetCheckKey(AssetKey("users"), "x"), limit=1)
        kept.append(instance)  # still referenced, as the worker's leftovers may be until collected
    with postgres_databases.admin.connect() as conn:
        held = conn.execute(sa.text("SELECT count(*) FROM pg_stat_activity WHERE datname = :d"), {"d": database}).scalar()
    assert held <= 3, f"{held} connections held by 8 instances"

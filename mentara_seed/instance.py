"""Preparing a DAGSTER_HOME for this project: `python -m mentara_seed.instance HOME`.

The instance (dagster.yaml) keeps runs, event logs and schedules in Postgres,
at ``MENTARA_DAGSTER_STORAGE_URL``; unset, the local default below, whose
database is created when missing. Where no Postgres answers (a laptop with
nothing installed), the same configuration is used with Dagster's SQLite
storage inside HOME instead, and a note says so. Prints the environment to
run Dagster with, as JSON.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import sqlalchemy as sa
import yaml
from sqlalchemy.engine import make_url

ENV_STORAGE_URL = "MENTARA_DAGSTER_STORAGE_URL"
DEFAULT_STORAGE_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/mentara_dagster"
CONFIG = Path(__file__).resolve().parent.parent / "dagster.yaml"
STORAGES = ("run_storage", "event_log_storage", "schedule_storage")


def ensure_storage_database(url: str, owned: bool = False) -> None:
    """Create the storage database on its server if it does not exist (raises if no server answers).

    A database this project ``owned`` (the local default) commits asynchronously: a run stores a
    few hundred events, one commit each, and waiting for the disk on each costs a CLI run about
    half a second; a crash of the machine could lose the last moment of run history, never data.
    """
    target = make_url(url)
    server = target.set(drivername="postgresql+psycopg2", database="postgres")
    engine = sa.create_engine(server, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            exists = conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}).first()
            if not exists:
                conn.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
            if owned:
                conn.execute(sa.text(f'ALTER DATABASE "{target.database}" SET synchronous_commit = off'))
    finally:
        engine.dispose()


def prepare(home: Path, storage_url: str | None = None, config: Path = CONFIG, owned: bool | None = None) -> dict[str, str]:
    """Write HOME/dagster.yaml; ``owned``: the storage database is this project's own (default:
    only the local default one is), so it may commit asynchronously."""
    home.mkdir(parents=True, exist_ok=True)
    settings = yaml.safe_load(config.read_text())
    explicit = storage_url or os.environ.get(ENV_STORAGE_URL)
    url = explicit or DEFAULT_STORAGE_URL
    env = {"DAGSTER_HOME": str(home)}
    try:
        ensure_storage_database(url, owned=not explicit if owned is None else owned)
        env[ENV_STORAGE_URL] = url
    except sa.exc.OperationalError as exc:
        if explicit:
            raise SystemExit(f"{ENV_STORAGE_URL} does not answer: {exc.orig.__class__.__name__}") from None
        for storage in STORAGES:
            settings.pop(storage)
        print(f"note: no Postgres for Dagster's run storage at {make_url(url).render_as_string(hide_password=True)}; "
              f"keeping runs in SQLite under {home}", file=sys.stderr)
    (home / "dagster.yaml").write_text(yaml.safe_dump(settings, sort_keys=False))
    set_shard_pool(home, env)
    return env


# How many shards of an asset write at once (the pool ``mentara_shards`` of the distributed definitions).
# The instance's default pool limit (1: one writing step at a time) would run them one by one.
SHARD_POOL_LIMIT = 16


def set_shard_pool(home: Path, env: dict[str, str], limit: int = SHARD_POOL_LIMIT) -> None:
    """Give the pool ``mentara_shards`` its limit in this instance, unless someone set one already
    (``dagster instance concurrency set mentara_shards N``)."""
    from dagster import DagsterInstance

    previous = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        with DagsterInstance.from_ref(DagsterInstance.get().get_ref()) as instance:
            storage = instance.event_log_storage
            if storage.supports_global_concurrency_limits and "mentara_shards" not in storage.get_concurrency_keys():
                storage.set_concurrency_slots("mentara_shards", limit)
    finally:
        for k, v in previous.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


if __name__ == "__main__":
    print(json.dumps(prepare(Path(sys.argv[1]).resolve())))

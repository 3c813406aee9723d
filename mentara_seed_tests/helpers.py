"""Running real seeding jobs and reading databases back, for the tests."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from dagster import DagsterInstance

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

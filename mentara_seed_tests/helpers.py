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

from mentara_seed.definitions import defs
from mentara_seed.requirements import REQUIREMENTS
from mentara_seed.resources import MentaraDatabase, SeedConfig
from mentara_seed.schema.tables import metadata

ANCHOR = "2026-01-15T00:00:00Z"
ANCHOR_DT = dt.datetime(2026, 1, 15)
REPO_ROOT = Path(__file__).resolve().parent.parent


def run_job(url: str, job: str = "seed_job", mode: str = "medium", anchor: str = ANCHOR, scale: int = 1, **kwargs):
    """Execute a job of the real Definitions in process against ``url``."""
    return defs.resolve_job_def(job).execute_in_process(
        resources={"database": MentaraDatabase(url=url), "seed_config": SeedConfig(mode=mode, anchor=anchor, scale=scale)},
        instance=DagsterInstance.ephemeral(),
        run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
        **kwargs,
    )


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
    """Every row of every Mentara table, ordered by primary key, in a backend-neutral form."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                table.name: [
                    tuple(_plain(v) for v in row)
                    for row in conn.execute(sa.select(table).order_by(*table.primary_key.columns))
                ]
                for table in metadata.sorted_tables
            }
    finally:
        engine.dispose()


def shortfalls(url: str, mode: str, anchor: dt.datetime = ANCHOR_DT) -> dict[str, int]:
    """Requirement name -> number of entities below the mode's minimum (only those > 0)."""
    engine = sa.create_engine(url)
    found = {}
    try:
        with engine.connect() as conn:
            for requirement in REQUIREMENTS:
                counts = requirement.counts(anchor).subquery()
                short = conn.execute(
                    sa.select(sa.func.count()).select_from(counts).where(counts.c.n < requirement.minimum(mode))
                ).scalar_one()
                if short:
                    found[requirement.name] = short
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

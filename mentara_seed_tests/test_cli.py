"""The Dagster CLI, in its own process, exactly as users type it."""

from __future__ import annotations

import re

import sqlalchemy as sa
from dagster import AssetKey

from mentara_seed import registry
from mentara_seed.definitions import defs
from mentara_seed.schema import tables as T
from mentara_seed_tests.helpers import dagster_cli, dump, run_job, seeded, shortfalls

GRAPH = defs.resolve_asset_graph()
ASSETS = {key.to_user_string() for key in GRAPH.get_all_asset_keys()}


def downstream_of(name: str) -> set[str]:
    """``name`` and every asset that depends on it, walking the graph's edges."""
    seen, todo = set(), [AssetKey(name)]
    while todo:
        key = todo.pop()
        if key not in seen:
            seen.add(key)
            todo.extend(GRAPH.get(key).child_keys)
    return {key.to_user_string() for key in seen}


def materialized(output: str) -> set[str]:
    """The assets the run materialized, as its log lines say."""
    return set(re.findall(r' - ASSET_MATERIALIZATION - Materialized value (\w+)\.', output)) & ASSETS


def test_tier3_star_reruns_tier3_and_everything_downstream(target_url, tmp_path):
    seeded(target_url, mode="medium")
    engine = sa.create_engine(target_url)
    with engine.begin() as conn:
        client = conn.execute(sa.select(T.Client.c.userId).order_by(T.Client.c.userId).limit(1)).scalar_one()
        conn.execute(sa.delete(T.Comment).where(T.Comment.c.userId == client))
        conn.execute(sa.delete(T.Notification).where(T.Notification.c.userId == client))
    assert "client_comments" in shortfalls(target_url, "medium")

    done = dagster_cli(["asset", "materialize", "-m", "mentara_seed.definitions", "--select", "tier3*"],
                       target_url, tmp_path / "dagster_home")
    assert done.returncode == 0, done.stderr[-3000:]
    output = done.stdout + done.stderr
    assert materialized(output) == downstream_of("tier3")
    assert {"tier4", "tier5", "seed_report"} < downstream_of("tier3") and "tier2" not in downstream_of("tier3")
    assert shortfalls(target_url, "medium") == {}
    with engine.connect() as conn:
        # At least the minimum: refilled posts may also draw this client as a commenter.
        assert conn.execute(sa.select(sa.func.count()).where(T.Comment.c.userId == client)).scalar_one() >= 10
        assert conn.execute(sa.select(sa.func.count()).where(T.Notification.c.userId == client)).scalar_one() == 2
    engine.dispose()


def test_group_selection_runs_just_the_tier(tmp_path):
    url = f"sqlite+pysqlite:///{tmp_path / 'db.sqlite3'}"
    run_job(url, mode="light")
    done = dagster_cli(["asset", "materialize", "-m", "mentara_seed.definitions", "--select", "group:tier3"],
                       url, tmp_path / "dagster_home", mode="light")
    assert done.returncode == 0, done.stderr[-3000:]
    assert materialized(done.stdout + done.stderr) == {d.asset for d in registry.enrichers(3)} | {"tier3"}


def test_a_cli_run_in_another_process_writes_the_same_database(tmp_path):
    """Settings from the environment, a fresh interpreter: the same rows as in process."""
    in_process = f"sqlite+pysqlite:///{tmp_path / 'in_process.sqlite3'}"
    by_cli = f"sqlite+pysqlite:///{tmp_path / 'cli.sqlite3'}"
    run_job(in_process, mode="light")
    done = dagster_cli(["job", "execute", "-m", "mentara_seed.definitions", "-j", "seed_job"],
                       by_cli, tmp_path / "dagster_home", mode="light", extra_env={"PYTHONHASHSEED": "12345"})
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"SQLite file {tmp_path / 'cli.sqlite3'}" in done.stdout + done.stderr
    assert dump(by_cli) == dump(in_process)


def test_a_bad_setting_fails_the_cli_with_one_clear_line(tmp_path):
    url = f"sqlite+pysqlite:///{tmp_path / 'never.sqlite3'}"
    done = dagster_cli(["job", "execute", "-m", "mentara_seed.definitions", "-j", "seed_job"],
                       url, tmp_path / "dagster_home", extra_env={"MENTARA_SEED_SCALE": "0"})
    assert done.returncode != 0
    assert "MENTARA_SEED_SCALE='0' is not a scale; accepted: a whole number from 1 to 10000" in done.stdout + done.stderr
    assert not (tmp_path / "never.sqlite3").exists()

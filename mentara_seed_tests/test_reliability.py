"""Crashes, concurrent runs and secrets: the guarantees an unattended seeder must give."""

from __future__ import annotations

import json
import threading

import bcrypt
import pytest
import sqlalchemy as sa

from mentara_seed.schema import tables as T
from mentara_seed_tests.helpers import dagster_cli, digest, dump, reference_digest

SEED = ["job", "execute", "-m", "mentara_seed.definitions", "-j", "seed_job"]


@pytest.mark.parametrize("backend, point", [
    # Each point on the backend whose writer it exercises most; both backends crash mid-asset.
    ("sqlite", "before_commit:users"),                   # early: the first asset's rows written, not committed
    ("prisma_2026", "insert:Comment"),                   # mid-asset: the content asset's first batch of comments
    ("sqlite", "insert:Comment"),
    ("prisma_2026", "before_commit:enriched_posts"),     # mid-enricher: its rows written, not committed
    ("sqlite", "after_commit:tier3"),                    # between tiers
    ("prisma_2026", "before_commit:enriched_engagement"),  # the last tier: computed records, kept up to date
])
def test_a_run_killed_at_any_point_then_rerun_ends_as_an_uninterrupted_run(request, tmp_path, backend, point):
    from mentara_seed_tests.conftest import make_target

    target_url = make_target(backend, tmp_path, request)

    killed = dagster_cli(SEED, target_url, tmp_path / "home1", mode="light", extra_env={"MENTARA_SEED_FAILPOINT": point})
    assert killed.returncode != 0 and "RUN_SUCCESS" not in killed.stdout + killed.stderr

    again = dagster_cli(SEED, target_url, tmp_path / "home2", mode="light")
    assert again.returncode == 0, again.stderr[-3000:]
    assert digest(target_url) == reference_digest("light")


def test_two_runs_at_once_end_as_one_run(backend_url, tmp_path):
    target_url = backend_url
    results = []

    def seed(home):
        results.append(dagster_cli(SEED, target_url, tmp_path / home, mode="light"))

    threads = [threading.Thread(target=seed, args=(f"home{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.returncode for r in results] == [0, 0], [r.stderr[-2000:] for r in results]
    assert "UniqueViolation" not in "".join(r.stderr for r in results)
    assert digest(target_url) == reference_digest("light")


def test_no_secret_reaches_logs_storage_or_the_database(postgres_databases, tmp_path):
    url = postgres_databases.create().replace("postgres@", "postgres:Db-S3cret-Pw@")
    home = tmp_path / "home"
    done = dagster_cli(SEED, url, home, mode="light", extra_env={"MENTARA_SEED_TEST_PASSWORD": "Dev-S3cret-Pw"})
    assert done.returncode == 0, done.stderr[-3000:]
    output = done.stdout + done.stderr
    assert "postgresql+psycopg://postgres:***@127.0.0.1" in output
    for secret in ("Db-S3cret-Pw", "Dev-S3cret-Pw"):
        assert secret not in output
        for path in home.rglob("*"):  # run storage, event logs, compute logs
            if path.is_file():
                assert secret.encode() not in path.read_bytes(), path
        assert secret not in json.dumps(dump(url), default=str)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        stored = conn.execute(sa.select(T.User.c.password).where(T.User.c.email == "client@mentara.test")).scalar_one()
    engine.dispose()
    assert stored.startswith("$2b$10$") and bcrypt.checkpw(b"Dev-S3cret-Pw", stored.encode())

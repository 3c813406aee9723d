"""A stage's checks evaluated while its later assets run (``checks.early``): when, on what, and never stale."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from mentara_seed import registry
from mentara_seed.assets import common
from mentara_seed.checks import early
from mentara_seed.checks.definitions import INTEGRITY, owner, reads
from mentara_seed.checks.findings import EARLY_METADATA
from mentara_seed.generate.keys import made_by_seeder
from mentara_seed.resources import MentaraDatabase, RunMemo
from mentara_seed.schema import tables as T
from mentara_seed.settings import SeedSettings
from mentara_seed_tests.conftest import PRISMA, make_target, prisma_ddl
from mentara_seed_tests.helpers import ANCHOR, ANCHOR_DT, evaluations, run_job, seeded

SETTINGS = SeedSettings.resolve("medium", 1, ANCHOR, None)


@pytest.fixture(params=["prisma_2025", "prisma_2026"])
def prisma_url(request, tmp_path) -> str:
    return make_target(request.param, tmp_path, request)


def _early(result) -> dict[str, str]:
    """``{check: the asset it was evaluated after}`` of the run's early evaluations."""
    return {name: e.metadata[EARLY_METADATA].value for name, e in evaluations(result).items()
            if EARLY_METADATA in e.metadata}


def test_a_stage_checks_what_its_later_assets_cannot_change_while_they_run(prisma_url):
    result = run_job(prisma_url)
    assert result.success
    found = evaluations(result)
    early = _early(result)
    assert len(early) > 40, early  # most of the server's work overlaps the seeding
    for name, after in early.items():
        stage = registry.stage_of(after)
        order = [d.asset for d in registry.in_stage(stage)]
        later = order[order.index(after) + 1:]
        # After its own asset, before the stage's last, and reading nothing a later asset of it may write.
        assert registry.stage_of(owner(name)) == stage and order.index(owner(name)) <= order.index(after), name
        assert later, name
        assert not reads(name, SETTINGS) & frozenset().union(*(registry.load()[a].may_write for a in later)), name
        # The server's work only: no rule Python recomputes.
        assert name not in INTEGRITY or INTEGRITY[name].find is None, name
        assert found[name].passed
    # Every check of a stage's last asset, and every rule Python recomputes, waits for its check step.
    assert not early.keys() & {n for n in found if n in INTEGRITY and INTEGRITY[n].find is not None}
    assert "hearts_by_members" in found and "hearts_by_members" not in early


def test_a_finding_is_dropped_when_a_later_asset_writes_what_it_read(prisma_url, monkeypatch):
    """A later asset of the stage writing a table it did not declare (here: tier 4's last asset breaks a
    meeting the stage's early evaluation of ``meeting_status_matches_time`` had read as right): the early
    pass is not kept, the check step evaluates the check on what the stage left, and it fails."""
    original = common.seed_unit

    def break_a_future_meeting(s) -> None:
        M = T.Meeting
        meeting = s.conn.execute(sa.select(M.c.id).where(made_by_seeder(M.c.id), M.c.startTime > ANCHOR_DT,
                                                         M.c.status == "SCHEDULED").order_by(M.c.id).limit(1)).scalar_one()
        s.conn.execute(sa.update(M).where(M.c.id == meeting).values(status="COMPLETED"))
        s.updated[M.name] += 1

    def seed_unit(asset, database, settings, rule, *args, **kwargs):
        outcome = original(asset, database, settings, rule, *args, **kwargs)
        if asset == "enriched_worksheets":
            original(asset, database, settings, break_a_future_meeting, *args, **kwargs)
        return outcome

    monkeypatch.setattr(common, "seed_unit", seed_unit)
    assert "Meeting" not in registry.load()["enriched_worksheets"].may_write
    result = run_job(prisma_url, raise_on_error=False)
    assert not result.success
    found = evaluations(result)
    assert not found["meeting_status_matches_time"].passed
    assert EARLY_METADATA not in found["meeting_status_matches_time"].metadata
    # Every meeting check read the table and was evaluated again; what the write left alone was kept.
    assert not {name for name in _early(result) if "Meeting" in reads(name, SETTINGS)}
    assert _early(result).get("message_senders_are_participants") == "enriched_messages"


def test_sqlite_keeps_its_checks_in_their_steps(tmp_path):
    result = run_job(f"sqlite+pysqlite:///{tmp_path / 'db.sqlite3'}", mode="light")
    assert result.success and _early(result) == {}


def test_a_finding_read_before_a_write_to_its_tables_is_not_kept():
    memo = RunMemo()
    before = memo.written({"Meeting", "User"})
    memo.forget({"Post"})
    assert memo.keep({"a": ("pass", frozenset({"Meeting", "User"}))}, before) == ["a"]
    before = memo.written({"Meeting", "User"})
    memo.forget({"Meeting"})
    assert memo.keep({"b": ("pass", frozenset({"Meeting", "User"})),
                      "c": ("pass", frozenset({"User"}))}, before) == ["c"]
    assert set(memo.findings) == {"c"}  # ("a" read Meeting too: forgotten with the write)
    before = memo.written({"User"})
    memo.forget_everything()  # (a reset)
    assert memo.keep({"d": ("pass", frozenset({"User"}))}, before) == []
    assert memo.findings == {}


def test_a_batch_that_would_wait_for_a_lock_is_left_to_the_check_step(postgres_databases):
    """Someone holds a table the batch reads: it takes no lock it cannot have at once, keeps nothing, and
    says why (the check step evaluates those checks and logs it)."""
    url = postgres_databases.create(ddl=prisma_ddl(PRISMA["prisma_2026"]))
    seeded(url, mode="light")
    database = MentaraDatabase(url=url)
    with database.read_only():  # (the run's first look at the target)
        pass
    database.memo.early = early.EarlyChecks()
    names = ["meeting_status_matches_time", "client_meetings_minimum"]
    engine = sa.create_engine(url)
    with engine.begin() as other:
        other.exec_driver_sql('LOCK TABLE "Meeting" IN ACCESS EXCLUSIVE MODE')
        early.start(names, "enriched_meetings", database, SETTINGS, None)
        database.memo.early.batches[0].result(timeout=10)  # (it waits for nobody: a lock held fails it at once)
    engine.dispose()
    assert len(database.memo.early.abandoned) == 1 and "after enriched_meetings" in database.memo.early.abandoned[0]
    assert "lock" in database.memo.early.abandoned[0]
    assert not set(names) & set(database.memo.findings)
    # With the table free, the same batch keeps both findings.
    database.memo.early = early.EarlyChecks()
    early.start(names, "enriched_meetings", database, SETTINGS, None)
    early.wait(database)
    assert set(names) <= set(database.memo.findings) and database.memo.early.abandoned == []
    assert all(database.memo.findings[n][0].evaluated_after == "enriched_meetings" for n in names)
    database.memo.early.close()
    database.teardown_after_execution(None)

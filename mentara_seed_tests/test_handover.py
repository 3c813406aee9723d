"""An asset's end (rebuilds, statistics, commit) on a thread while the next asset generates (``seeding.handover``)."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
import sqlalchemy as sa

from mentara_seed.assets.common import Unit
from mentara_seed.resources import MentaraDatabase
from mentara_seed.schema import v2026_02 as T
from mentara_seed.seeding.deferred import catalog
from mentara_seed.seeding.handover import Handover
from mentara_seed.settings import SeedSettings
from mentara_seed_tests.conftest import make_target
from mentara_seed_tests.helpers import ANCHOR

WAIT = 20  # seconds a gate waits before the test fails instead of hanging


def _communities(n: int, prefix: str = "c") -> list[dict]:
    at = dt.datetime(2025, 1, 1)
    return [{"id": f"{prefix}{i}", "name": f"{prefix} community {i}", "slug": f"{prefix}-{i}", "description": "d",
             "imageUrl": "https://example.test/i.png", "createdAt": at, "updatedAt": at} for i in range(n)]


def test_statements_naming_the_ending_units_tables_wait_for_it_and_no_others():
    release = threading.Event()
    handover = Handover("a", {"Community", "Post"}, lambda: release.wait(WAIT) and "done")
    assert handover.names('SELECT count(*) FROM "Post"') and not handover.names('SELECT count(*) FROM "PostHeart"')
    handover.before_table("User")  # returns at once: not one of its tables
    waiting = threading.Thread(target=handover.before_table, args=("Community",))
    waiting.start()
    waiting.join(0.3)
    assert waiting.is_alive()  # still waiting for the end
    release.set()
    waiting.join(WAIT)
    assert not waiting.is_alive() and handover.result() == "done"


def test_an_ending_units_error_is_raised_where_its_result_is_taken():
    def end():
        raise RuntimeError("rebuild failed")

    handover = Handover("a", {"Post"}, end)
    handover.wait()  # waiting never raises
    with pytest.raises(RuntimeError, match="rebuild failed"):
        handover.result()


@pytest.mark.parametrize("defer", [True, False], ids=["indexes-deferred", "indexes-live"])
def test_the_next_unit_generates_while_the_last_ends_and_reads_its_rows_once_committed(tmp_path, request, defer):
    """The next unit's read of a table the first did not write goes on while the first is still
    ending (the first's end waits for that read: if the read waited for the end, neither would go on);
    its read of the first's table waits for the commit and sees its rows, as if run one after the other
    (with the table's indexes live, nothing in the database makes it wait: the handover does)."""
    url = make_target("prisma_2026", tmp_path, request)
    database = MentaraDatabase(url=url)
    settings = SeedSettings.resolve(mode="light", anchor=ANCHOR)
    read_elsewhere = threading.Event()
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        before = catalog(conn)

    first = Unit("first", database, settings, lambda s: s.insert(T.Community, _communities(3)), owns=T.Community,
                 defer=defer)
    first.generate()
    # (loaded without its indexes, with the foreign keys of the empty tables referring to it taken out)
    assert first.seeding.writer.deferred.tables[:1] == (["Community"] if defer else [])
    finish = first.seeding.finish

    def finish_after_the_next_read():
        assert read_elsewhere.wait(WAIT), "the next unit's unrelated read waited for this unit's end"
        finish()

    first.seeding.finish = finish_after_the_next_read
    handover = first.end_on_thread()
    assert {"Community"} <= handover.tables
    seen: dict[str, int] = {}

    def second_rule(s) -> None:
        seen["users"] = s.count(T.User)
        read_elsewhere.set()
        seen["communities"] = s.count(T.Community)

    second = Unit("second", database, settings, second_rule)
    try:
        second.generate(after=handover)
        assert seen == {"users": 0, "communities": 3}
        assert first.conclude(handover.result()).owned_rows == 3
        second.conclude(second.end())
    finally:
        handover.wait()
        database.teardown_after_execution(None)  # the run lock and the pool's connections
    with engine.connect() as conn:  # the first unit's indexes are back, as Prisma made them
        assert catalog(conn) == before
    engine.dispose()


def _until_a_session_waits_for_a_lock(url: str) -> None:
    """Until another session of the database waits for a lock (at most ``WAIT`` seconds)."""
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            for _ in range(WAIT * 20):
                if conn.exec_driver_sql("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                                        " AND wait_event_type = 'Lock'").scalar():
                    return
                time.sleep(0.05)
    finally:
        engine.dispose()


def test_the_next_unit_locking_the_ending_units_table_waits_for_it_never_the_reverse(tmp_path, request):
    """The first unit leaves its owned table alone; the next one, loading a table whose foreign key refers
    to it, drops that key, which locks the owned table exclusively. It waits for the first unit's commit:
    the first unit's end, which counts the owned table, goes on once the next unit is waiting (without the
    share lock taken at the handover, the end would wait for the next unit, which the step waits on)."""
    url = make_target("prisma_2026", tmp_path, request)
    database = MentaraDatabase(url=url)
    settings = SeedSettings.resolve(mode="light", anchor=ANCHOR)
    first = Unit("first", database, settings, lambda s: None, owns=T.Community)
    first.generate()
    finish = first.seeding.finish

    def finish_once_the_next_unit_waits():
        first.seeding.conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{WAIT}s'")  # fails rather than hangs
        _until_a_session_waits_for_a_lock(url)
        finish()

    first.seeding.finish = finish_once_the_next_unit_waits
    handover = first.end_on_thread()
    second = Unit("second", database, settings,
                  lambda s: s.writer.deferred.before_first_rows(T.ModeratorCommunity.name))
    try:
        second.generate(after=handover)
        assert first.conclude(handover.result()).owned_rows == 0
        assert "ModeratorCommunity" in second.seeding.writer.deferred.tables
        second.conclude(second.end())
    finally:
        handover.wait()
        database.teardown_after_execution(None)


def test_an_interrupted_step_cancels_the_end_and_rolls_it_back(tmp_path, request):
    url = make_target("prisma_2026", tmp_path, request)
    database = MentaraDatabase(url=url)
    settings = SeedSettings.resolve(mode="light", anchor=ANCHOR)
    first = Unit("first", database, settings, lambda s: s.insert(T.Community, _communities(3)), owns=T.Community)
    first.generate()
    finish = first.seeding.finish

    def slow_finish():
        first.seeding.conn.exec_driver_sql("SELECT pg_sleep(60)")  # a long rebuild
        finish()

    first.seeding.finish = slow_finish
    handover = first.end_on_thread()
    try:
        _until_a_session_is_sleeping(url)
        handover.interrupt()  # cancels the statement: without it, this waits a minute and the rows land
        with pytest.raises(Exception, match="cancel"):
            handover.result()
    finally:
        handover.wait()
        database.teardown_after_execution(None)
    engine = sa.create_engine(url)
    with engine.connect() as conn:  # nothing landed, and the indexes taken out are back
        assert conn.execute(sa.select(sa.func.count()).select_from(T.Community)).scalar_one() == 0
        assert {"Community_pkey", "Community_name_key"} <= {
            row[0] for row in conn.exec_driver_sql("SELECT indexname FROM pg_indexes WHERE tablename = 'Community'")}
    engine.dispose()


def _until_a_session_is_sleeping(url: str) -> None:
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            for _ in range(WAIT * 20):
                if conn.exec_driver_sql("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                                        " AND starts_with(query, 'SELECT pg_sleep') AND state = 'active'").scalar():
                    return
                time.sleep(0.05)
    finally:
        engine.dispose()

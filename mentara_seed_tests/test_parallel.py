"""Rows built by worker processes (``seeding.parallel``): the same data, in the same order, as one
process makes; a worker never touches the database; a failing or dying worker fails the unit of work,
which writes nothing; an interrupted step leaves no worker behind."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import signal

import pytest
import sqlalchemy as sa

from mentara_seed.assets.common import seed_unit
from mentara_seed.assets.legacy import content
from mentara_seed.generate import makers
from mentara_seed.resources import MentaraDatabase
from mentara_seed.schema import tables as T
from mentara_seed.seeding import ids, parallel
from mentara_seed.seeding.parallel import ReadInWorker, WorkerFailed
from mentara_seed.settings import SeedSettings, SettingsError, default_workers, parse_workers
from mentara_seed_tests.conftest import prisma_ddl
from mentara_seed_tests.helpers import ANCHOR, digest, run_job

NOW = dt.datetime(2026, 1, 10, 8, 30)


def _user(k: int) -> dict:
    return {"id": f"user-{k:03d}", "email": f"u{k}@example.com", "firstName": "A", "lastName": "B",
            "createdAt": NOW, "updatedAt": NOW}


def _unit(url: str, rule, workers: int):
    return seed_unit("users", MentaraDatabase(url=url), SeedSettings.resolve(mode="light", anchor=ANCHOR), rule,
                     workers=workers)


def _physical_order(url: str, table: str) -> list[str]:
    engine = sa.create_engine(url)
    order = "ctid" if engine.dialect.name == "postgresql" else "rowid"
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table(table):  # the schema the unit would have created, rolled back with it
            return []
        ids = list(conn.execute(sa.text(f'SELECT id FROM "{table}" ORDER BY {order}')).scalars())
    engine.dispose()
    return ids


def test_a_seed_built_by_workers_is_the_seed_one_process_makes_row_for_row_and_in_order(backend_url, tmp_path,
                                                                                          monkeypatch, request):
    """Every generator that spreads its work, its items small here so that there are many (chunks of
    10 posts, 5 entities an item, the enrichers' comments 7 entities a chunk), built by two workers
    and this process: every row of every table as one process makes it, written in the same order;
    and the same rows as with the usual chunks."""
    plain = _copy_target(backend_url, tmp_path, request, "plain")
    monkeypatch.setenv("MENTARA_SEED_WORKERS", "0")
    assert run_job(plain, mode="medium", anchor=ANCHOR).success
    monkeypatch.setattr(content, "POSTS_PER_CHUNK", 10)
    monkeypatch.setattr(makers, "PARALLEL_ENTITIES", 5)
    monkeypatch.setattr(ids, "ENTITIES_PER_CHUNK", 7)
    runs = {}
    for workers in (0, 2):
        monkeypatch.setenv("MENTARA_SEED_WORKERS", str(workers))
        url = backend_url if workers else _copy_target(backend_url, tmp_path, request, "serial")
        result = run_job(url, mode="medium", anchor=ANCHOR)
        assert result.success
        built = {e.asset_key.to_user_string(): e.materialization.metadata.get("built_by_workers")
                 for e in result.get_asset_materialization_events()}
        runs[workers] = (digest(url), {t: _physical_order(url, t) for t in ("Post", "Comment", "PostHeart", "CommentHeart")},
                         {asset: n.value for asset, n in built.items() if n is not None})
    assert runs[0][2] == {}  # no worker: none built anything
    assert {"content", "therapy", "enriched_posts", "enriched_chatbot", "enriched_assessments",
            "enriched_comments", "enriched_messages"} <= set(runs[2][2])
    assert runs[2][2]["content"] > 10
    assert runs[2][:2] == runs[0][:2]
    assert runs[0][0] == digest(plain)


def test_base_sessions_booked_therapist_by_therapist_are_the_sessions_booked_in_one_pass(tmp_path, monkeypatch):
    """The base pairs' sessions are booked a group of therapists at a time, the groups built by the
    workers too (each client has one base therapist, so no diary is in two groups): the same
    database as booking every pair in order into one shared book, in one process. (Split by client
    instead, this seed fails its double-booking check.)"""
    from mentara_seed.assets.legacy import therapy

    monkeypatch.setattr(makers, "PARALLEL_ENTITIES", 5)
    monkeypatch.setenv("MENTARA_SEED_WORKERS", "2")
    make, booking, apart_given = makers.make_meetings, makers._booking, []
    bookers = tmp_path / "bookers"  # the process that booked each base session

    def booked(*args, apart=None, one_pass=False, **kwargs):
        apart_given.append(apart is not None)
        return make(*args, **kwargs) if one_pass else make(*args, apart=apart, **kwargs)

    def noted_booking(*args):
        build = booking(*args)

        def build_noted(*row):
            with bookers.open("a") as out:
                out.write(f"{os.getpid()}\n")
            return build(*row)
        return build_noted

    monkeypatch.setattr(makers, "_booking", noted_booking)
    digests = {}
    for one_pass in (False, True):
        monkeypatch.setattr(therapy.makers, "make_meetings", lambda *a, one_pass=one_pass, **k: booked(*a, one_pass=one_pass, **k))
        url = f"sqlite+pysqlite:///{tmp_path / f'one_pass_{one_pass}.sqlite3'}"
        assert run_job(url, mode="heavy", anchor=ANCHOR).success  # diaries full enough that a wrong split double-books
        digests[one_pass] = digest(url)
        if not one_pass:
            assert apart_given[0] is True  # the legacy generator books therapists apart
            assert set(bookers.read_text().split()) - {str(os.getpid())}  # and the workers booked some
    assert digests[False] == digests[True]


def _copy_target(url: str, tmp_path, request, suffix: str) -> str:
    """Another empty target like ``url`` (SQLite, or Postgres from the current Prisma DDL)."""
    if url.startswith("sqlite"):
        return f"sqlite+pysqlite:///{tmp_path / f'{suffix}.sqlite3'}"
    return request.getfixturevalue("postgres_databases").create(ddl=prisma_ddl("2026-02"))


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite+pysqlite:///{tmp_path / 'unit.sqlite3'}"


def test_items_from_every_process_are_written_in_order_and_counted(backend_url):
    def rule(s) -> None:
        def build(k: int) -> None:
            s.insert(T.User, [_user(k)])
            s.unmet["a row that could not be made"] += 1
        s.each(range(40), build)

    outcome = _unit(backend_url, rule, workers=2)
    assert outcome.added == {"User": 40}
    assert outcome.unmet == {"a row that could not be made": 40}
    assert outcome.built_by_workers >= 10
    assert _physical_order(backend_url, "User") == [f"user-{k:03d}" for k in range(40)]


def test_items_after_all_written_read_every_item_before_them(backend_url):
    """``ALL_WRITTEN`` between items: the items after it are produced (and read) once every item
    before it is written, whoever built them."""
    seen = []

    def rule(s) -> None:
        def items():
            for k in range(40):
                if k % 8 == 0:
                    yield parallel.ALL_WRITTEN
                    seen.append((k, s.scalars(sa.select(sa.func.count()).select_from(T.User))[0]))
                yield k

        s.each(items(), lambda k: s.insert(T.User, [_user(k)]))

    outcome = _unit(backend_url, rule, workers=2)
    assert seen == [(k, k) for k in range(0, 40, 8)]
    assert outcome.added == {"User": 40} and outcome.built_by_workers > 0


def test_items_that_need_the_database_are_built_here_in_their_turn(sqlite_url):
    def rule(s) -> None:
        def build(k: int) -> None:
            if k % 3 == 0:  # reads: only this process may
                assert s.scalars(sa.select(sa.func.count()).select_from(T.User)) == [k]
            s.insert(T.User, [_user(k)])
        s.each(range(30), build, portable=lambda k: k % 3 != 0)

    outcome = _unit(sqlite_url, rule, workers=1)
    assert outcome.added == {"User": 30} and outcome.built_by_workers > 0
    assert _physical_order(sqlite_url, "User") == [f"user-{k:03d}" for k in range(30)]


def test_an_item_that_needs_the_database_in_a_worker_is_built_here_and_the_worker_retires(backend_url):
    """A worker's statement is refused before it reaches the connection; the items that worker had
    are built by this process (in their turn), and so are the rest, by the other workers and here."""
    parent = os.getpid()
    refused = multiprocessing.get_context("fork").Queue()

    seen_here = {}

    def rule(s) -> None:
        def build(k: int) -> None:
            if k in (3, 4, 5, 6):  # something the first items did not read
                if os.getpid() != parent:
                    try:
                        s.scalars(sa.select(T.User.c.id))
                    except ReadInWorker as refusal:
                        refused.put(str(refusal))
                        refused.close()
                        refused.join_thread()  # sent before the worker exits
                        raise
                else:  # built here: in its turn, every item before it written
                    seen_here[k] = s.scalars(sa.select(sa.func.count()).select_from(T.User))[0]
            s.insert(T.User, [_user(k)])
        s.each(range(30), build)

    outcome = _unit(backend_url, rule, workers=2)
    assert "a worker process may not use the database" in refused.get(timeout=5)
    assert seen_here and all(count == k for k, count in seen_here.items()), seen_here
    assert outcome.added == {"User": 30}
    assert 0 < outcome.built_by_workers < 29
    assert _physical_order(backend_url, "User") == [f"user-{k:03d}" for k in range(30)]
    assert multiprocessing.active_children() == []


def test_a_worker_that_dies_fails_the_unit_which_writes_nothing(backend_url):
    parent = os.getpid()

    def rule(s) -> None:
        def build(k: int) -> None:
            if os.getpid() != parent and k >= 2:  # its second item
                os.kill(os.getpid(), signal.SIGKILL)
            s.insert(T.User, [_user(k)])
        s.each(range(12), build)

    with pytest.raises(WorkerFailed, match=r"exited \(code -9\)"):
        _unit(backend_url, rule, workers=1)
    assert _physical_order(backend_url, "User") == []


def test_a_worker_that_dies_halfway_through_sending_its_rows_fails_the_unit(backend_url, monkeypatch):
    """The worker's pipe ends when it does, even in the middle of a message: the step learns of it
    instead of waiting for the rest forever."""
    from multiprocessing import connection
    from multiprocessing.reduction import ForkingPickler

    parent = os.getpid()
    send = connection.Connection.send

    def half_and_die(self, obj):
        if os.getpid() == parent:
            return send(self, obj)
        data = bytes(ForkingPickler.dumps(obj))
        self._send(len(data).to_bytes(4, "big", signed=True) + data[: len(data) // 2])
        os._exit(9)

    monkeypatch.setattr(connection.Connection, "send", half_and_die)

    def rule(s) -> None:
        s.each(range(12), lambda k: s.insert(T.User, [_user(k * 1000 + j) for j in range(300)]))

    with pytest.raises(WorkerFailed, match=r"exited \(code 9\)"):
        _unit(backend_url, rule, workers=1)
    assert _physical_order(backend_url, "User") == []
    assert multiprocessing.active_children() == []


def test_an_error_in_this_process_stops_the_workers(sqlite_url):
    """Items from the sixth on are built here (not portable), and the first of them fails, while the
    workers hold items of their own."""
    parent = os.getpid()

    def rule(s) -> None:
        def build(k: int) -> None:
            if os.getpid() == parent and k >= 5:
                raise ValueError("the step's own failure")
            s.insert(T.User, [_user(k)])
        s.each(range(100), build, portable=lambda k: k < 5)

    with pytest.raises(ValueError, match="the step's own failure"):
        _unit(sqlite_url, rule, workers=2)
    assert multiprocessing.active_children() == []
    assert _physical_order(sqlite_url, "User") == []


def test_the_number_of_workers_is_validated_in_one_line():
    assert parse_workers(None) == parse_workers("") == default_workers() == min(len(os.sched_getaffinity(0)) // 2, 3)
    assert parse_workers("0") == 0 and parse_workers(3) == 3
    for bad in ("two", "-1", "17", "1.5"):
        with pytest.raises(SettingsError, match="MENTARA_SEED_WORKERS=.* is not a number of worker processes") as error:
            parse_workers(bad)
        assert "\n" not in str(error.value)

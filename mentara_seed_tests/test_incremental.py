"""Work skipped when what it reads has not changed (``fingerprints``, ``fixpoint``, ``checks.incremental``).

A run that finds the database as a complete run left it (same settings,
schema and code) surveys nothing, and a check whose tables have not changed
since it last passed passes again without reading them. Any write by anyone,
and any write by someone else during a run, must undo that. (Postgres, and
SQLite in a file: the tests that run on both take ``target``.)
"""

from __future__ import annotations

import os
import sqlite3
import time

import pytest
import sqlalchemy as sa
from dagster import DagsterInstance

from mentara_seed import fingerprints, fixpoint
from mentara_seed.checks import incremental
from mentara_seed.checks.definitions import CHECK_NAMES, INTEGRITY, MINIMUMS
from mentara_seed.checks.findings import EARLY_METADATA, INPUTS_METADATA, REUSED_METADATA
from mentara_seed.settings import SeedSettings
from mentara_seed_tests.conftest import PRISMA, prisma_ddl
from mentara_seed_tests.helpers import ANCHOR, digest, evaluations, rows_added, run_job

LEAF = "PostHeart"  # a table no other table refers to: a row of it can go without breaking a key


def _report(result) -> dict:
    (event,) = [e for e in result.get_asset_materialization_events() if e.asset_key.to_user_string() == "seed_report"]
    return {k: v.value for k, v in event.materialization.metadata.items()}


def _unchanged_since(result) -> dict[str, object]:
    return {e.asset_key.to_user_string(): getattr(e.materialization.metadata.get("unchanged_since_run"), "value", None)
            for e in result.get_asset_materialization_events() if e.asset_key.to_user_string() != "seed_report"}


def _reused(result) -> set[str]:
    return {name for name, e in evaluations(result).items() if REUSED_METADATA in e.metadata}


def _reads(name: str) -> frozenset[str]:
    settings = SeedSettings.resolve(mode="light", anchor=ANCHOR)
    return MINIMUMS[name].tables if name in MINIMUMS else INTEGRITY[name].tables(settings.anchor)


def _execute(url: str, statement: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(statement)
    engine.dispose()


@pytest.fixture(params=["postgres", "sqlite"])
def target(request, tmp_path) -> str:
    """An empty target: a Postgres database made from Prisma's 2026-02 DDL, or an SQLite file."""
    if request.param == "sqlite":
        return f"sqlite+pysqlite:///{tmp_path / 'mentara.sqlite3'}"
    return request.getfixturevalue("postgres_databases").create(ddl=prisma_ddl(PRISMA["prisma_2026"]))


def _seed_recording(url: str, instance: DagsterInstance):
    result = run_job(url, mode="light", instance=instance)
    assert result.success
    report = _report(result)
    assert report["fixpoint_note"].startswith("recorded"), report["fixpoint_note"]
    assert fixpoint.METADATA in report
    return result


def test_a_rerun_on_a_complete_database_surveys_nothing_and_its_checks_pass_unread(target, monkeypatch):
    url = target
    instance = DagsterInstance.ephemeral()
    seed = _seed_recording(url, instance)
    before = digest(url)
    asked: list[str] = []
    last_completed = incremental.last_completed
    monkeypatch.setattr(incremental, "last_completed", lambda i, key: asked.append(key.name) or last_completed(i, key))

    rerun = run_job(url, mode="light", instance=instance)
    assert rerun.success
    # Each check's history is read once a run (by the fixpoint's look for failures, reused by its step).
    assert sorted(asked) == sorted(CHECK_NAMES)
    assert set(_unchanged_since(rerun).values()) == {seed.run_id}  # every seeding asset, the tier entries too
    assert sum(rows_added(rerun).values()) == 0
    # Its checks are left to their steps (most pass unread there): none is evaluated while later assets
    # run (``checks.early``), as some were in the seed on Postgres.
    assert not any(EARLY_METADATA in e.metadata for e in evaluations(rerun).values())
    assert any(EARLY_METADATA in e.metadata for e in evaluations(seed).values()) == url.startswith("postgresql")
    assert _report(rerun)[fixpoint.METADATA] == _report(seed)[fixpoint.METADATA]
    assert digest(url) == before

    audit = run_job(url, job="audit_job", mode="light", instance=instance)
    assert audit.success
    assert _reused(audit) == set(CHECK_NAMES), set(CHECK_NAMES) - _reused(audit)
    for name, evaluation in evaluations(audit).items():
        assert evaluation.passed, name
        if name != "database_audit":
            assert evaluation.metadata[REUSED_METADATA].value in (seed.run_id, rerun.run_id)
            assert "nothing it reads has changed since it passed in run" in evaluation.description


def test_a_write_by_anyone_since_undoes_the_shortcuts_for_what_it_touched(target):
    url = target
    instance = DagsterInstance.ephemeral()
    _seed_recording(url, instance)
    assert run_job(url, mode="light", instance=instance).success  # every check now recorded what it read
    _execute(url, f'DELETE FROM "{LEAF}" WHERE id = (SELECT min(id) FROM "{LEAF}")')

    rerun = run_job(url, mode="light", instance=instance)
    assert rerun.success
    assert set(_unchanged_since(rerun).values()) == {None}  # surveyed: the database is not as it was left
    not_reused = set(CHECK_NAMES) - _reused(rerun)
    touching = {name for name in CHECK_NAMES if LEAF in _reads(name)}
    assert touching and touching <= not_reused
    if url.startswith("sqlite"):
        # A commit by someone else could have changed any table: every check reads again.
        assert not _reused(rerun)
        assert set(_unchanged_since(run_job(url, mode="light", instance=instance)).values()) != {None}
        # A row changed and changed back is a write all the same. (An UPDATE that leaves a row's bytes
        # as they were writes nothing in SQLite, and changes nothing.)
        for change in ("id || 'x'", "substr(id, 1, length(id) - 1)"):
            _execute(url, f'UPDATE "{LEAF}" SET id = {change} WHERE id = (SELECT min(id) FROM "{LEAF}")')
        assert set(_unchanged_since(run_job(url, mode="light", instance=instance)).values()) == {None}
        return
    # The rest passed again unread, but for minimums an enricher of this run found met by its survey.
    assert all(name in touching or name in MINIMUMS for name in not_reused), not_reused - touching
    assert _reused(rerun) - touching, "no check passed again unread"
    for name in not_reused:
        assert INPUTS_METADATA in evaluations(rerun)[name].metadata or name in MINIMUMS

    # An update that changes nothing visible is a write all the same.
    _execute(url, f'UPDATE "{LEAF}" SET id = id WHERE id = (SELECT min(id) FROM "{LEAF}")')
    again = run_job(url, mode="light", instance=instance)
    assert set(_unchanged_since(again).values()) == {None}


def test_the_code_and_settings_are_part_of_what_a_shortcut_assumes(postgres_databases, monkeypatch):
    url = postgres_databases.create(ddl=prisma_ddl(PRISMA["prisma_2026"]))
    instance = DagsterInstance.ephemeral()
    _seed_recording(url, instance)
    fingerprints.code_digest.cache_clear()
    monkeypatch.setattr(fingerprints, "code_digest", lambda: "an edited seeder")
    rerun = run_job(url, mode="light", instance=instance)
    assert set(_unchanged_since(rerun).values()) == {None}
    assert not _reused(rerun)
    monkeypatch.undo()
    medium = run_job(url, mode="medium", instance=instance)
    assert medium.success and set(_unchanged_since(medium).values()) == {None}
    assert not _reused(medium)


def _writing_meanwhile(monkeypatch, url: str, statement: str) -> None:
    """Someone else runs ``statement`` once the run's legacy ``relationships`` asset has committed."""
    original = fixpoint.finished

    def finished(database, asset, added, removed, unmet):
        original(database, asset, added, removed, unmet)
        if asset == "relationships":
            _execute(url, statement)

    monkeypatch.setattr(fixpoint, "finished", finished)


def _note_of_a_run_with(monkeypatch, url: str, instance: DagsterInstance, statement: str) -> str:
    """The fixpoint note of a light seed of ``url`` while someone else runs ``statement`` (which
    leaves no fixpoint recorded)."""
    _writing_meanwhile(monkeypatch, url, statement)
    result = run_job(url, mode="light", instance=instance)
    assert result.success
    monkeypatch.undo()
    assert fixpoint.METADATA not in _report(result)
    return _report(result)["fixpoint_note"]


def test_a_run_others_wrote_during_records_no_fixpoint(target, monkeypatch):
    url = target
    instance = DagsterInstance.ephemeral()
    # (An update that changes nothing visible: a write all the same, and one that disturbs no survey. On
    # SQLite, where an UPDATE to the same bytes writes nothing, a change to an id nothing refers to.)
    change = "id || 'x'" if url.startswith("sqlite") else "id"
    note = _note_of_a_run_with(monkeypatch, url, instance,
                               f'UPDATE "Membership" SET id = {change} WHERE id = (SELECT min(id) FROM "Membership")')
    if url.startswith("sqlite"):
        assert note == "not recorded: others wrote meanwhile (the database's files changed between the run's transactions)"
    else:
        assert note.startswith("not recorded: others wrote rows meanwhile") and "'Membership': 1" in note, note
    # So the next run surveys, and (nobody writing now) records the fixpoint.
    rerun = run_job(url, mode="light", instance=instance)
    assert set(_unchanged_since(rerun).values()) == {None}
    assert _report(rerun)["fixpoint_note"].startswith("recorded")


def test_a_row_deleted_by_others_during_a_run_records_no_fixpoint(postgres_databases, monkeypatch):
    url = postgres_databases.create(ddl=prisma_ddl(PRISMA["prisma_2026"]))
    note = _note_of_a_run_with(monkeypatch, url, DagsterInstance.ephemeral(),
                               'DELETE FROM "Membership" WHERE id = (SELECT min(id) FROM "Membership")')
    assert note.startswith("not recorded: row counts") and "Membership" in note, note


def test_changes_since_tells_others_rows_from_the_runs_own(postgres_databases):
    url = postgres_databases.create(ddl=prisma_ddl(PRISMA["prisma_2026"]))
    engine = sa.create_engine(url)
    insert = ("INSERT INTO \"Community\" (id, slug, name, description, \"imageUrl\", \"createdAt\", \"updatedAt\") "
              "VALUES ('{0}', '{0}', '{0}', 'x', '', now(), now())")
    with engine.connect() as conn:
        start = fingerprints.snapshot(conn)
        before = fingerprints.table_fingerprints(conn, ["Community", "Admin"])
        conn.rollback()
    with engine.begin() as ours:
        ours.exec_driver_sql(insert.format("ours"))
        own = fingerprints.transaction_id(ours)
    with engine.connect() as conn:
        assert fingerprints.changes_since(conn, ["Community"], start, [own])["Community"][1] == 0
        conn.rollback()
    with engine.begin() as theirs:
        theirs.exec_driver_sql(insert.format("theirs"))
    with engine.connect() as conn:
        now = fingerprints.changes_since(conn, ["Community", "Admin"], start, [own])
        assert now["Community"][1] == 1 and now["Admin"][1] == 0
        assert now["Community"][0] != before["Community"] and now["Admin"][0] == before["Admin"]
        assert fingerprints.table_fingerprints(conn, ["Community"])["Community"] == now["Community"][0]
    engine.dispose()


def test_a_copy_of_a_database_is_another_database(postgres_databases):
    """A template copy has the same rows with the same ``xmin``: its identity tells it apart, even
    under the original's name (the original renamed away)."""
    url = postgres_databases.create(ddl=prisma_ddl(PRISMA["prisma_2026"]))
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        identity = fingerprints.identity(conn)
        prints = fingerprints.table_fingerprints(conn, ["User", "Community"])
    engine.dispose()
    name = url.rsplit("/", 1)[1]
    admin = sa.create_engine(postgres_databases.server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'ALTER DATABASE "{name}" RENAME TO "{name}_original"')
        postgres_databases.created.append(f"{name}_original")
        conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{name}_original"')
    admin.dispose()
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        assert fingerprints.table_fingerprints(conn, ["User", "Community"]) == prints
        assert fingerprints.identity(conn) != identity
    engine.dispose()


def test_a_check_step_reads_its_fingerprints_and_rows_in_one_snapshot(postgres_databases):
    """What the evaluating connections see is the pinned snapshot the fingerprints were read in, even
    after someone else commits a row."""
    from mentara_seed.checks import incremental
    from mentara_seed.resources import MentaraDatabase

    url = postgres_databases.create(ddl=prisma_ddl(PRISMA["prisma_2026"]))
    database = MentaraDatabase(url=url)
    insert = ("INSERT INTO \"Community\" (id, slug, name, description, \"imageUrl\", \"createdAt\", "
              "\"updatedAt\") VALUES ('{0}', '{0}', '{0}', 'x', '', now(), now())")
    with incremental.pinned(database) as pin:
        before = fingerprints.table_fingerprints(pin.conn, ["Community"])
        _execute(url, insert.format("meanwhile"))
        with incremental.reading_in(database, pin.snapshot) as reader:
            assert reader.exec_driver_sql('SELECT count(*) FROM "Community"').scalar_one() == 0
            assert fingerprints.table_fingerprints(reader, ["Community"]) == before
        with incremental.reading_in(database, None) as reader:
            assert reader.exec_driver_sql('SELECT count(*) FROM "Community"').scalar_one() == 1


def test_fingerprints_read_in_an_equal_snapshot_are_not_read_again(postgres_databases, monkeypatch):
    """A no-op rerun commits nothing between its check steps: a table's fingerprint, read in one step's
    snapshot, stands for the next step's equal snapshot; a commit anywhere in between reads it again."""
    from mentara_seed.resources import MentaraDatabase

    url = postgres_databases.create(ddl=prisma_ddl(PRISMA["prisma_2026"]))
    database = MentaraDatabase(url=url)
    real, reads = fingerprints.table_fingerprints, []
    monkeypatch.setattr(fingerprints, "table_fingerprints",
                        lambda conn, tables: reads.append(set(tables)) or real(conn, tables))

    def in_a_check_step(tables: set[str]) -> tuple[str, dict[str, str]]:
        with incremental.pinned(database) as pin:
            return fingerprints.snapshot(pin.conn), incremental.snapshot_fingerprints(pin.conn, tables, database.memo)

    _execute(url, INSERT_COMMUNITY.format("first"))
    for _ in range(50):  # (other tests commit too: until two steps see nothing committed in between)
        reads.clear()
        first, one = in_a_check_step({"Community", "User"})
        second, two = in_a_check_step({"Community", "Post"})
        if first == second:
            break
    assert first == second
    assert reads == [{"Community", "User"}, {"Post"}]
    assert two["Community"] == one["Community"] == read_now(url, "Community", real)
    _execute(url, INSERT_COMMUNITY.format("second"))
    third, three = in_a_check_step({"Community"})
    assert third != second and reads[-1] == {"Community"}
    assert three["Community"] != one["Community"] and three["Community"] == read_now(url, "Community", real)


def test_a_run_with_nothing_to_do_reads_every_fingerprint_once_and_verifies_the_state_it_found(
        postgres_databases, monkeypatch):
    """A rerun that finds a recorded fixpoint (Postgres) holds the snapshot it found it in (``fixpoint.Held``):
    its check steps pass their checks unread on the fingerprints read at its first step, and its report
    records that state again, reading no table twice, although its Dagster instance commits between steps.
    Someone writing during it goes unseen by it (its answer is as of its start) and is seen by the next run."""
    url = postgres_databases.create(ddl=prisma_ddl(PRISMA["prisma_2026"]))
    instance = DagsterInstance.ephemeral()
    seed = _seed_recording(url, instance)
    first = run_job(url, mode="light", instance=instance)  # every check now recorded what it read
    assert first.success
    real, reads = fingerprints.table_fingerprints, []
    monkeypatch.setattr(fingerprints, "table_fingerprints",
                        lambda conn, tables: reads.append(set(tables)) or real(conn, tables))
    held: list[fixpoint.Held] = []
    original_close = fixpoint.Held.close
    monkeypatch.setattr(fixpoint.Held, "close", lambda self: held.append(self) or original_close(self))

    rerun = run_job(url, mode="light", instance=instance)
    assert rerun.success and set(_unchanged_since(rerun).values()) == {first.run_id}  # (the latest to record it)
    reads = [tables for tables in reads if tables]  # (an empty set reads nothing)
    assert len(reads) == 1 and len(reads[0]) > 30, reads  # every table, once, at the first step
    assert _reused(rerun) == set(CHECK_NAMES) - {"database_audit"}
    assert _report(rerun)[fixpoint.METADATA] == _report(seed)[fixpoint.METADATA]
    assert _report(rerun)["fixpoint_note"].startswith(f"recorded: the state run {first.run_id} left")
    assert len(held) == 1 and held[0].conn.closed  # closed when the run ended

    # Someone writes once the run's first step has found the state: the run still verifies what it found.
    _writing_meanwhile(monkeypatch, url, f'DELETE FROM "{LEAF}" WHERE id = (SELECT min(id) FROM "{LEAF}")')
    during = run_job(url, mode="light", instance=instance)
    monkeypatch.undo()
    assert during.success and set(_unchanged_since(during).values()) == {rerun.run_id}
    assert _reused(during) == set(CHECK_NAMES) - {"database_audit"}
    # The next run finds another state: it surveys, and the checks reading that table read it again.
    after = run_job(url, mode="light", instance=instance)
    assert after.success and set(_unchanged_since(after).values()) == {None}
    touching = {name for name in CHECK_NAMES if LEAF in _reads(name)}
    assert touching and not touching & _reused(after)


def read_now(url: str, table: str, read) -> str:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        found = read(conn, [table])[table]
    engine.dispose()
    return found


INSERT_COMMUNITY = ("INSERT INTO \"Community\" (id, slug, name, description, \"imageUrl\", \"createdAt\", "
                    "\"updatedAt\") VALUES ('{0}', '{0}', '{0}', 'x', '', now(), now())")


def test_a_failing_check_anywhere_makes_the_next_run_survey(postgres_databases, tmp_path):
    """A complete database is not trusted to be complete while a check's latest evaluation in the
    instance failed (here, of another database): a failing check is a reason to look again."""
    from mentara_seed_tests.helpers import seeded

    url = postgres_databases.create(ddl=prisma_ddl(PRISMA["prisma_2026"]))
    instance = DagsterInstance.ephemeral()
    seed = _seed_recording(url, instance)
    other = f"sqlite+pysqlite:///{tmp_path / 'other.sqlite3'}"
    seeded(other, mode="light")
    _execute(other, 'UPDATE "Review" SET rating = 9 WHERE id = (SELECT min(id) FROM "Review")')
    audit = run_job(other, job="audit_job", mode="light", instance=instance, raise_on_error=False)
    assert not evaluations(audit)["review_ratings_in_range"].passed
    rerun = run_job(url, mode="light", instance=instance)
    assert rerun.success
    assert set(_unchanged_since(rerun).values()) == {None}
    assert _report(rerun)[fixpoint.METADATA] == _report(seed)[fixpoint.METADATA]  # nothing changed, it was checked


def _audit_with_a_write_once_keys_are_read(monkeypatch, url: str, instance: DagsterInstance, rating: str):
    """An audit of ``url`` during which someone else sets a review's rating to ``rating`` once the step
    of ``review_ratings_in_range`` has read its fingerprints (``input_keys``), before it evaluates."""
    original, done = incremental.input_keys, []

    def input_keys(*args, **kwargs):
        keys = original(*args, **kwargs)
        if "review_ratings_in_range" in keys and not done:
            done.append(True)
            _execute(url, f'UPDATE "Review" SET rating = {rating} WHERE id = (SELECT min(id) FROM "Review")')
        return keys

    monkeypatch.setattr(incremental, "input_keys", input_keys)
    result = run_job(url, job="audit_job", mode="light", instance=instance, raise_on_error=False)
    monkeypatch.undo()
    assert done
    return result


def test_a_commit_while_sqlite_checks_read_leaves_their_evaluations_without_a_key(tmp_path, monkeypatch):
    """On SQLite each evaluating connection reads the state as it finds it: a commit by someone else
    after the step read the files' state means the keys may not describe what was read, so none is
    recorded, and the next audit evaluates those checks again."""
    from mentara_seed_tests.helpers import seeded

    url = f"sqlite+pysqlite:///{tmp_path / 'mentara.sqlite3'}"
    seeded(url, mode="light")
    instance = DagsterInstance.ephemeral()
    first = _audit_with_a_write_once_keys_are_read(monkeypatch, url, instance, "6 - rating")
    assert first.success
    assert INPUTS_METADATA not in evaluations(first)["review_ratings_in_range"].metadata
    second = run_job(url, job="audit_job", mode="light", instance=instance)
    assert "review_ratings_in_range" not in _reused(second)
    assert INPUTS_METADATA in evaluations(second)["review_ratings_in_range"].metadata
    assert _reused(run_job(url, job="audit_job", mode="light", instance=instance)) == set(CHECK_NAMES)


def test_sqlite_file_state_changes_with_every_commit_and_nothing_else(tmp_path):
    """``file_state``: a commit (even of a row changed and changed back) changes it; reads, checkpoints
    of an empty log and closing the last connection do not; a copy of the file is another file; it is
    read only once its newest time is ``GUARD_NS`` old."""
    path = tmp_path / "db.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE t (x INTEGER)")
    conn.execute("INSERT INTO t VALUES (1)")
    assert fingerprints.checkpoint(conn)
    before = fingerprints.file_state(path)
    # The times it counts: the file's, and the log's while it holds anything (an emptied log, whose
    # truncation may come after the file's last write, is not part of the state).
    newest = max(os.stat(f"{path}{s}").st_mtime_ns for s in ("", "-wal")
                 if os.path.exists(f"{path}{s}") and (not s or os.stat(f"{path}{s}").st_size))
    assert time.time_ns() - newest >= fingerprints.GUARD_NS
    assert conn.execute("SELECT count(*) FROM t").fetchone() == (1,)
    assert fingerprints.file_state(path) == before
    conn.execute("UPDATE t SET x = x")  # the same bytes: SQLite writes nothing
    assert fingerprints.file_state(path) == before
    conn.execute("UPDATE t SET x = 2")
    conn.execute("UPDATE t SET x = 1")
    assert fingerprints.file_state(path) != before
    assert fingerprints.checkpoint(conn)
    emptied = fingerprints.file_state(path)
    assert fingerprints.checkpoint(conn) and fingerprints.file_state(path) == emptied
    conn.close()  # the last connection: it would empty a log into the file, and finds none
    assert not os.path.exists(f"{path}-wal") and fingerprints.file_state(path) == emptied
    copy = tmp_path / "copy.sqlite3"
    copy.write_bytes(path.read_bytes())
    os.utime(copy, ns=(os.stat(path).st_atime_ns, os.stat(path).st_mtime_ns))
    assert fingerprints.file_state(copy) != emptied


def test_an_sqlite_database_in_memory_keeps_no_fingerprint():
    engine = sa.create_engine("sqlite+pysqlite://")
    with engine.connect() as conn:
        assert not fingerprints.supported(conn)
    engine.dispose()


def test_a_run_that_left_rows_unmade_records_no_fixpoint(postgres_databases, monkeypatch):
    """Rows an asset could not make (``unmet``: real data rules them out) are surveyed and reported by
    every run, so such a run's end state is not one to skip from."""
    url = postgres_databases.create(ddl=prisma_ddl(PRISMA["prisma_2026"]))
    original = fixpoint.finished

    def finished(database, asset, added, removed, unmet):
        original(database, asset, added, removed, {"Review": 2} if asset == "enriched_reviews" else unmet)

    monkeypatch.setattr(fixpoint, "finished", finished)
    result = run_job(url, mode="light", instance=DagsterInstance.ephemeral())
    assert result.success
    assert _report(result)["fixpoint_note"].startswith("not recorded: 2 rows could not be made"), _report(result)


def test_a_python_rule_reads_no_table_it_does_not_declare(tmp_path):
    """A check passes unread when the tables it declares are unchanged, so a rule evaluated in Python
    (``find``) must declare every table it reads: each one's statements are recorded while it runs
    on a seeded database, and every table they name must be among its ``reads``."""
    from mentara_seed.schema.tables import metadata
    from mentara_seed_tests.helpers import seeded

    url = f"sqlite+pysqlite:///{tmp_path / 'mentara.sqlite3'}"
    seeded(url, mode="light")
    engine = sa.create_engine(url)
    statements: list[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda conn, cursor, statement, *rest: statements.append(statement))
    settings = SeedSettings.resolve(mode="light", anchor=ANCHOR)
    python_rules = [rule for rule in INTEGRITY.values() if rule.find is not None]
    assert len(python_rules) >= 8
    undeclared = {}
    with engine.connect() as conn:
        for rule in python_rules:
            statements.clear()
            list(rule.find(conn, settings.anchor))
            named = {name for statement in statements for name in metadata.tables if f'"{name}"' in statement}
            assert statements and named, rule.name
            if named - rule.tables(settings.anchor):
                undeclared[rule.name] = sorted(named - rule.tables(settings.anchor))
    engine.dispose()
    assert not undeclared, undeclared


def test_a_minimum_reads_no_table_it_does_not_declare():
    """The same for the minimums: what their check evaluates reads only the tables they declare."""
    from mentara_seed.requirements import tables_of
    from mentara_seed.schema.versions import BY_NAME

    settings = SeedSettings.resolve(mode="light", anchor=ANCHOR)
    for name, requirement in MINIMUMS.items():
        for version in BY_NAME.values():
            for mode in ("light", "medium", "heavy"):
                read = tables_of(requirement.shortfall(mode, settings.anchor, version))
                assert read <= requirement.tables, (name, str(version), mode, sorted(read - requirement.tables))


def test_a_check_evaluates_the_snapshot_its_key_describes(postgres_databases, monkeypatch):
    """A row broken by someone else between the step's reading of the fingerprints and its evaluations
    is not seen by them (they read the fingerprints' snapshot), so the key recorded is that of the
    rows evaluated, and the next audit, whose key differs, evaluates again and fails."""
    from mentara_seed_tests.helpers import seeded

    url = postgres_databases.create(ddl=prisma_ddl(PRISMA["prisma_2026"]))
    seeded(url, mode="light")
    instance = DagsterInstance.ephemeral()
    first = _audit_with_a_write_once_keys_are_read(monkeypatch, url, instance, "9")
    assert evaluations(first)["review_ratings_in_range"].passed
    second = run_job(url, job="audit_job", mode="light", instance=instance, raise_on_error=False)
    evaluation = evaluations(second)["review_ratings_in_range"]
    assert not evaluation.passed and REUSED_METADATA not in evaluation.metadata


def test_sqlite_files_it_cannot_vouch_for_have_a_state_equal_to_none(tmp_path):
    """Times that are whole milliseconds (a file system keeping coarse times: two commits may share
    one) and a time that does not settle (here in the future) give a state that matches nothing."""
    path = tmp_path / "db.sqlite3"
    sqlite3.connect(path).close()
    path.write_bytes(b"x" * 4096)
    os.utime(path, ns=(0, 1_700_000_000 * 10**9))
    assert fingerprints.file_state(path).startswith("unsettled/")
    assert fingerprints.file_state(path) != fingerprints.file_state(path)
    os.utime(path, ns=(0, time.time_ns() + 3 * 10**9 + 123))
    assert fingerprints.file_state(path).startswith("unsettled/")  # (after WAIT_S, not three seconds)


def test_a_commit_stands_for_every_table_its_statements_wrote(tmp_path):
    """``FileChain.commit``: the tables the transaction's statements wrote count as written whether
    or not the run counted them, and a trigger makes every commit stand for every table."""
    url = f"sqlite+pysqlite:///{tmp_path / 'db.sqlite3'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for name in ("a", "b", "c"):
            conn.exec_driver_sql(f"CREATE TABLE {name} (x INTEGER)")
    engine.dispose()
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        conn.connection.driver_connection.execute("PRAGMA journal_mode=WAL")
        chain = fingerprints.FileChain(fingerprints.sqlite_file(conn), ["a", "b", "c"])
        start = chain.last
        conn.exec_driver_sql("SELECT count(*) FROM a").all()
        chain.look()
        chain.track(conn)
        conn.exec_driver_sql("INSERT INTO a VALUES (1)")
        conn.exec_driver_sql("INSERT INTO b VALUES (1)")  # a write the run did not count
        chain.commit(conn, {"a"})
        assert chain.foreign is None
        assert chain.tables["a"] == chain.tables["b"] == chain.last != start and chain.tables["c"] == start
        conn.exec_driver_sql("CREATE TRIGGER copy AFTER INSERT ON a BEGIN INSERT INTO c VALUES (new.x); END")
        conn.commit()
    engine.dispose()
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        triggers = conn.exec_driver_sql("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'").scalar_one()
        chain = fingerprints.FileChain(fingerprints.sqlite_file(conn), ["a", "b", "c"], triggers > 0)
        conn.exec_driver_sql("SELECT count(*) FROM a").all()
        chain.look()
        chain.track(conn)
        conn.exec_driver_sql("INSERT INTO a VALUES (2)")
        chain.commit(conn, {"a"})
        assert chain.foreign is None and set(chain.tables.values()) == {chain.last}
    engine.dispose()


def _seed_noting_states(url: str, monkeypatch, meanwhile: str | None) -> tuple[object, list[str]]:
    """A light seed of ``url`` and the state each of its writing transactions left (``FileChain.commit``);
    with ``meanwhile``, which someone else runs while the third one empties the log, after its commit."""
    commit, checkpoint, states = fingerprints.FileChain.commit, fingerprints.checkpoint, []

    def noting(self, conn, tables):
        commit(self, conn, tables)
        states.append(self.last)

    def interrupted(dbapi):
        if meanwhile and len(states) == 2:  # (the third commit: the legacy relationships)
            _execute(url, meanwhile)
        return checkpoint(dbapi)

    monkeypatch.setattr(fingerprints.FileChain, "commit", noting)
    monkeypatch.setattr(fingerprints, "checkpoint", interrupted)
    result = run_job(url, mode="light", instance=DagsterInstance.ephemeral())
    monkeypatch.undo()
    assert result.success and len(states) > 3
    return result, states


def test_a_commit_by_someone_else_right_after_the_seeders_own_is_seen(tmp_path, monkeypatch):
    """Between a seeding transaction's commit and its reading the files' state, another connection
    commits (here while the seeder empties the log): that state is not the seeder's alone, so the
    run records no fixpoint, and the communities table, which only the second commit of a seed
    writes, stands at a state after that write, not at the second commit's (other rows)."""
    control, states = _seed_noting_states(f"sqlite+pysqlite:///{tmp_path / 'control.sqlite3'}", monkeypatch, None)
    assert _report(control)["table_states"]["tables"]["Community"] == states[1]
    url = f"sqlite+pysqlite:///{tmp_path / 'mentara.sqlite3'}"
    update = 'UPDATE "Community" SET name = name || \'x\' WHERE id = (SELECT min(id) FROM "Community")'
    result, states = _seed_noting_states(url, monkeypatch, update)
    assert _report(result)["fixpoint_note"] == f"not recorded: {fingerprints.FileChain.FOREIGN}"
    assert _report(result)["table_states"]["tables"]["Community"] not in states[:2]

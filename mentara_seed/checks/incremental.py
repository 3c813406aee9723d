"""A check passes again without being evaluated when nothing it reads has changed since it last passed.

Each evaluation records, in its metadata (``inputs_fingerprint``), a key of
what its result depends on: the database, the seeder's code, the settings,
the schema and the fingerprints of the tables the check reads
(``mentara_seed.fingerprints``). The fingerprints and the evaluations of one
check step read one and the same state (``pinned``, ``reading_in``). On
Postgres the step holds a read-only REPEATABLE READ transaction open, reads
the fingerprints in it, and exports its snapshot to the connections that
evaluate. On SQLite it reads the state of the database's files before the
evaluations and again after them (``Pin.held``): the same twice, nobody
committed in between, so every evaluation read that state; otherwise the
evaluations record no key. So a key describes exactly the rows its
evaluation saw. Since a row version never comes back once deleted, two
moments with the same fingerprints have the same rows (an insert undone by a
delete returns to the very same rows).

When a later step finds that the check's latest completed evaluation in this
Dagster instance passed and has the key it would record now, the check
passes with that result (``reused_from_run`` names its run) without reading
the tables. A check whose latest evaluation failed or warned is evaluated
again. On SQLite a table's fingerprint, for a check, is the state of the
database's files right after the commit that last wrote it, as far as the
run can account for every commit since (``fingerprints.FileChain``): a
commit by someone else has every check evaluated again.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from dagster import AssetCheckKey, AssetKey, DagsterInstance
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus
from sqlalchemy.engine import Connection

from mentara_seed import fingerprints, fixpoint
from mentara_seed.checks.findings import INPUTS_METADATA
from mentara_seed.resources import MentaraDatabase
from mentara_seed.settings import SeedSettings
from mentara_seed.steps import reading

COMPLETED = {AssetCheckExecutionRecordStatus.SUCCEEDED, AssetCheckExecutionRecordStatus.FAILED}


def repeatable_read(conn: Connection) -> None:
    conn.rollback()  # (what opened the transaction: it must start with these settings)
    conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")


@dataclass(frozen=True)
class Pin:
    """What a check step's fingerprints and evaluations read: on Postgres a transaction (``conn``) and
    its exported ``snapshot``; on SQLite the database ``file``, the ``state`` of its files read before
    the evaluations and the state each table was last written in (``tables``, of the run's
    ``fixpoint.file_chain``). Neither: nothing to key evaluations by."""

    conn: Optional[Connection] = None
    snapshot: Optional[str] = None
    file: Optional[Path] = None
    state: Optional[str] = None
    tables: Optional[dict[str, str]] = None

    def held(self) -> bool:
        """Whether the evaluations since read what the keys describe: on SQLite, whether the files
        are still in ``state`` (no commit in between; read once the evaluations are done)."""
        return self.file is None or fingerprints.file_state(self.file) == self.state


@contextmanager
def pinned(database: MentaraDatabase, instance: Optional[DagsterInstance] = None) -> Iterator[Pin]:
    """On Postgres, a read-only REPEATABLE READ transaction held open for the block and the id of its
    exported snapshot: in a run that found a recorded fixpoint and has written nothing, the snapshot it
    found that state in (``fixpoint.Held``), whose fingerprints the run has read. On SQLite the state
    of the database's files and of each table (the run's ``fixpoint.file_chain``, started from what
    ``instance`` recorded), holding no connection (each would add its page cache to the step's memory)."""
    held = fixpoint.holding(database)
    if held is not None:  # a run with nothing to do verifies the state it found
        with reading_in(database, held.exported) as conn:
            yield Pin(conn, held.exported)
        return
    with reading(database) as conn:
        if not fingerprints.supported(conn):
            yield Pin()
            return
        if conn.dialect.name == "sqlite":
            database.memo.identity = database.memo.identity or fingerprints.identity(conn)
            conn.exec_driver_sql("SELECT 1 FROM sqlite_master LIMIT 1").all()  # (a snapshot, as a seeding step has)
            chain = fixpoint.file_chain(conn, database, instance)
            pin = Pin(file=chain.file, state=chain.last, tables=dict(chain.tables))
        else:
            repeatable_read(conn)
            yield Pin(conn, conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one())
            return
    yield pin


@contextmanager
def reading_in(database: MentaraDatabase, snapshot: Optional[str]) -> Iterator[Connection]:
    """A read-only connection, reading the exported ``snapshot`` (if any) in REPEATABLE READ."""
    with reading(database) as conn:
        if snapshot is not None:
            if not re.fullmatch(r"[0-9A-F-]+", snapshot):
                raise ValueError(f"not a snapshot id: {snapshot!r}")
            repeatable_read(conn)
            conn.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
        yield conn


def input_keys(pin: Pin, names: dict[str, frozenset[str]], database: MentaraDatabase,
               settings: SeedSettings) -> dict[str, str]:
    """``{check: key}`` for the checks ``names`` (each with the tables it reads) the target has every
    table of, from fingerprints read on ``pin`` (``pinned``); ``{}`` without any."""
    target, memo = database.target, database.memo
    wanted = {name: tables for name, tables in names.items() if all(target.has(t) for t in tables)}
    read = {t for tables in wanted.values() for t in tables}
    if pin.state is not None:
        prints = {t: pin.tables.get(t, pin.state) for t in read}  # (SQLite: the state it was last written in)
    elif pin.conn is not None and wanted:
        if memo.identity is None:
            memo.identity = fingerprints.identity(pin.conn)
        prints = snapshot_fingerprints(pin.conn, read, memo)
    else:
        return {}
    common = [memo.identity, fingerprints.settings_key(settings), fingerprints.target_key(target)]
    return {name: fingerprints.key(*common, name, sorted((t, prints[t]) for t in tables))
            for name, tables in wanted.items()}


def snapshot_fingerprints(conn: Connection, tables: set[str], memo) -> dict[str, str]:
    """The fingerprints of ``tables`` in the snapshot of ``conn``'s REPEATABLE READ transaction: those the
    run has read in an equal snapshot (``pg_current_snapshot()``, the same text) taken from the run's
    memo, the rest read now. Equal snapshots see the same rows: any commit in the cluster in between
    moves the newest completed transaction or takes one off the list of running ones. (Where nothing
    commits between a run's check steps, each table is read once, not once per step; a Dagster
    instance in the same cluster commits its events in between.)"""
    now = fingerprints.snapshot(conn)
    with memo.lock:
        known = dict(memo.pinned_prints[1]) if memo.pinned_prints and memo.pinned_prints[0] == now else {}
    read = fingerprints.table_fingerprints(conn, set(tables) - set(known))
    with memo.lock:
        if memo.pinned_prints is None or memo.pinned_prints[0] != now:
            memo.pinned_prints = (now, {})
        memo.pinned_prints[1].update(read)
    return {t: read[t] if t in read else known[t] for t in tables}


Completed = Optional[tuple[bool, Optional[str], str]]  # (passed, key, run id), or None: never completed


def last_completed(instance: DagsterInstance, check: AssetCheckKey) -> Completed:
    """``(passed, key, run id)`` of the check's latest completed evaluation."""
    records = instance.event_log_storage.get_asset_check_execution_history(check, limit=1, status=COMPLETED)
    if not records or records[0].event is None or records[0].event.dagster_event is None:
        return None
    evaluation = records[0].event.dagster_event.event_specific_data
    entry = getattr(evaluation, "metadata", {}).get(INPUTS_METADATA)
    return (records[0].status == AssetCheckExecutionRecordStatus.SUCCEEDED,
            entry.value if entry is not None else None, records[0].run_id)


def completed(owners: dict[str, str], instance: DagsterInstance, known: dict[str, Completed]) -> dict[str, Completed]:
    """``last_completed`` of the checks ``owners`` names (``{check: owner asset}``), read once per run:
    ``known`` (the run's memo) keeps what was read. What it keeps may have been outdone since by
    another run's evaluation, and still vouches for what it says: a pass on a key is a pass on the
    inputs that key names, whenever it was recorded."""
    for name, asset in owners.items():
        if name not in known:
            known[name] = last_completed(instance, AssetCheckKey(AssetKey(asset), name))
    return {name: known[name] for name in owners}


def unchanged(keys: dict[str, str], owners: dict[str, str], instance: DagsterInstance,
              known: dict[str, Completed]) -> dict[str, str]:
    """``{check: run id}`` of the checks whose latest completed evaluation passed with the key they have now."""
    last = completed({name: owners[name] for name in keys}, instance, known)
    return {name: entry[2] for name, now in keys.items()
            if (entry := last[name]) is not None and entry[0] and entry[1] == now}


def any_failed(names: dict[str, str], instance: DagsterInstance, known: dict[str, Completed]) -> list[str]:
    """The checks (``{check: owner asset}``) whose latest completed evaluation failed or warned."""
    return [name for name, entry in completed(names, instance, known).items() if entry is not None and not entry[0]]

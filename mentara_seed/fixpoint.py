"""A run on a database that a complete run left as it is has nothing to survey (in-process runs).

Every seeding asset is idempotent: run again on what a complete run left, it
finds nobody short and writes nothing (the no-op rerun). So the state a
complete run ends in is a fixpoint of every asset, and a later run that finds
the database in exactly that state (``fingerprints``), with the same settings,
schema and code, would survey every table to learn that it has nothing to
do. It skips the surveys instead: each asset writes nothing and says which
run left the database so (``unchanged_since_run``); after the first step,
which found that state, an asset opens no transaction or connection
(``assets.common.seed_unit``).

A run records its end state as a fixpoint (``fixpoint`` in ``seed_report``'s
metadata) only when all of these hold:

- it ran its seeding assets in one process (the in-process executor of
  ``mentara_seed.definitions``), so that one memo saw every write;
- every seeding asset ran in it (``seed_job``, ``reset_and_seed_job``; not a
  ``tier3*`` selection or ``enrich_job``) and succeeded, and ``seed_report``
  ran after them;
- every row its assets set out to make was made (no ``unmet``: those are
  surveyed and reported by every run);
- nobody else wrote to a Mentara table meanwhile. On Postgres: at its end
  no row is written (inserted or updated) after the run's first snapshot by
  a transaction other than the run's own, and every table holds its rows at
  the start plus those the run added less those it removed (a row someone
  else deleted leaves nothing else to see). On SQLite, where a row keeps no
  trace of who wrote it, the run accounts for every state of the database's
  files from its first transaction to its end (``fingerprints.FileChain``):
  none it did not make itself.

On SQLite the report also records, for its end state, the state each table
was last written in (``table_states``): a later run, or an audit, that finds
the files in that state starts from them, so that a check whose tables the
run's later steps did not write keeps its key (``checks.incremental``).

Otherwise the run records nothing, and the next run surveys as ever. A run
looks for its starting state among the last ``LOOKBACK`` ``seed_report``
materializations of its Dagster instance; reading every table's fingerprint
at the first step costs about half a second at heavy x100. It skips only if,
besides, no check's latest completed evaluation in the instance failed or
warned: a failing check is a reason to look again.

On Postgres the first step reads the fingerprints in a read-only REPEATABLE
READ transaction of its own (``Held``), unless its seeding transaction has
written already (made the schema, or reset). When they are a recorded fixpoint,
the run keeps that transaction open until it ends and exports its snapshot:
a run that finds nothing to do verifies the state it found. Its check steps
evaluate in that snapshot (``checks.incremental.pinned``), so they key their
checks on the fingerprints already read, rather than reading every table
again (a Dagster instance in the same cluster commits its events between
steps, so no later snapshot is equal to it), and its report records that
state's key again without reading (it is a fixpoint, whoever writes after).
A write by someone else during such a run is seen by the next run, which
surveys. The transaction holds ACCESS SHARE on every Mentara table until
the run ends (seconds): someone's reset (TRUNCATE) or DDL waits for it.
Otherwise it ends in the first step, before the step's rule runs.

What this cannot see: a write by someone else that the run's own end state
no longer shows, i.e. (Postgres) a row someone inserted and deleted again
while the run ran, or updated before the run updated it itself. Such a row
may have
steered a survey (a transient row that made someone look not short). The
checks are not fooled (each reads the tables as they are, or passes unread
only on the fingerprints of a snapshot it was evaluated in), so the next
run's check of that minimum fails, and the run after it surveys again.
"""

from __future__ import annotations

from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Optional

from dagster import AssetKey, DagsterInstance
from sqlalchemy.engine import Connection

from mentara_seed import fingerprints, registry
from mentara_seed.settings import SeedSettings

METADATA = "fixpoint"
REPORT = AssetKey("seed_report")
LOOKBACK = 10


@dataclass
class RunStart:
    """What a run's first seeding step saw, and what the run has written since (by its own hand)."""

    snapshot: Optional[str]  # Postgres: ``pg_current_snapshot()`` before the fingerprints
    prints: dict[str, str]
    transactions: set[int] = field(default_factory=set)
    net: Counter = field(default_factory=Counter)
    done: set[str] = field(default_factory=set)
    unmet: int = 0  # rows the run's assets could not make (no valid parent): each run reports them anew


class Held:
    """Postgres: a read-only REPEATABLE READ transaction on a connection of its own, its snapshot exported
    (``exported``, for ``SET TRANSACTION SNAPSHOT``) and its text (``snapshot``). Open until ``close``.
    Kept for the run (``RunMemo.held``) only while it writes nothing: a run that found a recorded
    fixpoint runs no rule (``assets.common.seed_unit``), and only a rule writes after the first step, so
    its ACCESS SHARE locks never stand in the way of the run's own key and index rebuilds."""

    def __init__(self, database) -> None:
        from mentara_seed.checks.incremental import repeatable_read
        from mentara_seed.steps import reading

        self.stack = ExitStack()
        try:
            self.conn = self.stack.enter_context(reading(database))
            repeatable_read(self.conn)
            self.exported = self.conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
            self.snapshot = fingerprints.snapshot(self.conn)
        except BaseException:
            self.stack.close()
            raise

    def close(self) -> None:
        self.stack.close()


def rows(fingerprint: str) -> int:
    return int(fingerprint.split(":")[0])


def row_counts(database) -> dict[str, int]:
    """Rows of every table, from the fingerprints the run holds (each read since its last write)."""
    return {t: rows(database.memo.fingerprints[t]) for t in _tables(database.target)}


def _tables(target) -> list[str]:
    return [t.name for t in target.version.metadata.sorted_tables if target.has(t)]


def state_key(identity: str, settings: SeedSettings, target, prints: dict[str, str]) -> str:
    return fingerprints.key("fixpoint", identity, fingerprints.settings_key(settings), fingerprints.target_key(target),
                            sorted(prints.items()))


def _reported(instance: DagsterInstance, name: str):
    """``(value, run id)`` of the metadata entry ``name`` of the last ``LOOKBACK`` seed reports that have
    one, newest first."""
    for record in instance.fetch_materializations(REPORT, limit=LOOKBACK).records:
        entry = record.asset_materialization.metadata.get(name) if record.asset_materialization else None
        if entry is not None:
            yield entry.value, record.run_id


def recorded(instance: DagsterInstance) -> dict[str, str]:
    """``{state key: run id}`` of the fixpoints the last ``LOOKBACK`` seed reports recorded."""
    found = {}
    for key, run_id in _reported(instance, METADATA):
        found.setdefault(key, run_id)
    return found


def begin(conn: Connection, database, settings: SeedSettings, instance: DagsterInstance, reset: bool) -> None:
    """At the first seeding step of an in-process run, in its transaction (after the lock and any
    reset, before its rule): the fingerprints of every table, the snapshot they were read in, and
    whether they are a recorded fixpoint (then the run has nothing to survey)."""
    memo = database.memo
    if memo.began:
        return
    memo.began = True
    if not fingerprints.supported(conn):
        return
    target = database.target
    memo.identity = memo.identity or fingerprints.identity(conn)
    postgres = conn.dialect.name == "postgresql"
    # Postgres: the counts and the snapshot of one read-only transaction (``Held``), unless this one
    # has written already (made the schema, reset the tables: only it sees that yet); then the
    # snapshot before the counts, so that a row committed in between looks foreign.
    held = Held(database) if postgres and not fingerprints.has_written(conn) else None
    try:
        snapshot = held.snapshot if held else fingerprints.snapshot(conn) if postgres else None
        prints = fingerprints.table_fingerprints(held.conn if held else conn, _tables(target))
        memo.fingerprints.update(prints)
        memo.start = RunStart(snapshot, prints)
        if not reset:
            since = recorded(instance).get(state_key(memo.identity, settings, target, prints))
            if since is not None:
                from mentara_seed.checks.definitions import CHECK_NAMES, owner
                from mentara_seed.checks.incremental import any_failed

                if not any_failed({name: owner(name) for name in CHECK_NAMES}, instance, memo.completed):
                    memo.unchanged_since = since
        if held is not None and memo.unchanged_since is not None:
            # Nothing to do: the run's checks and report read the state found (``held``).
            with memo.lock:
                memo.pinned_prints = (snapshot, dict(prints))
            memo.held, held = held, None
    finally:
        if held is not None:
            held.close()


def holding(database) -> Optional[Held]:
    """The snapshot of the run's first step (``Held``), while the run has written nothing since it found
    that state a recorded fixpoint; ``None`` otherwise."""
    memo = database.memo
    return memo.held if memo.held is not None and memo.unchanged_since is not None else None


TABLE_STATES = "table_states"


def file_chain(conn: Connection, database, instance: Optional[DagsterInstance]) -> Optional[fingerprints.FileChain]:
    """SQLite: the run's ``FileChain``, looking at the files now (in a transaction that has its snapshot
    and has written nothing). Started, at a run's first look, from the table states the latest seed
    reports of ``instance`` recorded for the state it finds. ``None`` elsewhere."""
    memo = database.memo
    if memo.chain is not None:
        memo.chain.look()
        return memo.chain
    if conn.dialect.name != "sqlite" or not fingerprints.supported(conn):
        return None
    triggers = conn.exec_driver_sql("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'").scalar_one() > 0
    chain = fingerprints.FileChain(fingerprints.sqlite_file(conn), _tables(database.target), triggers)
    if instance is not None:
        for states, _ in _reported(instance, TABLE_STATES):
            if states.get("state") == chain.last:
                chain.tables.update({t: s for t, s in states["tables"].items() if t in chain.tables})
                break
    memo.chain = chain
    return chain


def table_states(database) -> Optional[dict]:
    """SQLite, at the end of a run: ``{"state": ..., "tables": {table: state}}`` of the run's chain, if
    its log is empty (a state closing the last connection does not change)."""
    chain = database.memo.chain
    if chain is None or not chain.look().endswith("/-/-"):
        return None
    return {"state": chain.last, "tables": dict(sorted(chain.tables.items()))}


def wrote(conn: Connection, database) -> None:
    """In a seeding transaction of the run, after its rule: the transaction is the run's own."""
    if database.memo.start is not None and conn.dialect.name == "postgresql":
        database.memo.start.transactions.add(fingerprints.transaction_id(conn))


def tracking(conn: Connection, database, instance: Optional[DagsterInstance]) -> None:
    """At the start of a seeding transaction, once it has its snapshot (SQLite): the files as it finds
    them (``file_chain``), and the tables its statements write from now on (``FileChain.track``)."""
    chain = file_chain(conn, database, instance)
    if chain is not None:
        chain.track(conn)


def commit(conn: Connection, database, written: Optional[set[str]]) -> None:
    """At the end of a seeding transaction of the run that wrote to ``written`` (``None``: to any
    table), on SQLite: commits it and notes the state it left for those tables
    (``FileChain.commit``: its log emptied into the file first, so that the checks' keys and the
    end state are of files that closing a connection leaves as they are). A transaction that wrote
    nothing made no state: it is left to commit as any other, and the files are looked at after.
    Elsewhere nothing (the transaction commits as ever)."""
    chain = database.memo.chain
    if chain is not None and (written is None or written):
        chain.commit(conn, written)


def committed(database, written: Optional[set[str]]) -> None:
    """After a seeding transaction of the run ended (SQLite): its statements no longer tracked, and, if
    it wrote nothing, the files looked at (a write it did not count shows there, as someone else's)."""
    chain = database.memo.chain
    if chain is not None:
        chain.untrack()
        if written is not None and not written:
            chain.look()


def finished(database, asset: str, added: dict[str, int], removed: dict[str, int], unmet: dict[str, int]) -> None:
    """After a seeding transaction of the run committed."""
    start: Optional[RunStart] = database.memo.start
    if start is not None:
        start.net.update(added)
        start.net.subtract(removed)
        start.done.add(asset)
        start.unmet += sum(unmet.values())
    if added or removed:
        database.memo.unchanged_since = None


def record(conn: Connection, database, settings: SeedSettings) -> tuple[Optional[str], str]:
    """At the end of a run (``seed_report``, on a read-only connection): the key of the state it
    leaves, if it may be recorded as a fixpoint, and why (or why not), in one line."""
    memo, target = database.memo, database.target
    start: Optional[RunStart] = memo.start
    if not fingerprints.supported(conn):
        return None, "not recorded: the database keeps no fingerprint (Postgres before 13, or SQLite in memory)"
    if start is None:
        return None, "not recorded: the seeding steps did not all run in this process"
    missing = [d.asset for d in registry.load().values() if d.asset not in start.done]
    if missing:
        return None, f"not recorded: {len(missing)} seeding assets did not run (e.g. {missing[0]})"
    if start.unmet:
        return None, (f"not recorded: {start.unmet} rows could not be made (unmet), which every run surveys "
                      "and reports again")
    if conn.dialect.name == "sqlite":
        return _record_file(database, settings, start)
    if not start.transactions and holding(database) is not None:
        # A recorded fixpoint, found and left as it was: that state is a fixpoint, whoever writes after.
        return (state_key(memo.identity, settings, target, start.prints),
                f"recorded: the state run {memo.unchanged_since} left, found at this run's start; this run wrote nothing")
    if not start.transactions:
        # The run wrote nothing: its end state is its start state if no table changed at all.
        changes = {t: (p, 0) for t, p in fingerprints.table_fingerprints(conn, _tables(target)).items()}
        changed = sorted(t for t, (p, _) in changes.items() if p != start.prints.get(t))
        if changed:
            return None, f"not recorded: others wrote to {', '.join(changed)} meanwhile"
    else:
        changes = fingerprints.changes_since(conn, _tables(target), start.snapshot, start.transactions)
    foreign = {t: n for t, (_, n) in changes.items() if n}
    if foreign:
        return None, f"not recorded: others wrote rows meanwhile ({foreign})"
    counts = {t: rows(p) for t, (p, _) in changes.items()}
    off = {t: n for t, n in counts.items() if n != rows(start.prints.get(t, "0:0")) + start.net.get(t, 0)}
    if off:
        return None, f"not recorded: row counts other than the run's own writes explain ({sorted(off)})"
    prints = {t: p for t, (p, _) in changes.items()}
    memo.fingerprints.update(prints)
    return state_key(memo.identity, settings, target, prints), "recorded: a later run that finds the database so skips its surveys"


def _record_file(database, settings: SeedSettings, start: RunStart) -> tuple[Optional[str], str]:
    """``record`` on SQLite: the files as the run's last commit left them (its log emptied into the
    file), recorded with the counts the run's own writes explain."""
    chain: fingerprints.FileChain = database.memo.chain
    state = chain.look()
    if chain.foreign is not None:
        return None, f"not recorded: {chain.foreign}"
    if not state.endswith("/-/-"):
        return None, "not recorded: a reader held the write-ahead log, which could not be emptied into the file"
    counts = {t: rows(p) + start.net.get(t, 0) for t, p in start.prints.items()}
    prints = {t: f"{n}:{state}" for t, n in counts.items()}
    memo = database.memo
    memo.fingerprints.update(prints)
    return (state_key(memo.identity, settings, database.target, prints),
            "recorded: a later run that finds the database so skips its surveys")

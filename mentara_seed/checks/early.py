"""A stage's checks evaluated while its later assets run (Postgres).

A stage's check step runs once every asset of the stage is written, and the
next stage waits for it. Yet many of its checks read nothing the stage's
later assets write: tier 4's meeting checks, say, once ``enriched_meetings``
is done, while its messages, reports and worksheets are still to come. After
each asset of a stage's step (``assets.stages``), the checks of the run that
belong to the assets done so far and read no table an asset still to run in
the step may write (``registry.Declaration.may_write``) are evaluated on a
thread of their own while the step goes on: the server's work for them
overlaps the rows Python builds for the next asset. The check step then finds
their findings in the run's memo and evaluates only the rest, as it does the
findings an audit summary shares. Nothing else changes: the check step still
reports every check, blocks as before, and the next stage still waits for it.

What is evaluated early:

- checks whose work is the server's: the minimums, and the rules that are one
  query (``IntegrityRule.offenders``). The rules Python recomputes (``find``)
  would take the interpreter and memory of the thread building rows; they
  stay in the check step.
- on Postgres only. On SQLite the run keeps its own account of the database's
  files (``fingerprints.FileChain``) from its seeding transactions; a reader
  looking at them meanwhile would take the seeder's uncommitted log for
  someone else's commit.

A finding evaluated early is kept only if the run has written none of the
tables it reads since just before its snapshot (``RunMemo.keep``): an asset
that wrote a table it did not declare costs that check's evaluation again in
the check step, never a stale finding. Its snapshot is of a moment after
the assets it waited for committed, as the check step's would be; rows
others commit meanwhile are what any moment's snapshot misses.

Its queries run without parallel workers: background work takes one of the
server's cores, not three, beside the seeding's own.

Locks: a batch of early checks reads on one connection, in one read-only
REPEATABLE READ transaction, which first takes ACCESS SHARE on every table
the batch reads, without waiting (``NOWAIT``: if someone holds one of them
exclusively, the batch is left to the check step), and after that waits for
no lock (``lock_timeout``; the batch is then abandoned to the check step).
So it holds its locks and waits for none: it can never be half of a deadlock
with the seeding transaction, which may wait for it (a later asset dropping
a key into one of its tables, ``seeding.deferred``) for as long as the batch
takes. Batches run one at a time, in the order they were started, on one
thread; the check step, and the end of the run, wait for them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import nullcontext
from typing import Optional

from dagster import DagsterInstance, Failure
from sqlalchemy import exc

from mentara_seed import registry
from mentara_seed.checks import incremental
from mentara_seed.resources import MentaraDatabase
from mentara_seed.settings import SeedSettings
from mentara_seed.steps import reading

# How long an early batch may wait for a lock it did not take first (it should never need one).
LOCK_TIMEOUT_MS = 200


class EarlyChecks:
    """The early batches of one run (``RunMemo.early``): a thread running them one after another."""

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="early-checks")
        self.batches: list[Future] = []
        self.started: set[str] = set()  # every check handed to a batch
        self.abandoned: list[str] = []  # why a batch was left to the check step

    def submit(self, batch: Callable[[], None], names: Iterable[str]) -> None:
        self.started.update(names)
        self.batches.append(self.pool.submit(batch))

    def wait(self) -> None:
        """Until every batch started has ended. A batch the database refused is abandoned (``abandoned``);
        any other error is raised here, once."""
        batches, self.batches = self.batches, []
        for batch in batches:
            batch.result()

    def close(self) -> None:
        """At the end of the run: every batch ended (an error of one no step waited for is left unraised:
        nothing used its findings), the thread stopped."""
        self.pool.shutdown(wait=True)
        self.batches = []


def run_checks(context) -> set[str]:
    """The names of the checks the run executes (its job's asset graph; empty where that is unknown)."""
    try:
        keys = context.job_def.asset_layer.asset_graph.asset_check_keys
    except AttributeError:
        return set()
    return {key.name for key in keys}


def eligible(stage: str, done: Iterable[str], remaining: Iterable[str], selected: set[str],
             database: MentaraDatabase, settings: SeedSettings) -> list[str]:
    """The checks of ``stage`` (among ``selected``) that may be evaluated now, the assets ``done`` written and
    ``remaining`` still to run in the step: each belongs to a done asset, is the server's work, reads
    nothing a remaining asset may write, and has neither a finding in the run yet nor a batch. None
    once nothing remains (the check step, next, evaluates more at a time), nor in a run that found the
    database as a complete run left it (``fixpoint``: its check steps pass every check again unread, on
    the fingerprints its first step read, in the snapshot it holds: ``fixpoint.Held``)."""
    from mentara_seed.checks.definitions import CHECK_NAMES, INTEGRITY, MINIMUMS, owner, reads

    memo, early = database.memo, database.memo.early
    done, remaining = set(done), list(remaining)
    if not remaining or memo.unchanged_since is not None:
        return []  # (a database as a complete run left it: its checks pass unread in their steps)
    declared = registry.load()
    written_later = frozenset().union(*(declared[a].may_write for a in remaining if a in declared))
    started = early.started if early is not None else set()
    return [name for name in CHECK_NAMES
            if name in selected and owner(name) in done and registry.stage_of(owner(name)) == stage
            and (name in MINIMUMS or INTEGRITY[name].find is None)
            and not reads(name, settings) & written_later
            and name not in memo.findings and name not in started
            and not (name in MINIMUMS and MINIMUMS[name].name in memo.met)]


def start(names: list[str], after: str, database: MentaraDatabase, settings: SeedSettings,
          instance: Optional[DagsterInstance]) -> None:
    """Evaluate ``names`` on the run's early thread, after the asset ``after``, on Postgres (elsewhere
    nothing: the check step evaluates them)."""
    if not names or database.target is None or database.engine().dialect.name != "postgresql":
        return
    from mentara_seed.checks.definitions import owner

    memo = database.memo
    if memo.early is None:
        memo.early = EarlyChecks()
    if instance is not None:  # (read here: the instance's storage stays on the thread that made it)
        incremental.completed({name: owner(name) for name in names}, instance, memo.completed)
    memo.early.submit(lambda: _batch(names, after, database, settings, instance), names)


def wait(database: MentaraDatabase) -> None:
    """Until the run's early batches have ended, their findings kept or dropped."""
    if database.memo.early is not None:
        database.memo.early.wait()


def _batch(names: list[str], after: str, database: MentaraDatabase, settings: SeedSettings,
           instance: Optional[DagsterInstance]) -> None:
    from mentara_seed.checks.definitions import on_pin, reads

    memo, target = database.memo, database.target
    read = {name: reads(name, settings) for name in names}
    since = memo.written(frozenset().union(*read.values()))  # (before the snapshot: ``RunMemo.keep``)
    try:
        with reading(database) as conn:
            incremental.repeatable_read(conn)
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = {LOCK_TIMEOUT_MS}")
            conn.exec_driver_sql("SET LOCAL max_parallel_workers_per_gather = 0")  # (one core, not three)
            quote = conn.dialect.identifier_preparer.quote
            present = sorted(t for t in since[1] if target.has(t))
            if present:  # (before the snapshot, which the first query takes: no row is read unlocked)
                conn.exec_driver_sql(f"LOCK TABLE {', '.join(map(quote, present))} IN ACCESS SHARE MODE NOWAIT")
            findings = on_pin(incremental.Pin(conn), names, database, settings, instance, lambda: nullcontext(conn),
                              at_once=1)
    except (exc.DBAPIError, Failure) as error:  # a table held by someone (NOWAIT), a lock it would wait for, no connection
        memo.early.abandoned.append(f"{', '.join(names)} after {after}: {_first_line(error)}")
        return
    for finding in findings.values():
        finding.evaluated_after = after
    memo.keep({name: (f, read[name]) for name, f in findings.items()}, since)


def _first_line(error: Exception) -> str:
    return (getattr(error, "description", None) or str(getattr(error, "orig", error))).strip().splitlines()[0]

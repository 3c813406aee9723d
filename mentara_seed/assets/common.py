"""How a generator becomes a Dagster asset, declared once.

``legacy_asset`` and ``enricher`` record the asset in the registry (its stage,
its table, its inputs); ``assets.stages`` builds the assets of each stage from
those records. Every seeding asset does the same around its rule
(``run_step``): it validates the settings before touching the database, runs
the rule in one transaction (so an asset either lands whole or not at all),
and reports what it did as metadata: rows added per table, the owned table's
row count and the deficits found.
"""


import sys
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Optional

import sqlalchemy as sa
from dagster import AssetExecutionContext, DagsterInstance, MaterializeResult, MetadataValue

from mentara_seed import fixpoint, registry, report_tables
from mentara_seed.failpoints import failpoint
from mentara_seed.guard import one_execution_at_a_time
from mentara_seed.requirements import BY_NAME
from mentara_seed.resources import MentaraDatabase, SeedConfig
from mentara_seed.seeding import Seeding
from mentara_seed.seeding.handover import Handover
from mentara_seed.seeding.shards import WHOLE, Shard
from mentara_seed.settings import SeedSettings
from mentara_seed.steps import (
    cycles_collected_after,
    in_one_line,
    note_schema,
    reading,
    release_memory,
    settings_or_fail,
)

Rule = Callable[[Seeding], None]
# Writing steps share this concurrency pool (limit 1 in dagster.yaml), whichever run they belong to.
DATABASE_POOL = "mentara_database"
# A run tagged with this (reset_and_seed_job is) empties every Mentara table before the root asset seeds.
RESET_TAG = "mentara/reset"


def deficits_table(found: dict[str, dict[str, int]], mode: str, version) -> str:
    return report_tables.markdown(
        [{"requirement": name, "rule": BY_NAME[name].describe(mode, version), **values} for name, values in found.items()],
        ["requirement", "rule", "entities", "rows_missing"],
    )


@dataclass
class Outcome:
    """What one unit of work did: an asset's whole run, or one shard of it (shards hand theirs to the
    step that sums them, so it is plain data)."""

    added: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)
    unmet: dict[str, int] = field(default_factory=dict)
    found: dict[str, dict[str, int]] = field(default_factory=dict)
    deferred: list[str] = field(default_factory=list)
    seconds: float = 0.0
    # The run that left the database complete and as this one found it (nothing surveyed: ``fixpoint``).
    unchanged_since: Optional[str] = None
    # The owned table's rows, counted in the unit's transaction before its commit (None: not counted).
    owned_rows: Optional[int] = None

    def __add__(self, other: "Outcome") -> "Outcome":
        def summed(a: dict, b: dict) -> dict:
            return {k: a.get(k, 0) + b.get(k, 0) for k in sorted({*a, *b})}

        found = {name: summed(self.found.get(name, {}), other.found.get(name, {}))
                 for name in [*self.found, *(n for n in other.found if n not in self.found)]}
        return Outcome(summed(self.added, other.added), summed(self.updated, other.updated),
                       summed(self.removed, other.removed), summed(self.unmet, other.unmet), found,
                       sorted({*self.deferred, *other.deferred}), max(self.seconds, other.seconds),
                       self.unchanged_since if self.unchanged_since == other.unchanged_since else None)


def seed_unit(
    asset: str,
    database: MentaraDatabase,
    settings: SeedSettings,
    rule: Rule,
    reset: bool = False,
    shard: Shard = WHOLE,
    defer: bool = True,
    instance: Optional[DagsterInstance] = None,
    owns: Optional[sa.Table] = None,
) -> Outcome:
    """``rule`` in one transaction (for the entities of ``shard``): what it added, found and left unmet.
    ``defer``: the bulk path for (nearly) empty tables, where no other unit of work writes at once.
    ``instance``: the in-process run's Dagster instance, where a database left complete by an earlier
    run is recognised (``fixpoint``): then the rule is not run, and the outcome says since when.
    ``owns``: the table whose rows the outcome counts, in the transaction (``Outcome.owned_rows``)."""
    unit = Unit(asset, database, settings, rule, reset, shard, defer, instance, owns)
    with in_one_line(), cycles_collected_after():
        unit.generate()
        return unit.conclude(unit.end())


class Unit:
    """One unit of work in its three parts: ``generate`` (the rule, in the transaction), ``end`` (the
    deferred rebuilds, the statistics, the commit: the database's work, which may run on a thread while
    the next unit generates, ``seeding.handover``) and ``conclude`` (what the run remembers of it)."""

    def __init__(self, asset: str, database: MentaraDatabase, settings: SeedSettings, rule: Rule,
                 reset: bool = False, shard: Shard = WHOLE, defer: bool = True,
                 instance: Optional[DagsterInstance] = None, owns: Optional[sa.Table] = None) -> None:
        self.asset, self.database, self.settings, self.rule = asset, database, settings, rule
        self.reset, self.shard, self.defer, self.instance, self.owns = reset, shard, defer, instance, owns
        self.started = time.perf_counter()
        self.seeding: Optional[Seeding] = None
        self.unchanged_since: Optional[str] = None
        self.ended = self.started
        self._transaction = ExitStack()
        self._transaction_id: Optional[int] = None

    def generate(self, after: Optional[Handover] = None) -> None:
        """Open the transaction and run the rule (unless the database is a recognised fixpoint).
        ``after``: an earlier unit still ending; this one's statements naming its tables wait for it."""
        database, memo = self.database, self.database.memo
        conn = self._transaction.enter_context(database.transaction(reset=self.reset))
        try:
            if after is not None:
                after.guard(conn)
            one_execution_at_a_time(conn, f"{self.asset}/{self.shard.key}")
            self.seeding = seeding = Seeding(conn, self.settings, database.target, self.shard, defer=self.defer,
                                             after=after)
            if self.instance is not None and self.shard == WHOLE:
                fixpoint.begin(conn, database, self.settings, self.instance, self.reset)
            self.unchanged_since = memo.unchanged_since if self.instance is not None and not self.reset else None
            if self.unchanged_since is None:
                self.rule(seeding)
        except BaseException:
            self._transaction.__exit__(*sys.exc_info())
            raise

    def written(self) -> set[str]:
        seeding = self.seeding
        return {*seeding.added, *seeding.updated, *seeding.removed}

    def tables(self) -> set[str]:
        """What a later unit must not read or lock before this one ends: the tables it wrote, deferred
        (with those whose keys went with a deferred primary key) or owns."""
        return {*self.written(), *self.seeding.writer.deferred.tables, *([self.owns.name] if self.owns is not None else [])}

    def end(self) -> Optional[int]:
        """Rebuild what was deferred, refresh the statistics, count the owned table's rows, commit.
        Touches nothing of the memo (it may run on a thread): ``conclude`` does that."""
        seeding, database = self.seeding, self.database
        try:
            conn = seeding.conn
            owned_rows = None
            if self.unchanged_since is None:
                seeding.finish()
                if seeding.added or seeding.updated or seeding.removed or self.reset:
                    self._transaction_id = fixpoint.transaction_id(conn, database)
            if self.owns is not None and database.target.has(self.owns):
                known = database.memo.fingerprints.get(self.owns.name) if self.unchanged_since else None
                owned_rows = (fixpoint.rows(known) if known is not None
                              else conn.execute(sa.select(sa.func.count()).select_from(self.owns)).scalar_one())
            failpoint(f"before_commit:{self.asset}")
        except BaseException:
            self._transaction.__exit__(*sys.exc_info())
            raise
        self._transaction.close()  # the commit
        self.ended = time.perf_counter()
        failpoint(f"after_commit:{self.asset}")
        return owned_rows

    def end_on_thread(self) -> Handover[Optional[int]]:
        """``end`` on a thread of its own, while the step goes on to the next unit (``seeding.handover``).
        The memo forgets what this unit wrote at once, as it would after its commit.

        First, here, the transaction takes the one lock its end needs that it may not hold yet: a share
        lock on the owned table it counts (a rule may have left it alone). Otherwise the next unit,
        dropping a foreign key that refers to that table (which locks it exclusively), would make the
        end wait for it, while the step waits for the end."""
        if self.owns is not None and self.database.target.has(self.owns):
            with self.seeding.writer.deferred.lookups(primary_key=False):  # a lock, not a read
                self.seeding.conn.exec_driver_sql(f'LOCK TABLE "{self.owns.name}" IN ACCESS SHARE MODE')
        self._forget_written()
        return Handover(self.asset, self.tables(), self.end, cancel=self.cancel)

    def cancel(self) -> None:
        """Cancel the statement the unit's connection is running, from another thread (the end, on a step
        interrupted meanwhile: its transaction is then rolled back)."""
        self.seeding.conn.connection.driver_connection.cancel_safe()

    def abandon(self) -> None:
        """Roll back a unit generated but never ended (its step interrupted in between)."""
        try:
            raise RuntimeError(f"{self.asset} abandoned")
        except RuntimeError:
            self._transaction.__exit__(*sys.exc_info())

    def _forget_written(self) -> None:
        written = self.written()
        self.database.memo.forget(written)
        if written:
            self.database.memo.unchanged_since = None

    def conclude(self, owned_rows: Optional[int]) -> Outcome:
        """After the commit, in the step's thread: what the run remembers (``fixpoint``, the memo)."""
        seeding, database, memo = self.seeding, self.database, self.database.memo
        release_memory()
        if self._transaction_id is not None:
            fixpoint.wrote(database, self._transaction_id)
        if self.reset:
            memo.forget_everything()
            memo.unchanged_since = None
        self._forget_written()
        fixpoint.finished(database, self.asset, seeding.added, seeding.removed, seeding.unmet)
        if not seeding.added and not seeding.updated and not seeding.removed:
            # Nothing written: what this step found nobody short of holds until a later step writes its tables.
            memo.met.update({name: BY_NAME[name].tables for name, f in seeding.found.items() if f["entities"] == 0})
        return Outcome(dict(sorted(seeding.added.items())), dict(sorted(seeding.updated.items())),
                       dict(sorted(seeding.removed.items())), {k: n for k, n in sorted(seeding.unmet.items()) if n},
                       seeding.found, list(seeding.writer.deferred.tables), self.ended - self.started,
                       self.unchanged_since, owned_rows)


def materialization(context, asset: str, database: MentaraDatabase, settings: SeedSettings,
                    owns: Optional[sa.Table], outcome: Outcome, shards: int = 1) -> dict:
    """The asset's one log line and its metadata, from what its unit(s) of work did."""
    row_count = outcome.owned_rows
    with reading(database) as conn:  # (which also tells a step that wrote nothing what the target is)
        if row_count is None and owns is not None and database.target.has(owns):
            row_count = conn.execute(sa.select(sa.func.count()).select_from(owns)).scalar_one()
    note_schema(context.log, database)
    added, version = outcome.added, database.target.version
    # One line per step (each log line is an event Dagster stores): what was added, where.
    context.log.info(
        f"Added {sum(added.values())} rows" + (f": {added}" if added else "")
        + (f" in {shards} shards" if shards > 1 else "")
        + (f"; {owns.name} has {row_count} rows" if row_count is not None else "")
        + f". Target: {database.describe()}, Mentara {version} ({settings.describe()})"
        + (f". Nothing surveyed: the database is as run {outcome.unchanged_since} left it, complete, with the "
           "same settings and code" if outcome.unchanged_since else "")
    )
    if outcome.unmet:
        context.log.warning(f"Rows that could not be made (no valid parent): {outcome.unmet}")
    metadata = {
        "rows_added": MetadataValue.json(added),
        "rows_added_total": sum(added.values()),
        "rows_updated": MetadataValue.json(outcome.updated),
        "rows_removed": MetadataValue.json(outcome.removed),
        "deficits_found": MetadataValue.md(deficits_table(outcome.found, settings.mode, version)),
        "unmet": MetadataValue.json(outcome.unmet),
        # The (nearly) empty tables loaded without index (and foreign-key) upkeep, rebuilt after.
        "deferred_indexes": MetadataValue.json(outcome.deferred),
        "target": database.describe(),
        "schema": str(version),
        "settings": settings.describe(),
        "duration_s": round(outcome.seconds, 3),
    }
    if shards > 1:
        metadata["shards"] = shards
    if outcome.unchanged_since:
        metadata["unchanged_since_run"] = outcome.unchanged_since
    if row_count is not None:
        metadata["dagster/row_count"] = row_count
    return metadata


def log_reset(log, database: MentaraDatabase) -> None:
    """The one line a reset leaves in the run's log (whichever process did it)."""
    log.warning(f"Reset: emptied every Mentara table of {database.describe()}")


def begin_step(
    context: AssetExecutionContext,
    asset: str,
    database: MentaraDatabase,
    seed_config: SeedConfig,
    rule: Rule,
    owns: Optional[sa.Table],
    reset: bool = False,
    after: Optional[Handover] = None,
) -> Unit:
    """The seeding asset ``asset``'s unit of work, generated: ``rule`` run in its transaction, still open.
    ``after``: the stage's previous unit, still ending on its thread. End it with ``end_step`` (here) or
    ``Unit.end_on_thread``, then ``step_result``."""
    settings = settings_or_fail(database, seed_config)
    unit = Unit(asset, database, settings, rule, reset, instance=context.instance, owns=owns)
    with in_one_line(), cycles_collected_after():
        unit.generate(after)
    return unit


def end_step(unit: Unit, handover: Optional[Handover] = None) -> Optional[int]:
    """The unit's end (rebuilds, statistics, commit), here or, with ``handover``, as its thread did it."""
    with in_one_line():
        return handover.result() if handover is not None else unit.end()


def step_result(context: AssetExecutionContext, unit: Unit, owned_rows: Optional[int]) -> MaterializeResult:
    """The asset's materialization, once its unit committed."""
    outcome = unit.conclude(owned_rows)
    if unit.reset:
        log_reset(context.log, unit.database)
    return MaterializeResult(asset_key=unit.asset, metadata=materialization(
        context, unit.asset, unit.database, unit.settings, unit.owns, outcome))


def legacy_asset(name: str, *, owns: sa.Table, inputs: Sequence[str] = (), resettable: bool = False,
                 shard_by: Optional[str] = None):
    """Declare ``rule`` (a function of a ``Seeding``) as the legacy generator ``name``, a root of the
    lineage (group ``legacy``) taking rows from ``inputs``. The rule's docstring becomes the asset's
    description in the UI. In a run tagged ``mentara/reset=true``, the ``resettable`` generator
    first empties every Mentara table. ``shard_by`` names what a shard owns when the asset runs as
    shards (``seeding.shards``): the rule makes rows only for its shard's entities."""

    def decorator(rule: Rule) -> Rule:
        registry.declare(registry.Declaration(name, None, owns.name, tuple(inputs), rule, table=owns,
                                              resettable=resettable, shard_by=shard_by))
        return rule

    return decorator


def enricher(name: str, *, tier: int, owns: sa.Table, inputs: Sequence[str] = (), shard_by: Optional[str] = None):
    """Declare ``rule`` as the enricher ``name``: the asset ``enriched_<name>`` of group ``tier<N>``,
    after its tier's entry asset and the assets in ``inputs`` whose rows it needs. Requirements
    name it by ``name``; its checks run in the ``tier<N>_checks`` step. ``shard_by``: as for
    ``legacy_asset``."""

    def decorator(rule: Rule) -> Rule:
        registry.declare(registry.Declaration(f"enriched_{name}", tier, owns.name, tuple(inputs), rule, name,
                                              table=owns, shard_by=shard_by))
        return rule

    return decorator

"""How a generator becomes a Dagster asset, declared once.

``legacy_asset`` and ``enricher`` record the asset in the registry (its stage,
its table, its inputs); ``assets.stages`` builds the assets of each stage from
those records. Every seeding asset does the same around its rule
(``run_step``): it validates the settings before touching the database, runs
the rule in one transaction (so an asset either lands whole or not at all),
and reports what it did as metadata: rows added per table, the owned table's
row count and the deficits found.
"""


import time
from collections.abc import Callable, Sequence
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
from mentara_seed.seeding.shards import WHOLE, Shard
from mentara_seed.settings import SeedSettings
from mentara_seed.steps import (
    cycles_collected_after,
    in_one_line,
    note_schema,
    reading,
    release_memory,
    settings_or_fail,
    workers_or_fail,
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
    # Items of its generators built by worker processes (``seeding.parallel``).
    built_by_workers: int = 0

    def __add__(self, other: "Outcome") -> "Outcome":
        def summed(a: dict, b: dict) -> dict:
            return {k: a.get(k, 0) + b.get(k, 0) for k in sorted({*a, *b})}

        found = {name: summed(self.found.get(name, {}), other.found.get(name, {}))
                 for name in [*self.found, *(n for n in other.found if n not in self.found)]}
        return Outcome(summed(self.added, other.added), summed(self.updated, other.updated),
                       summed(self.removed, other.removed), summed(self.unmet, other.unmet), found,
                       sorted({*self.deferred, *other.deferred}), max(self.seconds, other.seconds),
                       self.unchanged_since if self.unchanged_since == other.unchanged_since else None,
                       self.built_by_workers + other.built_by_workers)


def seed_unit(
    asset: str,
    database: MentaraDatabase,
    settings: SeedSettings,
    rule: Rule,
    reset: bool = False,
    shard: Shard = WHOLE,
    defer: bool = True,
    instance: Optional[DagsterInstance] = None,
    workers: int = 0,
) -> Outcome:
    """``rule`` in one transaction (for the entities of ``shard``): what it added, found and left unmet.
    ``defer``: the bulk path for (nearly) empty tables, where no other unit of work writes at once.
    ``instance``: the in-process run's Dagster instance, where a database left complete by an earlier
    run is recognised (``fixpoint``): then the rule is not run, and the outcome says since when.
    ``workers``: processes forked to build rows beside this one (``seeding.parallel``)."""
    started = time.perf_counter()
    memo = database.memo
    if instance is not None and not reset and shard == WHOLE and memo.began and memo.unchanged_since is not None:
        # A later step of a run that found the database as a complete run left it (``fixpoint``): nothing
        # to survey or write, so no transaction either (the first step took the run lock and vetted the target).
        fixpoint.finished(database, asset, {}, {}, {})
        return Outcome(seconds=time.perf_counter() - started, unchanged_since=memo.unchanged_since)
    with in_one_line(), cycles_collected_after():
        with database.transaction(reset=reset) as conn:
            one_execution_at_a_time(conn, f"{asset}/{shard.key}")
            seeding = Seeding(conn, settings, database.target, shard, defer=defer, workers=workers)
            fixpoint.tracking(conn, database, instance)  # (SQLite: the files as this transaction finds them)
            if instance is not None and shard == WHOLE:
                fixpoint.begin(conn, database, settings, instance, reset)
            unchanged_since = memo.unchanged_since if instance is not None and not reset else None
            if unchanged_since is None:
                rule(seeding)
                seeding.finish()
                if seeding.added or seeding.updated or seeding.removed or reset:
                    fixpoint.wrote(conn, database)
            failpoint(f"before_commit:{asset}")
            # (SQLite: a removal may cascade to other tables, so it stands for a write to any.)
            counted = None if reset or seeding.removed else {*seeding.added, *seeding.updated}
            fixpoint.commit(conn, database, counted)
    fixpoint.committed(database, counted)
    failpoint(f"after_commit:{asset}")
    release_memory()
    if reset:
        memo.forget_everything()
        memo.unchanged_since = None
    written = {*seeding.added, *seeding.updated, *seeding.removed}
    memo.forget(written)
    if written:
        memo.unchanged_since = None
    fixpoint.finished(database, asset, seeding.added, seeding.removed, seeding.unmet)
    if not seeding.added and not seeding.updated and not seeding.removed:
        # Nothing written: what this step found nobody short of holds until a later step writes its tables.
        database.memo.met.update({name: BY_NAME[name].tables for name, f in seeding.found.items() if f["entities"] == 0})
    return Outcome(dict(sorted(seeding.added.items())), dict(sorted(seeding.updated.items())),
                   dict(sorted(seeding.removed.items())), {k: n for k, n in sorted(seeding.unmet.items()) if n},
                   seeding.found, list(seeding.writer.deferred.tables), time.perf_counter() - started,
                   unchanged_since, seeding.built_by_workers)


def materialization(context, asset: str, database: MentaraDatabase, settings: SeedSettings,
                    owns: Optional[sa.Table], outcome: Outcome, shards: int = 1) -> dict:
    """The asset's one log line and its metadata, from what its unit(s) of work did."""
    row_count = None
    known = database.memo.fingerprints.get(owns.name) if owns is not None and outcome.unchanged_since else None
    if known is not None and database.target is not None:  # (read at the run's first step: ``fixpoint``)
        row_count = fixpoint.rows(known) if database.target.has(owns) else None
    else:
        with reading(database) as conn:  # (which also tells a step that wrote nothing what the target is)
            if owns is not None and database.target.has(owns):
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
    if outcome.built_by_workers:
        metadata["built_by_workers"] = outcome.built_by_workers  # items, of its generators' (``seeding.parallel``)
    if outcome.unchanged_since:
        metadata["unchanged_since_run"] = outcome.unchanged_since
    if row_count is not None:
        metadata["dagster/row_count"] = row_count
    return metadata


def log_reset(log, database: MentaraDatabase) -> None:
    """The one line a reset leaves in the run's log (whichever process did it)."""
    log.warning(f"Reset: emptied every Mentara table of {database.describe()}")


def run_step(
    context: AssetExecutionContext,
    asset: str,
    database: MentaraDatabase,
    seed_config: SeedConfig,
    rule: Rule,
    owns: Optional[sa.Table],
    reset: bool = False,
) -> MaterializeResult:
    """Materialize the seeding asset ``asset``: ``rule`` in one transaction, and its metadata."""
    settings = settings_or_fail(database, seed_config)
    workers = workers_or_fail(seed_config)
    outcome = seed_unit(asset, database, settings, rule, reset=reset, instance=context.instance, workers=workers)
    if reset:
        log_reset(context.log, database)
    return MaterializeResult(asset_key=asset,
                             metadata=materialization(context, asset, database, settings, owns, outcome))


def legacy_asset(name: str, *, owns: sa.Table, inputs: Sequence[str] = (), resettable: bool = False,
                 shard_by: Optional[str] = None, writes: Sequence[sa.Table] = ()):
    """Declare ``rule`` (a function of a ``Seeding``) as the legacy generator ``name``, a root of the
    lineage (group ``legacy``) taking rows from ``inputs``. The rule's docstring becomes the asset's
    description in the UI. In a run tagged ``mentara/reset=true``, the ``resettable`` generator
    first empties every Mentara table. ``shard_by`` names what a shard owns when the asset runs as
    shards (``seeding.shards``): the rule makes rows only for its shard's entities. ``writes``: the
    other tables it adds to, updates or deletes from (``registry.Declaration.writes``)."""

    def decorator(rule: Rule) -> Rule:
        registry.declare(registry.Declaration(name, None, owns.name, tuple(inputs), rule, table=owns,
                                              resettable=resettable, shard_by=shard_by,
                                              writes=tuple(t.name for t in writes)))
        return rule

    return decorator


def enricher(name: str, *, tier: int, owns: sa.Table, inputs: Sequence[str] = (), shard_by: Optional[str] = None,
             writes: Sequence[sa.Table] = ()):
    """Declare ``rule`` as the enricher ``name``: the asset ``enriched_<name>`` of group ``tier<N>``,
    after its tier's entry asset and the assets in ``inputs`` whose rows it needs. Requirements
    name it by ``name``; its checks run in the ``tier<N>_checks`` step. ``shard_by``: as for
    ``legacy_asset``."""

    def decorator(rule: Rule) -> Rule:
        registry.declare(registry.Declaration(f"enriched_{name}", tier, owns.name, tuple(inputs), rule, name,
                                              table=owns, shard_by=shard_by, writes=tuple(t.name for t in writes)))
        return rule

    return decorator

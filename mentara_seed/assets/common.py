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
from typing import Optional

import sqlalchemy as sa
from dagster import AssetExecutionContext, MaterializeResult, MetadataValue

from mentara_seed import registry, report_tables
from mentara_seed.failpoints import failpoint
from mentara_seed.requirements import BY_NAME
from mentara_seed.resources import MentaraDatabase, SeedConfig
from mentara_seed.seeding import Seeding
from mentara_seed.steps import in_one_line, note_schema, release_memory, settings_or_fail

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
    started = time.perf_counter()
    with in_one_line():
        with database.transaction(reset=reset) as conn:
            if reset:
                context.log.warning(f"Reset: emptied every Mentara table of {database.describe()}")
            seeding = Seeding(conn, settings, database.target)
            rule(seeding)
            seeding.finish()
            present = owns is not None and database.target.has(owns)
            row_count = seeding.count(owns) if present else None
            failpoint(f"before_commit:{asset}")
    failpoint(f"after_commit:{asset}")
    release_memory()
    note_schema(context.log, database)
    database.memo.forget({*seeding.added, *seeding.updated, *seeding.removed})
    if not seeding.added and not seeding.updated and not seeding.removed:
        # Nothing written: what this step found nobody short of holds until a later step writes its tables.
        database.memo.met.update({name: BY_NAME[name].tables for name, f in seeding.found.items() if f["entities"] == 0})
    added = dict(sorted(seeding.added.items()))
    unmet = {name: n for name, n in sorted(seeding.unmet.items()) if n}
    version = database.target.version
    # One line per step (each log line is an event Dagster stores): what was added, where.
    context.log.info(
        f"Added {sum(added.values())} rows" + (f": {added}" if added else "")
        + (f"; {owns.name} has {row_count} rows" if row_count is not None else "")
        + f". Target: {database.describe()}, Mentara {version} ({settings.describe()})"
    )
    if unmet:
        context.log.warning(f"Rows that could not be made (no valid parent): {unmet}")
    metadata = {
        "rows_added": MetadataValue.json(added),
        "rows_added_total": sum(added.values()),
        "rows_updated": MetadataValue.json(dict(sorted(seeding.updated.items()))),
        "rows_removed": MetadataValue.json(dict(sorted(seeding.removed.items()))),
        "deficits_found": MetadataValue.md(deficits_table(seeding.found, settings.mode, version)),
        "unmet": MetadataValue.json(unmet),
        # The (nearly) empty tables loaded without index (and foreign-key) upkeep, rebuilt after.
        "deferred_indexes": MetadataValue.json(seeding.writer.deferred.tables),
        "target": database.describe(),
        "schema": str(version),
        "settings": settings.describe(),
        "duration_s": round(time.perf_counter() - started, 3),
    }
    if row_count is not None:
        metadata["dagster/row_count"] = row_count
    return MaterializeResult(asset_key=asset, metadata=metadata)


def legacy_asset(name: str, *, owns: sa.Table, inputs: Sequence[str] = (), resettable: bool = False):
    """Declare ``rule`` (a function of a ``Seeding``) as the legacy generator ``name``, a root of the
    lineage (group ``legacy``) taking rows from ``inputs``. The rule's docstring becomes the asset's
    description in the UI. In a run tagged ``mentara/reset=true``, the ``resettable`` generator
    first empties every Mentara table."""

    def decorator(rule: Rule) -> Rule:
        registry.declare(registry.Declaration(name, None, owns.name, tuple(inputs), rule, table=owns,
                                              resettable=resettable))
        return rule

    return decorator


def enricher(name: str, *, tier: int, owns: sa.Table, inputs: Sequence[str] = ()):
    """Declare ``rule`` as the enricher ``name``: the asset ``enriched_<name>`` of group ``tier<N>``,
    after its tier's entry asset and the assets in ``inputs`` whose rows it needs. Requirements
    name it by ``name``; its checks run in the ``tier<N>_checks`` step."""

    def decorator(rule: Rule) -> Rule:
        registry.declare(registry.Declaration(f"enriched_{name}", tier, owns.name, tuple(inputs), rule, name,
                                              table=owns))
        return rule

    return decorator

"""The seeding assets of each stage, as one step: ``legacy_assets``, ``tier1_assets`` ... (from the registry).

Every seeding asset keeps its own key, group, inputs, description and
materialization; what a stage shares is the step that materializes them, one
after another in the order Dagster would run them. A step costs Dagster tens
of milliseconds of bookkeeping (more with a Postgres instance), and the
stage's assets run one at a time anyway (they share the database pool), so
seven steps instead of 36 are seconds off every run. Any subset can be
selected (``--select 'tier3*'``, one asset in the UI); an asset that fails
stops only the stage's assets that take rows from it, and fails the step
after the others have run, as separate steps would. After each asset, the
stage's checks that nothing still to run in the step may change are
evaluated on a thread of their own while the step goes on (``checks.early``).

Each tier also has its entry asset, ``tier1`` ... ``tier6``: it gives its tier
a key of its own, so ``--select 'tier3*'`` means "tier 3 and everything
downstream of it", and orders the tiers. A tier starts only after every asset
of the stage before (the legacy leaves, or the enrichers of the tier before)
and their blocking checks. The entry adds no rows (the tier's enrichers
record the deficits they find, each in its own metadata); as the first asset
of a ``tierN*`` run it is the one that takes the run lock and vets the
target.
"""

from collections.abc import Iterator
from typing import Optional

from dagster import AssetExecutionContext, AssetsDefinition, AssetSpec, MaterializeResult, multi_asset

from mentara_seed import registry
from mentara_seed.assets.common import DATABASE_POOL, RESET_TAG, run_step
from mentara_seed.checks import early
from mentara_seed.resources import MentaraDatabase, SeedConfig
from mentara_seed.steps import settings_or_fail


def _entry(tier: int) -> AssetSpec:
    guaranteed = ", ".join(d.asset for d in registry.enrichers(tier))
    return AssetSpec(
        f"tier{tier}", group_name=f"tier{tier}", deps=registry.tier_inputs(tier), kinds={"sql"},
        description=f"Entry of enrichment tier {tier} ({guaranteed}). Orders the tiers and gives "
        f"`--select 'tier{tier}*'` its key; adds no rows.",
    )


def _spec(declaration: registry.Declaration) -> AssetSpec:
    entry = [f"tier{declaration.tier}"] if declaration.tier is not None else []
    return AssetSpec(
        declaration.asset, group_name=declaration.stage, deps=[*entry, *declaration.inputs], kinds={"sql"},
        description=declaration.rule.__doc__, tags={"mentara/table": declaration.owns},
    )


def _enters(s) -> None:
    """A tier's entry: through the same step as every seeding asset (settings, guard and lock, the
    standard metadata), with nothing to do; in a `tierN*` run it is the one that vets the target."""


def stage_assets(stage: str) -> AssetsDefinition:
    declarations = registry.in_stage(stage)
    tier = declarations[0].tier
    entry = [] if tier is None else [registry.Declaration(f"tier{tier}", tier, "", (), _enters)]
    specs = ([_entry(tier)] if entry else []) + [_spec(d) for d in declarations]
    # Each asset of the stage, in order, with the assets of the stage it takes rows from.
    steps = [(d, {e.asset for e in entry} | set(d.inputs)) for d in [*entry, *declarations]]

    @multi_asset(name=f"{stage}_assets", specs=specs, can_subset=True, pool=DATABASE_POOL,
                 description=f"The seeding assets of {stage}, one after another.")
    def _stage(context: AssetExecutionContext, database: MentaraDatabase,
               seed_config: SeedConfig) -> Iterator[MaterializeResult]:
        selected = {key.to_user_string() for key in context.selected_asset_keys}
        order = [d.asset for d, _ in steps if d.asset in selected]
        checks = early.run_checks(context)
        failed: set[str] = set()
        first_error: Optional[Exception] = None
        for d, upstream in steps:
            if d.asset not in selected:
                continue
            if upstream & failed:
                context.log.error(f"{d.asset} not materialized: it takes rows from "
                                  f"{', '.join(sorted(upstream & failed))}, which failed")
                failed.add(d.asset)
                continue
            reset = d.resettable and context.run.tags.get(RESET_TAG) == "true"
            try:
                yield run_step(context, d.asset, database, seed_config, d.rule, d.table, reset=reset)
            except Exception as error:  # raised once the assets that do not need this one have run
                failed.add(d.asset)
                first_error = first_error or error
                continue
            # The stage's checks that nothing still to run here may change: evaluated meanwhile.
            done, settings = order[:order.index(d.asset) + 1], settings_or_fail(database, seed_config)
            early.start(early.eligible(stage, set(done) - failed, order[len(done):], checks, database, settings),
                        d.asset, database, settings, context.instance)
        if first_error is not None:
            raise first_error

    return _stage


STAGE_ASSETS = [stage_assets(stage) for stage in registry.stages()]

"""The entry asset of each enrichment tier: ``tier1`` ... ``tier5``, derived from the registry.

Each gives its tier a key of its own, so ``--select 'tier3*'`` means "tier 3
and everything downstream of it", and orders the tiers: a tier starts only
after every asset of the stage before (the legacy leaves, or the enrichers of
the tier before) and their blocking checks. It adds no rows (the tier's
enrichers record the deficits they find, each in its own metadata); as the
first step of a ``tierN*`` run it is the step that takes the run lock and vets
the target.
"""

from dagster import AssetExecutionContext, MaterializeResult, asset

from mentara_seed import registry
from mentara_seed.assets.common import DATABASE_POOL, run_step
from mentara_seed.resources import MentaraDatabase, SeedConfig


def tier_asset(tier: int):
    guaranteed = ", ".join(d.asset for d in registry.enrichers(tier))

    @asset(
        name=f"tier{tier}",
        group_name=f"tier{tier}",
        deps=registry.tier_inputs(tier),
        description=f"Entry of enrichment tier {tier} ({guaranteed}). Orders the tiers and gives "
        f"`--select 'tier{tier}*'` its key; adds no rows.",
        kinds={"sql"},
        pool=DATABASE_POOL,
    )
    def _tier(context: AssetExecutionContext, database: MentaraDatabase, seed_config: SeedConfig) -> MaterializeResult:
        # Through the same step as every seeding asset (settings, guard and lock, the standard
        # metadata), with nothing to do: in a `tierN*` run it is the step that vets the target.
        return run_step(context, database, seed_config, lambda s: None, owns=None)

    return _tier


TIER_ASSETS = [tier_asset(t) for t in registry.tiers()]

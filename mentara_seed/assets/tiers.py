"""The entry asset of each enrichment tier: ``tier1`` ... ``tier5``.

Each gives its tier a key of its own, so ``--select 'tier3*'`` means "tier 3
and everything downstream of it", and orders the tiers: a tier starts only
after every enricher of the tier before. It reads and writes nothing (the
tier's enrichers record the deficits they find, each in its own metadata), so
it costs a run little more than one step.
"""


from dagster import AssetExecutionContext, MaterializeResult, asset

from mentara_seed.assets.common import run_step
from mentara_seed.requirements import TIERS, for_tier
from mentara_seed.resources import MentaraDatabase, SeedConfig

# What each tier waits for: the legacy leaves, then the enrichers of the tier before.
TIER_DEPS = {
    1: ["content", "therapy"],
    2: ["enriched_memberships", "enriched_relationships", "enriched_availability"],
    3: ["enriched_assessments", "enriched_posts"],
    4: ["enriched_comments", "enriched_hearts"],
    5: ["enriched_meetings", "enriched_worksheets", "enriched_messages"],
}


def tier_asset(tier: int):
    requirements = for_tier(tier)

    @asset(
        name=f"tier{tier}",
        group_name=f"tier{tier}",
        deps=TIER_DEPS[tier],
        description=f"Entry of enrichment tier {tier}, whose enrichers guarantee "
        + ", ".join(r.name for r in requirements)
        + ". Orders the tiers and gives `--select 'tier" + str(tier) + "*'` its key; reads and writes nothing.",
        kinds={"sql"},
    )
    def _tier(context: AssetExecutionContext, database: MentaraDatabase, seed_config: SeedConfig) -> MaterializeResult:
        # Through the same step as every seeding asset (settings, guard and lock, the standard
        # metadata), with nothing to do: in a `tierN*` run it is the step that vets the target.
        return run_step(context, database, seed_config, lambda s: None, owns=None)

    return _tier


tier1, tier2, tier3, tier4, tier5 = (tier_asset(t) for t in TIERS)

"""Jobs: the old npm seed commands, as asset selections."""

from dagster import AssetSelection, define_asset_job

from mentara_seed.requirements import TIERS

ENRICHMENT = AssetSelection.groups(*(f"tier{t}" for t in TIERS), "report")

seed_job = define_asset_job(
    "seed_job",
    selection=AssetSelection.all(),
    description="Everything (the old `npm run db:seed`): the legacy generators, then the five enrichment tiers.",
)

enrich_job = define_asset_job(
    "enrich_job",
    selection=ENRICHMENT,
    description="The twelve enrichers, their tier entries and the closing report, legacy skipped "
    "(the old `npm run db:seed:dynamic`).",
)

audit_job = define_asset_job(
    "audit_job",
    selection=AssetSelection.all_asset_checks(),
    description="Every check and nothing else (the old `npm run db:seed:dynamic:audit`): reports each "
    "deficit and rule violation, writes nothing, fails if anything is missing.",
)

"""Jobs: the old npm seed commands, as asset selections."""

from dagster import AssetSelection, define_asset_job

from mentara_seed import registry
from mentara_seed.assets.common import RESET_TAG

# The instance allows one queued run at a time per value of this tag (dagster.yaml).
DATABASE_TAG = {"mentara/database": "default"}

EVERYTHING = AssetSelection.all()
ENRICHMENT = AssetSelection.groups(*(stage for stage in registry.stages() if stage != registry.LEGACY), "report")
AUDIT_SELECTION = AssetSelection.all_asset_checks()

seed_job = define_asset_job(
    "seed_job",
    run_tags=DATABASE_TAG,
    selection=EVERYTHING,
    description="Everything (the old `npm run db:seed`): the legacy generators, then the six enrichment tiers.",
)

enrich_job = define_asset_job(
    "enrich_job",
    run_tags=DATABASE_TAG,
    selection=ENRICHMENT,
    description="Every enricher, the tier entries and the closing report, legacy skipped "
    "(the old `npm run db:seed:dynamic`).",
)

reset_and_seed_job = define_asset_job(
    "reset_and_seed_job",
    run_tags={**DATABASE_TAG, RESET_TAG: "true"},
    selection=EVERYTHING,
    description="The old `npm run db:reset`: empty every Mentara table (keeping the schema Prisma owns, "
    "creating what is missing), then seed and verify. Refused on production databases.",
)

audit_job = define_asset_job(
    "audit_job",
    selection=AUDIT_SELECTION,
    description="Every check and nothing else (the old `npm run db:seed:dynamic:audit`): reports each "
    "deficit and rule violation, writes nothing, fails if anything is missing.",
)

"""The one Definitions of the mentara_seed code location."""

from dagster import Definitions, in_process_executor, load_assets_from_package_module

from mentara_seed import assets, registry
from mentara_seed.checks.audit import database_audit
from mentara_seed.checks.definitions import STAGE_CHECKS
from mentara_seed.jobs import audit_job, enrich_job, reset_and_seed_job, seed_job
from mentara_seed.resources import MentaraDatabase, SeedConfig
from mentara_seed.schedules import nightly_staging_refresh_schedule

registry.load()

defs = Definitions(
    assets=load_assets_from_package_module(assets),
    asset_checks=[*STAGE_CHECKS, database_audit],
    jobs=[seed_job, enrich_job, reset_and_seed_job, audit_job],
    schedules=[nightly_staging_refresh_schedule],
    resources={"database": MentaraDatabase(), "seed_config": SeedConfig()},
    # Steps share one database and run one after another anyway; a process per
    # step would cost about a second each for nothing (see README, "Steps and executor").
    executor=in_process_executor,
)

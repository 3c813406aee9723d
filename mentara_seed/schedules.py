"""The nightly staging refresh.

Configured from the environment of the process that loads the code location
(the daemon): ``MENTARA_STAGING_DATABASE_URL`` (the target; read at run time,
never copied into run config), ``MENTARA_STAGING_CRON`` (default ``0 3 * * *``),
``MENTARA_STAGING_TIMEZONE`` (default ``UTC``) and ``MENTARA_STAGING_REFRESH``:
``top-up`` (default: enrich and verify) or ``rebuild`` (reset and seed).
The staging host must be listed in ``MENTARA_SEED_ALLOWED_HOSTS``.
"""

import os
from collections.abc import Mapping
from typing import Optional

from dagster import (
    DefaultScheduleStatus,
    RunRequest,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    SkipReason,
    schedule,
)

from mentara_seed.jobs import enrich_job, reset_and_seed_job

STAGING_URL_ENV = "MENTARA_STAGING_DATABASE_URL"
REFRESH_JOBS = {"top-up": enrich_job, "rebuild": reset_and_seed_job}


def build_staging_schedule(
    refresh: Optional[str] = None, cron: Optional[str] = None, timezone: Optional[str] = None,
    jobs: Optional[Mapping[str, object]] = None,
) -> ScheduleDefinition:
    """The schedule for a refresh kind, cron and timezone (each defaulting to its environment variable),
    launching ``jobs[refresh]`` (this code location's jobs by default)."""
    jobs = jobs or REFRESH_JOBS
    refresh = (refresh or os.environ.get("MENTARA_STAGING_REFRESH") or "top-up").strip().lower()
    if refresh not in jobs:
        raise ValueError(f"MENTARA_STAGING_REFRESH='{refresh}' is not a refresh; accepted: {', '.join(jobs)}")
    job = jobs[refresh]

    @schedule(
        name="nightly_staging_refresh_schedule",
        cron_schedule=cron or os.environ.get("MENTARA_STAGING_CRON") or "0 3 * * *",
        execution_timezone=timezone or os.environ.get("MENTARA_STAGING_TIMEZONE") or "UTC",
        job=job,
        default_status=DefaultScheduleStatus.STOPPED,
        description=f"Every night, {'tops up' if refresh == 'top-up' else 'rebuilds'} the staging database named by "
        f"${STAGING_URL_ENV} with {job.name}, the anchor at the start of that day (UTC).",
    )
    def nightly_staging_refresh_schedule(context: ScheduleEvaluationContext):
        if not os.environ.get(STAGING_URL_ENV, "").strip():
            return SkipReason(f"{STAGING_URL_ENV} is not set in the daemon's environment: nothing to refresh")
        tick = context.scheduled_execution_time
        return RunRequest(
            run_config={"resources": {"database": {"config": {"url_env": STAGING_URL_ENV}}}},
            tags={
                "mentara/database": "staging",
                "mentara/refresh": refresh,
                **({"mentara/tick": tick.isoformat()} if tick else {}),
            },
        )

    return nightly_staging_refresh_schedule


nightly_staging_refresh_schedule = build_staging_schedule()

"""How a generator becomes a Dagster asset.

Every seeding asset does the same around its rule: validate the settings
before touching the database, run the rule in one transaction (so an asset
either lands whole or not at all), and report what it did as metadata:
rows added per table, the owned table's row count and the deficits found.
"""


import time
from contextlib import contextmanager
from typing import Callable, Iterator, Optional, Sequence

import sqlalchemy as sa
from dagster import AssetExecutionContext, AssetKey, Failure, MaterializeResult, MetadataValue, asset
from sqlalchemy.engine import Connection

from mentara_seed import report_tables
from mentara_seed.checks.findings import remember_surveys
from mentara_seed.failpoints import failpoint
from mentara_seed.guard import RefusedError
from mentara_seed.requirements import BY_NAME
from mentara_seed.resources import MentaraDatabase, SeedConfig
from mentara_seed.schema.manage import SchemaError
from mentara_seed.seeding import Seeding
from mentara_seed.settings import SeedSettings, SettingsError

Rule = Callable[[Seeding], None]
# Writing steps share this concurrency pool (limit 1 in dagster.yaml), whichever run they belong to.
DATABASE_POOL = "mentara_database"


@contextmanager
def in_one_line() -> Iterator[None]:
    """Turn the seeder's own refusals (bad settings, target or schema) into a one-line step failure."""
    try:
        yield
    except (SettingsError, SchemaError, RefusedError) as exc:
        raise Failure(description=str(exc)) from None


def settings_or_fail(database: MentaraDatabase, seed_config: SeedConfig) -> SeedSettings:
    """Validated settings, or a one-line failure before anything is written."""
    with in_one_line():
        database.resolved_url()
        return seed_config.resolve()


@contextmanager
def reading(database: MentaraDatabase) -> Iterator[Connection]:
    """A read-only connection for checks and reports; a bad target fails with one line."""
    with in_one_line(), database.read_only() as conn:
        yield conn


def deficits_table(found: dict[str, dict[str, int]], mode: str) -> str:
    return report_tables.markdown(
        [{"requirement": name, "rule": BY_NAME[name].describe(mode), **values} for name, values in found.items()],
        ["requirement", "rule", "entities", "rows_missing"],
    )


def run_step(
    context: AssetExecutionContext,
    database: MentaraDatabase,
    seed_config: SeedConfig,
    rule: Rule,
    owns: Optional[sa.Table],
    reset: bool = False,
) -> MaterializeResult:
    settings = settings_or_fail(database, seed_config)
    started = time.perf_counter()
    with in_one_line():
        with database.transaction(reset=reset) as conn:
            if reset:
                context.log.warning(f"Reset: emptied every Mentara table of {database.describe()}")
            seeding = Seeding(conn, settings)
            rule(seeding)
            seeding.finish()
            row_count = seeding.count(owns) if owns is not None else None
            failpoint(f"before_commit:{context.asset_key.to_user_string()}")
    failpoint(f"after_commit:{context.asset_key.to_user_string()}")
    if not seeding.added and not seeding.updated:
        remember_surveys(context.run.run_id, {name: f["entities"] for name, f in seeding.found.items()}, settings.mode)
    added = dict(sorted(seeding.added.items()))
    unmet = {name: n for name, n in sorted(seeding.unmet.items()) if n}
    # One line per step (each log line is an event Dagster stores): what was added, where.
    context.log.info(
        f"Added {sum(added.values())} rows" + (f": {added}" if added else "")
        + (f"; {owns.name} has {row_count} rows" if owns is not None else "")
        + f". Target: {database.describe()} ({settings.describe()})"
    )
    if unmet:
        context.log.warning(f"Rows that could not be made (no valid parent): {unmet}")
    metadata = {
        "rows_added": MetadataValue.json(added),
        "rows_added_total": sum(added.values()),
        "rows_updated": MetadataValue.json(dict(sorted(seeding.updated.items()))),
        "deficits_found": MetadataValue.md(deficits_table(seeding.found, settings.mode)),
        "unmet": MetadataValue.json(unmet),
        "target": database.describe(),
        "settings": settings.describe(),
        "duration_s": round(time.perf_counter() - started, 3),
    }
    if row_count is not None:
        metadata["dagster/row_count"] = row_count
    return MaterializeResult(metadata=metadata)


# A run tagged with this (reset_and_seed_job is) empties every Mentara table before the root asset seeds.
RESET_TAG = "mentara/reset"


def seed_asset(name: str, *, group: str, deps: Sequence[str | AssetKey], owns: sa.Table, resettable: bool = False):
    """Declare ``rule`` (a function of a ``Seeding``) as the asset ``name``.

    The rule's docstring becomes the asset's description in the UI. In a run
    tagged ``mentara/reset=true``, the ``resettable`` root asset first empties
    every Mentara table.
    """

    def decorator(rule: Rule):
        @asset(name=name, group_name=group, deps=list(deps), description=rule.__doc__, kinds={"sql"},
               tags={"mentara/table": owns.name}, pool=DATABASE_POOL)
        def _seed_asset(context: AssetExecutionContext, database: MentaraDatabase,
                        seed_config: SeedConfig) -> MaterializeResult:
            reset = resettable and context.run.tags.get(RESET_TAG) == "true"
            return run_step(context, database, seed_config, rule, owns, reset=reset)

        return _seed_asset

    return decorator

"""The distributed definitions: the same seeding assets, with the big ones run as shards on many processes.

A staging deployment runs Dagster with many workers, and a load test wants
more rows than one Python process makes in reasonable time. This code
location (``dagster ... -m mentara_seed.distributed``) has the assets, checks,
jobs and schedule of ``mentara_seed.definitions``, with three differences:

- **Shards.** An asset declared with ``shard_by`` (``registry``) runs as N
  shards at once: a ``plan`` step fans out one dynamic output per shard, each
  ``shard`` step makes the rows of the subject entities whose stable hash
  falls in it (``seeding.shards``), in its own transaction, and a ``collect``
  step sums what they did into the asset's one materialization. Ids and
  values depend on the entity alone, so 1, 4 or 16 shards write the same
  database as ``mentara_seed.definitions`` does (``test_distributed.py``).
  N is ``seed_config.shards`` (``MENTARA_SEED_SHARDS``, default 4): run
  config, so the same code location serves any N. The other assets (their
  rows for one entity depend on what was written for another: a therapist's
  week, who already talks to whom) run whole, one step each.
- **Steps in parallel.** Every asset is its own step (or steps), after
  exactly the assets whose rows it takes, so independent assets run at once
  too. The checks are those of ``mentara_seed.definitions``, blocking as
  there, in one step per asset (a stage's checks cannot be one step when its
  assets are several: a check would wait for a later asset of the stage, or
  run before its own). A tier still starts only once every asset of the
  stage before it is written and its blocking checks pass; ``seed_report``
  closes the run.
- **The run holds the lock.** Shards write at once from many processes, so
  the run's own process (where the executor runs) takes the database's run
  lock for the whole run, and before any step vets the target, creates the
  schema, or empties every table for ``reset_and_seed_job``
  (``MentaraDatabase.hold_for_run``). Each step checks that its run is the
  holder. Every transaction keeps the indexes live (no bulk path: its DDL
  locks would make parallel writers wait on, or deadlock with, each other).
  Whole assets write in the pool
  ``mentara_database`` (one at a time, as ever), shards in ``mentara_shards``.

The executor is ``MENTARA_SEED_EXECUTOR``: ``celery`` (the default: steps go
to ``dagster-celery`` workers over RabbitMQ, ``DAGSTER_CELERY_BROKER_HOST``,
on the queue ``MENTARA_SEED_CELERY_QUEUE``, default ``dagster``) or
``multiprocess`` (a process per step on this machine). See the README,
"Sharded seeding".
"""


import os
from collections.abc import Iterator

from dagster import (
    AssetExecutionContext,
    AssetIn,
    AssetsDefinition,
    Definitions,
    DynamicOut,
    DynamicOutput,
    Executor,
    In,
    Nothing,
    OpExecutionContext,
    Out,
    Output,
    asset,
    executor,
    graph_asset,
    multiple_process_executor_requirements,
    multiprocess_executor,
    op,
)

from mentara_seed import registry
from mentara_seed.assets.common import DATABASE_POOL, RESET_TAG, Outcome, log_reset, materialization, seed_unit
from mentara_seed.assets.report import seed_report
from mentara_seed.checks.audit import database_audit
from mentara_seed.checks.definitions import checks_per_asset
from mentara_seed.jobs import AUDIT_SELECTION, DATABASE_TAG, ENRICHMENT, EVERYTHING
from mentara_seed.resources import MentaraDatabase, SeedConfig
from mentara_seed.seeding.shards import Shard
from mentara_seed.steps import settings_or_fail


class RunHeldDatabase(MentaraDatabase):
    """The Mentara database of a distributed run: the run holds it (``held_by_run``), whatever run
    config a launch gives (a resource's run config replaces its configured values, not its defaults)."""

    held_by_run: bool = True


# Shards of the same asset write at once: their own pool (its limit is how many write together).
SHARD_POOL = "mentara_shards"
ENV_EXECUTOR = "MENTARA_SEED_EXECUTOR"
# The broker queue of this deployment's steps: workers of another deployment on the same broker (their
# own DAGSTER_HOME, their own instance) would take its tasks and fail to find its run.
ENV_CELERY_QUEUE = "MENTARA_SEED_CELERY_QUEUE"
EXECUTORS = ("celery", "multiprocess")


def _upstream(declaration: registry.Declaration) -> list[str]:
    return ([f"tier{declaration.tier}"] if declaration.tier is not None else []) + list(declaration.inputs)


def _whole(declaration: registry.Declaration) -> AssetsDefinition:
    """An asset that runs as one step: ``rule`` in one transaction, as in ``mentara_seed.definitions``."""

    @asset(name=declaration.asset, group_name=declaration.stage, deps=_upstream(declaration), kinds={"sql"},
           description=declaration.rule.__doc__, tags={"mentara/table": declaration.owns}, pool=DATABASE_POOL)
    def _one(context: AssetExecutionContext, database: MentaraDatabase, seed_config: SeedConfig):
        settings = settings_or_fail(database, seed_config)
        # A reset is the run's, done once before any step (``hold_for_run``), unless no executor holds the
        # database for the run (in process): then the resettable root empties it, as in one process.
        reset = (declaration.resettable and not database.held_by_run
                 and context.run.tags.get(RESET_TAG) == "true")
        outcome = seed_unit(declaration.asset, database, settings, declaration.rule, reset=reset, defer=False)
        if reset:
            log_reset(context.log, database)
        return Output(None, metadata=materialization(context, declaration.asset, database, settings,
                                                     declaration.table, outcome))

    return _one


def _entry(tier: int) -> AssetsDefinition:
    """A tier's entry, as in ``mentara_seed.definitions``: orders the tiers, gives `tierN*` its key."""
    guaranteed = ", ".join(d.asset for d in registry.enrichers(tier))

    @asset(name=f"tier{tier}", group_name=f"tier{tier}", deps=registry.tier_inputs(tier), kinds={"sql"},
           description=f"Entry of enrichment tier {tier} ({guaranteed}). Orders the tiers and gives "
           f"`--select 'tier{tier}*'` its key; adds no rows.")
    def _enter(context: AssetExecutionContext, database: MentaraDatabase, seed_config: SeedConfig):
        settings = settings_or_fail(database, seed_config)
        outcome = seed_unit(f"tier{tier}", database, settings, lambda s: None, defer=False)
        return Output(None, metadata=materialization(context, f"tier{tier}", database, settings, None, outcome))

    return _enter


def _sharded(declaration: registry.Declaration) -> AssetsDefinition:
    """An asset that runs as N shards: plan (fan out), shard (each in its own transaction), collect."""
    name = declaration.asset
    upstream = _upstream(declaration)
    ins = {f"after_{k}": In(Nothing) for k in range(len(upstream))}

    @op(name=f"{name}__plan", ins=ins, out=DynamicOut(int), pool=DATABASE_POOL,
        description=f"Fans {name} out: one dynamic output per shard.")
    def plan(context: OpExecutionContext, database: MentaraDatabase, seed_config: SeedConfig) -> Iterator[DynamicOutput]:
        settings_or_fail(database, seed_config)
        shards = _shards(seed_config)
        for index in range(shards):
            yield DynamicOutput(index, mapping_key=Shard(index, shards).key)

    @op(name=f"{name}__shard", pool=SHARD_POOL, tags={"mentara/asset": name},
        description=f"The rows of {name} for the entities of one shard ({declaration.shard_by}), in one transaction.")
    def shard(context: OpExecutionContext, database: MentaraDatabase, seed_config: SeedConfig, index: int) -> Outcome:
        settings = settings_or_fail(database, seed_config)
        part = Shard(index, _shards(seed_config))
        outcome = seed_unit(name, database, settings, declaration.rule, shard=part, defer=False)
        context.log.info(f"{name}, {part}: added {sum(outcome.added.values())} rows: {outcome.added}")
        return outcome

    @op(name=f"{name}__collect", out=Out(Nothing), description=f"{name}: what its shards did, as one materialization.")
    def collect(context: OpExecutionContext, database: MentaraDatabase, seed_config: SeedConfig,
                outcomes: list[Outcome]):
        settings = settings_or_fail(database, seed_config)
        total = sum(outcomes, Outcome())
        yield Output(None, metadata=materialization(context, name, database, settings, declaration.table, total,
                                                     shards=len(outcomes)))

    @graph_asset(name=name, group_name=declaration.stage,
                 description=f"{declaration.rule.__doc__}\n\nRuns as shards, each owning its {declaration.shard_by}.",
                 ins={f"after_{k}": AssetIn(key, dagster_type=Nothing) for k, key in enumerate(upstream)},
                 tags={"mentara/table": declaration.owns, "mentara/sharded": "true"}, kinds={"sql"})
    def _graph(**after):
        return collect(plan(**after).map(shard).collect())

    return _graph


def _shards(seed_config: SeedConfig) -> int:
    from mentara_seed.steps import in_one_line

    with in_one_line():
        return seed_config.resolve_shards()


def seeding_assets() -> list[AssetsDefinition]:
    built = [_entry(tier) for tier in registry.tiers()]
    for declaration in registry.load().values():
        built.append(_sharded(declaration) if declaration.shard_by else _whole(declaration))
    return built


class HeldRunExecutor(Executor):
    """Runs the steps with ``inner`` (Celery, or a process per step), while this run's own process holds
    the database (``MentaraDatabase.hold_for_run``): the lock for the whole run, and, before any step,
    the checks, the schema and a reset."""

    def __init__(self, inner: Executor) -> None:
        self.inner = inner

    @property
    def retries(self):
        return self.inner.retries

    def __getattr__(self, name: str):
        # What the inner executor's own execution loop asks of it (Celery's: its app's arguments).
        if name == "inner":
            raise AttributeError(name)
        return getattr(self.inner, name)

    def execute(self, plan_context, execution_plan):
        config = (plan_context.run_config.get("resources", {}).get("database", {}) or {}).get("config", {}) or {}
        database = MentaraDatabase(**{k: v for k, v in config.items() if k != "held_by_run"})
        reset = plan_context.dagster_run.tags.get(RESET_TAG) == "true"
        with database.hold_for_run(plan_context.dagster_run.run_id, reset=reset):
            if reset:
                log_reset(plan_context.log, database)
            yield from self.inner.execute(plan_context, execution_plan)


def _configured(inner_def, hold: bool):
    """``inner_def`` with this project's defaults (``_with_defaults``); with ``hold``, its runs hold the
    database (``HeldRunExecutor``)."""

    @executor(name=f"held_{inner_def.name}" if hold else inner_def.name, config_schema=inner_def.config_schema,
              requirements=multiple_process_executor_requirements())
    def _executor(init_context):
        inner = inner_def.executor_creation_fn(_with_defaults(inner_def, init_context))
        return HeldRunExecutor(inner) if hold else inner

    return _executor


def _with_defaults(executor_def, init_context):
    """The executor's run config, with this project's defaults where it says nothing:

    - a process per step starts as a fork of a server that has imported this code location already
      (``forkserver``): a fresh interpreter per step would import Dagster and the project again,
      about two seconds a step on the benchmark machine;
    - Celery steps go to the queue ``MENTARA_SEED_CELERY_QUEUE`` (default ``dagster``, Celery's)."""
    from dagster._core.executor.init import InitExecutorContext

    config = dict(init_context.executor_config or {})
    if executor_def.name == "multiprocess" and not config.get("start_method"):
        config["start_method"] = {"forkserver": {"preload_modules": ["mentara_seed.distributed"]}}
    elif executor_def.name == "celery":
        queue = celery_queue()
        source = dict(config.get("config_source") or {})
        if queue and "task_default_queue" not in source:
            config["config_source"] = {**source, "task_default_queue": queue}
    if config == (init_context.executor_config or {}):
        return init_context
    return InitExecutorContext(job=init_context.job, executor_def=init_context.executor_def, executor_config=config,
                               instance=init_context.instance)


def celery_queue() -> str | None:
    """``MENTARA_SEED_CELERY_QUEUE``, checked: a queue name workers can be started with (``-Q``)."""
    queue = (os.environ.get(ENV_CELERY_QUEUE) or "").strip()
    if queue and not all(c.isalnum() or c in "-_.:" for c in queue):
        raise ValueError(f"{ENV_CELERY_QUEUE}={queue!r} is not a queue name: letters, digits and - _ . : only")
    return queue or None


def executor_named(name: str | None = None, hold: bool = True):
    """The executor of ``MENTARA_SEED_EXECUTOR`` (``celery`` or ``multiprocess``); with ``hold``, holding
    the run's database (every seeding job; an audit writes nothing and holds nothing)."""
    name = (name or os.environ.get(ENV_EXECUTOR) or "celery").strip().lower()
    if name not in EXECUTORS:
        raise ValueError(f"{ENV_EXECUTOR}={name!r} is not an executor; accepted: {', '.join(EXECUTORS)}")
    if name == "celery":
        from dagster_celery import celery_executor

        inner = celery_executor
    else:
        inner = multiprocess_executor
    return _configured(inner, hold)


def build(executor_name: str | None = None) -> Definitions:
    from dagster import define_asset_job

    from mentara_seed.schedules import build_staging_schedule

    registry.load()
    chosen = executor_named(executor_name)
    jobs = [
        define_asset_job("seed_job", run_tags=DATABASE_TAG, selection=EVERYTHING, executor_def=chosen,
                         description="Everything, the big assets as shards: the legacy generators, then the tiers."),
        define_asset_job("enrich_job", run_tags=DATABASE_TAG, selection=ENRICHMENT, executor_def=chosen,
                         description="Every enricher (the big ones as shards), the tier entries and the report."),
        define_asset_job("reset_and_seed_job", run_tags={**DATABASE_TAG, RESET_TAG: "true"}, selection=EVERYTHING,
                         executor_def=chosen, description="Empty every Mentara table once, then seed as seed_job does."),
        define_asset_job("audit_job", selection=AUDIT_SELECTION, executor_def=executor_named(executor_name, hold=False),
                         description="Every check and nothing else; writes nothing."),
    ]
    by_name = {job.name: job for job in jobs}
    return Definitions(
        assets=[*seeding_assets(), seed_report],
        asset_checks=[*checks_per_asset(), database_audit],
        jobs=jobs,
        schedules=[build_staging_schedule(jobs={"top-up": by_name["enrich_job"],
                                                "rebuild": by_name["reset_and_seed_job"]})],
        resources={"database": RunHeldDatabase(), "seed_config": SeedConfig()},
        executor=chosen,
    )


defs = build()

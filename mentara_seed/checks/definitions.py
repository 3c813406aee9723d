"""The asset checks themselves, built from the requirements table, the integrity rules and the registry.

Every check is blocking and reads through a read-only connection. It fails
with ERROR severity when some of the seeder's own rows break it, and warns
(WARN, which blocks nothing) when only rows the seeder did not write do.
The checks of one stage (the legacy generators, or one enrichment tier) run
together, as one standalone ``@multi_asset_check``
step once the stage is written (``legacy_checks``, ``tier1_checks``, ...):
one step instead of one per check keeps Dagster's per-step cost down, and
its queries run concurrently. Each check still belongs to the asset that
guarantees it, and being standalone, they run without their assets
(``audit_job``); any subset of them can be selected.
"""


import datetime as dt
from functools import cache
from typing import Optional

from dagster import (
    AssetCheckExecutionContext,
    AssetChecksDefinition,
    AssetCheckSpec,
    DagsterInstance,
    multi_asset_check,
)
from sqlalchemy.engine import Connection

from mentara_seed import registry
from mentara_seed.checks import early, incremental
from mentara_seed.checks.findings import (
    CONCURRENT_QUERIES,
    Finding,
    evaluate_concurrently,
    evaluate_minimum,
    evaluate_rule,
    met,
)
from mentara_seed.checks.rules import RULES, IntegrityRule
from mentara_seed.requirements import REQUIREMENTS, Requirement
from mentara_seed.resources import MentaraDatabase, SeedConfig
from mentara_seed.settings import SeedSettings
from mentara_seed.steps import note_schema, reading, release_memory, settings_or_fail

# Every check by name, with the asset it belongs to.
MINIMUMS: dict[str, Requirement] = {f"{r.name}_minimum": r for r in REQUIREMENTS}
INTEGRITY: dict[str, IntegrityRule] = {r.name: r for r in RULES}
CHECK_NAMES: tuple[str, ...] = (*MINIMUMS, *INTEGRITY)


def owner(check: str) -> str:
    """The asset a check belongs to: a minimum's enricher, or the asset that writes a rule's table."""
    if check in MINIMUMS:
        return registry.by_enricher(MINIMUMS[check].enricher).asset
    return INTEGRITY[check].asset


def evaluate(name: str, conn: Connection, settings: SeedSettings, target) -> Finding:
    if name in MINIMUMS:
        return evaluate_minimum(conn, MINIMUMS[name], settings.mode, settings.anchor, target)
    return evaluate_rule(conn, INTEGRITY[name], settings.anchor, target)


def passed_again(name: str, run_id: str, settings: SeedSettings, target) -> Finding:
    """The finding of a check that passed in run ``run_id`` and reads nothing changed since."""
    finding = (met(MINIMUMS[name], settings.mode, target) if name in MINIMUMS
               else Finding(name, "integrity", INTEGRITY[name].description, 0, 0))
    finding.reused_from = run_id
    return finding


def on_pin(pin: incremental.Pin, names: list[str], database: MentaraDatabase, settings: SeedSettings,
           instance: Optional[DagsterInstance], connect, at_once: int = CONCURRENT_QUERIES) -> dict[str, Finding]:
    """The findings of ``names`` on what ``pin`` reads (``incremental.pinned``), each with the key of what it
    read (``inputs``): passed again unread where nothing it reads has changed since it last passed (the
    ``instance`` holding that pass), evaluated otherwise, ``at_once`` at a time on ``connect()``ions."""
    target = database.target
    keys = incremental.input_keys(pin, {name: reads(name, settings) for name in names}, database, settings)
    unchanged = (incremental.unchanged(keys, {name: owner(name) for name in keys}, instance, database.memo.completed)
                 if instance else {})
    found = {name: passed_again(name, run_id, settings, target) for name, run_id in unchanged.items()}
    evaluated = evaluate_concurrently([name for name in names if name not in unchanged],
                                      lambda name, conn: evaluate(name, conn, settings, target), connect, at_once)
    held = not evaluated or pin.held()  # (SQLite: someone committed while they read; no key describes what each read)
    for name, finding in found.items():
        finding.inputs = keys[name]
    for name, finding in evaluated.items():
        finding.inputs = keys.get(name) if held else None
    return {**found, **evaluated}


def run_findings(names, database: MentaraDatabase, settings: SeedSettings,
                 instance: Optional[DagsterInstance] = None) -> list[Finding]:
    """The findings of the checks ``names`` in this run, in that order.

    Each is evaluated once per run (a stage's step and the audit summary share
    them through the run's memo, as they share those evaluated while the
    stage's later assets ran: ``checks.early``), and not at all when an enricher of this run
    found nobody short of the requirement and wrote nothing after, or when
    nothing it reads has changed since it last passed (Postgres, with the
    ``instance`` holding that pass: ``checks.incremental``); the rest are
    evaluated concurrently, each on its own read-only connection.
    """
    with reading(database):  # a bad or empty target fails here, with one line, before any thread starts
        pass
    early.wait(database)
    target, memo = database.target, database.memo
    for name in names:
        if name in MINIMUMS and name not in memo.findings and MINIMUMS[name].name in memo.met:
            memo.findings[name] = (met(MINIMUMS[name], settings.mode, target), reads(name, settings))
    missing = [name for name in names if name not in memo.findings]
    if not missing:
        return [memo.findings[name][0] for name in names]
    # The fingerprints and the evaluations read one state: a key says what was evaluated.
    with incremental.pinned(database, instance) as pin:
        found = on_pin(pin, missing, database, settings, instance, lambda: incremental.reading_in(database, pin.snapshot))
    for name, finding in found.items():
        memo.findings[name] = (finding, reads(name, settings))
    if any(finding.reused_from is None for finding in found.values()):
        release_memory()
    return [memo.findings[name][0] for name in names]


def reads(name: str, settings: SeedSettings) -> frozenset[str]:
    """The tables a check reads (a write to one of them makes its finding stale)."""
    return _reads(name, settings.anchor)


@cache
def _reads(name: str, anchor: dt.datetime) -> frozenset[str]:
    # (Each is found by building the check's query: a few hundred times a run otherwise.)
    return MINIMUMS[name].tables if name in MINIMUMS else INTEGRITY[name].tables(anchor)


def _description(name: str) -> str:
    if name in MINIMUMS:
        requirement = MINIMUMS[name]
        extra = "".join(f"; from Mentara {since}: " + "/".join(map(str, m)) for since, m in requirement.from_version)
        return (f"{requirement.describe('medium')} (light/medium/heavy: " + "/".join(map(str, requirement.minimums))
                + extra + ")")
    return INTEGRITY[name].description


def stage_checks(stage: str) -> AssetChecksDefinition:
    """The checks of every asset of one stage (the legacy generators, or one tier), as one step.

    It runs once the stage's assets are written and before the next stage
    starts, which is all that blocking needs: nothing of the next tier runs
    on a database that breaks a rule.
    """
    return grouped_checks(f"{stage}_checks", stage,
                          [name for name in CHECK_NAMES if registry.stage_of(owner(name)) == stage])


def asset_checks(asset: str) -> AssetChecksDefinition:
    """The checks of one seeding asset, as one step (the distributed definitions, where the assets of a
    stage are steps of their own: a check step must not wait for a later asset of its stage, nor run
    before its own asset)."""
    return grouped_checks(f"{asset}_checks", asset, [name for name in CHECK_NAMES if owner(name) == asset])


def grouped_checks(step: str, what: str, names: list[str]) -> AssetChecksDefinition:
    """The checks ``names`` (of ``what``: a stage or an asset) as one multi-asset check step."""
    specs = [AssetCheckSpec(name, asset=owner(name), blocking=True, description=_description(name)) for name in names]

    @multi_asset_check(
        name=step,
        specs=specs,
        can_subset=True,
        description=f"The minimums and row rules the {what} assets guarantee: " + ", ".join(names),
    )
    def _checks(context: AssetCheckExecutionContext, database: MentaraDatabase, seed_config: SeedConfig):
        settings = settings_or_fail(database, seed_config)
        selected = {key.name for key in context.selected_asset_check_keys}
        findings = run_findings([n for n in names if n in selected], database, settings, context.instance)
        note_schema(context.log, database)
        context.log.info("; ".join(
            f"{f.check_name}: " + (f"{f.violations} " + ("short" if f.kind == "minimum" else "violating")
                                   + (f" (and {f.foreign} of others')" if f.foreign else "")
                                   if f.applicable else "not applicable")
            + (f" (evaluated after {f.evaluated_after})" if f.evaluated_after else "")
            for f in findings
        ))
        if database.memo.early is not None and database.memo.early.abandoned:
            context.log.warning("Checks left to this step, not evaluated while the stage's later assets ran: "
                                + "; ".join(database.memo.early.abandoned))
            database.memo.early.abandoned = []
        for f in findings:
            if f.foreign:
                context.log.warning(f"{f.check_name}: {f.foreign} of the rows the seeder did not write break the "
                                    f"rule ({f.rule}), e.g. {', '.join(e['id'] for e in f.foreign_examples[:3])}; "
                                    "reported, not blocking")
        for finding in findings:
            yield finding.to_check_result(owner(finding.check_name))

    return _checks


STAGE_CHECKS = [stage_checks(stage) for stage in registry.stages() if any(
    registry.stage_of(owner(name)) == stage for name in CHECK_NAMES)]


def checks_per_asset() -> list[AssetChecksDefinition]:
    """One check step per seeding asset that has checks (``asset_checks``)."""
    owners = {owner(name) for name in CHECK_NAMES}
    return [asset_checks(d.asset) for d in registry.load().values() if d.asset in owners]

"""The asset checks themselves, built from the requirements table and the integrity rules.

Every check is blocking, fails with ERROR severity and reads through a
read-only connection. The checks of one stage (the legacy generators, or
one enrichment tier) run together, as one standalone ``@multi_asset_check``
step once the stage is written (``legacy_checks``, ``tier1_checks``, ...):
one step instead of one per check keeps Dagster's per-step cost down, and
its queries run concurrently. Each check still belongs to the asset that
guarantees it, and being standalone, they run without their assets
(``audit_job``); any subset of them can be selected.
"""


from dagster import AssetCheckExecutionContext, AssetCheckSpec, AssetChecksDefinition, multi_asset_check
from sqlalchemy.engine import Connection

from mentara_seed.assets.common import reading, settings_or_fail
from mentara_seed.checks.findings import Finding, evaluate_minimum, evaluate_rule, findings_for
from mentara_seed.checks.rules import RULES, IntegrityRule
from mentara_seed.requirements import REQUIREMENTS, Requirement
from mentara_seed.resources import MentaraDatabase, SeedConfig
from mentara_seed.settings import SeedSettings

# Every check by name, with the asset it hangs off.
MINIMUMS: dict[str, Requirement] = {f"{r.name}_minimum": r for r in REQUIREMENTS}
INTEGRITY: dict[str, IntegrityRule] = {r.name: r for r in RULES}
OWNER: dict[str, str] = {
    **{name: f"enriched_{r.enricher}" for name, r in MINIMUMS.items()},
    **{name: r.asset for name, r in INTEGRITY.items()},
}
CHECK_NAMES: tuple[str, ...] = (*MINIMUMS, *INTEGRITY)


def evaluate(name: str, conn: Connection, settings: SeedSettings) -> Finding:
    if name in MINIMUMS:
        return evaluate_minimum(conn, MINIMUMS[name], settings.mode, settings.anchor)
    return evaluate_rule(conn, INTEGRITY[name], settings.anchor)


def run_findings(run_id: str, names, database: MentaraDatabase, settings: SeedSettings) -> list[Finding]:
    """The findings of ``names`` in this run (each check evaluated once per run, queries concurrently)."""
    with reading(database):  # a bad or empty target fails here, with one line, before any thread starts
        pass
    return findings_for(run_id, list(names), lambda name, conn: evaluate(name, conn, settings),
                        lambda: reading(database))


def _description(name: str) -> str:
    if name in MINIMUMS:
        requirement = MINIMUMS[name]
        return f"{requirement.describe('medium')} (light/medium/heavy: " + "/".join(map(str, requirement.minimums)) + ")"
    return INTEGRITY[name].description


def stage_of(asset: str) -> str:
    """``legacy`` for the root generators, ``tierN`` for an enricher of tier N."""
    tiers = {f"enriched_{r.enricher}": r.tier for r in REQUIREMENTS}
    return f"tier{tiers[asset]}" if asset in tiers else "legacy"


def stage_checks(stage: str) -> AssetChecksDefinition:
    """The checks of every asset of one stage (the legacy generators, or one tier), as one step.

    It runs once the stage's assets are written and before the next stage
    starts, which is all that blocking needs: nothing of the next tier runs
    on a database that breaks a rule.
    """
    names = [name for name in CHECK_NAMES if stage_of(OWNER[name]) == stage]
    specs = [AssetCheckSpec(name, asset=OWNER[name], blocking=True, description=_description(name)) for name in names]

    @multi_asset_check(
        name=f"{stage}_checks",
        specs=specs,
        can_subset=True,
        description=f"The minimums and row rules the {stage} assets guarantee: " + ", ".join(names),
    )
    def _checks(context: AssetCheckExecutionContext, database: MentaraDatabase, seed_config: SeedConfig):
        settings = settings_or_fail(database, seed_config)
        selected = {key.name for key in context.selected_asset_check_keys}
        findings = run_findings(context.run.run_id, [n for n in names if n in selected], database, settings)
        context.log.info("; ".join(
            f"{f.check_name}: {f.violations} " + ("short" if f.kind == "minimum" else "violating") for f in findings
        ))
        for finding in findings:
            yield finding.to_check_result(OWNER[finding.check_name])

    return _checks


STAGE_CHECKS = [stage_checks(stage) for stage in ("legacy", "tier1", "tier2", "tier3", "tier4", "tier5")]

"""The asset checks themselves, built from the requirements table and the integrity rules.

Every check is a standalone ``@asset_check`` (so ``audit_job`` can run it
without its asset), blocking, failing with ERROR severity, and reads through
a read-only connection.
"""

from dagster import AssetCheckExecutionContext, AssetCheckResult, AssetChecksDefinition, asset_check

from mentara_seed.assets.common import reading, settings_or_fail
from mentara_seed.checks.findings import evaluate_minimum, evaluate_rule, remembered
from mentara_seed.checks.rules import RULES, IntegrityRule
from mentara_seed.requirements import REQUIREMENTS, Requirement
from mentara_seed.resources import MentaraDatabase, SeedConfig


def minimum_check(requirement: Requirement) -> AssetChecksDefinition:
    @asset_check(
        asset=f"enriched_{requirement.enricher}",
        name=f"{requirement.name}_minimum",
        blocking=True,
        description=f"{requirement.describe('medium')} (light/medium/heavy: "
        + "/".join(str(n) for n in requirement.minimums) + ")",
    )
    def _check(context: AssetCheckExecutionContext, database: MentaraDatabase, seed_config: SeedConfig) -> AssetCheckResult:
        settings = settings_or_fail(database, seed_config)
        with reading(database) as conn:
            finding = remembered(context.run.run_id, requirement.name,
                                 lambda: evaluate_minimum(conn, requirement, settings.mode, settings.anchor))
        context.log.info(f"{finding.name}: {finding.violations} entities short, {finding.rows_missing} rows missing")
        return finding.to_check_result()

    return _check


def integrity_check(rule: IntegrityRule) -> AssetChecksDefinition:
    @asset_check(asset=rule.asset, name=rule.name, blocking=True, description=rule.description)
    def _check(context: AssetCheckExecutionContext, database: MentaraDatabase, seed_config: SeedConfig) -> AssetCheckResult:
        settings = settings_or_fail(database, seed_config)
        with reading(database) as conn:
            finding = remembered(context.run.run_id, rule.name, lambda: evaluate_rule(conn, rule, settings.anchor))
        context.log.info(f"{finding.name}: {finding.violations} violating rows")
        return finding.to_check_result()

    return _check


MINIMUM_CHECKS = [minimum_check(r) for r in REQUIREMENTS]
INTEGRITY_CHECKS = [integrity_check(r) for r in RULES]

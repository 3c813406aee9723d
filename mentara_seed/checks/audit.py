"""The audit of the whole database: every minimum and integrity rule at once, printed as one table.

It is what ``audit_job`` shows, and the last check of a seeding run (it
belongs to ``seed_report``, so it runs after the closing report).
"""

from dagster import AssetCheckExecutionContext, AssetCheckResult, AssetCheckSeverity, MetadataValue, asset_check

from mentara_seed import report_tables
from mentara_seed.checks.definitions import CHECK_NAMES, run_findings
from mentara_seed.checks.findings import FINDINGS_COLUMNS, findings_rows
from mentara_seed.resources import MentaraDatabase, SeedConfig
from mentara_seed.steps import note_schema, settings_or_fail


@asset_check(
    asset="seed_report",
    name="database_audit",
    blocking=True,
    description="Every minimum requirement and integrity rule, evaluated together and printed as one table.",
)
def database_audit(context: AssetCheckExecutionContext, database: MentaraDatabase, seed_config: SeedConfig) -> AssetCheckResult:
    settings = settings_or_fail(database, seed_config)
    rows = findings_rows(run_findings(CHECK_NAMES, database, settings, context.instance))
    note_schema(context.log, database)
    failing = [row for row in rows if row["status"] == "FAIL"]
    warning = [row for row in rows if row["status"] == "WARN"]
    missing = sum(row["rows_missing"] for row in rows)
    summary = (f"{len(failing)} of {len(rows)} checks fail" + (f", {len(warning)} warn about rows the seeder did "
                                                               "not write" if warning else ""))
    context.log.info(
        f"Audit of {database.describe()}, Mentara {database.target.version} ({settings.describe()}): "
        f"{summary}, {missing} rows missing\n"
        + report_tables.text(rows, FINDINGS_COLUMNS[:-1])
    )
    return AssetCheckResult(
        passed=not failing,
        severity=AssetCheckSeverity.ERROR,
        description=summary,
        metadata={
            "checks_failing": len(failing),
            "checks_warning": len(warning),
            "violations": sum(row["violations"] for row in rows),
            "rows_missing": missing,
            "others_violations": sum(row["others_violations"] for row in rows),
            "others_missing": sum(row["others_missing"] for row in rows),
            "report": MetadataValue.md(report_tables.markdown(rows, FINDINGS_COLUMNS)),
        },
    )

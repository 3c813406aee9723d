"""The closing report of a seeding run, and the audit of the whole database.

``seed_report`` runs last (after every enricher and every blocking check) and
tells what the old seed printed at its end: rows added per table, the total,
the checks passed and failed, every table's row count and the duration.
``database_audit`` evaluates every minimum and integrity rule at once and
prints them as one table: it is what ``audit_job`` shows.
"""

import time
from collections import Counter

import sqlalchemy as sa
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetExecutionContext,
    DagsterEventType,
    MaterializeResult,
    MetadataValue,
    asset,
    asset_check,
)

from mentara_seed import report_tables
from mentara_seed.assets.common import reading, settings_or_fail
from mentara_seed.checks.definitions import CHECK_NAMES, run_findings
from mentara_seed.checks.findings import FINDINGS_COLUMNS, findings_rows
from mentara_seed.requirements import REQUIREMENTS
from mentara_seed.resources import MentaraDatabase, SeedConfig
from mentara_seed.schema.tables import metadata as schema

ENRICHERS = sorted({f"enriched_{r.enricher}" for r in REQUIREMENTS})


def table_row_counts(conn) -> dict[str, int]:
    return {t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one() for t in schema.sorted_tables}


@asset(
    name="seed_report",
    group_name="report",
    deps=ENRICHERS,
    kinds={"sql"},
    description="The closing report of the run: rows added per table and in total, checks passed and "
    "failed, the row count of every table, and the duration. Writes nothing.",
)
def seed_report(context: AssetExecutionContext, database: MentaraDatabase, seed_config: SeedConfig) -> MaterializeResult:
    settings = settings_or_fail(database, seed_config)
    instance, run_id = context.instance, context.run_id
    added: Counter[str] = Counter()
    for record in instance.get_records_for_run(run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION).records:
        rows_added = record.event_log_entry.asset_materialization.metadata.get("rows_added")
        if rows_added is not None:
            added.update(rows_added.value)
    evaluations = [
        record.event_log_entry.dagster_event.event_specific_data
        for record in instance.get_records_for_run(run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION).records
    ]
    passed = sum(1 for e in evaluations if e.passed)
    failed = [e.check_name for e in evaluations if not e.passed]
    run = instance.get_run_record_by_id(run_id)
    duration = round(time.time() - run.start_time, 2) if run and run.start_time else None
    with reading(database) as conn:
        counts = table_row_counts(conn)
    tables = [{"table": name, "rows_added": added.get(name, 0), "rows": n} for name, n in sorted(counts.items())]
    columns = ["table", "rows_added", "rows"]
    total = sum(added.values())
    report = (
        f"Seeding finished: {database.describe()} ({settings.describe()})\n"
        + report_tables.text(tables, columns)
        + f"\nRows added in total: {total}\nChecks: {passed} passed, {len(failed)} failed"
        + (f" ({', '.join(failed)})" if failed else "")
        + (f"\nDuration: {duration} s" if duration is not None else "")
    )
    context.log.info(report)
    return MaterializeResult(
        metadata={
            "rows_added": MetadataValue.json(dict(sorted(added.items()))),
            "rows_added_total": total,
            "checks_passed": passed,
            "checks_failed": len(failed),
            "failed_checks": MetadataValue.json(failed),
            "table_rows": MetadataValue.md(report_tables.markdown(tables, columns)),
            "duration_s": duration if duration is not None else 0.0,
        }
    )


@asset_check(
    asset="seed_report",
    name="database_audit",
    blocking=True,
    description="Every minimum requirement and integrity rule, evaluated together and printed as one table.",
)
def database_audit(context: AssetCheckExecutionContext, database: MentaraDatabase, seed_config: SeedConfig) -> AssetCheckResult:
    settings = settings_or_fail(database, seed_config)
    rows = findings_rows(run_findings(context.run.run_id, CHECK_NAMES, database, settings))
    failing = [row for row in rows if row["status"] == "FAIL"]
    missing = sum(row["rows_missing"] for row in rows)
    context.log.info(
        f"Audit of {database.describe()} ({settings.describe()}): "
        f"{len(failing)} of {len(rows)} checks fail, {missing} rows missing\n"
        + report_tables.text(rows, FINDINGS_COLUMNS[:-1])
    )
    return AssetCheckResult(
        passed=not failing,
        severity=AssetCheckSeverity.ERROR,
        description=f"{len(failing)} of {len(rows)} checks fail",
        metadata={
            "checks_failing": len(failing),
            "violations": sum(row["violations"] for row in rows),
            "rows_missing": missing,
            "report": MetadataValue.md(report_tables.markdown(rows, FINDINGS_COLUMNS)),
        },
    )

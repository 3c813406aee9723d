"""The closing report of a seeding run.

``seed_report`` runs last (after every enricher and every blocking check) and
tells what the old seed printed at its end: rows added per table, the total,
the checks passed and failed, every table's row count and the duration.
"""

import time
from collections import Counter

import sqlalchemy as sa
from dagster import AssetCheckSeverity, AssetExecutionContext, DagsterEventType, MaterializeResult, MetadataValue, asset

from mentara_seed import fixpoint, registry, report_tables
from mentara_seed.resources import MentaraDatabase, SeedConfig
from mentara_seed.steps import reading, settings_or_fail


def table_row_counts(conn, version) -> dict[str, int]:
    """Rows of every table of the target's Mentara version."""
    return {t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in version.metadata.sorted_tables}


@asset(
    name="seed_report",
    group_name="report",
    deps=registry.report_inputs(),
    kinds={"sql"},
    description="The closing report of the run: rows added per table and in total, checks passed and "
    "failed, the row count of every table, and the duration. Writes nothing.",
)
def seed_report(context: AssetExecutionContext, database: MentaraDatabase, seed_config: SeedConfig) -> MaterializeResult:
    settings = settings_or_fail(database, seed_config)
    instance, run_id = context.instance, context.run.run_id
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
    failed = [e.check_name for e in evaluations if not e.passed and e.severity == AssetCheckSeverity.ERROR]
    warned = [e.check_name for e in evaluations if not e.passed and e.severity != AssetCheckSeverity.ERROR]
    run = instance.get_run_record_by_id(run_id)
    duration = round(time.time() - run.start_time, 2) if run and run.start_time else None
    with reading(database) as conn:
        state, state_note = fixpoint.record(conn, database, settings)
        states = fixpoint.table_states(database)
        # (A recorded end state has just read every table's row count.)
        counts = fixpoint.row_counts(database) if state else table_row_counts(conn, database.target.version)
    tables = [{"table": name, "rows_added": added.get(name, 0), "rows": n} for name, n in sorted(counts.items())]
    columns = ["table", "rows_added", "rows"]
    total = sum(added.values())
    report = (
        f"Seeding finished: {database.describe()} ({settings.describe()})\n"
        + report_tables.text(tables, columns)
        + f"\nRows added in total: {total}\nChecks: {passed} passed, {len(failed)} failed"
        + (f" ({', '.join(failed)})" if failed else "")
        + (f", {len(warned)} warned of rows the seeder did not write ({', '.join(warned)})" if warned else "")
        + (f"\nDuration: {duration} s" if duration is not None else "")
        + f"\nEnd state as a fixpoint: {state_note}"
    )
    context.log.info(report)
    return MaterializeResult(
        metadata={
            "rows_added": MetadataValue.json(dict(sorted(added.items()))),
            "rows_added_total": total,
            "checks_passed": passed,
            "checks_failed": len(failed),
            "failed_checks": MetadataValue.json(failed),
            "checks_warned": len(warned),
            "warned_checks": MetadataValue.json(warned),
            "table_rows": MetadataValue.md(report_tables.markdown(tables, columns)),
            "duration_s": duration if duration is not None else 0.0,
            "fixpoint_note": state_note,
            **({fixpoint.METADATA: state} if state else {}),
            # (SQLite: the state of the database's files each table was last written in.)
            **({fixpoint.TABLE_STATES: MetadataValue.json(states)} if states else {}),
        }
    )

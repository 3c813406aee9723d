"""A check passes again without being evaluated when nothing it reads has changed since it last passed.

Each evaluation on Postgres records, in its metadata (``inputs_fingerprint``),
a key of what its result depends on: the database, the seeder's code, the
settings, the schema and the fingerprints of the tables the check reads
(``mentara_seed.fingerprints``), taken before the evaluation. When a later
run finds that the check's last passing evaluation in this Dagster instance
has the key it would record now, the check passes with that evaluation's
result (``reused_from_run`` names its run) instead of reading the tables
again. A failing or warning check is always evaluated again, and on SQLite,
where tables have no fingerprint, every check is.
"""

from __future__ import annotations

from dagster import AssetCheckKey, AssetKey, DagsterInstance
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus

from mentara_seed import fingerprints
from mentara_seed.checks.findings import INPUTS_METADATA
from mentara_seed.resources import MentaraDatabase
from mentara_seed.settings import SeedSettings
from mentara_seed.steps import reading


def input_keys(names: dict[str, frozenset[str]], database: MentaraDatabase, settings: SeedSettings) -> dict[str, str]:
    """``{check: key}`` for the checks ``names`` (each with the tables it reads) the target has every
    table of, reading the fingerprints the run does not hold yet; ``{}`` where tables have none."""
    target, memo = database.target, database.memo
    wanted = {name: tables for name, tables in names.items() if all(target.has(t) for t in tables)}
    if not wanted:
        return {}
    with reading(database) as conn:
        if not fingerprints.supported(conn):
            return {}
        if memo.identity is None:
            memo.identity = fingerprints.identity(conn)
        unread = {t for tables in wanted.values() for t in tables} - set(memo.fingerprints)
        memo.fingerprints.update(fingerprints.table_fingerprints(conn, unread))
    common = [memo.identity, fingerprints.settings_key(settings), fingerprints.target_key(target)]
    return {name: fingerprints.key(*common, name, sorted((t, memo.fingerprints[t]) for t in tables))
            for name, tables in wanted.items()}


def last_passed(instance: DagsterInstance, check: AssetCheckKey) -> tuple[str, str] | None:
    """``(key, run id)`` of the check's last passing evaluation that recorded a key."""
    records = instance.event_log_storage.get_asset_check_execution_history(
        check, limit=1, status={AssetCheckExecutionRecordStatus.SUCCEEDED})
    if not records or records[0].event is None or records[0].event.dagster_event is None:
        return None
    evaluation = records[0].event.dagster_event.event_specific_data
    entry = getattr(evaluation, "metadata", {}).get(INPUTS_METADATA)
    return (entry.value, records[0].run_id) if entry is not None else None


def unchanged(keys: dict[str, str], owners: dict[str, str], instance: DagsterInstance) -> dict[str, str]:
    """``{check: run id}`` of the checks whose last pass had the key they have now."""
    found = {}
    for name, now in keys.items():
        last = last_passed(instance, AssetCheckKey(AssetKey(owners[name]), name))
        if last is not None and last[0] == now:
            found[name] = last[1]
    return found


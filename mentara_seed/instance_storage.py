"""Dagster's Postgres storage, holding its connection open.

dagster-postgres opens a new connection for every read and write of run,
event and schedule storage (a ``NullPool``), unless it runs inside
dagster-webserver, where it keeps one open. A seeding run stores a few hundred
events; connecting for each costs about 3 ms here, seconds per run. These
classes build the same storages with the webserver's pooled engine, for the
CLI, the daemon and the runs it launches too. ``dagster.yaml`` names them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dagster._serdes import ConfigurableClassData
from dagster_postgres import PostgresEventLogStorage, PostgresRunStorage, PostgresScheduleStorage

# One connection held, more opened when threads (the daemon, the webserver) need them at once.
POOL = {"statement_timeout": 0, "pool_recycle": 3600, "max_overflow": 10}


class _Pooled:
    """Builds the dagster-postgres storage it is mixed into, then switches it to a pooled engine."""

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData | None, config_value: Mapping[str, Any]):
        storage = super().from_config_value(inst_data, config_value)
        storage.optimize_for_webserver(**POOL)
        return storage


class PooledPostgresRunStorage(_Pooled, PostgresRunStorage):
    pass


class PooledPostgresEventLogStorage(_Pooled, PostgresEventLogStorage):
    pass


class PooledPostgresScheduleStorage(_Pooled, PostgresScheduleStorage):
    pass

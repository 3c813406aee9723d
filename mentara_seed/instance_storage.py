"""Dagster's Postgres storage, holding its connection open and asking its schema once.

dagster-postgres opens a new connection for every read and write of run,
event and schedule storage (a ``NullPool``), unless it runs inside
dagster-webserver, where it keeps one open. A seeding run stores a few hundred
events; connecting for each costs about 3 ms here, seconds per run. These
classes build the same storages with the webserver's pooled engine, for the
CLI, the daemon and the runs it launches too. ``dagster.yaml`` names them.

The event log storage also asks the database, before storing many of those
events, whether its schema has a table or a column of a later migration
(``asset_check_executions`` before every check evaluation, the asset key
columns before every materialization): 431 catalog queries in a light seed
run, about half a second of a heavy x10 no-op rerun on Postgres (2.55 s
against 3.0 s). A table or column, once there, stays there
(migrations only add them, and ``wipe`` empties tables, never drops them), so
``PooledPostgresEventLogStorage`` remembers each one found and asks again
only about those it has not found (a ``dagster instance migrate`` run
meanwhile is still seen).

A process that builds instance after instance (a ``dagster-celery`` worker
builds one per step and never disposes of it) would keep every earlier
instance's pooled connections open until the garbage collector found them:
67 connections at once in a sharded heavy run's test, on a server allowing
100. So a pooled storage, when built, has the storages of its kind built
before it in the same process give back their idle connections
(``Engine.dispose``: one still in use reconnects at its next statement).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Mapping
from typing import Any

from dagster._serdes import ConfigurableClassData
from dagster_postgres import PostgresEventLogStorage, PostgresRunStorage, PostgresScheduleStorage
from dagster_postgres.utils import get_token_provider_from_config, pg_url_from_config

# One connection held, more opened when threads (the daemon, the webserver) need them at once.
POOL = {"statement_timeout": 0, "pool_recycle": 3600, "max_overflow": 10}

# The latest pooled storage built in this process, by kind (weakly: an instance no longer used may go).
_LATEST: dict[type, weakref.ref] = {}
_LATEST_LOCK = threading.Lock()


def _pooled(storage):
    """Switch ``storage`` to a pooled engine; the storage of its kind built before it in this process gives
    back its idle connections."""
    storage.optimize_for_webserver(**POOL)
    with _LATEST_LOCK:
        previous = _LATEST.get(type(storage))
        if previous is not None and (older := previous()) is not None:
            older._engine.dispose()
        _LATEST[type(storage)] = weakref.ref(storage)
    return storage


class _Pooled:
    """Builds the dagster-postgres storage it is mixed into, then switches it to a pooled engine."""

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData | None, config_value: Mapping[str, Any]):
        return _pooled(super().from_config_value(inst_data, config_value))


class PooledPostgresRunStorage(_Pooled, PostgresRunStorage):
    pass


class PooledPostgresEventLogStorage(PostgresEventLogStorage):
    """Pooled, and remembers the tables and asset key columns it has found (see the module's docstring)."""

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData | None, config_value: Mapping[str, Any]):
        # As PostgresEventLogStorage.from_config_value, which builds its own class, not this one.
        storage = cls(inst_data=inst_data, postgres_url=pg_url_from_config(config_value),
                      should_autocreate_tables=config_value.get("should_autocreate_tables", True),
                      token_provider=get_token_provider_from_config(config_value))
        return _pooled(storage)

    # Set at the first question (the storage's own __init__ may already ask one).
    _mentara_found: set[tuple[str, str]] | None = None

    def _remembered(self, what: tuple[str, str], ask) -> bool:
        """``ask()``, unless ``what`` was found before; found, it is remembered."""
        if self._mentara_found is None:
            self._mentara_found = set()
        if what not in self._mentara_found and ask():
            self._mentara_found.add(what)
        return what in self._mentara_found

    def has_table(self, table_name: str) -> bool:
        return self._remembered(("table", table_name), lambda: PostgresEventLogStorage.has_table(self, table_name))

    def _has_asset_key_col_on_connection(self, conn, column_name: str) -> bool:
        return self._remembered(("asset_keys column", column_name),
                                lambda: PostgresEventLogStorage._has_asset_key_col_on_connection(self, conn, column_name))


class PooledPostgresScheduleStorage(_Pooled, PostgresScheduleStorage):
    pass

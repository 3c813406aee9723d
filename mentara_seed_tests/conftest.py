"""Shared fixtures: throwaway databases on SQLite and on a real Postgres.

Postgres tests need a server (``MENTARA_TEST_POSTGRES_URL``, default the local
one) and the Prisma tests need the fixtures of ``../shared/fixtures`` (or
``MENTARA_FIXTURES``): Prisma's DDL of each Mentara version, its migration and
its ``.prisma`` files. Where either is missing the tests skip with the reason,
unless ``MENTARA_SEED_REQUIRE_ALL=1`` (set by ``.ci/run``), which turns every
such skip into a failure.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def require(condition: bool, reason: str) -> None:
    """Skip with ``reason`` unless the environment demands every test runs."""
    if condition:
        return
    if os.environ.get("MENTARA_SEED_REQUIRE_ALL") == "1":
        pytest.fail(f"required by MENTARA_SEED_REQUIRE_ALL=1 but unavailable: {reason}")
    pytest.skip(reason)


def fixtures_dir() -> Path | None:
    """The fixtures directory (``MENTARA_FIXTURES``, else ``../shared/fixtures``), if it is there."""
    configured = os.environ.get("MENTARA_FIXTURES")
    path = Path(configured) if configured else REPO_ROOT.parent / "shared" / "fixtures"
    return path if (path / "mentara_prisma_ddl.sql").is_file() else None


def prisma_ddl(version: str) -> str:
    """Prisma's DDL of a Mentara version (the test is skipped, or failed under CI, without it)."""
    from mentara_seed.schema.codegen import SOURCES

    fixtures = fixtures_dir()
    require(fixtures is not None, "Prisma DDL not found: set MENTARA_FIXTURES or place the fixtures at ../shared/fixtures")
    return (fixtures / SOURCES[version]).read_text()


def migration_2025_to_2026() -> str:
    fixtures = fixtures_dir()
    require(fixtures is not None, "fixtures not found: set MENTARA_FIXTURES or place them at ../shared/fixtures")
    return (fixtures / "mentara_prisma_migration_2025_to_2026.sql").read_text()


def _admin_url() -> str:
    return os.environ.get("MENTARA_TEST_POSTGRES_URL", DEFAULT_ADMIN_URL)


_postgres_error: list[str] = []


def _postgres_available() -> str | None:
    """None when the server answers, else why not (asked once per session)."""
    if not _postgres_error:
        try:
            engine = sa.create_engine(_admin_url(), connect_args={"connect_timeout": 3})
            with engine.connect():
                pass
            engine.dispose()
            _postgres_error.append("")
        except Exception as exc:  # any failure to connect means "no server"
            _postgres_error.append(f"no Postgres at {make_url(_admin_url()).render_as_string(hide_password=True)}: {exc.__class__.__name__}")
    return _postgres_error[0] or None


class PostgresDatabases:
    """Creates fresh databases on the test server and drops them afterwards."""

    def __init__(self) -> None:
        self.server_url = _admin_url()
        self.admin = sa.create_engine(self.server_url, isolation_level="AUTOCOMMIT")
        self.created: list[str] = []

    def create(self, ddl: str | None = None) -> str:
        name = f"mentara_seed_test_{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        url = make_url(_admin_url()).set(database=name).render_as_string(hide_password=False)
        if ddl is not None:
            engine = sa.create_engine(url)
            with engine.begin() as conn:
                conn.exec_driver_sql(ddl)
            engine.dispose()
        return url

    def drop_all(self) -> None:
        with self.admin.connect() as conn:
            for name in self.created:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


def pytest_sessionfinish(session, exitstatus) -> None:
    """Drop the seeded copies ``helpers.seeded`` kept in this test process."""
    from mentara_seed_tests.helpers import drop_seeded

    drop_seeded(_admin_url() if _postgres_error == [""] else None)


@pytest.fixture
def postgres_databases():
    """A factory of fresh, empty Postgres databases (dropped after the test)."""
    reason = _postgres_available()
    require(reason is None, reason or "")
    databases = PostgresDatabases()
    yield databases
    databases.drop_all()


TARGETS = ["sqlite", "prisma_2025", "prisma_2026"]
PRISMA = {"prisma_2025": "2025-10", "prisma_2026": "2026-02"}


def make_target(kind: str, tmp_path: Path, request) -> str:
    """An empty target: ``sqlite`` (the seeder creates the newest schema), ``postgres`` (the same on
    Postgres), or ``prisma_2025`` / ``prisma_2026`` (Postgres with the schema exactly as Prisma makes it)."""
    if kind == "sqlite":
        return f"sqlite+pysqlite:///{tmp_path / f'mentara_{uuid.uuid4().hex[:6]}.sqlite3'}"
    databases = request.getfixturevalue("postgres_databases")
    if kind == "postgres":
        return databases.create()
    return databases.create(ddl=prisma_ddl(PRISMA[kind]))


@pytest.fixture(params=TARGETS)
def target_url(request, tmp_path) -> str:
    """An empty target of each kind: SQLite, and Postgres made from each version's Prisma DDL."""
    return make_target(request.param, tmp_path, request)


@pytest.fixture(params=["sqlite", "prisma_2026"])
def backend_url(request, tmp_path) -> str:
    """One empty target per backend (for the slow, process-level tests)."""
    return make_target(request.param, tmp_path, request)

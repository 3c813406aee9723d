"""Shared fixtures: throwaway databases on SQLite and on a real Postgres.

Postgres tests need a server (``MENTARA_TEST_POSTGRES_URL``, default the local
one) and the Prisma DDL tests need ``../shared/fixtures/mentara_prisma_ddl.sql``
(or ``MENTARA_PRISMA_DDL``). Where either is missing the tests skip with the
reason, unless ``MENTARA_SEED_REQUIRE_ALL=1`` (set by ``.ci/run``), which turns
every such skip into a failure.
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


def prisma_ddl_path() -> Path | None:
    configured = os.environ.get("MENTARA_PRISMA_DDL")
    candidates = [Path(configured)] if configured else []
    candidates.append(REPO_ROOT.parent / "shared" / "fixtures" / "mentara_prisma_ddl.sql")
    return next((path for path in candidates if path.is_file()), None)


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
        self.admin = sa.create_engine(_admin_url(), isolation_level="AUTOCOMMIT")
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


@pytest.fixture
def postgres_databases():
    """A factory of fresh, empty Postgres databases (dropped after the test)."""
    reason = _postgres_available()
    require(reason is None, reason or "")
    databases = PostgresDatabases()
    yield databases
    databases.drop_all()


@pytest.fixture
def prisma_ddl() -> str:
    """The DDL Prisma generates for the real Mentara database."""
    path = prisma_ddl_path()
    require(
        path is not None,
        "Prisma DDL not found: set MENTARA_PRISMA_DDL or place it at ../shared/fixtures/mentara_prisma_ddl.sql",
    )
    return path.read_text()


TARGETS = ["sqlite", "postgres", "postgres_prisma"]


def _target(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite+pysqlite:///{tmp_path / 'mentara.sqlite3'}"
    databases = request.getfixturevalue("postgres_databases")
    if request.param == "postgres":
        return databases.create()
    return databases.create(ddl=request.getfixturevalue("prisma_ddl"))


@pytest.fixture(params=TARGETS)
def target_url(request, tmp_path) -> str:
    """An empty target database of each kind the seeder supports.

    ``sqlite`` and ``postgres`` start empty (the seeder creates the schema);
    ``postgres_prisma`` starts with the schema exactly as Prisma creates it.
    """
    return _target(request, tmp_path)


@pytest.fixture(params=["sqlite", "postgres_prisma"])
def backend_url(request, tmp_path) -> str:
    """One empty target per backend (for the slow, process-level tests)."""
    return _target(request, tmp_path)

"""The real Prisma client reads every row the seeder wrote, with every relation one level deep.

``prisma_client/read_all.mjs`` generates the client from the fixtures' ``.prisma`` files of each
Mentara version (Prisma 6.19, no native engine downloaded) and pages through every model. Needs
Node.js and its packages (``npm ci`` in ``prisma_client/``, which ``dev.py test`` runs).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa

from mentara_seed_tests.conftest import fixtures_dir, prisma_ddl, require
from mentara_seed_tests.helpers import seeded

HARNESS = Path(__file__).resolve().parent / "prisma_client"
SCHEMAS = {"2025-10": "prisma_schema_2025", "2026-02": "prisma_schema_2026"}


def _node() -> str:
    node = shutil.which("node")
    require(node is not None, "no Node.js on PATH: the Prisma client test needs Node 20 (and npm ci in prisma_client/)")
    require((HARNESS / "node_modules" / "@prisma" / "client").is_dir(),
            f"the Prisma client harness is not installed: run npm ci in {HARNESS} (python3 dev.py test does)")
    return node


@pytest.mark.parametrize("version", list(SCHEMAS))
def test_the_prisma_client_reads_every_row_of_every_model(postgres_databases, version, tmp_path):
    node = _node()
    url = postgres_databases.create(ddl=prisma_ddl(version))
    seeded(url, mode="medium")
    done = subprocess.run([node, str(HARNESS / "read_all.mjs"), "--schema", str(fixtures_dir() / SCHEMAS[version]),
                           "--url", url, "--cache-dir", str(tmp_path / "clients")],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    read = json.loads(done.stdout.strip().splitlines()[-1])
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        inspector = sa.inspect(conn)
        tables = [t for t in inspector.get_table_names() if t != "_prisma_migrations"]
        in_database = sum(conn.execute(sa.text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in tables)
    engine.dispose()
    assert len(read["models"]) == len(tables)
    assert read["rows"] == in_database > 3000
    assert [model for model, n in read["models"].items() if n == 0] == ["TypingIndicator"]

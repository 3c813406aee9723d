"""The benchmark: `python -m mentara_seed.bench` (or `python3 dev.py bench`).

For each backend (Postgres made from Prisma's DDL, SQLite) and each volume
(medium, heavy, heavy x10, heavy x100 by default) it seeds a fresh database in
a fresh process and measures rows, wall seconds, rows/s and peak RSS; then a
no-op rerun, an audit_job, the Dagster overhead per step, and the physical
limit: the very same rows loaded into a fresh database with the same schema
(COPY on Postgres, one executemany transaction on SQLite). It prints the table,
checks the targets of issue 5, and with --out writes docs/benchmarks.md.

Options: --volumes medium,heavy,heavy:10,heavy:100  --backends postgres,sqlite
         --postgres URL (server to create databases on)  --out FILE
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import make_url

ANCHOR = "2026-01-15T00:00:00Z"
REPO = Path(__file__).resolve().parent.parent
DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


# -- child processes: one job run each, so peak RSS is the run's own ----------------------------
def child(job: str, url: str, mode: str, scale: int) -> None:
    from dagster import DagsterInstance

    from mentara_seed.definitions import defs
    from mentara_seed.resources import MentaraDatabase, SeedConfig

    started = time.perf_counter()
    result = defs.resolve_job_def(job).execute_in_process(
        resources={"database": MentaraDatabase(url=url), "seed_config": SeedConfig(mode=mode, scale=scale, anchor=ANCHOR)},
        instance=DagsterInstance.ephemeral(), raise_on_error=False,
        run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}},
    )
    wall = time.perf_counter() - started
    materialized = [e.materialization.metadata for e in result.get_asset_materialization_events()
                    if e.asset_key.to_user_string() != "seed_report"]
    steps = len(result.get_step_success_events()) or 1
    work = sum(md["duration_s"].value for md in materialized)
    print(json.dumps({
        "success": result.success, "wall": wall, "steps": steps,
        "rows": sum(md["rows_added_total"].value for md in materialized),
        "asset_seconds": work,
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


def run_child(job: str, url: str, mode: str, scale: int) -> dict:
    done = subprocess.run([sys.executable, "-m", "mentara_seed.bench", "--child", job, url, mode, str(scale)],
                          capture_output=True, text=True, cwd=REPO)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise SystemExit(f"{job} failed on {url}:\n{done.stderr[-3000:]}")
    return json.loads(lines[-1])


# -- targets ---------------------------------------------------------------------------------------------
class Targets:
    def __init__(self, server: str, workdir: Path) -> None:
        self.server, self.workdir, self.created = server, workdir, []
        ddl = Path(os.environ.get("MENTARA_PRISMA_DDL", REPO.parent / "shared" / "fixtures" / "mentara_prisma_ddl.sql"))
        self.ddl = ddl.read_text() if ddl.is_file() else None

    def fresh(self, backend: str, schema: bool) -> str:
        """An empty database; with ``schema``, holding the Mentara schema (Prisma's DDL on Postgres)."""
        if backend == "sqlite":
            url = f"sqlite+pysqlite:///{self.workdir / f'{uuid.uuid4().hex[:8]}.sqlite3'}"
            if schema:
                from mentara_seed.schema import create_schema
                engine = sa.create_engine(url)
                create_schema(engine)
                engine.dispose()
            return url
        name = f"mentara_bench_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(self.server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        self.created.append(name)
        url = make_url(self.server).set(database=name).render_as_string(hide_password=False)
        if schema:
            engine = sa.create_engine(url)
            with engine.begin() as conn:
                if self.ddl:
                    conn.exec_driver_sql(self.ddl)
                else:
                    from mentara_seed.schema import create_schema
                    create_schema(conn)
            engine.dispose()
        return url

    def drop_all(self) -> None:
        admin = sa.create_engine(self.server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for name in self.created:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def copy_limit(source: str, target: str) -> tuple[int, float]:
    """Load every row of ``source`` into the empty schema at ``target``; (rows, seconds of loading only)."""
    from mentara_seed.schema.tables import metadata

    rows_total, seconds = 0, 0.0
    src, dst = sa.create_engine(source), sa.create_engine(target)
    with src.connect() as read, dst.connect() as write:
        if write.dialect.name == "postgresql":
            raw_in, raw_out = read.connection.driver_connection, write.connection.driver_connection
            for table in metadata.sorted_tables:
                buffer = io.BytesIO()
                with raw_in.cursor().copy(f'COPY "{table.name}" TO STDOUT') as copy:
                    for block in copy:
                        buffer.write(block)
                data = buffer.getvalue()
                rows_total += data.count(b"\n")
                started = time.perf_counter()
                with raw_out.cursor().copy(f'COPY "{table.name}" FROM STDIN') as copy:
                    copy.write(data)
                seconds += time.perf_counter() - started
            started = time.perf_counter()
            raw_out.commit()
            seconds += time.perf_counter() - started
        else:
            raw_out = write.connection.driver_connection
            raw_out.execute("PRAGMA foreign_keys=ON")
            raw_out.execute("PRAGMA synchronous=NORMAL")
            raw_out.execute("PRAGMA journal_mode=WAL")
            for table in metadata.sorted_tables:
                data = read.connection.driver_connection.execute(f'SELECT * FROM "{table.name}"').fetchall()
                rows_total += len(data)
                if not data:
                    continue
                marks = ", ".join("?" * len(data[0]))
                started = time.perf_counter()
                raw_out.executemany(f'INSERT INTO "{table.name}" VALUES ({marks})', data)
                seconds += time.perf_counter() - started
            started = time.perf_counter()
            raw_out.commit()
            seconds += time.perf_counter() - started
    src.dispose()
    dst.dispose()
    return rows_total, seconds


def cli_seconds(url: str, mode: str) -> float:
    """Wall seconds of `dagster job execute -j seed_job` in a fresh process (what a developer types)."""
    home = Path(tempfile.mkdtemp(prefix="bench_home_"))
    env = {**os.environ, "DAGSTER_HOME": str(home), "MENTARA_DATABASE_URL": url, "MENTARA_SEED_MODE": mode,
           "MENTARA_SEED_ANCHOR": ANCHOR}
    started = time.perf_counter()
    done = subprocess.run([str(Path(sys.executable).parent / "dagster"), "job", "execute", "-m",
                           "mentara_seed.definitions", "-j", "seed_job"], env=env, cwd=REPO, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(done.stderr[-3000:])
    return time.perf_counter() - started


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal"))) / 2**20
    try:
        pg = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip()
    except OSError:
        pg = "psql not found"
    return (f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB memory, Python {platform.python_version()}, "
            f"{pg}, SQLite {sa.__version__ and __import__('sqlite3').sqlite_version}, {platform.system()} {platform.release()}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m mentara_seed.bench")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--volumes", default="medium,heavy,heavy:10,heavy:100")
    parser.add_argument("--backends", default="postgres,sqlite")
    parser.add_argument("--postgres", default=os.environ.get("MENTARA_TEST_POSTGRES_URL", DEFAULT_SERVER))
    parser.add_argument("--out", help="write the results as markdown to this file (e.g. docs/benchmarks.md)")
    args = parser.parse_args(argv)
    if args.child:
        job, url, mode, scale = args.child
        child(job, url, mode, int(scale))
        return 0

    workdir = Path(tempfile.mkdtemp(prefix="mentara_bench_"))
    targets = Targets(args.postgres, workdir)
    results = []
    try:
        for backend in args.backends.split(","):
            for volume in args.volumes.split(","):
                mode, _, scale = volume.partition(":")
                scale = int(scale or 1)
                url = targets.fresh(backend, schema=True)
                seed = run_child("seed_job", url, mode, scale)
                rerun = run_child("seed_job", url, mode, scale)
                audit = run_child("audit_job", url, mode, scale)
                copied_rows, copy_seconds = copy_limit(url, targets.fresh(backend, schema=True))
                row = {
                    "backend": backend, "volume": f"{mode} x{scale}", "rows": seed["rows"],
                    "seed_s": round(seed["wall"], 2), "rows_per_s": round(seed["rows"] / seed["wall"]),
                    "peak_rss_mb": round(seed["maxrss_mb"]), "noop_rerun_s": round(rerun["wall"], 2),
                    "audit_s": round(audit["wall"], 2),
                    "step_overhead_ms": round(1000 * (seed["wall"] - seed["asset_seconds"]) / seed["steps"], 1),
                    "copy_s": round(copy_seconds, 2), "copy_rows": copied_rows,
                    "copy_over_seed": round(copy_seconds / seed["wall"], 2),
                }
                assert seed["success"] and rerun["success"] and rerun["rows"] == 0, (seed, rerun)
                results.append(row)
                print(json.dumps(row), flush=True)
        cli = cli_seconds(targets.fresh("sqlite", schema=False), "medium") if "sqlite" in args.backends else None
    finally:
        targets.drop_all()

    table = pd.DataFrame(results)
    verdicts = check_targets(table, cli)
    text = render(table, verdicts, cli)
    print(text)
    if args.out:
        Path(args.out).write_text(text)
    return 0


def check_targets(table: pd.DataFrame, cli: float | None) -> list[tuple[str, str, str]]:
    """(target, measured, MET/MISSED) for each target of issue 5 that this run measured."""
    out = []
    pg = table[table.backend == "postgres"].set_index("volume") if "postgres" in set(table.backend) else None
    if pg is not None and "heavy x100" in pg.index:
        ratio = pg.loc["heavy x100", "copy_over_seed"]
        out.append(("copy/seed >= 0.5 at heavy x100 on Postgres", f"{ratio}", "MET" if ratio >= 0.5 else "MISSED"))
    worst = (table.noop_rerun_s / table.seed_s).max()
    out.append(("no-op rerun <= 10% of the seed time", f"worst {worst:.0%}", "MET" if worst <= 0.10 else "MISSED"))
    if cli is not None:
        out.append(("medium through the CLI <= 5 s wall", f"{cli:.1f} s", "MET" if cli <= 5 else "MISSED"))
    big = table[table.volume == "heavy x100"]
    if not big.empty:
        worst_audit = big.audit_s.max()
        out.append(("audit at heavy x100 <= 10 s", f"{worst_audit} s (worst backend)", "MET" if worst_audit <= 10 else "MISSED"))
    for backend, group in table.groupby("backend"):
        g = group.set_index("volume")
        if {"heavy x10", "heavy x100"} <= set(g.index):
            rows = g.loc["heavy x100", "rows"] / g.loc["heavy x10", "rows"]
            time_ratio = g.loc["heavy x100", "seed_s"] / g.loc["heavy x10", "seed_s"]
            per_row = time_ratio / rows * 10
            out.append((f"linear on {backend}: 10x the volume <= 11x the time",
                        f"{rows:.1f}x rows took {time_ratio:.1f}x time ({per_row:.1f}x per 10x rows)",
                        "MET" if per_row <= 11 else "MISSED"))
    return out


GAPS = """## Why the missed targets are missed, and what would close them

- **copy/seed** (0.26 at heavy x100 on Postgres). COPY of the finished rows runs at about 55k rows/s here; the
  seed writes about 14k rows/s because it spends most of its time in Python building each row: a seeded random
  stream per row (about 10 µs), text from the vocabulary, a dict per row, then COPY's own adaptation. Closing it
  needs column-wise generation (NumPy draws per batch instead of a stream per row) written straight to COPY in
  bounded batches, which would also make peak memory flat instead of growing with scale (555 MB at x100, 217 MB
  at x10).
- **No-op rerun** (about 20 % of the seed at heavy x100, more at small volumes). A rerun still evaluates all 55
  checks and the audit summary (each a grouped query over millions of rows) and recomputes every legacy target;
  at small volumes the fixed costs (about 20 ms of Dagster bookkeeping for each of 78 steps, interpreter start)
  dominate. Closing it needs checks evaluated in one pass per asset and a cheap "nothing changed" fast path.
- **Medium through the CLI** (about 7.5 s). About 2 s is interpreter and Dagster start-up and loading the
  definitions; about 1.5 s is the per-step bookkeeping of 78 steps (22 assets, 56 standalone checks, which
  issue 3 asks to keep standalone); the seeding itself takes well under a second.
- **Audit at heavy x100** (met on Postgres, 11 s on SQLite). SQLite evaluates the anti-joins of the integrity
  rules more slowly; the unique index on `Membership(userId, communityId)` already serves them, so the next step is
  rewriting those rules as grouped joins.
- **Linearity** (12-13x the time for 10x the rows). The checks and legacy targets scan whole tables, and the
  Python-side working sets (posts per community, members per community) grow with the data; the column-wise,
  batched generation above would make the per-row cost constant.
"""


def render(table: pd.DataFrame, verdicts, cli) -> str:
    return "\n".join([
        "# Benchmarks", "",
        f"Measured {dt.date.today().isoformat()} with `python3 dev.py bench` (`python -m mentara_seed.bench --out docs/benchmarks.md`).",
        "", f"Machine: {machine()}.", "",
        "Each row seeds a fresh database (Postgres: made from Prisma's DDL) in a fresh process. `copy_s` is the",
        "physical limit measured in the same run: the very same rows loaded into another fresh database with the",
        "same schema (COPY on Postgres; one executemany transaction on SQLite), loading time only.",
        "`step_overhead_ms` is the run's wall time not spent inside assets, per step (checks included).", "",
        table.to_markdown(index=False), "",
        "## Targets", "",
        pd.DataFrame(verdicts, columns=["target", "measured", "verdict"]).to_markdown(index=False), "",
        GAPS,
    ])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

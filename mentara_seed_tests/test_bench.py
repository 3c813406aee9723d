"""The benchmark runs end to end (at the smallest volume), so it cannot rot between measurements."""

from __future__ import annotations

import re

from mentara_seed import bench
from mentara_seed_tests.conftest import fixtures_dir, require


def test_the_benchmark_measures_both_backends_and_writes_between_its_markers(tmp_path, postgres_databases):
    require(fixtures_dir() is not None, "Prisma DDL not found (the benchmark's Postgres targets are made from it)")
    out = tmp_path / "benchmarks.md"
    out.write_text("# Benchmarks\n\nintro\n\n<!-- bench:begin -->\nold\n<!-- bench:end -->\n\n## Analysis\n\nkept\n")
    assert bench.main(["--volumes", "light", "--backends", "sqlite,postgres", "--cli-runs", "1", "--out", str(out)]) == 0

    text = out.read_text()
    assert text.startswith("# Benchmarks\n\nintro\n\n<!-- bench:begin -->\n") and text.endswith("## Analysis\n\nkept\n")
    assert "old" not in text
    rows = {m.group(1): m.group(0) for m in re.finditer(r"^\| (sqlite|postgres) +\| 2026-02 +\| light x1 .*$", text, re.M)}
    assert set(rows) == {"sqlite", "postgres"}
    for row in rows.values():
        cells = [c.strip() for c in row.strip("|").split("|")]
        rows_written, copied = int(cells[3]), int(cells[-1])
        assert rows_written > 500 and copied == rows_written  # both baselines load the very same rows
        restore_s = float(cells[-4])
        assert restore_s > 0
    assert re.search(r"`dagster job execute -j seed_job` \d+\.\d\d s; `python3 dev\.py seed` \d+\.\d\d s; "
                     r"`dagster --version` \(the floor\) \d+\.\d\d s", text)
    assert "medium through the CLI <= 2.5x `dagster --version`" in text

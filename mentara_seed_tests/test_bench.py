"""The benchmark runs end to end (at the smallest volume), so it cannot rot between measurements."""

from __future__ import annotations

import os
import re

from mentara_seed import bench
from mentara_seed_tests.conftest import fixtures_dir, require


def test_the_benchmark_measures_both_backends_and_writes_between_its_markers(tmp_path, postgres_databases):
    require(fixtures_dir() is not None, "Prisma DDL not found (the benchmark's Postgres targets are made from it)")
    out = tmp_path / "benchmarks.md"
    out.write_text("# Benchmarks\n\nintro\n\n<!-- bench:begin -->\nold\n<!-- bench:end -->\n\n## Analysis\n\nkept\n")
    assert bench.main(["--volumes", "light", "--backends", "sqlite,postgres", "--cli-runs", "1", "--repeats", "2",
                       "--also", "sqlite@medium", "--out", str(out)]) == 0

    text = out.read_text()
    assert text.startswith("# Benchmarks\n\nintro\n\n<!-- bench:begin -->\n") and text.endswith("## Analysis\n\nkept\n")
    assert "old" not in text
    rows = {m.group(1): m.group(0) for m in re.finditer(r"^\| (sqlite|postgres) +\| 2026-02 +\| light x1 .*$", text, re.M)}
    assert set(rows) == {"sqlite", "postgres"}
    header = [c.strip() for c in re.search(r"^\| backend .*$", text, re.M).group(0).strip("|").split("|")]
    for row in rows.values():
        cells = dict(zip(header, (c.strip() for c in row.strip("|").split("|")), strict=True))
        rows_written, copied = int(cells["rows"]), int(cells["copy_rows"])
        assert rows_written > 500 and copied == rows_written  # both baselines load the very same rows
        assert float(cells["restore_s"]) > 0
        # Two rounds: the row is the round of the median copy/seed (the lower of two), within their range.
        assert int(cells["rounds"]) == 2
        low, high = map(float, cells["copy_over_seed_range"].split("-"))
        assert abs(float(cells["copy_over_seed"]) - low) < 0.0015 and low <= high
        assert abs(float(cells["copy_over_seed"]) - float(cells["copy_s"]) / float(cells["seed_s"])) < 0.002
        assert 0 < float(cells["python_cpu_s"]) < 2 * float(cells["seed_s"])  # at most two cores for the run
        # The CPU bound: the seed's work (its process's, its workers', the local Postgres server's) over the cores.
        server = float(cells["server_cpu_s"]) if cells["backend"] == "postgres" else 0.0
        if cells["backend"] == "postgres":
            assert server > 0  # the server on this machine worked for the seed
        else:
            assert cells["server_cpu_s"] == ""  # SQLite's work is the seeding process's own
        work = float(cells["python_cpu_s"]) + float(cells["worker_cpu_s"]) + server
        assert abs(float(cells["cpu_bound_s"]) - work / bench.cores()) < 0.02
        assert 0 < float(cells["cores_busy"]) <= 1
    # An --also row is one round, whatever --repeats says (heavy x1000 would take hours).
    also = re.search(r"^\| sqlite +\| 2026-02 +\| medium x1 .*$", text, re.M).group(0)
    also_cells = dict(zip(header, (c.strip() for c in also.strip("|").split("|")), strict=True))
    assert int(also_cells["rounds"]) == 1 and also_cells["copy_over_seed_range"] == ""
    light = int(re.search(r"^\| sqlite +\| 2026-02 +\| light x1 +\| +(\d+) \|", text, re.M).group(1))
    assert int(also_cells["rows"]) > light and int(also_cells["copy_rows"]) == int(also_cells["rows"])
    # Where the cores were idle, phase by phase, at the last volume: the phases cover the whole seed.
    for backend in ("sqlite", "postgres"):
        section = text.split(f"Where the cores were idle during the seed ({backend} 2026-02, light x1;", 1)[1]
        table = section.split("\n\n", 2)[1]
        phases = {m.group(1).strip(): float(m.group(2)) for m in re.finditer(r"^\| ([^|]+)\|\s*([\d.]+)\s*\|", table, re.M)}
        total = next(seconds for phase, seconds in phases.items() if phase.startswith("(all "))
        seed_s = float(dict(zip(header, (c.strip() for c in rows[backend].strip("|").split("|")), strict=True))["seed_s"])
        assert abs(total - seed_s) < 0.2
        busy = [float(m.group(1)) for m in re.finditer(r"^\|[^|]+\|[^|]+\|\s*([\d.]+)\s*\|", table, re.M)]
        assert len(busy) == len(phases) == bench.IDLE_PHASES + 1 and all(0 <= b <= 1 for b in busy)
        # The same seed's slowest checks: each evaluation's wall and Python seconds, summed over all evaluated.
        section = text.split(f"The slowest checks of the same seed ({backend} 2026-02, light x1;", 1)[1]
        checks = [(m.group(1).strip(), float(m.group(2)), float(m.group(3)))
                  for m in re.finditer(r"^\| ([^|]+)\|\s*([\d.]+)\s*\|\s*([\d.]+)\s*\|", section.split("\n\n", 2)[1], re.M)]
        assert len(checks) == bench.SLOWEST_CHECKS + 1 and checks[-1][0].startswith("(all ")
        shown = [seconds for _, seconds, _ in checks[:-1]]
        assert shown == sorted(shown, reverse=True) and checks[-1][1] >= sum(shown) - 0.01
        assert int(re.match(r"\(all (\d+) evaluated\)", checks[-1][0]).group(1)) > 50
        # When each was evaluated: in its step, or (Postgres) after an asset of its stage, while later ones ran.
        whens = re.findall(r"^\| [^|]+\|\s*[\d.]+\s*\|\s*[\d.]+\s*\| ([^|]+?)\s*\|$", section.split("\n\n", 2)[1], re.M)
        assert len(whens) == len(checks) and all(w == "in its step" or w.startswith("after ") for w in whens[:-1])
        early = int(re.match(r"(\d+) \(", whens[-1]).group(1))
        assert (early > 0) == (backend == "postgres"), whens[-1]
    assert re.search(r"`dagster job execute -j seed_job` \d+\.\d\d s; `python3 dev\.py seed` \d+\.\d\d s; "
                     r"`dagster --version` \(the floor\) \d+\.\d\d s; the same `dagster job execute` on this "
                     r"project's graph with empty bodies \(`mentara_seed.hollow`: Dagster's own cost for the shape\) "
                     r"\d+\.\d\d s", text)
    assert "medium through the CLI <= 2.5x `dagster --version`" in text


def test_the_median_round_is_the_one_of_the_median_copy_over_seed_with_the_range_of_all():
    assert bench.median_round([0.9]) == (0, 0.9, 0.9)
    assert bench.median_round([0.94, 0.65, 0.84]) == (2, 0.65, 0.94)
    assert bench.median_round([0.8, 0.7, 0.9, 0.6]) == (1, 0.6, 0.9)  # of two middle ones, the lower
    assert bench.median_round([0.7, 0.7, 0.7]) == (1, 0.7, 0.7)


def test_idle_by_phase_splits_the_runs_idle_core_time_among_the_phases_that_end_at_each_mark():
    # Two cores, 100 ticks a second each: fully busy for 2 s, half busy for 1 s, then three quarters for 1 s.
    samples = [(100.0, 0, 0), (101.0, 200, 200), (102.0, 400, 400), (103.0, 500, 600), (104.0, 650, 800)]
    marks = [(100.0, ""), (101.5, "users"), (103.0, "content"), (104.0, "users")]
    phases = {p["phase"]: p for p in bench.idle_by_phase(marks, samples, machine_cores=2)}
    # content: 0.5 s fully busy, then 1 s half busy (the counters interpolated at 101.5).
    assert phases["content"] == {"phase": "content", "seconds": 1.5, "cores_busy": 0.67, "idle_core_s": 1.0}
    # users: 1.5 s fully busy, then 1 s three quarters busy; summed.
    assert phases["users"] == {"phase": "users", "seconds": 2.5, "cores_busy": 0.9, "idle_core_s": 0.5}
    assert [p["phase"] for p in bench.idle_by_phase(marks, samples, 2)] == ["content", "users"]  # most idle first
    assert bench.idle_by_phase(marks, samples[:1], 2) == []  # nothing read: nothing said
    busy, total = bench.cpu_counters()
    assert 0 < busy < total


def test_the_server_cpu_is_read_only_for_a_postgres_server_on_this_machine(tmp_path):
    """Elsewhere the benchmark cannot read it, and SQLite's work is the seeding process's own: no reading
    (and no CPU bound for a server elsewhere), never a wrong one."""
    assert bench.server_cpu_seconds(f"sqlite+pysqlite:///{tmp_path / 'x.sqlite3'}") is None
    assert bench.server_cpu_seconds("postgresql+psycopg://postgres@db.example.com:5432/mentara") is None
    assert bench.server_cpu_seconds("postgresql+psycopg://postgres@/mentara?host=db.example.com") is None
    assert 1 <= bench.cores() <= (os.cpu_count() or 1)


def test_the_hollow_graph_is_the_projects_graph_with_empty_bodies():
    """The CLI floor of the shape (``mentara_seed.hollow``) has exactly the real asset keys, dependencies,
    groups, steps and checks; a run of it materializes every asset and passes every check; and it
    loads without the project (only Dagster), so it measures Dagster's cost alone."""
    import json
    import subprocess
    import sys

    from dagster import AssetKey

    from mentara_seed.checks.definitions import CHECK_NAMES
    from mentara_seed.definitions import defs
    from mentara_seed.hollow import build, describe

    hollow = build(json.loads(json.dumps(describe(defs))))
    real_graph, hollow_graph = defs.resolve_asset_graph(), hollow.resolve_asset_graph()
    assert hollow_graph.get_all_asset_keys() == real_graph.get_all_asset_keys()
    for key in real_graph.get_all_asset_keys():
        assert hollow_graph.get(key).parent_keys == real_graph.get(key).parent_keys, key
        assert hollow_graph.get(key).group_name == real_graph.get(key).group_name, key
    assert hollow_graph.asset_check_keys == real_graph.asset_check_keys
    assert len(hollow_graph.asset_check_keys) == len(CHECK_NAMES) + 1  # and the audit
    assert sorted(a.node_def.name for a in hollow.assets) == sorted(a.node_def.name for a in defs.assets)
    assert sorted(c.node_def.name for c in hollow.asset_checks) == sorted(c.node_def.name for c in defs.asset_checks)

    result = hollow.resolve_job_def("seed_job").execute_in_process()
    assert result.success
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert materialized == real_graph.get_all_asset_keys() and AssetKey("content") in materialized
    evaluations = [e.event_specific_data for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"]
    assert len(evaluations) == len(CHECK_NAMES) + 1 and all(e.passed for e in evaluations)

    loaded = subprocess.run([sys.executable, "-c", "import sys, mentara_seed.hollow; "
                             "print(sorted(m for m in sys.modules if m.startswith('mentara_seed')))"],
                            capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "['mentara_seed', 'mentara_seed.hollow']"


def test_the_rerun_verdict_judges_the_times_not_their_rounded_share():
    import pandas as pd

    row = {"backend": "postgres", "schema": "2025-10", "volume": "heavy x100", "rows": 1, "seed_s": 90.33,
           "noop_rerun_s": 4.53, "rerun_share": round(4.53 / 90.33, 3), "copy_over_seed": 0.8, "restore_over_seed": 0.3,
           "copy_s": 72.0, "restore_s": 27.0, "cpu_bound_s": 60.0, "audit_s": 2.0, "worker_rss_mb": 1, "peak_rss_mb": 1}
    assert row["rerun_share"] == 0.05  # rounded, it would pass

    def rerun_verdict(rerun_s: float) -> tuple[str, str]:
        return next((measured, verdict) for target, measured, verdict in
                    bench.check_targets(pd.DataFrame([{**row, "noop_rerun_s": rerun_s}]), {})
                    if target == "no-op rerun <= 5% of the seed at heavy x100 (postgres 2025-10)")

    assert rerun_verdict(4.53) == ("5.01%", "MISSED")
    assert rerun_verdict(4.51) == ("4.99%", "MET")

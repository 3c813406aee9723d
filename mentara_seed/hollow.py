"""This project's asset graph with empty bodies: what Dagster alone costs for its shape.

The benchmark's CLI target compares a seed through ``dagster job execute``
with ``dagster --version``. Between the two lies Dagster's own work for this
project's shape, fixed by the user (an asset per generator and enricher,
stage entries, a report, and a check per requirement and rule, run as a
step per stage): planning the run, and storing each step's, materialization's
and check evaluation's events in the instance. To tell that from the
project's own cost, the benchmark runs the same graph hollow: the same asset
keys, dependencies, groups, steps and checks, with bodies that materialize or
pass at once and import nothing of the project.

``describe`` turns the real ``Definitions`` into a plain description (JSON),
``build`` makes the hollow ``Definitions`` from it; ``hollow_location`` is the
code location the CLI loads (it reads the description from the file named by
``MENTARA_HOLLOW_SHAPE``). This module imports only Dagster.
"""

from __future__ import annotations

from dagster import (
    AssetCheckKey,
    AssetCheckResult,
    AssetCheckSpec,
    AssetKey,
    AssetSpec,
    Definitions,
    MaterializeResult,
    define_asset_job,
    in_process_executor,
    multi_asset,
    multi_asset_check,
)

SHAPE_ENV = "MENTARA_HOLLOW_SHAPE"


def describe(defs: Definitions) -> dict:
    """The asset graph of ``defs`` as plain data: each asset step with its assets (key, dependencies,
    group), each check step with its checks (asset, name, blocking, further dependencies), the jobs."""
    return {
        "assets": [{"step": a.node_def.name, "can_subset": a.can_subset,
                    "specs": [{"key": list(s.key.path), "deps": [list(d.asset_key.path) for d in s.deps],
                               "group": s.group_name} for s in a.specs]}
                   for a in defs.assets],
        "checks": [{"step": c.node_def.name,
                    "specs": [{"asset": list(s.asset_key.path), "name": s.name, "blocking": s.blocking,
                               "deps": [list(d.asset_key.path) for d in s.additional_deps]} for s in c.check_specs]}
                   for c in defs.asset_checks],
        "jobs": [job.name for job in defs.jobs],
    }


def _asset_step(step: str, specs: list[AssetSpec], can_subset: bool):
    @multi_asset(specs=specs, name=step, can_subset=can_subset)
    def hollow(context):
        for spec in specs:  # in the real order, which is topological
            if spec.key in context.selected_asset_keys:
                yield MaterializeResult(asset_key=spec.key)

    return hollow


def _check_step(step: str, specs: list[AssetCheckSpec]):
    @multi_asset_check(specs=specs, name=step, can_subset=True)
    def hollow(context):
        selected: set[AssetCheckKey] = context.selected_asset_check_keys
        for spec in specs:
            if spec.key in selected:
                yield AssetCheckResult(passed=True, asset_key=spec.asset_key, check_name=spec.name)

    return hollow


def build(shape: dict) -> Definitions:
    """Hollow ``Definitions`` with the graph ``shape`` describes, every job selecting all of it, and the
    in-process executor, as the project's own definitions choose."""
    assets = [
        _asset_step(a["step"], [AssetSpec(AssetKey(s["key"]), deps=[AssetKey(d) for d in s["deps"]],
                                          group_name=s["group"]) for s in a["specs"]], a["can_subset"])
        for a in shape["assets"]
    ]
    checks = [
        _check_step(c["step"], [AssetCheckSpec(s["name"], asset=AssetKey(s["asset"]), blocking=s["blocking"],
                                               additional_deps=[AssetKey(d) for d in s["deps"]])
                                for s in c["specs"]])
        for c in shape["checks"]
    ]
    return Definitions(assets=assets, asset_checks=checks, jobs=[define_asset_job(name) for name in shape["jobs"]],
                       executor=in_process_executor)

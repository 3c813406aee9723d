"""The lineage Dagster builds is the one the registry declares: groups, inputs, check stages, the report."""

from __future__ import annotations

import pytest
from dagster import AssetKey

from mentara_seed import registry
from mentara_seed.assets import stages
from mentara_seed.checks.definitions import CHECK_NAMES, INTEGRITY, MINIMUMS
from mentara_seed.checks.rules import RULES
from mentara_seed.definitions import defs
from mentara_seed.requirements import REQUIREMENTS
from mentara_seed_tests.helpers import run_job


def _graph():
    return defs.resolve_asset_graph()


def _parents(name: str) -> set[str]:
    return {p.to_user_string() for p in _graph().get(AssetKey(name)).parent_keys}


@pytest.mark.parametrize("declaration", list(registry.load().values()), ids=lambda d: d.asset)
def test_each_seeding_asset_is_wired_as_declared(declaration):
    node = _graph().get(AssetKey(declaration.asset))
    assert node.group_name == declaration.stage
    entry = {f"tier{declaration.tier}"} if declaration.tier is not None else set()
    assert _parents(declaration.asset) == entry | set(declaration.inputs)
    assert node.tags["mentara/table"] == declaration.owns
    assert node.description  # the rule's docstring, shown in the UI


def test_each_tier_waits_for_the_whole_stage_before_it():
    legacy = {d.asset for d in registry.legacy()}
    leaves = {d for d in legacy if not any(d in other.inputs for other in registry.legacy())}
    for tier in registry.tiers():
        before = [t for t in registry.tiers() if t < tier]
        expected = leaves if not before else {d.asset for d in registry.enrichers(max(before))}
        assert _parents(f"tier{tier}") == expected, tier


def test_the_report_waits_for_every_enricher():
    assert _parents("seed_report") == {d.asset for d in registry.enrichers()}


def test_every_check_runs_in_the_stage_of_the_asset_it_belongs_to():
    checks = {key.name: key.asset_key.to_user_string() for key in _graph().asset_check_keys}
    assert set(checks) == set(CHECK_NAMES) | {"database_audit"}
    for requirement in REQUIREMENTS:
        assert checks[f"{requirement.name}_minimum"] == registry.by_enricher(requirement.enricher).asset
    for rule in RULES:
        assert checks[rule.name] == rule.asset
    assert checks["database_audit"] == "seed_report"
    steps = {check.node_def.name: {key.name for key in check.check_keys} for check in defs.asset_checks}
    for name in CHECK_NAMES:
        stage = registry.stage_of(checks[name])
        assert name in steps[f"{stage}_checks"], (name, stage)
    for step, names in steps.items():
        assert all(registry.stage_of(checks[n]) == step.removesuffix("_checks") for n in names if n != "database_audit")


def test_a_requirement_or_rule_naming_an_undeclared_asset_is_refused(monkeypatch):
    from mentara_seed.checks import rules
    from mentara_seed.requirements import Requirement

    stray = Requirement("nobody_minimum", "nobody", REQUIREMENTS[0].subject, "", (1, 1, 1), REQUIREMENTS[0].counts)
    monkeypatch.setattr("mentara_seed.requirements.REQUIREMENTS", (*REQUIREMENTS, stray))
    with pytest.raises(ValueError, match="requirement nobody_minimum names the enricher 'nobody'"):
        registry.validate()
    monkeypatch.undo()
    orphan = rules.IntegrityRule("orphan_rule", "enriched_nothing", "", RULES[0].offenders)
    monkeypatch.setattr("mentara_seed.checks.rules.RULES", (*RULES, orphan))
    with pytest.raises(ValueError, match="rule orphan_rule belongs to 'enriched_nothing'"):
        registry.validate()


def test_jobs_select_what_the_old_commands_did():
    def selected(job: str) -> set[str]:
        return {key.to_user_string() for key in defs.resolve_job_def(job).asset_layer.selected_asset_keys}

    everything = {key.to_user_string() for key in _graph().get_all_asset_keys()}
    assert selected("seed_job") == selected("reset_and_seed_job") == everything
    assert selected("enrich_job") == everything - {d.asset for d in registry.legacy()}
    assert selected("audit_job") == set()
    assert defs.resolve_job_def("reset_and_seed_job").run_tags["mentara/reset"] == "true"
    assert "mentara/reset" not in defs.resolve_job_def("seed_job").run_tags
    audit_checks = {key.name for key in defs.resolve_job_def("audit_job").asset_layer.asset_graph.asset_check_keys}
    assert set(MINIMUMS) | set(INTEGRITY) <= audit_checks


def test_the_nightly_schedule_is_registered():
    schedule = defs.resolve_schedule_def("nightly_staging_refresh_schedule")
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 3 * * *", "UTC")
    assert schedule.job_name == "enrich_job"


@pytest.mark.parametrize("failing, expected", [
    # A legacy generator: the stage's assets taking rows from it (directly or not) wait; the run stops.
    ("communities", {"users"}),
    # An enricher: its tier's other enrichers still run, but not the one taking rows from it (the chatbot
    # talks about the client's communities); the next tier does not.
    ("enriched_memberships", {d.asset for d in registry.legacy()} | {"tier1"}
     | {d.asset for d in registry.enrichers(1)} - {"enriched_memberships", "enriched_chatbot"}),
])
def test_a_failing_asset_stops_what_takes_rows_from_it_and_fails_its_stage(monkeypatch, tmp_path, failing, expected):
    real = stages.run_step

    def run_step(context, asset, *args, **kwargs):
        if asset == failing:
            raise RuntimeError(f"{asset} broke")
        return real(context, asset, *args, **kwargs)

    monkeypatch.setattr(stages, "run_step", run_step)
    result = run_job(f"sqlite+pysqlite:///{tmp_path / 'db.sqlite3'}", mode="light", raise_on_error=False)
    assert not result.success
    assert {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()} == expected
    failures = [e for e in result.all_events if e.is_step_failure]
    assert [e.step_key for e in failures] == [f"{registry.stage_of(failing)}_assets"]
    assert f"{failing} broke" in failures[0].step_failure_data.error.to_string()

"""Snapshot of the lineage: an accidental change to the asset graph fails here."""

from __future__ import annotations

from dagster import AssetSelection

from mentara_seed.definitions import defs

GRAPH = {
    # asset: (group, upstream)
    "users": ("legacy", set()),
    "communities": ("legacy", {"users"}),
    "relationships": ("legacy", {"users", "communities"}),
    "content": ("legacy", {"relationships"}),
    "therapy": ("legacy", {"relationships"}),
    "tier1": ("tier1", {"content", "therapy"}),
    "enriched_memberships": ("tier1", {"tier1"}),
    "enriched_relationships": ("tier1", {"tier1"}),
    "enriched_availability": ("tier1", {"tier1"}),
    "tier2": ("tier2", {"enriched_memberships", "enriched_relationships", "enriched_availability"}),
    "enriched_assessments": ("tier2", {"tier2", "enriched_relationships"}),
    "enriched_posts": ("tier2", {"tier2", "enriched_memberships"}),
    "tier3": ("tier3", {"enriched_assessments", "enriched_posts"}),
    "enriched_comments": ("tier3", {"tier3", "enriched_posts"}),
    "enriched_hearts": ("tier3", {"tier3", "enriched_posts"}),
    "tier4": ("tier4", {"enriched_comments", "enriched_hearts"}),
    "enriched_meetings": ("tier4", {"tier4", "enriched_relationships"}),
    "enriched_worksheets": ("tier4", {"tier4", "enriched_relationships"}),
    "enriched_messages": ("tier4", {"tier4", "enriched_relationships", "enriched_memberships"}),
    "tier5": ("tier5", {"enriched_meetings", "enriched_worksheets", "enriched_messages"}),
    "enriched_reviews": ("tier5", {"tier5", "enriched_meetings"}),
    "enriched_notifications": ("tier5", {"tier5", "enriched_meetings", "enriched_worksheets"}),
    "seed_report": ("report", {
        "enriched_memberships", "enriched_relationships", "enriched_availability", "enriched_assessments",
        "enriched_posts", "enriched_comments", "enriched_hearts", "enriched_meetings", "enriched_worksheets",
        "enriched_messages", "enriched_reviews", "enriched_notifications",
    }),
}


def _graph():
    return defs.resolve_asset_graph()


def test_asset_graph_matches_the_snapshot():
    graph = _graph()
    actual = {
        key.to_user_string(): (graph.get(key).group_name, {p.to_user_string() for p in graph.get(key).parent_keys})
        for key in graph.get_all_asset_keys()
    }
    assert actual == GRAPH


def test_every_asset_has_a_description():
    graph = _graph()
    assert all(graph.get(key).description for key in graph.get_all_asset_keys())


def _selected(job_name: str) -> set[str]:
    job = defs.resolve_job_def(job_name)
    return {key.to_user_string() for key in job.asset_layer.selected_asset_keys}


def test_jobs_select_what_the_old_commands_did():
    assert _selected("seed_job") == set(GRAPH)
    assert _selected("enrich_job") == {name for name, (group, _) in GRAPH.items() if group != "legacy"}
    assert _selected("audit_job") == set()
    assert _selected("reset_and_seed_job") == set(GRAPH)
    assert defs.resolve_job_def("reset_and_seed_job").run_tags["mentara/reset"] == "true"
    assert "mentara/reset" not in defs.resolve_job_def("seed_job").run_tags


def test_the_nightly_schedule_is_registered():
    schedule = defs.resolve_schedule_def("nightly_staging_refresh_schedule")
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 3 * * *", "UTC")
    assert schedule.job_name == "enrich_job"


def test_checks_hang_off_the_asset_that_guarantees_them():
    from mentara_seed.checks.rules import RULES
    from mentara_seed.requirements import REQUIREMENTS

    owners = {key.name: key.asset_key.to_user_string() for key in _graph().asset_check_keys}
    for requirement in REQUIREMENTS:
        assert owners[f"{requirement.name}_minimum"] == f"enriched_{requirement.enricher}"
    for rule in RULES:
        assert owners[rule.name] == rule.asset
    assert owners["database_audit"] == "seed_report"


def test_tier3_star_is_tier3_and_downstream():
    graph = _graph()
    selected = {k.to_user_string() for k in AssetSelection.from_string("tier3*").resolve(graph)}
    assert selected == {name for name, (group, _) in GRAPH.items() if group in ("tier3", "tier4", "tier5", "report")}

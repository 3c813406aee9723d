"""The deployed thing: dagster-webserver and dagster-daemon on a Postgres-backed instance,
driven through the GraphQL API and through the UI in headless Chromium."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from dagster_graphql import DagsterGraphQLClient

from mentara_seed import registry
from mentara_seed_tests.conftest import PostgresDatabases, _postgres_available, require
from mentara_seed_tests.helpers import REPO_ROOT, shortfalls
from mentara_seed_tests.services import start_services, stop_services

CHROMIUM = os.environ.get("MENTARA_TEST_CHROMIUM", "/usr/bin/chromium")
GROUPS = (*registry.stages(), "report")


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    reason = _postgres_available()
    require(reason is None, reason or "")
    databases = PostgresDatabases()
    home = tmp_path_factory.mktemp("dagster_home")
    running = start_services(databases.create(), f"sqlite+pysqlite:///{home / 'target.sqlite3'}", home)
    yield running
    stop_services(running)
    assert all(p.poll() is not None for p in running.processes)
    databases.drop_all()


def test_a_materialization_launched_through_graphql_succeeds(services):
    client = DagsterGraphQLClient("127.0.0.1", port_number=int(services.base_url.rsplit(":", 1)[1]))
    run_id = client.submit_job_execution("seed_job", repository_location_name="mentara_seed",
                                         repository_name="__repository__")
    # Queued by the webserver, started by the daemon, run by the default run launcher.
    assert services.wait_for_run(run_id) == "SUCCESS"
    assert shortfalls(services.target_url, "light") == {}


def _browser(playwright):
    require(Path(CHROMIUM).exists(), f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    return playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
              "--disable-component-update", "--disable-sync"],
    )


def _dismiss_welcome(page) -> None:
    """Close the "Join the Dagster community" dialog the UI shows on first visits."""
    skip = page.get_by_role("button", name="Skip")
    if skip.count():
        skip.first.click()
        page.wait_for_timeout(300)


def test_the_ui_shows_the_lineage_and_materializes_tier3(services, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = _browser(playwright)
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(f"{services.base_url}/asset-groups")
        page.wait_for_load_state("networkidle")
        _dismiss_welcome(page)
        for group in GROUPS:
            expect(page.get_by_text(group, exact=True).first).to_be_visible(timeout=30_000)
        page.screenshot(path=str(tmp_path / "lineage.png"))
        if os.environ.get("MENTARA_SEED_UPDATE_SCREENSHOT") == "1":
            shutil.copyfile(tmp_path / "lineage.png", REPO_ROOT / "docs" / "lineage.png")

        before = {run["runId"] for run in services.latest_runs()}
        page.goto(f"{services.base_url}/locations/mentara_seed/asset-groups/tier3")
        page.wait_for_load_state("networkidle")
        _dismiss_welcome(page)
        expect(page.get_by_text("enriched_hearts").first).to_be_visible(timeout=30_000)
        button = page.get_by_role("button", name="Materialize all").first
        expect(button).to_be_enabled(timeout=30_000)
        for attempt in range(5):  # the welcome dialog may open late and cover the button
            _dismiss_welcome(page)
            try:
                button.click(timeout=5_000)
                break
            except Exception:
                if attempt == 4:
                    raise
        # On an instance that has not materialized tier 2 yet, the UI asks first.
        confirm = page.get_by_role("button", name="Confirm")
        try:
            confirm.wait_for(timeout=3_000)
            confirm.click()
        except Exception:
            pass

        launched = None
        for _ in range(120):
            new = [run for run in services.latest_runs() if run["runId"] not in before]
            if new:
                launched = new[0]
                break
            page.wait_for_timeout(500)
        if launched is None:
            page.screenshot(path=str(services.home / "no_run_launched.png"))
        assert launched is not None, f"no run was launched from the UI (screenshot in {services.home})"
        assert {"/".join(a["path"]) for a in launched["assetSelection"]} == {"tier3", *(d.asset for d in registry.enrichers(3))}
        assert services.wait_for_run(launched["runId"]) == "SUCCESS"

        page.goto(f"{services.base_url}/runs/{launched['runId']}")
        expect(page.get_by_text("Success").first).to_be_visible(timeout=30_000)
        browser.close()

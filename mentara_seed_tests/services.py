"""A real Dagster deployment for the tests: webserver and daemon on a Postgres-backed instance."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests
from sqlalchemy.engine import make_url

from mentara_seed.instance import prepare
from mentara_seed_tests.helpers import ANCHOR, REPO_ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class DagsterServices:
    base_url: str
    target_url: str
    home: Path
    processes: list[subprocess.Popen]

    def graphql(self, query: str, variables: dict | None = None) -> dict:
        response = requests.post(f"{self.base_url}/graphql", json={"query": query, "variables": variables or {}}, timeout=30)
        response.raise_for_status()
        return response.json()["data"]

    def run_status(self, run_id: str) -> str:
        data = self.graphql("query($id: ID!) { runOrError(runId: $id) { ... on Run { status } } }", {"id": run_id})
        return data["runOrError"]["status"]

    def wait_for_run(self, run_id: str, timeout: float = 240) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = self.run_status(run_id)
            if status in ("SUCCESS", "FAILURE", "CANCELED"):
                return status
            time.sleep(1)
        raise TimeoutError(f"run {run_id} still {status} after {timeout} s; logs in {self.home}")

    def latest_runs(self) -> list[dict]:
        data = self.graphql("{ runsOrError(limit: 20) { ... on Runs { results { runId status jobName assetSelection { path } } } } }")
        return data["runsOrError"]["results"]


def start_services(storage_url: str, target_url: str, home: Path) -> DagsterServices:
    """Start dagster-webserver and dagster-daemon; wait until the webserver answers."""
    storage = make_url(storage_url).set(drivername="postgresql+psycopg2").render_as_string(hide_password=False)
    env = {
        **os.environ,
        **prepare(home, storage_url=storage),
        "MENTARA_DATABASE_URL": target_url,
        "MENTARA_SEED_MODE": "light",
        "MENTARA_SEED_ANCHOR": ANCHOR,
    }
    port = free_port()
    bin_dir = Path(sys.executable).parent
    logs = []
    processes = []
    for name, args in (
        ("webserver", [str(bin_dir / "dagster-webserver"), "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)]),
        ("daemon", [str(bin_dir / "dagster-daemon"), "run", "-w", "workspace.yaml"]),
    ):
        log = open(home / f"{name}.log", "w")
        logs.append(log)
        processes.append(subprocess.Popen(args, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                          start_new_session=True))
    services = DagsterServices(f"http://127.0.0.1:{port}", target_url, home, processes)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{services.base_url}/server_info", timeout=2).ok:
                return services
        except requests.ConnectionError:
            pass
        if any(p.poll() is not None for p in processes):
            break
        time.sleep(0.5)
    stop_services(services)
    raise RuntimeError(f"dagster-webserver did not start; see {home / 'webserver.log'}:\n"
                       + (home / "webserver.log").read_text()[-3000:])


def stop_services(services: DagsterServices) -> None:
    """SIGTERM each process group, wait, and kill what is left: nothing outlives the test."""
    for process in services.processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in services.processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

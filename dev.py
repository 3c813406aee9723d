#!/usr/bin/env python3
"""One entry point for a fresh checkout: it sets up what it needs, then does the thing.

    python3 dev.py seed   [dagster job execute options]   seed the embedded SQLite database (or $MENTARA_DATABASE_URL)
    python3 dev.py test   [pytest options]                run the test suite
    python3 dev.py lint   [ruff options]                  ruff, as CI runs it
    python3 dev.py ui                                     start the Dagster UI (dagster dev) on http://127.0.0.1:3000
    python3 dev.py bench  [--volumes ... --out FILE]      the benchmark (docs/benchmarks.md)
    python3 dev.py realism [--volumes ... --out FILE]     the realism report (docs/realism.md)
    python3 dev.py dagster ARGS...                        any dagster command, with this project's instance

Only Python 3.11+ is needed: the first call creates ./.venv and installs the
locked dependencies (requirements.lock) and this project into it; later calls
reinstall only when the lock file or pyproject.toml changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import venv
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
LOCK = ROOT / "requirements.lock"
DAGSTER_HOME = ROOT / ".dagster_home"


def _stamp() -> str:
    digest = hashlib.sha256(LOCK.read_bytes() + (ROOT / "pyproject.toml").read_bytes())
    return digest.hexdigest()[:16]


def ensure_environment() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 (dev.py runs under whatever python3 the machine has)
        sys.exit(f"mentara_seed needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    marker = VENV / f".installed-{_stamp()}"
    if marker.exists():
        return
    if not (BIN / "python").exists():
        print(f"Creating {VENV} ...", flush=True)
        venv.create(VENV, with_pip=True)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    print("Installing locked dependencies (first run only) ...", flush=True)
    subprocess.run([*pip, "-r", str(LOCK)], check=True)
    subprocess.run([*pip, "--no-deps", "-e", str(ROOT)], check=True)
    # The lock is what gets installed; pyproject.toml's pins are checked against it, not ignored.
    checked = subprocess.run([str(BIN / "python"), str(ROOT / "dev.py"), "check-lock"], cwd=ROOT)
    if checked.returncode:
        sys.exit(checked.returncode)
    for old in VENV.glob(".installed-*"):
        old.unlink()
    marker.touch()


def lock_disagreements(pyproject: Path = ROOT / "pyproject.toml", lock: Path = LOCK) -> list[str]:
    """Every requirement of pyproject.toml (dependencies and extras) the lock's pin does not satisfy.

    Runs in the project's virtualenv (it needs ``packaging``, which the lock installs).
    """
    import tomllib

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    pins = {}
    for line in lock.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[canonicalize_name(name)] = version.strip()
    project = tomllib.loads(pyproject.read_text())["project"]
    wanted = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        wanted += extra
    problems = []
    for text in wanted:
        requirement = Requirement(text)
        pinned = pins.get(canonicalize_name(requirement.name))
        if pinned is None:
            problems.append(f"pyproject.toml asks for {text!r}, which requirements.lock does not pin")
        elif not requirement.specifier.contains(pinned, prereleases=True):
            problems.append(f"pyproject.toml asks for {text!r} but requirements.lock pins {requirement.name}=={pinned}")
    return problems


PRISMA_HARNESS = ROOT / "mentara_seed_tests" / "prisma_client"


def ensure_prisma_harness() -> None:
    """Install the Prisma client test's Node packages (npm ci), when npm is there and the lock changed."""
    npm = shutil.which("npm")
    if npm is None:
        print("note: no npm on PATH; the Prisma client tests will be skipped", file=sys.stderr)
        return
    lock = PRISMA_HARNESS / "package-lock.json"
    stamp = PRISMA_HARNESS / "node_modules" / f".installed-{hashlib.sha256(lock.read_bytes()).hexdigest()[:16]}"
    if stamp.exists():
        return
    print("Installing the Prisma client test's packages (npm ci) ...", flush=True)
    subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--silent"], cwd=PRISMA_HARNESS, check=True)
    stamp.touch()


def _answers(url: str | None) -> bool:
    """Whether the Postgres server of ``url`` (the local default when None) accepts connections."""
    parts = urlsplit(url or "postgresql://127.0.0.1:5432")
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5432), timeout=1):
            return True
    except OSError:
        return False


def dagster_env() -> dict[str, str]:
    """This project's Dagster instance: ./.dagster_home (or $DAGSTER_HOME), configured from ./dagster.yaml.

    Preparing it (mentara_seed.instance) costs half a second, so it is done again only when
    dagster.yaml, the storage setting or the storage server's availability has changed.
    """
    home = Path(os.environ.get("DAGSTER_HOME", str(DAGSTER_HOME)))
    stamp = home / ".prepared.json"
    key = {"config": hashlib.sha256((ROOT / "dagster.yaml").read_bytes()).hexdigest(), "home": str(home.resolve()),
           "storage": os.environ.get("MENTARA_DAGSTER_STORAGE_URL")}
    try:
        recorded = json.loads(stamp.read_text())
        env = recorded["env"]
        storage = env.get("MENTARA_DAGSTER_STORAGE_URL")
        if recorded["key"] == key and (home / "dagster.yaml").exists() and _answers(storage) == bool(storage):
            return {**os.environ, **env}
    except (OSError, ValueError, KeyError):
        pass
    prepared = subprocess.run([str(BIN / "python"), "-m", "mentara_seed.instance", str(home)],
                              cwd=ROOT, check=True, capture_output=True, text=True)
    sys.stderr.write(prepared.stderr)
    env = json.loads(prepared.stdout)
    stamp.write_text(json.dumps({"key": key, "env": env}))
    return {**os.environ, **env}


def run(argv: list[str], env: dict[str, str] | None = None) -> int:
    return subprocess.run(argv, cwd=ROOT, env=env).returncode


def main(args: list[str]) -> int:
    command, rest = (args[0], args[1:]) if args else ("help", [])
    if command == "check-lock":  # run by ensure_environment, inside the virtualenv
        problems = lock_disagreements()
        for problem in problems:
            print(f"dev.py: {problem}; regenerate the lock (see its first lines)", file=sys.stderr)
        return 1 if problems else 0
    if command not in ("seed", "test", "lint", "ui", "dagster", "bench", "realism"):
        print(__doc__)
        return 0 if command in ("help", "-h", "--help") else 2
    ensure_environment()
    if command == "seed":
        return run([str(BIN / "dagster"), "job", "execute", "-m", "mentara_seed.definitions", "-j", "seed_job", *rest],
                   dagster_env())
    if command == "test":
        ensure_prisma_harness()
        # loadgroup: tests marked with one xdist_group (the Celery ones share a broker queue) take turns.
        return run([str(BIN / "python"), "-m", "pytest", "-n", "2", "--dist", "loadgroup", *rest])
    if command == "lint":
        return run([str(BIN / "ruff"), "check", ".", *rest])
    if command == "bench":
        return run([str(BIN / "python"), "-m", "mentara_seed.bench", *rest])
    if command == "realism":
        return run([str(BIN / "python"), "-m", "mentara_seed.realism", *rest])
    if command == "ui":
        return run([str(BIN / "dagster"), "dev", "-w", "workspace.yaml", *rest], dagster_env())
    return run([str(BIN / "dagster"), *rest], dagster_env())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

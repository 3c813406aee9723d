"""dev.py, the newcomer's entry point: its Dagster instance is prepared once, then reused."""

from __future__ import annotations

import json
import subprocess
import sys

import dev


def test_the_instance_is_prepared_once_and_again_when_its_setting_changes(tmp_path, monkeypatch, postgres_databases):
    home = tmp_path / "home"
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv("MENTARA_DAGSTER_STORAGE_URL", postgres_databases.create().replace("+psycopg:", "+psycopg2:"))
    first = dev.dagster_env()
    assert first["DAGSTER_HOME"] == str(home)
    assert (home / "dagster.yaml").exists()
    assert json.loads((home / ".prepared.json").read_text())["env"]["DAGSTER_HOME"] == str(home)

    preparations = []
    real_run = subprocess.run

    def counting_run(argv, *args, **kwargs):
        if "mentara_seed.instance" in argv:
            preparations.append(argv)
        return real_run(argv, *args, **kwargs)

    monkeypatch.setattr(dev.subprocess, "run", counting_run)
    assert dev.dagster_env()["DAGSTER_HOME"] == str(home)
    assert preparations == []  # reused: nothing changed

    storage = postgres_databases.create().replace("+psycopg:", "+psycopg2:")  # another storage database
    monkeypatch.setenv("MENTARA_DAGSTER_STORAGE_URL", storage)
    assert dev.dagster_env()["MENTARA_DAGSTER_STORAGE_URL"] == storage
    assert len(preparations) == 1  # the setting changed: prepared again


def test_the_lock_satisfies_every_pin_of_pyproject_and_a_disagreement_is_named(tmp_path):
    assert dev.lock_disagreements() == []
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text((dev.ROOT / "pyproject.toml").read_text().replace('"pandas>=2.2,<4"', '"pandas>=2.2,<3"'))
    assert dev.lock_disagreements(pyproject) == [
        "pyproject.toml asks for 'pandas>=2.2,<3' but requirements.lock pins pandas==3.1.1"]
    done = subprocess.run([sys.executable, str(dev.ROOT / "dev.py"), "check-lock"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr

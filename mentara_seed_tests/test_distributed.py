"""Sharded seeding (``mentara_seed.distributed``): 1, 4 or 16 shards write what one process writes, on
Celery workers over RabbitMQ, on a process per step, and in process; a worker killed mid-shard changes
nothing in the end; ``--select 'tier3*'`` still means tier 3 and everything downstream.

The Celery tests start two ``dagster-celery`` workers (separate processes) on the project's Postgres
instance storage, and need RabbitMQ at 127.0.0.1:5672 (``.ci/run`` starts it).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml
from dagster import DagsterInstance
from sqlalchemy.engine import make_url

from mentara_seed import distributed, registry
from mentara_seed.instance import prepare
from mentara_seed.resources import SeedConfig
from mentara_seed_tests.conftest import prisma_ddl, require
from mentara_seed_tests.helpers import ANCHOR, REPO_ROOT, digest, dump, reference_digest, run_job, seeded

BIN = Path(sys.executable).parent
OTHER_ANCHOR = "2025-11-20T09:00:00+00:00"
# Two Celery workers each: these tests take turns on 2 cores (the others run beside anything).
celery_workers = pytest.mark.xdist_group("celery")


def broker_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5672), timeout=2):
            return True
    except OSError:
        return False


class Deployment:
    """A Dagster instance on a fresh Postgres storage database, the environment of its processes, and
    a broker queue of its own (``MENTARA_SEED_CELERY_QUEUE``): any other worker on the broker, with
    another instance, must not take its steps."""

    CELERY = [str(BIN / "celery"), "-A", "dagster_celery.app"]

    def __init__(self, home: Path, storage_url: str) -> None:
        storage = make_url(storage_url).set(drivername="postgresql+psycopg2").render_as_string(hide_password=False)
        self.home = home
        self.queue = f"mentara-test-{uuid.uuid4().hex[:12]}"
        self.env = {**os.environ, **prepare(home, storage_url=storage, owned=True),
                    distributed.ENV_CELERY_QUEUE: self.queue}
        self.workers: list[subprocess.Popen] = []

    def start_workers(self, count: int = 2, failpoint: str | None = None) -> None:
        """``count`` Celery workers on this deployment's queue, each its own process (the first one armed
        with ``failpoint``)."""
        for k in range(count):
            env = {**self.env, **({"MENTARA_SEED_FAILPOINT": failpoint} if failpoint and k == 0 else {})}
            log = open(self.home / f"worker{k}.log", "w")
            self.workers.append(subprocess.Popen(
                [*self.CELERY, "worker", "--pool=solo", "-Q", self.queue, "-n", f"mentara{k}-{os.getpid()}@%h",
                 "--loglevel=INFO"], env=env, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if all("ready" in (self.home / f"worker{k}.log").read_text() for k in range(count)):
                return
            time.sleep(0.5)
        raise TimeoutError(f"the Celery workers did not start; see {self.home}")

    def stop_workers(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
        for worker in self.workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
        if self.workers:  # the queue goes with the deployment (best effort: the broker may be gone)
            subprocess.run([*self.CELERY, "amqp", "queue.delete", self.queue], env=self.env, cwd=REPO_ROOT,
                           capture_output=True, timeout=60)
        self.workers = []

    def dagster(self, args: list[str], url: str, mode: str, shards: int, executor: str) -> subprocess.CompletedProcess:
        """A CLI run of the distributed code location, its settings in run config (the workers read them there)."""
        config = self.home / "run.yaml"
        config.write_text(yaml.safe_dump({"resources": {
            "database": {"config": {"url": url}},
            "seed_config": {"config": {"mode": mode, "anchor": ANCHOR, "shards": shards}}}}))
        env = {**self.env, distributed.ENV_EXECUTOR: executor}
        return subprocess.run([str(BIN / "dagster"), *args, "-m", "mentara_seed.distributed", "-c", str(config)],
                              env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=900)


def step_of(url: str, run_id: str) -> distributed.RunHeldDatabase:
    """The database resource as a step of run ``run_id`` has it (what Dagster sets up from the run)."""
    step = distributed.RunHeldDatabase(url=url)
    step._run_id = run_id
    return step


@pytest.fixture
def deployment(postgres_databases, tmp_path):
    require(broker_answers(), "no RabbitMQ at 127.0.0.1:5672 (start it: rabbitmq-server -detached)")
    deployed = Deployment(tmp_path / "home", postgres_databases.create())
    yield deployed
    deployed.stop_workers()


@celery_workers
def test_heavy_in_4_shards_on_2_celery_workers_writes_what_one_process_writes(deployment, postgres_databases, tmp_path):
    url = postgres_databases.create(ddl=prisma_ddl("2026-02"))
    deployment.start_workers(2)
    done = deployment.dagster(["job", "execute", "-j", "seed_job"], url, "heavy", shards=4, executor="celery")
    assert done.returncode == 0, done.stderr[-4000:]
    output = done.stdout + done.stderr
    assert f'Submitting celery task for step "content.content__plan" to queue "{deployment.queue}"' in output
    # The content asset's shards ran as steps of their own, on the workers.
    assert all(f"content__shard[shard_{k}_of_4]" in output for k in range(4))
    workers = "".join((deployment.home / f"worker{k}.log").read_text() for k in range(2))
    assert "content__shard" in workers
    assert digest(url) == reference_digest("heavy")


@celery_workers
def test_a_worker_killed_mid_shard_changes_nothing_in_the_end(deployment, postgres_databases, tmp_path):
    """The first worker dies by SIGKILL in the middle of a content shard (its first batch of comments
    written, not committed): its task goes back to the queue, the other worker runs it, and the run
    ends as an uninterrupted one. Then `tier3*` runs tiers 3 to 6 again, adding nothing."""
    url = postgres_databases.create(ddl=prisma_ddl("2026-02"))
    deployment.start_workers(2, failpoint="insert:Comment")
    done = deployment.dagster(["job", "execute", "-j", "seed_job"], url, "light", shards=4, executor="celery")
    assert done.returncode == 0, done.stderr[-4000:]
    assert deployment.workers[0].wait(timeout=60) == -signal.SIGKILL  # the armed worker did die
    workers = "".join((deployment.home / f"worker{k}.log").read_text() for k in range(2))
    assert workers.count('STEP_START - Started execution of step "content.content__shard') == 5  # one twice
    expected = reference_digest("light")
    assert digest(url) == expected

    again = deployment.dagster(["asset", "materialize", "--select", "tier3*"], url, "light", shards=4, executor="celery")
    assert again.returncode == 0, again.stderr[-4000:]
    output = again.stdout + again.stderr
    assert "enriched_comments" in output and "seed_report" in output
    assert "enriched_posts" not in output.replace("enriched_posts_", "")  # tier 2: not selected
    assert digest(url) == expected  # nothing added, nothing changed


def test_one_machine_4_and_16_shards_write_what_one_process_writes(deployment, postgres_databases, tmp_path):
    """The multiprocess executor (a process per step, 4 shards), and 16 shards in process; each run is
    reset_and_seed_job on a database seeded before at another anchor, so every row of it must go first."""
    expected = reference_digest("light")

    def seeded_elsewhen() -> str:
        url = postgres_databases.create(ddl=prisma_ddl("2026-02"))
        seeded(url, mode="light", anchor=OTHER_ANCHOR)
        assert digest(url) != expected
        return url

    url = seeded_elsewhen()
    done = deployment.dagster(["job", "execute", "-j", "reset_and_seed_job"], url, "light", shards=4,
                              executor="multiprocess")
    assert done.returncode == 0, done.stderr[-4000:]
    assert "Reset: emptied every Mentara table" in done.stdout + done.stderr
    assert digest(url) == expected

    url = seeded_elsewhen()
    defs = distributed.build("multiprocess")
    result = defs.resolve_job_def("reset_and_seed_job").execute_in_process(
        # In process, no executor holds the database for the run: the steps take the lock themselves,
        # and the root asset resets.
        resources={"database": distributed.RunHeldDatabase(url=url, held_by_run=False),
                   "seed_config": SeedConfig(mode="light", anchor=ANCHOR, shards=16)},
        instance=DagsterInstance.ephemeral(),
    )
    assert result.success
    steps = {e.step_key for e in result.all_events if e.is_step_success}
    assert {f"enriched_chatbot.enriched_chatbot__shard[shard_{k}_of_16]" for k in range(16)} <= steps
    assert digest(url) == expected


def test_the_lineage_is_that_of_the_one_process_definitions():
    """Same assets, same upstream of each, same checks: sharding changes how, not what."""
    from mentara_seed.definitions import defs as one_process

    def lineage(defs):
        graph = defs.resolve_asset_graph()
        return {key.to_user_string(): sorted(k.to_user_string() for k in graph.get(key).parent_keys)
                for key in graph.get_all_asset_keys()}

    def checks(defs):
        return {key.name for key in defs.resolve_asset_graph().asset_check_keys}

    sharded = distributed.build("multiprocess")
    assert lineage(sharded) == lineage(one_process)
    assert checks(sharded) == checks(one_process)
    sharded_assets = {d.asset for d in registry.load().values() if d.shard_by}
    assert {"content", "enriched_chatbot", "enriched_notifications"} <= sharded_assets


def test_a_queue_name_workers_cannot_listen_on_is_refused(monkeypatch):
    monkeypatch.setenv(distributed.ENV_CELERY_QUEUE, "staging queue")
    with pytest.raises(ValueError, match="MENTARA_SEED_CELERY_QUEUE='staging queue' is not a queue name"):
        distributed.celery_queue()
    monkeypatch.setenv(distributed.ENV_CELERY_QUEUE, " mentara-staging ")
    assert distributed.celery_queue() == "mentara-staging"
    monkeypatch.delenv(distributed.ENV_CELERY_QUEUE)
    assert distributed.celery_queue() is None  # Celery's own default, dagster


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_run_holds_the_database_for_its_steps_and_empties_it_once(backend, postgres_databases, tmp_path):
    """``hold_for_run`` (the run's own process): the lock named by the run, the reset before any step;
    a step of another run is refused before it writes, a step of this run writes, and the lock goes
    with the run."""
    from mentara_seed.guard import RefusedError, RunLock

    url = (f"sqlite+pysqlite:///{tmp_path / 'held.sqlite3'}" if backend == "sqlite"
           else postgres_databases.create(ddl=prisma_ddl("2026-02")))
    assert run_job(url, mode="light").success
    assert sum(map(len, dump(url).values())) > 0

    run = distributed.RunHeldDatabase(url=url)
    with run.hold_for_run("run-a", reset=True):
        lock = RunLock(run.engine(), make_url(url))
        assert lock.held_by("run-a") and not lock.held_by("run-b")
        assert not any(dump(url).values())  # every Mentara table emptied, once, before any step
        with pytest.raises(RefusedError, match="run run-b does not hold this database's lock"):
            with step_of(url, "run-b").transaction():
                pytest.fail("a step of another run got a transaction")
        with step_of(url, "run-a").transaction() as conn:
            assert conn.execute(sa.text('SELECT COUNT(*) FROM "User"')).scalar() == 0
    assert not RunLock(distributed.RunHeldDatabase(url=url).engine(), make_url(url)).held_by("run-a")


def test_every_job_sends_its_steps_to_the_deployment_queue(monkeypatch):
    """Seeding jobs and the audit alike: a step on Celery's default queue would go to any worker there."""
    from dagster._core.definitions.job_base import InMemoryJob
    from dagster._core.executor.init import InitExecutorContext

    monkeypatch.setenv(distributed.ENV_CELERY_QUEUE, "mentara-staging")
    defs = distributed.build("celery")
    with DagsterInstance.ephemeral() as instance:
        for name in ("seed_job", "enrich_job", "reset_and_seed_job", "audit_job"):
            job = defs.resolve_job_def(name)
            made = job.executor_def.executor_creation_fn(InitExecutorContext(
                job=InMemoryJob(job), executor_def=job.executor_def, executor_config={"retries": {"enabled": {}}},
                instance=instance))
            assert made.app_args()["config_source"].task_default_queue == "mentara-staging", name


def test_a_step_delivered_twice_at_once_writes_its_rows_once(postgres_databases, tmp_path):
    """Celery redelivers a task whose worker lost its broker connection while the first copy still
    runs (seen at heavy x100: a long shard on a solo pool missed the heartbeats). The second copy of
    the unit of work waits for the first one's transaction, then adds nothing."""
    import threading

    from mentara_seed.assets.common import seed_unit
    from mentara_seed.settings import SeedSettings

    url = postgres_databases.create(ddl=prisma_ddl("2026-02"))
    settings = SeedSettings.resolve(mode="light", anchor=ANCHOR)
    users = registry.load()["users"].rule
    written, proceed, outcomes = threading.Event(), threading.Event(), {}

    def first_copy(seeding) -> None:
        users(seeding)
        written.set()  # its rows are made, not committed
        proceed.wait(timeout=60)

    def run(name: str, rule) -> None:
        outcomes[name] = seed_unit("users", step_of(url, "run-a"), settings, rule, defer=False)

    with distributed.RunHeldDatabase(url=url).hold_for_run("run-a"):
        first = threading.Thread(target=run, args=("first", first_copy))
        first.start()
        assert written.wait(timeout=120)
        second = threading.Thread(target=run, args=("second", users))
        second.start()
        second.join(timeout=2)
        assert second.is_alive()  # waiting for the first copy's transaction
        proceed.set()
        first.join(timeout=120)
        second.join(timeout=120)
    assert sum(outcomes["first"].added.values()) > 0
    assert outcomes["second"].added == {}
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(sa.text('SELECT COUNT(*) FROM "User"')).scalar() == outcomes["first"].added["User"]
    engine.dispose()

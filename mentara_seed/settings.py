"""Run settings: database, mode, scale, anchor time and the test accounts' password.

Every setting can come from run config (the launchpad, a schedule) or from an
environment variable, and falls back to a documented default. Values are
validated up front: a bad one stops the run with a one-line message naming
the setting and what it accepts, before anything is written.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

MODES = ("light", "medium", "heavy")
DEFAULT_MODE = "medium"
DEFAULT_TEST_PASSWORD = "MentaraDev!2025"
DEFAULT_SQLITE_PATH = Path(".data") / "mentara.sqlite3"
SUPPORTED_DRIVERS = ("sqlite+pysqlite", "postgresql+psycopg")
MAX_SCALE = 10_000
# Rows a seed writes at scale 1 (seed_report, anchor-independent to within a few percent).
ROWS_AT_SCALE_1 = {"light": 700, "medium": 3_300, "heavy": 20_300}
# Peak memory of a run (docs/benchmarks.md): the interpreter, Dagster and SQLite's page caches,
# plus a working set that grows with the entities (users, communities, posts), not with the rows
# written, which are streamed. Measured 560 MB at heavy x100 on SQLite (290 MB on Postgres), 320
# MB at x10; this bound is generous. Used to refuse a scale that cannot fit before anything is written.
BASE_BYTES = 300 * 2**20
BYTES_PER_SCALE = {"light": 0.2 * 2**20, "medium": 0.5 * 2**20, "heavy": 3 * 2**20}

ENV_DATABASE_URL = "MENTARA_DATABASE_URL"
ENV_MODE = "MENTARA_SEED_MODE"
ENV_SCALE = "MENTARA_SEED_SCALE"
ENV_ANCHOR = "MENTARA_SEED_ANCHOR"
ENV_TEST_PASSWORD = "MENTARA_SEED_TEST_PASSWORD"
ENV_LOCK_TIMEOUT = "MENTARA_SEED_LOCK_TIMEOUT"
ENV_SCHEMA = "MENTARA_SEED_SCHEMA"
ENV_SHARDS = "MENTARA_SEED_SHARDS"
MAX_SHARDS = 256
DEFAULT_SHARDS = 4
ENV_WORKERS = "MENTARA_SEED_WORKERS"
MAX_WORKERS = 16


class SettingsError(ValueError):
    """A setting has a value the seeder cannot use. The message is one line."""


def shown(value: object) -> str:
    """A user's value quoted for a one-line message: escaped, and cut if long."""
    text = str(value)
    return repr(text if len(text) <= 40 else text[:40] + "...")


def default_database_url() -> str:
    """The embedded default: an SQLite file under ./.data of the working directory."""
    return f"sqlite+pysqlite:///{DEFAULT_SQLITE_PATH.resolve()}"


def _pick(explicit: str | int | None, env: str) -> str | None:
    if explicit is not None and str(explicit).strip() != "":
        return str(explicit).strip()
    value = os.environ.get(env, "").strip()
    return value or None


def parse_database_url(value: str | None) -> URL:
    raw = value or default_database_url()
    try:
        url = make_url(raw)
    except (ArgumentError, ValueError):
        raise SettingsError(
            f"{ENV_DATABASE_URL} is not a database URL; expected e.g. "
            "postgresql+psycopg://user@host:5432/db or sqlite+pysqlite:///path/to/file.sqlite3"
        ) from None
    if url.drivername == "sqlite":
        url = url.set(drivername="sqlite+pysqlite")
    if url.drivername not in SUPPORTED_DRIVERS:
        raise SettingsError(
            f"{ENV_DATABASE_URL} uses driver '{url.drivername}'; accepted: {', '.join(SUPPORTED_DRIVERS)} "
            "(name the driver: postgresql+psycopg://...)"
        )
    if url.drivername.startswith("sqlite") and not url.database:
        raise SettingsError(f"{ENV_DATABASE_URL} names no SQLite file; use sqlite+pysqlite:///path/to/file.sqlite3")
    return url


def parse_mode(value: str | None) -> str:
    mode = (value or DEFAULT_MODE).lower()
    if mode not in MODES:
        raise SettingsError(f"{ENV_MODE}={shown(value)} is not a mode; accepted: {', '.join(MODES)}")
    return mode


def parse_scale(value: str | int | None) -> int:
    if value is None:
        return 1
    try:
        scale = int(str(value))
    except ValueError:
        scale = 0
    if scale < 1 or scale > MAX_SCALE:
        raise SettingsError(f"{ENV_SCALE}={shown(value)} is not a scale; accepted: a whole number from 1 to {MAX_SCALE}")
    return scale


def parse_shards(value: str | int | None) -> int:
    """How many shards a sharded asset runs as (the distributed definitions; default 4)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return DEFAULT_SHARDS
    try:
        shards = int(str(value))
    except ValueError:
        shards = 0
    if shards < 1 or shards > MAX_SHARDS:
        raise SettingsError(f"{ENV_SHARDS}={shown(value)} is not a number of shards; accepted: a whole number from 1 "
                            f"to {MAX_SHARDS}")
    return shards


def default_workers() -> int:
    """Processes building rows beside a step's own (``seeding.parallel``): one per two CPUs this process
    may use, at most 3 (the database server, local on a laptop, needs cores too); none where processes
    cannot be forked (only Linux is supported for it)."""
    if sys.platform != "linux":
        return 0
    return min(len(os.sched_getaffinity(0)) // 2, 3)


def parse_workers(value: str | int | None) -> int:
    """How many worker processes build rows beside a step's own (0: none); default ``default_workers``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return default_workers()
    try:
        workers = int(str(value))
    except ValueError:
        workers = -1
    if workers < 0 or workers > MAX_WORKERS:
        raise SettingsError(f"{ENV_WORKERS}={shown(value)} is not a number of worker processes; accepted: a whole "
                            f"number from 0 to {MAX_WORKERS}")
    if workers and sys.platform != "linux":
        raise SettingsError(f"{ENV_WORKERS}={shown(value)}: worker processes are forked, which only Linux supports "
                            "here; use 0")
    return workers


def available_memory() -> int:
    """Bytes of memory available to a new process (MemAvailable), or total memory where unknown."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def check_fits_in_memory(mode: str, scale: int) -> None:
    rows = ROWS_AT_SCALE_1[mode] * scale
    need = BASE_BYTES + BYTES_PER_SCALE[mode] * scale
    have = available_memory()
    if need > 0.8 * have:
        raise SettingsError(
            f"{ENV_SCALE}={scale} in {mode} mode means about {rows / 1e6:.0f} million rows and "
            f"{need / 2**30:.0f} GiB of memory; this machine has {have / 2**30:.0f} GiB available: lower the scale"
        )


def parse_schema_version(value: str | None):
    """The Mentara schema version to create in an empty database (default: the newest)."""
    from mentara_seed.schema.versions import BY_NAME, LATEST

    chosen = _pick(value, ENV_SCHEMA)
    if chosen is None:
        return LATEST
    if chosen not in BY_NAME:
        raise SettingsError(f"{ENV_SCHEMA}={shown(chosen)} is not a Mentara schema; accepted: {', '.join(BY_NAME)}")
    return BY_NAME[chosen]


def parse_lock_timeout(value: str | None) -> float:
    if value is None or not value.strip():
        return 600.0
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 86_400:
        raise SettingsError(f"{ENV_LOCK_TIMEOUT}={shown(value)} is not a number of seconds; accepted: 0 to 86400")
    return seconds


def start_of_utc_day(now: dt.datetime | None = None) -> dt.datetime:
    now = now or dt.datetime.now(dt.UTC)
    return now.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)


def parse_anchor(value: str | None) -> dt.datetime:
    """The anchor as a naive UTC datetime with millisecond precision."""
    if value is None:
        return start_of_utc_day()
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise SettingsError(
            f"{ENV_ANCHOR}={shown(value)} is not an ISO-8601 date or time; accepted e.g. 2026-01-15 or 2026-01-15T09:00:00Z"
        ) from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
    return parsed.replace(microsecond=parsed.microsecond // 1000 * 1000)


def parse_test_password(value: str | None) -> str:
    password = value if value is not None else DEFAULT_TEST_PASSWORD
    if len(password) < 8 or len(password.encode()) > 72:
        raise SettingsError(
            f"{ENV_TEST_PASSWORD} must be 8 to 72 bytes long (bcrypt's limit); got {len(password.encode())} bytes"
        )
    return password


@dataclass(frozen=True)
class SeedSettings:
    """Validated settings of one run."""

    mode: str
    scale: int
    anchor: dt.datetime
    test_password: str
    lock_timeout: float = 600.0

    @classmethod
    def resolve(
        cls,
        mode: str | None = None,
        scale: str | int | None = None,
        anchor: str | None = None,
        test_password: str | None = None,
    ) -> SeedSettings:
        """Explicit values win over the environment, which wins over defaults."""
        settings = cls(
            mode=parse_mode(_pick(mode, ENV_MODE)),
            scale=parse_scale(_pick(scale, ENV_SCALE)),
            anchor=parse_anchor(_pick(anchor, ENV_ANCHOR)),
            test_password=parse_test_password(
                test_password if test_password is not None else os.environ.get(ENV_TEST_PASSWORD)
            ),
            lock_timeout=parse_lock_timeout(os.environ.get(ENV_LOCK_TIMEOUT)),
        )
        check_fits_in_memory(settings.mode, settings.scale)
        return settings

    def describe(self) -> str:
        return f"mode={self.mode} scale={self.scale} anchor={self.anchor.isoformat()}Z"


def resolve_database_url(value: str | None = None) -> URL:
    return parse_database_url(_pick(value, ENV_DATABASE_URL))


def masked(url: URL) -> str:
    """A URL safe to print: the password never leaves the process."""
    return url.render_as_string(hide_password=True)

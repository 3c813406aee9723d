"""What every step shares, asset or check: validated settings, one-line failures, reading, schema notes."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from dagster import Failure
from sqlalchemy.engine import Connection

from mentara_seed.guard import RefusedError
from mentara_seed.resources import MentaraDatabase, SeedConfig
from mentara_seed.schema.manage import SchemaError
from mentara_seed.settings import SeedSettings, SettingsError


@contextmanager
def in_one_line() -> Iterator[None]:
    """Turn the seeder's own refusals (bad settings, target or schema) into a one-line step failure."""
    try:
        yield
    except (SettingsError, SchemaError, RefusedError) as exc:
        raise Failure(description=str(exc)) from None


def settings_or_fail(database: MentaraDatabase, seed_config: SeedConfig) -> SeedSettings:
    """Validated settings, or a one-line failure before anything is written."""
    with in_one_line():
        database.resolved_url()
        database.creating()
        return seed_config.resolve()


def workers_or_fail(seed_config: SeedConfig) -> int:
    """The worker processes a step may fork (``seeding.parallel``), or a one-line failure before anything is written."""
    with in_one_line():
        return seed_config.resolve_workers()


@contextmanager
def reading(database: MentaraDatabase) -> Iterator[Connection]:
    """A read-only connection for checks and reports; a bad target fails with one line."""
    with in_one_line(), database.read_only() as conn:
        yield conn


def note_schema(log, database: MentaraDatabase) -> None:
    """Once per run: which Mentara schema the target is, and what a migration added that the seeder
    does not know (it leaves those to their defaults)."""
    target = database.target
    if target is None or database.memo.schema_noted:
        return
    database.memo.schema_noted = True
    if target.additions:
        log.warning(
            f"The target is Mentara {target.version} with {len(target.additions)} additions the seeder does not "
            f"know (left to their defaults): " + "; ".join(target.additions)
        )


@cache
def _malloc_trim():
    """glibc's ``malloc_trim``, where the C library has it (None elsewhere: macOS, musl)."""
    try:
        return getattr(ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6"), "malloc_trim", None)
    except OSError:
        return None


def release_memory() -> None:
    """After a step's work: give the C heap's free pages back to the system.

    A step's rows are freed when it ends, but glibc keeps the freed heap for
    reuse, so without this every later step starts from the largest earlier
    one's footprint (at heavy x1000, about 200 MB after the users alone).
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@contextmanager
def cycles_collected_after() -> Iterator[None]:
    """Run a step's work with Python's cyclic garbage collector paused; collect the cycles it made after.

    The collector's full passes walk every object alive, and a unit of work
    keeps hundreds of thousands alive (the view of every post, a chunk's rows
    and threads) while it allocates millions more: at heavy x100 the seeding
    process spent 18.6 s of a 156 s seed in 81 full passes, and their number
    and their size both grow with the volume. The seeder's own objects hold no
    reference cycles (reference counting frees them as they go): the cyclic
    garbage of a whole heavy seed is Dagster's and SQLAlchemy's, about 170,000
    objects at heavy x10 and at heavy x100 alike, so pausing the collector
    costs no memory that grows with the rows. What the work left in cycles is
    collected when it ends (its survivors are all young: one cheap pass), and
    a collector that was already off stays off.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect(0)

"""Rows built by more than one process: a generator's independent items, built in forked workers and
written, in their order, by the unit of work's own connection and transaction.

Python builds rows on one core; the database server ingests them on another
and is idle much of the time (a heavy x100 seed on 2 cores kept 1.2 of them
busy). Where a generator's work splits into items that depend on nothing but
what it read before them (a chunk of posts, with their comments and hearts),
``Seeding.each`` hands items to worker processes forked from the step's own:
a worker inherits everything read so far, builds an item's rows, prepares
them for the wire (COPY text, SQLite parameter rows) and sends them back; this
process builds items too, and writes every item's rows in the items' order,
through the usual pipelined writer, in the unit of work's one transaction.

So the data is what one process makes, byte for byte and in the same order
(``test_parallel.py`` compares the two): the items are built by the same code
from the same state, and written in the same sequence. Nothing about the
transaction changes: the workers never touch the database. A statement issued
in a worker raises ``ReadInWorker`` there (something an item needs was not read
before it: a title of someone else's post, say); that worker retires, and this
process builds its items itself. A worker that fails otherwise or dies fails
the step, and one left behind by an interrupted step is stopped with it.

Workers are forked, so this is for Linux (elsewhere every item is built here).
How many: ``MENTARA_SEED_WORKERS`` (``settings.parse_workers``); 0 builds
everything in this process.
"""

from __future__ import annotations

import ctypes
import itertools
import multiprocessing as mp
import os
import queue
import signal
import traceback
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

import sqlalchemy as sa

from mentara_seed.seeding.writer import BulkWriter

if TYPE_CHECKING:
    from mentara_seed.seeding import Seeding

Item = TypeVar("Item")

# Items handed to one worker and not yet returned: enough that it never waits for the next.
WINDOW = 2
# Items built (here or by a worker) but not yet written, beyond which this process waits: bounds memory.
AHEAD = 6
# Seconds between two looks at whether a worker still lives, while waiting for its rows.
PATIENCE = 1.0
# What a worker sends back for an item that needed the database.
NEEDS_THE_DATABASE = "needs the database"


class _AllWritten:
    def __repr__(self) -> str:
        return "parallel.ALL_WRITTEN"


# Yielded between items by an item generator whose next items read what the items before wrote: those
# are all written before it goes on (so every process reads what one process would have read).
ALL_WRITTEN = _AllWritten()


class ReadInWorker(RuntimeError):
    """A worker process issued a statement (refused before it was sent): the step's own process builds the item."""


class WorkerFailed(RuntimeError):
    """A worker process failed building an item (the message carries its traceback) or died."""


@dataclass
class Built:
    """An item's rows, prepared for the wire, and what building it counted."""

    batches: list[tuple[str, tuple[str, ...], list[tuple[object, int]]]] = field(default_factory=list)
    unmet: Counter = field(default_factory=Counter)
    allocated: list = field(default_factory=list)  # the id allocator's (table, purpose, entity) keys


class Capture(BulkWriter):
    """A writer that prepares batches as ``BulkWriter`` does and keeps them instead of sending them."""

    def __init__(self, writer: BulkWriter) -> None:  # no listener, no deferral: nothing reaches the database
        self.conn, self.target, self.postgres = writer.conn, writer.target, writer.postgres
        self.added = Counter()
        self._writer, self._failed, self._failed_table = None, [], ""
        self.batches: list[tuple[str, tuple[str, ...], list[tuple[object, int]]]] = []

    def _pipeline(self, table: sa.Table, columns: tuple[str, ...], prepared: Iterable[tuple[object, int]],
                  send: Callable) -> int:
        batches = list(prepared)
        written = sum(n for _, n in batches)
        self.batches.append((table.name, columns, batches))
        self.added[table.name] += written
        return written


def capture(s: Seeding, build: Callable[[Item], None], item: Item) -> Built:
    """``build(item)`` with its rows kept, not written (and what it counted kept apart from ``s``'s)."""
    writer, unmet = s.writer, s.unmet
    s.writer, s.unmet, s.ids.journal = Capture(writer), Counter(), []
    try:
        build(item)
        return Built(s.writer.batches, s.unmet, s.ids.journal)
    finally:
        s.writer, s.unmet, s.ids.journal = writer, unmet, None


def replay(s: Seeding, built: Built) -> None:
    """Write a captured item's rows, and count what building it counted, as if it had been built here."""
    from mentara_seed.schema.tables import metadata

    for name, columns, batches in built.batches:
        s.writer.replay(metadata.tables[name], columns, batches)
    s.unmet.update(built.unmet)
    s.ids.remember(built.allocated)


def each(s: Seeding, items: Iterable[Item], build: Callable[[Item], None], workers: int,
         portable: Callable[[Item], bool] = lambda _: True) -> None:
    """``build(item)`` for each of ``items``, their rows written in the items' order; with ``workers``,
    the items ``portable`` accepts are also built by that many forked processes (``Seeding.each`` says
    what ``build`` may do). ``items`` may read the database as they are produced (here).

    The first item is built here before any worker starts, so that what it reads once (the rows
    a generator caches, which tables were empty) every worker inherits. ``ALL_WRITTEN`` among the
    items waits for every item before it to be written."""
    iterator = iter(items)
    first = next((item for item in iterator if item is not ALL_WRITTEN), None)
    if first is None:
        return
    build(first)
    if workers <= 0:
        for item in iterator:
            if item is not ALL_WRITTEN:
                build(item)
        return
    second = next((item for item in iterator if item is not ALL_WRITTEN), None)
    if second is None:
        return
    with _Pool(s, build, workers) as pool:
        pool.run(itertools.chain((second,), iterator), portable)


class _Worker:
    def __init__(self, context, s: Seeding, build: Callable, results: mp.Queue, index: int) -> None:
        self.tasks = context.Queue()
        self.outstanding = 0
        self.retired = False  # after an item that needed the database: its items are built here
        self.process = context.Process(target=_serve, args=(s, build, self.tasks, results, index),
                                       name=f"mentara-seed-worker-{index}", daemon=True)


class _Pool:
    def __init__(self, s: Seeding, build: Callable, workers: int) -> None:
        self.s, self.build = s, build
        context = mp.get_context("fork")
        self.results = context.Queue()
        self.workers = [_Worker(context, s, build, self.results, i) for i in range(workers)]
        self.done: dict[int, Built] = {}
        self.owner: dict[int, _Worker] = {}
        self.sent: dict[int, object] = {}  # the items with a worker (built here if it retires)

    def __enter__(self) -> _Pool:
        # Nothing in flight on the connection while the workers fork. (A unit of work runs with the
        # cycle collector paused, ``steps.cycles_collected_after``: what the workers inherit stays shared.)
        self.s.writer._join_writer()
        for worker in self.workers:
            worker.process.start()
        return self

    def __exit__(self, kind, *_) -> None:
        for worker in self.workers:
            if kind is None and worker.process.is_alive():
                worker.tasks.put(None)
                worker.process.join(10)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            worker.tasks.cancel_join_thread()
            worker.tasks.close()
        self.results.cancel_join_thread()
        self.results.close()

    def run(self, items: Iterator, portable: Callable) -> None:
        s, build = self.s, self.build
        written = 0  # items (numbered from 0) written so far
        k = -1
        for item in items:
            if item is ALL_WRITTEN:
                while written < k + 1:
                    self._collect(block=True)
                    written = self._write_ready(written)
                continue
            k += 1
            self._collect(block=False)
            written = self._write_ready(written)
            working = [w for w in self.workers if not w.retired]
            idle = min(working, key=lambda w: w.outstanding) if working else None
            if idle is not None and portable(item) and idle.outstanding < WINDOW:
                idle.tasks.put((k, item))
                idle.outstanding += 1
                self.owner[k], self.sent[k] = idle, item
                continue
            if not portable(item):  # built here, in its turn: everything before it written first
                while written < k:
                    self._collect(block=True)
                    written = self._write_ready(written)
            if written == k:
                build(item)  # its turn: straight into the connection's writer
                written += 1
            else:
                self.done[k] = capture(s, build, item)
            while k + 1 - written > AHEAD:
                self._collect(block=True)
                written = self._write_ready(written)
        while self.owner or self.done:
            if written not in self.done:
                self._collect(block=True)
            written = self._write_ready(written)

    def _write_ready(self, written: int) -> int:
        while written in self.done:
            replay(self.s, self.done.pop(written))
            written += 1
        return written

    def _collect(self, block: bool) -> None:
        """Take the items the workers have built (``block``: wait for one at least)."""
        while True:
            try:
                index, k, built, failure = self.results.get(timeout=PATIENCE) if block else self.results.get_nowait()
            except queue.Empty:
                if not block:
                    return
                for worker in self.workers:
                    if worker.outstanding and not worker.process.is_alive():
                        raise WorkerFailed(f"a worker process building rows exited (code {worker.process.exitcode}) "
                                           "before returning its items") from None
                continue
            worker = self.workers[index]
            if failure == NEEDS_THE_DATABASE:
                worker.retired = True
                for mine in sorted(j for j, w in self.owner.items() if w is worker):
                    del self.owner[mine]
                    self.done[mine] = capture(self.s, self.build, self.sent.pop(mine))
                worker.outstanding = 0
            elif failure is not None:
                raise WorkerFailed(f"a worker process failed building rows:\n{failure}")
            else:
                worker.outstanding -= 1
                self.s.built_by_workers += 1
                del self.owner[k], self.sent[k]
                self.done[k] = built
            block = False


def _refuse(conn, cursor, statement, *_) -> None:
    raise ReadInWorker(f"a worker process may not use the database (it issued: {statement.strip()[:80]!r}): the "
                       "step's own process builds the item")


def _serve(s: Seeding, build: Callable, tasks: mp.Queue, results: mp.Queue, index: int) -> None:
    """A worker: build the items it is handed, send back their rows, never touch the database."""
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the step stops its workers itself
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        try:  # and dies with it, whatever kills it
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (AttributeError, OSError):
            pass
        # No statement leaves: the writer's own listener (which may rebuild a deferred table's
        # indexes through the driver) goes first, and every statement is refused before it is sent.
        sa.event.remove(s.conn, "before_cursor_execute", s.writer._wait_for_writer)
        sa.event.listen(s.conn, "before_cursor_execute", _refuse)
        while (task := tasks.get()) is not None:
            k, item = task
            try:
                results.put((index, k, capture(s, build, item), None))
            except ReadInWorker:  # not an error: this process builds the item (and the rest of this worker's)
                results.put((index, k, None, NEEDS_THE_DATABASE))
                break
            except BaseException:
                results.put((index, k, None, traceback.format_exc()))
                break
        results.close()
        results.join_thread()
    finally:
        os._exit(0)  # nothing of the parent's (connections, files, handlers) is closed or flushed from here

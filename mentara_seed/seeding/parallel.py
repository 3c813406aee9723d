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
process builds its items itself, each in its turn (every item before it
written), as it does an item it would build ahead of its turn that needs the
database: what an item reads is what it would read in one process. A worker
that fails otherwise or dies (even halfway through sending its rows) fails the
step, and one left behind by an interrupted step is stopped with it.

Workers are forked, so this is for Linux (elsewhere every item is built here).
How many: ``MENTARA_SEED_WORKERS`` (``settings.parse_workers``); 0 builds
everything in this process.
"""

from __future__ import annotations

import contextlib
import ctypes
import itertools
import multiprocessing as mp
import os
import queue
import signal
import threading
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
# What a worker sends back for an item that needed the database; what its pipe says once it has exited.
NEEDS_THE_DATABASE = "needs the database"
EXITED = "exited"


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
    """One forked worker: its tasks (a queue, fed by a thread here), and its results on a pipe of its
    own that a thread here reads as they come (the worker never waits long to send; a worker that
    dies, even halfway through a message, ends the pipe, which this process learns of)."""

    def __init__(self, context, s: Seeding, build: Callable, inbox: queue.Queue, index: int) -> None:
        self.context, self.s, self.build, self.index, self.inbox = context, s, build, index, inbox
        self.tasks = context.Queue()
        self.outstanding = 0
        self.retired = False  # after an item that needed the database: its items are built here
        self.process = None
        self._results = None
        self._reader = threading.Thread(target=self._read, name=f"mentara-seed-worker-{index}-results", daemon=True)

    def start(self) -> None:
        # The pipe is made just before the fork and this process's copy of the worker's end closed just
        # after: no other process holds that end, so the pipe ends when the worker does.
        self._results, sending = self.context.Pipe(duplex=False)
        self.process = self.context.Process(target=_serve, name=f"mentara-seed-worker-{self.index}", daemon=True,
                                            args=(self.s, self.build, self.tasks, sending, self.index, os.getpid()))
        try:
            self.process.start()
        finally:
            sending.close()
        self._reader.start()

    def _read(self) -> None:
        try:
            while True:
                self.inbox.put(self._results.recv())
        except (EOFError, OSError):  # the worker exited (or the pool closed the pipe)
            self.inbox.put((self.index, None, None, EXITED))

    def stop(self, finished: bool) -> None:
        if self.process is None:  # never started
            return
        if finished and self.process.is_alive():
            self.tasks.put(None)
            self.process.join(10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.tasks.cancel_join_thread()
        self.tasks.close()
        self._reader.join(5)
        self._results.close()


class _Pool:
    def __init__(self, s: Seeding, build: Callable, workers: int) -> None:
        self.s, self.build = s, build
        self.inbox: queue.Queue = queue.Queue()
        context = mp.get_context("fork")
        self.workers = [_Worker(context, s, build, self.inbox, i) for i in range(workers)]
        self.done: dict[int, Built] = {}
        self.here: dict[int, object] = {}  # items built here in their turn (a retired worker's)
        self.owner: dict[int, _Worker] = {}
        self.sent: dict[int, object] = {}  # the items with a worker (built here if it retires)

    def __enter__(self) -> _Pool:
        # Nothing in flight on the connection while the workers fork. (A unit of work runs with the
        # cycle collector paused, ``steps.cycles_collected_after``: what the workers inherit stays shared.)
        self.s.writer._join_writer()
        for worker in self.workers:
            worker.start()
        return self

    def __exit__(self, kind, *_) -> None:
        for worker in self.workers:
            worker.stop(finished=kind is None)

    def run(self, items: Iterator, portable: Callable) -> None:
        s, build = self.s, self.build
        written = 0  # items (numbered from 0) written so far
        k = -1
        for item in items:
            if item is ALL_WRITTEN:
                while written < k + 1:
                    written = self._wait(written)
                continue
            k += 1
            while k - written >= AHEAD:  # built and not written yet, wherever: bounded
                written = self._wait(written)
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
                    written = self._wait(written)
            if written == k:
                build(item)  # its turn: straight into the connection's writer
                written += 1
            else:  # ahead of its turn: as a worker would, and in its turn if it needs the database
                try:
                    with _refusing(s):
                        self.done[k] = capture(s, build, item)
                except ReadInWorker:
                    self.here[k] = item
        while self.owner or self.done or self.here:
            written = self._wait(written)

    def _wait(self, written: int) -> int:
        """Write what is ready; if nothing was, wait for a worker's item first."""
        if written not in self.done and written not in self.here:
            self._collect(block=True)
        return self._write_ready(written)

    def _write_ready(self, written: int) -> int:
        while written in self.done or written in self.here:
            if written in self.here:
                self.build(self.here.pop(written))  # in its turn, as one process would have
            else:
                replay(self.s, self.done.pop(written))
            written += 1
        return written

    def _collect(self, block: bool) -> None:
        """Take the items the workers have built (``block``: wait for one at least)."""
        while True:
            try:
                index, k, built, failure = self.inbox.get(timeout=PATIENCE) if block else self.inbox.get_nowait()
            except queue.Empty:
                if not block:
                    return
                continue
            worker = self.workers[index]
            if failure == EXITED:
                if worker.outstanding:
                    worker.process.join(PATIENCE)
                    raise WorkerFailed(f"a worker process building rows exited (code {worker.process.exitcode}) "
                                       "before returning its items")
                continue
            if failure == NEEDS_THE_DATABASE:
                worker.retired = True
                for mine in sorted(j for j, w in self.owner.items() if w is worker):
                    del self.owner[mine]
                    self.here[mine] = self.sent.pop(mine)
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


@contextlib.contextmanager
def _refusing(s: Seeding) -> Iterator[None]:
    """Statements refused before anything else sees them (the writer's listener may rebuild a deferred
    table through the driver: it goes after), for an item built here ahead of its turn."""
    sa.event.remove(s.conn, "before_cursor_execute", s.writer._wait_for_writer)
    sa.event.listen(s.conn, "before_cursor_execute", _refuse)
    sa.event.listen(s.conn, "before_cursor_execute", s.writer._wait_for_writer)
    try:
        yield
    finally:
        sa.event.remove(s.conn, "before_cursor_execute", _refuse)


def _serve(s: Seeding, build: Callable, tasks: mp.Queue, results, index: int, parent: int) -> None:
    """A worker: build the items it is handed, send back their rows, never touch the database."""
    code = 1
    try:
        try:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # the step stops its workers itself
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            try:  # and dies with it, whatever kills it
                ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
            except (AttributeError, OSError):
                pass
            if os.getppid() != parent:  # it died before the line above
                return
            # No statement leaves: the writer's own listener (which may rebuild a deferred table's
            # indexes through the driver) goes first, and every statement is refused before it is sent.
            sa.event.remove(s.conn, "before_cursor_execute", s.writer._wait_for_writer)
            sa.event.listen(s.conn, "before_cursor_execute", _refuse)
        except BaseException:
            results.send((index, -1, None, traceback.format_exc()))
            return
        while (task := tasks.get()) is not None:
            k, item = task
            try:
                results.send((index, k, capture(s, build, item), None))
            except ReadInWorker:  # not an error: this process builds the item (and the rest of this worker's)
                results.send((index, k, None, NEEDS_THE_DATABASE))
                return
            except BaseException:
                results.send((index, k, None, traceback.format_exc()))
                return
        code = 0
    finally:
        os._exit(code)  # nothing of the parent's (connections, files, handlers) is closed or flushed from here

"""A unit of work's end (the deferred rebuilds, the statistics, the commit) on a thread, while the next one generates.

The end of a unit of work that loaded (nearly) empty tables is mostly the
database's: it rebuilds their indexes and keys, analyzes what grew and
commits, while the seeding process waits with nothing to compute (at heavy
x100 the legacy content's end alone takes seconds). The next asset of the
same stage that does not take rows from it can generate meanwhile, on its own
connection and transaction: ``Handover`` runs the end on a thread, and the
next unit's statements wait for it wherever they could see a difference.

What the next unit reads is what it would read had the earlier one committed
first: every statement of the next unit naming one of the tables the earlier
unit wrote, deferred or owns waits for that commit first (``guard``), and so
does its first insert into such a table. Statements that do not name them
(a read of ``User``, which both only refer to) go on at once.

It cannot deadlock: the end takes no lock its transaction does not already
hold (the owned table it counts is locked before the handover), except the
share update lock ANALYZE takes on the tables it wrote, which conflicts with
nothing the next unit can hold on a table the earlier one writes to (every
lock that would conflict with it conflicts with the earlier unit's row locks
already, so the next unit waits for the earlier one in the database). The
earlier unit never waits on the later. It may make the later one wait: a
foreign key dropped for a bulk load locks the table it refers to (``User``,
often) exclusively until the commit, so a read of it waits in the database.

A step interrupted meanwhile (Dagster's termination) cancels the end's
statement and waits for it to stop (``interrupt``), and rolls back a unit
it generated but had not yet handed over.

Postgres only: SQLite has one writer at a time, and a reader that started
before another connection's commit cannot write after it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

T = TypeVar("T")


class Handover(Generic[T]):
    """``end()`` of the unit of work ``name``, run on a thread of its own; ``tables``: what it wrote, deferred or
    owns (what a later unit must not read or lock before it ends)."""

    def __init__(self, name: str, tables: Iterable[str], end: Callable[[], T],
                 cancel: Callable[[], None] | None = None) -> None:
        self.name = name
        self.tables = frozenset(tables)
        self._quoted = [f'"{table}"' for table in sorted(self.tables)]
        self._end = end
        self._cancel = cancel
        self._value: T | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=f"end-of-{name}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._value = self._end()
        except BaseException as exc:  # re-raised by ``result``, in the step's thread
            self._error = exc

    def wait(self) -> None:
        """Until the end is over (committed or failed)."""
        self._thread.join()

    def result(self) -> T:
        """The end's value, once it is over; its error, raised here."""
        self.wait()
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]

    def interrupt(self) -> None:
        """The step is interrupted: cancel the end's statement (unless it is over), and wait for it to stop
        (rolled back, unless it had committed already)."""
        if self._thread.is_alive() and self._cancel is not None:
            self._cancel()
        self.wait()

    def names(self, statement: str) -> bool:
        return any(quoted in statement for quoted in self._quoted)

    def before_table(self, table: str) -> None:
        """Before a later unit's first rows into ``table``."""
        if table in self.tables:
            self.wait()

    def guard(self, conn: Connection) -> None:
        """Make every statement of ``conn`` naming one of this unit's tables wait for its end first
        (registered before the connection's other listeners, so it runs before them)."""

        def before(_conn, _cursor, statement, *_) -> None:
            if self.names(statement):
                self.wait()

        sa.event.listen(conn, "before_cursor_execute", before)

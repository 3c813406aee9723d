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
hold, except a share lock on the tables it counts and analyzes, all of which
it wrote or owns; the next unit takes a conflicting lock on one of those
only in a statement naming it, which waits for the end first, or after
waiting for it in the database (a foreign key it drops, which conflicts with
the earlier unit's own row locks). The earlier unit never waits on the later.

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

    def __init__(self, name: str, tables: Iterable[str], end: Callable[[], T]) -> None:
        self.name = name
        self.tables = frozenset(tables)
        self._quoted = [f'"{table}"' for table in sorted(self.tables)]
        self._end = end
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

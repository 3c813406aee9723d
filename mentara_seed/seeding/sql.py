"""Set-based reading helpers shared by the id allocator, generators and checks."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# Ids looked up in one query (one bound parameter: a separated text on Postgres, a JSON list on SQLite).
LOOKUP = 100_000
SEPARATOR = "\x1f"  # ASCII unit separator: never in an id, an e-mail or a name


def chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def one_of(postgres: bool, column, values: Iterable[str]) -> sa.ColumnElement[bool]:
    """``column IN (values)`` as a single bound parameter, however many values.

    An IN list of thousands of parameters costs more to build and parse than
    to run; a separated text the server splits (Postgres) or a JSON list
    (SQLite) is one value.
    """
    values = list(values)
    if not values:
        return sa.false()
    if postgres:
        # One text the server splits: five times cheaper than an array parameter of 100,000
        # ids (which both SQLAlchemy and the server take apart element by element). Exact
        # unless a value holds the separator itself; then the array it is.
        joined = SEPARATOR.join(values)
        if joined.count(SEPARATOR) == len(values) - 1:
            return column == sa.any_(sa.func.string_to_array(sa.literal(joined, sa.Text), SEPARATOR))
        return column == sa.any_(sa.literal(values, postgresql.ARRAY(sa.Text)))
    listed = sa.func.json_each(sa.literal(json.dumps(values), sa.Text)).table_valued("value")
    return column.in_(sa.select(listed.c.value))

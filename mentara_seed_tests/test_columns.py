"""Column-wise batches (``seeding.columns``): the same values as the row-wise clock and ids, the same rows
in the database as the row-wise writer, on both backends."""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pytest
import sqlalchemy as sa

from mentara_seed.generate.keys import id_fraction, seed_id
from mentara_seed.schema import tables as T
from mentara_seed.schema.manage import create_schema
from mentara_seed.schema.versions import LATEST
from mentara_seed.seeding import columns as C
from mentara_seed.seeding.draws import Draws, out_of_the_night
from mentara_seed.seeding.writer import BulkWriter
from mentara_seed_tests.test_writer import NASTY

ANCHOR = dt.datetime(2026, 1, 15, 0, 0, 0, 123000)


def _moments(n: int, seed: int) -> list[dt.datetime]:
    """Moments over two years before the anchor (every hour of the night included), some with microseconds."""
    rng = random.Random(seed)
    return [ANCHOR - dt.timedelta(microseconds=rng.randrange(0, 730 * 86_400_000_000, rng.choice((1, 1000, 10**6))))
            for _ in range(n)]


def test_moments_after_match_the_row_wise_clock_exactly():
    draws = Draws("heavy", ANCHOR)
    starts = _moments(200_000, 1)
    starts += [ANCHOR, ANCHOR + dt.timedelta(days=1), ANCHOR - dt.timedelta(milliseconds=1)]  # at or after the anchor
    rng = random.Random(2)
    fractions = [rng.random() for _ in starts]
    fractions[:4] = [0.0, 0.999999, 0.9999999999, 0.5]
    for typical in (30.0, 4.0, 0.5):
        expected = [C.to_us(draws.moment_after(f, start, typical)) for f, start in zip(fractions, starts, strict=True)]
        got = C.moments_after(np.array(fractions), C.moments_us(starts), C.to_us(ANCHOR), typical)
        assert got.tolist() == expected


def test_out_of_the_night_matches_the_row_wise_clock_exactly():
    moments = _moments(200_000, 3)
    rng = random.Random(4)
    lows = [m - dt.timedelta(hours=rng.choice((0, 1, 5, 30))) for m in moments]
    highs = [m + dt.timedelta(hours=rng.choice((0, 1, 5, 30))) for m in moments]
    expected = [C.to_us(out_of_the_night(m, lo, hi)) for m, lo, hi in zip(moments, lows, highs, strict=True)]
    assert C.out_of_the_night(C.moments_us(moments), C.moments_us(lows), C.moments_us(highs)).tolist() == expected
    assert sum(e != C.to_us(m) for e, m in zip(expected, moments, strict=True)) > 10_000  # the night was exercised


def test_seed_ids_are_seed_id_with_their_fractions():
    users = [f"user-{k}" for k in range(1000)] + ["ünï/code", ""]
    ids, fractions = C.seed_ids(("post_heart", "post-7"), users)
    assert ids == [seed_id("post_heart", "post-7", u) for u in users]
    assert fractions.tolist() == [id_fraction(i) for i in ids]


def test_pair_ids_are_seed_id_with_their_fractions():
    posts = [f"post-{k % 37}" for k in range(2000)] + ["ünï/code", ""]
    users = [f"user-{k}" for k in range(2000)] + ["", "x/y"]
    ids, fractions = C.pair_ids("post_heart", posts, users)
    assert ids == [seed_id("post_heart", p, u) for p, u in zip(posts, users, strict=True)]
    assert fractions.tolist() == [id_fraction(i) for i in ids]
    assert all(i[14] == "5" and i[19] in "89ab" for i in ids)  # version 5, RFC 4122 variant
    empty_ids, empty_fractions = C.pair_ids("post_heart", [], [])
    assert empty_ids == [] and len(empty_fractions) == 0


def test_moments_print_as_each_backend_stores_them():
    moments = [dt.datetime(2026, 1, 2, 3, 4, 5, 6000), dt.datetime(1999, 12, 31, 23, 59, 59), ANCHOR]
    column = C.Moments(C.moments_us(moments))
    assert column.datetimes() == moments
    assert column.iso(" ") == [str(m) if m.microsecond else f"{m}.000000" for m in moments]


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite+pysqlite:///{tmp_path / 'columns.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_databases").create()
    engine = sa.create_engine(url)
    create_schema(engine, LATEST)
    yield engine
    engine.dispose()


def test_column_batches_arrive_as_the_same_rows_as_dicts(engine):
    """The same notifications written row-wise into one table and column-wise into a copy of it read
    back identical: text with every character COPY escapes, moments, booleans, NULLs."""
    n = 12_000  # more than one batch
    created = C.Moments(C.moments_us(_moments(n, 5)))
    batch = C.Columns({
        "id": [f"n-{k}" for k in range(n)],
        "userId": ["user-1"] * n,
        "title": [NASTY[k % len(NASTY)] for k in range(n)],
        "message": [NASTY[(k + 3) % len(NASTY)] for k in range(n)],
        "type": ["SYSTEM_UPDATE"] * n,
        "priority": ["NORMAL"] * n,
        "actionUrl": [None if k % 3 else f"/x/{k}" for k in range(n)],
        "isRead": [k % 2 == 0 for k in range(n)],
        "readAt": C.Moments(created.us + 1000),
        "createdAt": created,
        "updatedAt": created,
    })
    with engine.begin() as conn:
        writer = BulkWriter(conn)
        writer.insert(T.User, [{"id": "user-1", "email": "u@example.com", "firstName": "A", "lastName": "B",
                                "createdAt": ANCHOR, "updatedAt": ANCHOR}])
        assert writer.insert_columns(T.Notification, [batch.slice(0, 7000), batch.slice(7000, n)]) == n
        writer.finish()
        N = T.Notification
        columns = [N.c[name] for name in batch.names()]
        via_columns = conn.execute(sa.select(*columns).order_by(N.c.id)).all()
        conn.execute(sa.delete(N))
        writer = BulkWriter(conn)
        writer.insert(N, batch.rows())
        writer.finish()
        via_rows = conn.execute(sa.select(*columns).order_by(N.c.id)).all()
    assert len(via_columns) == n
    assert via_columns == via_rows

"""Column-wise batches: a chunk's rows built a column at a time, and the clock's draws on whole columns.

The tables with the most rows and the least text (post and comment hearts,
read receipts, memberships) cost more to build one dict at a time than the
database takes to load them: per row a digest, a ``datetime`` or two, a
dict, and psycopg's formatting of each value. Here a batch is a set of
columns: ids are hashed in a loop that shares the SHA-1 state of their common
prefix, the moments are whole-number microsecond arrays computed by NumPy,
and the batch reaches the database as COPY text (Postgres) or parameter rows
(SQLite) assembled a column at a time.

Every value is exactly what the row-wise clock (``seeding.draws``) gives for
the same draw: the arithmetic is integer microseconds, the one transcendental
step (the logarithm of an exponential wait) is Python's ``math.log`` on each
value, never NumPy's (whose vectorised logarithm may differ in the last bit
between CPUs), so the data is identical on every machine and backend
(``test_columns.py`` compares both clocks on a million draws).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from mentara_seed.generate import keys
from mentara_seed.generate.keys import NAMESPACE

EPOCH = dt.datetime(1970, 1, 1)
MS = 1_000
SECOND = 1_000_000
HOUR = 3_600 * SECOND
DAY = 24 * HOUR
LOCAL_OFFSET = 8 * HOUR  # Manila (``draws.LOCAL_OFFSET``)
NIGHT_OWLS = 20  # ``draws.NIGHT_OWLS``

_NAMESPACE_SHA1 = hashlib.sha1(NAMESPACE.bytes)


def to_us(moment: dt.datetime) -> int:
    """A naive UTC datetime as whole microseconds since the epoch."""
    return (moment - EPOCH) // dt.timedelta(microseconds=1)


def from_us(value: int) -> dt.datetime:
    return EPOCH + dt.timedelta(microseconds=int(value))


def moments_us(moments: Iterable[dt.datetime]) -> np.ndarray:
    return np.fromiter((to_us(m) for m in moments), dtype=np.int64)


# -- ids -------------------------------------------------------------------------------------------------
def seed_ids(prefix: Sequence[object], last: Sequence[object]) -> tuple[list[str], np.ndarray]:
    """``seed_id(*prefix, x)`` for each ``x`` of ``last`` (``keys.seed_ids``), and each id's ``id_fraction``
    (its first 32 bits, the first eight hex digits)."""
    ids = keys.seed_ids(prefix, last)
    return ids, np.fromiter((int(i[:8], 16) for i in ids), dtype=np.int64, count=len(ids)) / 2**32


def pair_ids(purpose: str, firsts: Sequence[str], seconds: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """``seed_id(purpose, a, b)`` for each pair of ``firsts`` and ``seconds``, and each id's ``id_fraction``.

    Only the digests are made one at a time; the version and variant bits are set, and the text
    spelt, for the whole batch at once (1.3 µs an id against 2.2 µs one id at a time)."""
    base = _NAMESPACE_SHA1.copy()
    base.update(f"{purpose}/".encode())
    copy = base.copy
    digests = []
    for a, b in zip(firsts, seconds, strict=True):
        sha = copy()
        sha.update(f"{a}/{b}".encode())
        digests.append(sha.digest()[:16])
    if not digests:
        return [], np.empty(0)
    uuids = np.frombuffer(b"".join(digests), dtype=np.uint8).reshape(-1, 16).copy()
    uuids[:, 6] = (uuids[:, 6] & 0x0F) | 0x50  # version 5
    uuids[:, 8] = (uuids[:, 8] & 0x3F) | 0x80  # the RFC 4122 variant
    h = uuids.tobytes().hex()
    ids = [f"{h[i:i + 8]}-{h[i + 8:i + 12]}-{h[i + 12:i + 16]}-{h[i + 16:i + 20]}-{h[i + 20:i + 32]}"
           for i in range(0, len(h), 32)]
    return ids, uuids[:, :4].copy().view(">u4").ravel().astype(np.int64) / 2**32


# -- the clock, on columns ---------------------------------------------------------------------------------
def out_of_the_night(moment: np.ndarray, low: np.ndarray | int, high: np.ndarray | int) -> np.ndarray:
    """``draws.out_of_the_night`` on columns of microseconds (``low`` and ``high`` columns or one value)."""
    local = moment + LOCAL_OFFSET
    into_night = np.remainder(local, DAY)  # since local midnight
    in_the_day = (into_night >= 7 * HOUR) | ((into_night // SECOND) % 3600 % NIGHT_OWLS == 0)
    ms = into_night // MS
    midnight = moment - into_night
    forward = midnight + 7 * HOUR + (ms * 4 // 7) * MS
    back = midnight - 3 * HOUR + (ms * 2 // 7) * MS
    moved = np.where(forward <= high, forward, np.where(back > low, back, moment))
    return np.where(in_the_day, moment, moved)


def moments_after(draws: np.ndarray, start: np.ndarray, anchor: int, typical_hours: float = 30.0) -> np.ndarray:
    """``Draws.moment_after`` on columns: a moment soon after each ``start`` (microseconds) from each
    uniform draw, in the daytime, never after ``anchor``, to the millisecond after ``start``."""
    # Python's log on each value: the same bits as the row-wise clock on every machine.
    logs = np.fromiter(map(math.log, (1 - np.minimum(draws, 0.999999)).tolist()), dtype=np.float64, count=len(draws))
    hours = -typical_hours * logs
    moment = np.minimum(start + (1 + (hours * 3_600_000).astype(np.int64)) * MS, anchor)
    moved = out_of_the_night(moment, start, anchor)
    return np.where(start >= anchor, anchor, moved)


# -- batches -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Moments:
    """A column of moments, as whole microseconds since the epoch (naive UTC)."""

    us: np.ndarray

    def __len__(self) -> int:
        return len(self.us)

    def iso(self, separator: str) -> list[str]:
        """Each moment as ``YYYY-MM-DD<separator>HH:MM:SS.ffffff``."""
        text = np.datetime_as_string(self.us.astype("datetime64[us]"), unit="us")
        return [t.replace("T", separator) for t in text.tolist()] if separator != "T" else text.tolist()

    def datetimes(self) -> list[dt.datetime]:
        return self.us.astype("datetime64[us]").astype(dt.datetime).tolist()


class Columns:
    """One batch of rows as columns of equal length: lists of values (str, int, bool or None) or ``Moments``."""

    __slots__ = ("columns", "length")

    def __init__(self, columns: Mapping[str, Sequence | Moments]) -> None:
        lengths = {len(values) for values in columns.values()}
        if len(lengths) > 1:
            raise ValueError(f"columns of different lengths: { {k: len(v) for k, v in columns.items()} }")
        self.columns = dict(columns)
        self.length = lengths.pop() if lengths else 0

    def __len__(self) -> int:
        return self.length

    def names(self) -> tuple[str, ...]:
        return tuple(self.columns)

    def slice(self, start: int, stop: int) -> Columns:
        return Columns({k: Moments(v.us[start:stop]) if isinstance(v, Moments) else v[start:stop]
                        for k, v in self.columns.items()})

    def rows(self) -> list[dict]:
        """The batch as row dicts (moments as datetimes): what the row-wise path would have built."""
        values = [v.datetimes() if isinstance(v, Moments) else list(v) for v in self.columns.values()]
        return [dict(zip(self.columns, row, strict=True)) for row in zip(*values, strict=True)]


def concat(batches: Sequence[Columns]) -> Columns:
    """One batch of several with the same columns."""
    if len(batches) == 1:
        return batches[0]
    names = batches[0].names()
    joined: dict[str, Sequence | Moments] = {}
    for name in names:
        parts = [b.columns[name] for b in batches]
        if isinstance(parts[0], Moments):
            joined[name] = Moments(np.concatenate([p.us for p in parts]))
        else:
            joined[name] = [v for p in parts for v in p]
    return Columns(joined)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(values: Sequence) -> list[str]:
    """A column in COPY's text format."""
    if isinstance(values, Moments):
        return values.iso("T")
    if all(type(v) is str for v in values):
        # One pass in C over the whole column: NUL never occurs in Postgres text, so it can separate.
        joined = "\0".join(values)
        if any(c in joined for c in "\\\t\n\r"):
            joined = joined.translate(_COPY_ESCAPES)
        return joined.split("\0") if values else []
    out = []
    for v in values:
        if v is None:
            out.append("\\N")
        elif v is True:
            out.append("t")
        elif v is False:
            out.append("f")
        elif isinstance(v, str):
            out.append(v.translate(_COPY_ESCAPES))
        else:
            out.append(str(v))
    return out


def copy_data(batch: Columns) -> bytes:
    """The batch as the body of ``COPY ... FROM STDIN`` (text format), columns in ``batch.names()`` order."""
    columns = [_copy_text(values) for values in batch.columns.values()]
    if not columns or not batch.length:
        return b""
    return ("\n".join(map("\t".join, zip(*columns, strict=True))) + "\n").encode()


def sqlite_params(batch: Columns) -> list[tuple]:
    """The batch as parameter rows for SQLite, each value as SQLAlchemy's SQLite types store it
    (a moment as ``YYYY-MM-DD HH:MM:SS.ffffff``; a boolean as 0 or 1)."""
    columns = []
    for values in batch.columns.values():
        if isinstance(values, Moments):
            columns.append(values.iso(" "))
        else:
            columns.append([int(v) if isinstance(v, bool) else v for v in values])
    return list(zip(*columns, strict=True))

"""Deterministic identities and random streams.

Every seeded row's id is a UUID5 of its purpose, its parent entity and an
ordinal, so the same row always gets the same id on any machine; its values
come from a stream of draws seeded from a digest of the same key (never
Python's per-process salted ``hash()``).

Both run once per seeded row, millions of times at large scales, so both are
built for speed: ``seed_id`` hashes on a prepared SHA-1 state instead of
building ``uuid.UUID`` objects, and ``Stream`` draws from BLAKE2b digests
instead of seeding a Mersenne Twister (``random.Random(seed)`` costs about ten
times a digest).
"""

from __future__ import annotations

import hashlib
import struct
import uuid
from collections.abc import Iterable, MutableSequence, Sequence
from typing import TypeVar

# Fixed forever: changing it changes every id the seeder has ever written.
NAMESPACE = uuid.UUID("5e3d7a1c-4f0b-5b8e-9c2d-6a7f1e0b3c49")

_NAMESPACE_SHA1 = hashlib.sha1(NAMESPACE.bytes)
# UUID version 5 (bits 76-79 of the 128) and the RFC 4122 variant (bits 62-63).
_KEEP = ~((0xF << 76) | (0x3 << 62)) & ((1 << 128) - 1)
_MARK = (0x5 << 76) | (0x2 << 62)
_EIGHT_WORDS = struct.Struct("<8Q").unpack
_TWO_TO_MINUS_53 = 2.0**-53

T = TypeVar("T")


def _key(parts: tuple[object, ...]) -> str:
    return "/".join(map(str, parts))


def seed_id(*parts: object) -> str:
    """The UUID (as Prisma stores it: lowercase text) of the row named by ``parts``.

    Exactly ``str(uuid.uuid5(NAMESPACE, "/".join(parts)))``.
    """
    sha = _NAMESPACE_SHA1.copy()
    sha.update(_key(parts).encode())
    h = "%032x" % (int.from_bytes(sha.digest()[:16], "big") & _KEEP | _MARK)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def seed_ids(prefix: Sequence[object], last: Iterable[object]) -> list[str]:
    """``seed_id(*prefix, x)`` for each ``x`` of ``last``: the SHA-1 state of the shared prefix is
    computed once, so each id costs one copy, one update and one digest."""
    base = _NAMESPACE_SHA1.copy()
    base.update((_key(tuple(prefix)) + "/").encode())
    ids = []
    for x in last:
        sha = base.copy()
        sha.update(str(x).encode())
        h = "%032x" % (int.from_bytes(sha.digest()[:16], "big") & _KEEP | _MARK)
        ids.append(f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}")
    return ids


def id_fraction(row_id: str) -> float:
    """A uniform draw in [0, 1) from a seeded id's own first 32 bits (SHA-1 output, so uniform).

    For rows with a single random value (a heart's moment), this spares a second digest per row.
    """
    return int(row_id[:8], 16) / 2**32


class Stream:
    """Random draws that depend only on a key: the row's (or entity's) own stream.

    The first eight 64-bit words come from one BLAKE2b-512 digest of the key;
    each further eight from a digest of the key salted with a block number.
    Draws map a word onto their range by multiplication (Lemire), so each
    costs one word; the bias is below 2^-40 for every range used here.
    """

    __slots__ = ("_key", "_words", "_block")

    def __init__(self, key: bytes) -> None:
        self._key = key
        self._block = 0
        self._words = list(_EIGHT_WORDS(hashlib.blake2b(key, digest_size=64).digest()))

    def _refill(self) -> list[int]:
        """The next eight words, once the last eight are spent."""
        self._block += 1
        salt = self._block.to_bytes(16, "little")
        self._words = list(_EIGHT_WORDS(hashlib.blake2b(self._key, digest_size=64, salt=salt).digest()))
        return self._words

    # Each draw takes its word inline, ``(self._words or self._refill()).pop()``: millions of draws
    # a seed, and a method call per word would be a tenth of the generators' time.
    def word(self) -> int:
        """The next 64-bit word."""
        return (self._words or self._refill()).pop()

    def words(self, n: int) -> list[int]:
        """The next ``n`` words, as ``n`` calls of ``word`` give them (for draws made on whole arrays)."""
        out: list[int] = []
        while n:
            words = self._words or self._refill()
            take = min(n, len(words))
            out += words[:-take - 1:-1]  # the last ``take``, last first: the order ``pop`` takes them
            del words[-take:]
            n -= take
        return out

    def below(self, n: int) -> int:
        """A whole number in [0, n)."""
        return ((self._words or self._refill()).pop() * n) >> 64

    def random(self) -> float:
        """A float in [0, 1)."""
        return ((self._words or self._refill()).pop() >> 11) * _TWO_TO_MINUS_53

    def uniform(self, low: float, high: float) -> float:
        return low + (high - low) * (((self._words or self._refill()).pop() >> 11) * _TWO_TO_MINUS_53)

    def uniforms(self, n: int, low: float, high: float) -> list[float]:
        """``n`` draws of ``uniform(low, high)``, the same values as ``n`` calls."""
        span, out = high - low, []
        for _ in range(n):
            out.append(low + span * (((self._words or self._refill()).pop() >> 11) * _TWO_TO_MINUS_53))
        return out

    def randint(self, low: int, high: int) -> int:
        """A whole number in [low, high], both included."""
        return low + (((self._words or self._refill()).pop() * (high - low + 1)) >> 64)

    def choice(self, options: Sequence[T]) -> T:
        if not options:
            raise IndexError("cannot choose from an empty sequence")
        return options[((self._words or self._refill()).pop() * len(options)) >> 64]

    def shuffle(self, items: MutableSequence) -> None:
        """Shuffle ``items`` in place (Fisher-Yates)."""
        for i in range(len(items) - 1, 0, -1):
            j = ((self._words or self._refill()).pop() * (i + 1)) >> 64
            items[i], items[j] = items[j], items[i]

    def sample(self, population: Sequence[T], k: int) -> list[T]:
        """``k`` distinct elements of ``population``, in random order."""
        pool = list(population)
        if k > len(pool):
            raise ValueError("sample larger than population")
        for i in range(k):
            j = i + (((self._words or self._refill()).pop() * (len(pool) - i)) >> 64)
            pool[i], pool[j] = pool[j], pool[i]
        return pool[:k]


def stream(*parts: object) -> Stream:
    """The random stream that depends only on ``parts``."""
    return Stream(_key(parts).encode())


def unit(*parts: object) -> float:
    """One uniform draw in [0, 1) that depends only on ``parts`` (cheaper than a stream)."""
    digest = hashlib.blake2b(_key(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def seeded(row_id: str) -> bool:
    """The row's id is a UUID version 5, made by the seeder (Prisma's uuid() makes version 4)."""
    return len(row_id) == 36 and row_id[14] == "5"


def made_by_seeder(id_column):
    """SQL: the row's id is a UUID version 5, as every seeded id is (Prisma's uuid() makes version 4).

    The seeder only ever changes rows this matches, and only to keep its own
    data true as the anchor moves on (a session it scheduled has since passed).
    """
    import sqlalchemy as sa

    return sa.func.substr(id_column, 15, 1) == "5"

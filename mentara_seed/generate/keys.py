"""Deterministic identities and random streams.

Every seeded row's id is a UUID5 of its purpose, its parent entity and an
ordinal, so the same row always gets the same id on any machine; its values
come from a random stream seeded from a digest of the same key (never
Python's per-process salted ``hash()``).
"""

from __future__ import annotations

import hashlib
import random
import uuid

# Fixed forever: changing it changes every id the seeder has ever written.
NAMESPACE = uuid.UUID("5e3d7a1c-4f0b-5b8e-9c2d-6a7f1e0b3c49")


_NAMESPACE_BYTES = NAMESPACE.bytes


def _key(parts: tuple[object, ...]) -> str:
    return "/".join(map(str, parts))


def seed_id(*parts: object) -> str:
    """The UUID (as Prisma stores it: lowercase text) of the row named by ``parts``.

    Exactly ``str(uuid.uuid5(NAMESPACE, key))``, computed without building UUID
    objects (this runs once per seeded row).
    """
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + _key(parts).encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def stream(*parts: object) -> random.Random:
    """A random stream that depends only on ``parts``."""
    digest = hashlib.blake2b(_key(parts).encode(), digest_size=8).digest()
    return random.Random(int.from_bytes(digest, "big"))


def unit(*parts: object) -> float:
    """One uniform draw in [0, 1) that depends only on ``parts`` (cheap, no stream)."""
    digest = hashlib.blake2b(_key(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def made_by_seeder(id_column):
    """SQL: the row's id is a UUID version 5, as every seeded id is (Prisma's uuid() makes version 4).

    The seeder only ever changes rows this matches, and only to keep its own
    data true as the anchor moves on (a session it scheduled has since passed).
    """
    import sqlalchemy as sa

    return sa.func.substr(id_column, 15, 1) == "5"

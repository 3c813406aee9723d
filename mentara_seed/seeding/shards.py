"""Shards: which subject entities a unit of work owns when an asset runs as N shards.

An asset declared with ``shard_by`` can run as N units of work at once (the
distributed definitions, ``mentara_seed.distributed``): each one owns the
subject entities (clients, communities, conversations ...) whose stable hash
falls in its shard, and makes rows only for them. Entity ids and values come
from the entity alone (``keys``), never from the shard, so 1, 4 or 16 shards
write the same rows. A single-process run is the one shard that owns
everything (``WHOLE``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


def bucket(key: str, count: int) -> int:
    """The shard (0 .. count - 1) of an entity: a BLAKE2b digest of its id, never Python's ``hash()``."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8, person=b"mentara-shard").digest(), "big") % count


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` of ``count`` (0-based)."""

    index: int = 0
    count: int = 1

    def __post_init__(self) -> None:
        if not (self.count >= 1 and 0 <= self.index < self.count):
            raise ValueError(f"no shard {self.index} of {self.count}")

    def owns(self, key: str) -> bool:
        return self.count == 1 or bucket(key, self.count) == self.index

    @property
    def key(self) -> str:
        """The shard's name in Dagster (a dynamic output's mapping key)."""
        return f"shard_{self.index}_of_{self.count}"

    def __str__(self) -> str:
        return f"shard {self.index + 1} of {self.count}"


WHOLE = Shard()

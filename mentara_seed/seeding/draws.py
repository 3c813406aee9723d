"""The randomness and the clock of one unit of work: every value a generator draws, every moment it dates.

A row's draws depend only on its key, the mode and the anchor; every moment
is an offset from the anchor. Nothing reads the wall clock.
"""

from __future__ import annotations

import datetime as dt

from mentara_seed.generate.keys import Stream, unit


class Draws:
    """Deterministic draws and anchor-relative moments for one mode and anchor."""

    def __init__(self, mode: str, anchor: dt.datetime) -> None:
        self.mode = mode
        self.anchor = anchor
        self._context = f"{mode}/{anchor.isoformat()}"

    def rng(self, purpose: str, *parts: object) -> Stream:
        """The stream of one row or entity: its purpose, its key, the mode and the anchor."""
        return Stream(f"{purpose}/{self._context}/{'/'.join(map(str, parts))}".encode())

    def unit(self, purpose: str, *parts: object) -> float:
        """One uniform draw in [0, 1) for a row or entity that needs no more (cheaper than a stream)."""
        return unit(purpose, self._context, *parts)

    def moment_after(self, draw: float, start: dt.datetime) -> dt.datetime:
        """The moment a fraction ``draw`` of the way from ``start`` to the anchor, to the millisecond."""
        span_ms = int((self.anchor - start).total_seconds() * 1000)
        if span_ms <= 0:
            return self.anchor
        return start + dt.timedelta(milliseconds=1 + int(draw * span_ms))

    def days_before(self, rng: Stream, low: float, high: float) -> dt.datetime:
        """A moment between ``high`` and ``low`` days before the anchor, to the second."""
        return self.anchor - dt.timedelta(seconds=rng.randint(int(low * 86400), int(high * 86400)))

    def between(self, rng: Stream, start: dt.datetime, end: dt.datetime) -> dt.datetime:
        """A moment in [start, end], to the millisecond (``end`` if the window is empty)."""
        span_ms = int((end - start).total_seconds() * 1000)
        if span_ms <= 0:
            return end
        return start + dt.timedelta(milliseconds=rng.randint(1, span_ms))

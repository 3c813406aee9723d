"""The randomness and the clock of one unit of work: every value a generator draws, every moment it dates.

A row's draws depend only on its key, the mode and the anchor; every moment
is an offset from the anchor. Nothing reads the wall clock.
"""

from __future__ import annotations

import datetime as dt
import math
from bisect import bisect_right
from itertools import accumulate

from mentara_seed.generate.keys import Stream, unit

# People are active in the daytime of the product's time zone (Manila, UTC+8): little happens
# between midnight and 7 a.m. there (a night owl now and then), most around lunch and in the evening.
LOCAL_OFFSET = dt.timedelta(hours=8)
WAKING_HOURS = tuple(range(7, 24))
HOUR_WEIGHTS = (2, 4, 5, 5, 5, 6, 6, 5, 5, 5, 6, 7, 8, 9, 9, 8, 5)
_CUMULATIVE = tuple(accumulate(HOUR_WEIGHTS))


def local_hour(moment: dt.datetime) -> int:
    return (moment + LOCAL_OFFSET).hour


NIGHT_OWLS = 20  # one night-time moment in this many stays where it is


def out_of_the_night(moment: dt.datetime, low: dt.datetime, high: dt.datetime) -> dt.datetime:
    """``moment`` moved out of the local night, within [low, high]: the night's seven hours folded into
    the morning's first four (so the morning fills smoothly), else into the evening before (after ``low``); unchanged
    where neither fits (a window that lies in the night), and for one moment in ``NIGHT_OWLS``
    (picked by its own seconds, so the same moment always stays or moves)."""
    local = moment + LOCAL_OFFSET
    if local.hour >= 7 or (local.minute * 60 + local.second) % NIGHT_OWLS == 0:
        return moment
    into_night = local - local.replace(hour=0, minute=0, second=0, microsecond=0)
    ms = (into_night.days * 86_400 + into_night.seconds) * 1000 + into_night.microseconds // 1000
    midnight = moment - into_night
    forward = midnight + dt.timedelta(hours=7, milliseconds=ms * 4 // 7)  # whole milliseconds, as stored
    if forward <= high:
        return forward
    back = midnight - dt.timedelta(hours=3) + dt.timedelta(milliseconds=ms * 2 // 7)
    return back if back > low else moment


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

    def moment_after(self, draw: float, start: dt.datetime, typical_hours: float = 30.0) -> dt.datetime:
        """A moment soon after ``start`` (a heart, a read: typically within ``typical_hours``), from one
        uniform ``draw``, in the daytime, never after the anchor, to the millisecond."""
        if start >= self.anchor:
            return self.anchor
        hours = -typical_hours * math.log(1 - min(draw, 0.999999))
        moment = min(start + dt.timedelta(milliseconds=1 + int(hours * 3_600_000)), self.anchor)
        return out_of_the_night(moment, start, self.anchor)

    def days_before(self, rng: Stream, low: float, high: float) -> dt.datetime:
        """A daytime moment between ``high`` and ``low`` days before the anchor, to the second: a day,
        then a waking hour of that day in Manila weighted as people are active."""
        earliest = self.anchor - dt.timedelta(days=high)
        latest = self.anchor - dt.timedelta(days=low)
        moment = self.anchor - dt.timedelta(seconds=rng.randint(int(low * 86400), int(high * 86400)))
        local_midnight = (moment + LOCAL_OFFSET).replace(hour=0, minute=0, second=0, microsecond=0) - LOCAL_OFFSET
        hour = WAKING_HOURS[bisect_right(_CUMULATIVE, rng.below(_CUMULATIVE[-1]))]
        candidate = local_midnight + dt.timedelta(hours=hour, seconds=rng.randint(0, 3599))
        if earliest <= candidate <= latest:
            return candidate
        return out_of_the_night(moment, earliest, latest)

    def between(self, rng: Stream, start: dt.datetime, end: dt.datetime) -> dt.datetime:
        """A daytime moment in [start, end], to the millisecond (``end`` if the window is empty)."""
        span_ms = int((end - start).total_seconds() * 1000)
        if span_ms <= 0:
            return end
        return out_of_the_night(start + dt.timedelta(milliseconds=rng.randint(1, span_ms)), start, end)

    def soon_after(self, rng: Stream, start: dt.datetime, typical_hours: float, late_share: float = 0.12,
                   end: dt.datetime | None = None) -> dt.datetime:
        """A reply's moment: usually within hours of ``start`` (exponential, ``typical_hours`` on
        average), sometimes (``late_share``) any time until ``end`` (the anchor); daytime, bounded."""
        end = self.anchor if end is None else end
        if start >= end:
            return end
        if rng.random() < late_share:
            return self.between(rng, start, end)
        return self.moment_after(rng.random(), start, typical_hours) if end == self.anchor else min(
            self.moment_after(rng.random(), start, typical_hours), end)

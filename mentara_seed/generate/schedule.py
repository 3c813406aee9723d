"""Therapists' weeks and the sessions booked in them, as the booking API reads and checks them.

The API (``booking/services/slot-generator.service.ts``, ``availability-
validator.service.ts``) runs on a UTC clock and ignores time zones: an
availability row is a weekday ``"0"``..``"6"`` (0 is Sunday, JavaScript's
``getDay``) and a window ``"HH:MM"``-``"HH:MM"`` of UTC time, slots start on
its half hours, a session lasts 30, 60, 90 or 120 minutes, ends inside the
window, and never overlaps another session of the same therapist or client.
A therapist's week here is Manila office hours written in UTC (09:00-17:00
in Manila is 01:00-09:00 UTC), so the app offers and the seed books sessions
in the Philippine daytime.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, insort
from collections import defaultdict
from functools import cached_property

import sqlalchemy as sa

from mentara_seed.generate.keys import Stream, seed_id
from mentara_seed.schema import tables as T

DURATIONS = (30, 60, 90, 120)  # booking.service getDurations
DURATION_WEIGHTS = (60, 60, 60, 60, 60, 90, 30, 120)
SLOT_MINUTES = 30
# Manila blocks a therapist works, as UTC windows (Manila is UTC+8 all year).
BLOCKS = {"morning": ("01:00", "04:00"), "afternoon": ("05:00", "09:00"), "evening": ("10:00", "13:00")}
PATTERNS = (("morning", "afternoon"), ("morning", "afternoon"), ("afternoon", "evening"), ("morning",),
            ("afternoon",), ("morning", "afternoon", "evening"))


def js_weekday(day: dt.date | dt.datetime) -> int:
    """JavaScript's ``getDay`` of a UTC date: 0 is Sunday."""
    return (day.weekday() + 1) % 7


def minutes(hh_mm: str) -> int:
    hours, _, mins = hh_mm.partition(":")
    return int(hours) * 60 + int(mins)


def hh_mm(moment: dt.datetime) -> str:
    """What the API compares windows with: ``date.toTimeString().slice(0, 5)`` on a UTC clock."""
    return moment.strftime("%H:%M")


def standard_week(rng: Stream, therapist_id: str, days: int, created: dt.datetime) -> list[dict]:
    """Availability rows of a therapist's usual week: ``days`` weekdays (Saturday only beyond five),
    each with the same Manila blocks."""
    weekdays = [1, 2, 3, 4, 5]
    rng.shuffle(weekdays)
    chosen = sorted(weekdays[:min(days, 5)]) + ([6] if days > 5 else [])
    pattern = rng.choice(PATTERNS)
    return [window_row(rng, therapist_id, day, block, created) for day in chosen for block in pattern]


def window_row(rng: Stream, therapist_id: str, day: int, block: str, created: dt.datetime) -> dict:
    start, end = BLOCKS[block]
    return {"id": seed_id("availability", therapist_id, str(day), start), "therapistId": therapist_id,
            "dayOfWeek": str(day), "startTime": start, "endTime": end, "timezone": "UTC", "isAvailable": True,
            "notes": rng.choice((None, None, "Video sessions", "Online sessions only", "Video or audio")),
            "createdAt": created, "updatedAt": created}


class Book:
    """Everyone's week and diary, read on first use (a step with no session to book reads neither):
    where a new session fits."""

    def __init__(self, conn) -> None:
        self.conn = conn

    @classmethod
    def load(cls, conn) -> Book:
        return cls(conn)

    def read(self) -> Book:
        """Read the weeks and diaries now (before forking processes that book into them)."""
        self.windows, self.busy  # noqa: B018 (cached on first use)
        return self

    @cached_property
    def windows(self) -> dict[str, dict[int, list[tuple[int, int]]]]:
        """therapist -> weekday -> windows (minutes of the UTC day)."""
        windows: dict[str, dict[int, list[tuple[int, int]]]] = {}
        A = T.TherapistAvailability
        for therapist, day, start, end in self.conn.execute(
            sa.select(A.c.therapistId, A.c.dayOfWeek, A.c.startTime, A.c.endTime).where(A.c.isAvailable == sa.true())
        ):
            try:
                windows.setdefault(therapist, {}).setdefault(int(day), []).append((minutes(start), minutes(end)))
            except ValueError:  # someone else's row in another format: not a window the API would offer
                continue
        return windows

    @cached_property
    def busy(self) -> dict[str, list[tuple[dt.datetime, dt.datetime]]]:
        """person -> their sessions' (start, end), in order."""
        busy: dict[str, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
        M = T.Meeting
        for therapist, client, start, end, duration in self.conn.execute(
            sa.select(M.c.therapistId, M.c.clientId, M.c.startTime, M.c.endTime, M.c.duration)
        ):
            end = end or start + dt.timedelta(minutes=duration or 60)
            for person in (therapist, client):
                insort(busy[person], (start, end))
        return busy

    def free(self, person: str, start: dt.datetime, end: dt.datetime) -> bool:
        diary = self.busy.get(person, ())
        k = bisect_left(diary, (start, start))
        before = diary[k - 1] if k else None
        after = diary[k] if k < len(diary) else None
        return not (before and before[1] > start) and not (after and after[0] < end)

    def book(self, therapist: str, client: str, start: dt.datetime, end: dt.datetime) -> None:
        for person in (therapist, client):
            insort(self.busy[person], (start, end))

    def slot(self, rng: Stream, therapist: str, client: str, first_day: dt.date, days: int, duration: int,
             attempts: int = 16) -> dt.datetime | None:
        """A start in the therapist's windows on one of ``days`` days from ``first_day``, on the half hour,
        where the session fits the window and neither person has another session; None if there is none.

        ``attempts`` random slots first (a diary fills evenly); then, if all were taken, every slot of
        the range in turn from a random day on, so a full diary is the only reason for None."""
        week = self.windows.get(therapist)
        if not week or days <= 0:
            return None
        for _ in range(attempts):
            day = first_day + dt.timedelta(days=rng.below(days))
            windows = week.get(js_weekday(day))
            if not windows:
                continue
            low, high = rng.choice(windows)
            slots = (high - low - duration) // SLOT_MINUTES + 1
            if slots <= 0:
                continue
            start = self._take(therapist, client, day, low + SLOT_MINUTES * rng.below(slots), duration)
            if start is not None:
                return start
        offset = rng.below(days)
        for k in range(days):
            day = first_day + dt.timedelta(days=(offset + k) % days)
            for low, high in sorted(week.get(js_weekday(day), ())):
                for minute in range(low, high - duration + 1, SLOT_MINUTES):
                    start = self._take(therapist, client, day, minute, duration)
                    if start is not None:
                        return start
        return None

    def _take(self, therapist: str, client: str, day: dt.date, minute: int, duration: int) -> dt.datetime | None:
        """Book the slot at ``minute`` past midnight (UTC) of ``day`` if both are free then."""
        start = dt.datetime(day.year, day.month, day.day) + dt.timedelta(minutes=minute)
        end = start + dt.timedelta(minutes=duration)
        if end.hour == 0 and end.minute == 0:
            return None  # the API reads an end at midnight as "00:00", before any window's start
        if self.free(therapist, start, end) and self.free(client, start, end):
            self.book(therapist, client, start, end)
            return start
        return None

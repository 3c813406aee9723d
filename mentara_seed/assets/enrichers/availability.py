"""Tier 1 enricher: every approved therapist can be booked on several weekdays."""

import sqlalchemy as sa

from mentara_seed.assets.common import enricher
from mentara_seed.generate import text
from mentara_seed.generate.keys import seed_id
from mentara_seed.requirements import BY_NAME
from mentara_seed.schema import tables as T
from mentara_seed.seeding import Seeding

WINDOWS = (("09:00", "12:00"), ("13:00", "17:00"), ("18:00", "20:00"))


@enricher("availability", tier=1, owns=T.TherapistAvailability)
def enrich_availability(s: Seeding) -> None:
    """Guarantees: every approved therapist is available on at least three distinct weekdays, with
    well-formed windows (HH:MM, start before end) on days they have no availability yet."""
    deficits = s.deficits(BY_NAME["therapist_availability"])
    A = T.TherapistAvailability
    existing = set(s.rows(sa.select(A.c.therapistId, A.c.dayOfWeek, A.c.startTime, A.c.endTime)
                          .where(s.one_of(A.c.therapistId, [d.subject for d in deficits])))) if deficits else set()
    available = {(t, day) for t, day, *_ in s.rows(
        sa.select(A.c.therapistId, A.c.dayOfWeek).where(A.c.isAvailable == sa.true())
    )}
    new = []
    for d in deficits:
        rng = s.rng("availability", d.subject)
        # Weekdays first, in the therapist's own order; weekends only if needed.
        days = list(text.WEEKDAYS[:5])
        rng.shuffle(days)
        days += list(text.WEEKDAYS[5:])
        added = 0
        for day in days:
            if added == d.missing or (d.subject, day) in available:
                continue
            window = next((w for w in WINDOWS if (d.subject, day, *w) not in existing), None)
            if window is None:
                continue
            created = s.days_before(rng, 30, 300)
            new.append({"id": seed_id("availability", d.subject, day, window[0]), "therapistId": d.subject,
                        "dayOfWeek": day, "startTime": window[0], "endTime": window[1], "timezone": "Asia/Manila",
                        "isAvailable": True, "notes": rng.choice((None, "Online sessions only", "Video or chat")),
                        "createdAt": created, "updatedAt": created})
            added += 1
        s.unmet["therapist_availability"] += d.missing - added
    s.insert(A, new)

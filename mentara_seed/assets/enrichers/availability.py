"""Tier 1 enricher: every approved therapist can be booked on several weekdays."""

import sqlalchemy as sa

from mentara_seed.assets.common import enricher
from mentara_seed.generate import schedule
from mentara_seed.requirements import BY_NAME
from mentara_seed.schema import tables as T
from mentara_seed.seeding import Seeding


@enricher("availability", tier=1, owns=T.TherapistAvailability)
def enrich_availability(s: Seeding) -> None:
    """Guarantees: every approved therapist is available on at least three distinct weekdays, in the
    booking API's format: weekday "0".."6" (0 is Sunday), windows "HH:MM"-"HH:MM" of UTC time on the
    half hour (the API's clock; these are Manila office hours), start before end, isAvailable. A
    therapist with no week yet gets their usual week; one with too few days gets more whole days,
    Saturday after the weekdays."""
    deficits = s.deficits(BY_NAME["therapist_availability"])
    if not deficits:
        return
    A = T.TherapistAvailability
    existing: dict[str, set[str]] = {}
    for therapist, day in s.rows(sa.select(A.c.therapistId, A.c.dayOfWeek)
                                 .where(s.one_of(A.c.therapistId, [d.subject for d in deficits]))):
        existing.setdefault(therapist, set()).add(day)
    new = []
    for d in deficits:
        rng = s.rng("availability", d.subject)
        created = s.days_before(rng, 30, 300)
        if d.subject not in existing:
            new.extend(schedule.standard_week(rng, d.subject, rng.randint(d.missing, 5), created))
            continue
        days = [str(k) for k in (1, 2, 3, 4, 5, 6) if str(k) not in existing[d.subject]][: d.missing]
        block = rng.choice(tuple(schedule.BLOCKS))
        new.extend(schedule.window_row(rng, d.subject, int(day), block, created) for day in days)
        s.unmet["therapist_availability"] += d.missing - len(days)
    s.insert(A, new)

"""Tier 5 enricher: every approved therapist has a review from a real session."""

from collections import defaultdict

import sqlalchemy as sa

from mentara_seed.assets.common import enricher
from mentara_seed.generate import rows, voices
from mentara_seed.requirements import BY_NAME
from mentara_seed.schema import tables as T
from mentara_seed.seeding import Seeding


@enricher("reviews", tier=5, owns=T.Review, inputs=["enriched_meetings"])
def enrich_reviews(s: Seeding) -> None:
    """Guarantees: every approved therapist has at least one review tied to one of their COMPLETED
    meetings, written by that meeting's client after the meeting ended."""
    deficits = s.deficits(BY_NAME["therapist_reviews"])
    short = [d.subject for d in deficits]
    sessions = defaultdict(list)
    reviewed = set()
    if short:
        M = T.Meeting
        for m in s.rows(
            sa.select(M.c.id, M.c.clientId, M.c.therapistId, M.c.endTime)
            .where(M.c.status == "COMPLETED", M.c.endTime < s.anchor, s.one_of(M.c.therapistId, short))
            .order_by(M.c.id)
        ):
            sessions[m.therapistId].append(m)
        reviewed = set(s.rows(sa.select(T.Review.c.clientId, T.Review.c.therapistId, T.Review.c.meetingId)
                              .where(s.one_of(T.Review.c.therapistId, short))))
    new = []
    writers = voices.Writers(s)
    for d in deficits:
        options = [m for m in sessions[d.subject] if (m.clientId, m.therapistId, m.id) not in reviewed]
        s.rng("reviews", d.subject).shuffle(options)
        new.extend(rows.review(s, m.clientId, m.therapistId, m.id, m.endTime, writers) for m in options[: d.missing])
        s.unmet["therapist_reviews"] += max(0, d.missing - len(options))
    s.insert(T.Review, new)

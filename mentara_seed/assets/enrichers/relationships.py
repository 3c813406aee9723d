"""Tier 1 enricher: every approved therapist has clients."""

import heapq

import sqlalchemy as sa

from mentara_seed.assets.common import enricher
from mentara_seed.generate import rows, state
from mentara_seed.generate.keys import unit
from mentara_seed.requirements import BY_NAME, DEMO_THERAPIST, approved_therapists
from mentara_seed.schema import tables as T
from mentara_seed.seeding import Seeding


@enricher("relationships", tier=1, owns=T.ClientTherapist)
def enrich_relationships(s: Seeding) -> None:
    """Guarantees: every approved therapist has the mode's minimum of active clients, and the
    documented client account has a therapist. Each missing client is the least-served client not yet
    paired with that therapist, so caseloads stay even; the documented client goes to the documented
    therapist (when approved), else to the approved therapist with the fewest clients."""
    paired = set(s.rows(sa.select(T.ClientTherapist.c.clientId, T.ClientTherapist.c.therapistId)))
    for d in s.deficits(BY_NAME["demo_client_has_a_therapist"]):
        caseload = s.counts(sa.select(T.ClientTherapist.c.therapistId, sa.func.count())
                            .group_by(T.ClientTherapist.c.therapistId))
        options = [t for t in s.scalars(approved_therapists()) if (d.subject, t) not in paired]
        if not options:
            s.unmet["demo_client_has_a_therapist"] += 1
            continue
        demo_therapist = set(s.scalars(DEMO_THERAPIST.ids()))  # both sides of the demo, when it is approved
        therapist = min(options, key=lambda t: (t not in demo_therapist, caseload.get(t, 0), unit("demo_therapist", t)))
        s.insert(T.ClientTherapist, [rows.relationship(s, d.subject, therapist)])
        paired.add((d.subject, therapist))
    deficits = s.deficits(BY_NAME["therapist_clients"])
    if not deficits:
        return
    load = s.counts(
        sa.select(T.ClientTherapist.c.clientId, sa.func.count())
        .where(T.ClientTherapist.c.status == "active").group_by(T.ClientTherapist.c.clientId)
    )
    queue = [(load.get(c, 0), unit("caseload", c), c) for c in state.ids(s, T.Client.c.userId)]
    heapq.heapify(queue)
    new = []
    for d in deficits:
        taken, skipped = [], []
        while queue and len(taken) < d.missing:
            entry = heapq.heappop(queue)
            (skipped if (entry[2], d.subject) in paired else taken).append(entry)
        for n, tie, client_id in taken:
            new.append(rows.relationship(s, client_id, d.subject))
            heapq.heappush(queue, (n + 1, tie, client_id))
        for entry in skipped:
            heapq.heappush(queue, entry)
        s.unmet["therapist_clients"] += d.missing - len(taken)
    s.insert(T.ClientTherapist, new)

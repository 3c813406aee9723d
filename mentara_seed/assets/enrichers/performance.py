"""Tier 6 enricher (current schema): every approved therapist's performance figures, as the app computes them."""

import sqlalchemy as sa

from mentara_seed import metrics
from mentara_seed.assets.common import enricher
from mentara_seed.generate.snapshots import write_snapshots
from mentara_seed.schema import tables as T
from mentara_seed.seeding import Seeding

UPSTREAM = ["enriched_reviews", "enriched_worksheets", "enriched_meetings", "enriched_messages", "enriched_journals",
            "enriched_availability"]


@enricher("performance", tier=6, owns=T.TherapistPerformance, inputs=UPSTREAM, shard_by="therapist")
def enrich_performance(s: Seeding) -> None:
    """Guarantees (current schema): every approved therapist has a performance record whose figures are
    those the app's matching service computes from the therapist's own sessions, clients, messages and
    availability as of the anchor (response time, retention, no-show and cancellation rates, session
    length, client progress, workload, availability used). The seeder's own records are recomputed
    when the data has moved on; others' are never touched."""
    if not s.target.has(T.TherapistPerformance):
        return
    approved = set(s.scalars(sa.select(T.Therapist.c.userId).where(T.Therapist.c.status == "APPROVED")))
    figures = {t: values for t, values in metrics.performance(s.conn, s.anchor).items() if t in approved}
    write_snapshots(s, T.TherapistPerformance, "therapistId", figures, metrics.PERFORMANCE_FIELDS, "therapist_performance")

"""Tier 6 enricher (current schema): every client's engagement figures, as the app computes them."""

from mentara_seed import metrics
from mentara_seed.assets.common import enricher
from mentara_seed.generate.snapshots import write_snapshots
from mentara_seed.schema import tables as T
from mentara_seed.seeding import Seeding

UPSTREAM = ["enriched_reviews", "enriched_worksheets", "enriched_meetings", "enriched_journals"]


@enricher("engagement", tier=6, owns=T.ClientEngagement, inputs=UPSTREAM, shard_by="client")
def enrich_engagement(s: Seeding) -> None:
    """Guarantees (current schema): every client has an engagement record whose figures are those the
    app's matching service computes from the client's own journal entries, worksheets, sessions and
    reviews as of the anchor (login frequency, usage score, completion and attendance rates, average
    rating, the trend against the month before). The seeder's own records are recomputed when the
    data has moved on (a nightly refresh); others' are never touched."""
    if s.target.has(T.ClientEngagement):
        write_snapshots(s, T.ClientEngagement, "clientId", metrics.engagement(s.conn, s.anchor),
                        metrics.ENGAGEMENT_FIELDS, "client_engagement")

"""Tier 2 enricher: every client has a completed pre-assessment."""

import sqlalchemy as sa

from mentara_seed.assets.common import enricher
from mentara_seed.generate import rows
from mentara_seed.requirements import BY_NAME
from mentara_seed.schema import tables as T
from mentara_seed.seeding import Seeding


@enricher("assessments", tier=2, owns=T.PreAssessment, inputs=["enriched_relationships"])
def enrich_assessments(s: Seeding) -> None:
    """Guarantees: every client has a completed (processed) pre-assessment. The table allows one per
    client; a client whose own unprocessed assessment exists is left alone and reported as unmet."""
    deficits = s.deficits(BY_NAME["client_pre_assessment"])
    started = set(s.scalars(sa.select(T.PreAssessment.c.clientId)))
    s.insert(T.PreAssessment, [rows.pre_assessment(s, d.subject) for d in deficits if d.subject not in started])
    s.unmet["client_pre_assessment"] += sum(1 for d in deficits if d.subject in started)

"""Tier 1 enricher: every client and therapist is in a community; every community is populated."""

from mentara_seed.assets.common import enricher
from mentara_seed.generate import makers
from mentara_seed.requirements import BY_NAME
from mentara_seed.schema import tables as T
from mentara_seed.seeding import Seeding


@enricher("memberships", tier=1, owns=T.Membership)
def enrich_memberships(s: Seeding) -> None:
    """Guarantees: every client and every therapist is a member of at least one community, and every
    community has the mode's minimum of members. Users join communities they are not in yet."""
    for name in ("client_communities", "therapist_communities"):
        makers.add_memberships(s, {d.subject: d.missing for d in s.deficits(BY_NAME[name])}, f"enrich/{name}")
    makers.fill_communities(
        s, {d.subject: d.missing for d in s.deficits(BY_NAME["community_members"])}, "enrich/community_members"
    )

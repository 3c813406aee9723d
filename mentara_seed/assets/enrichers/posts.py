"""Tier 2 enricher: clients, therapists and communities all have posts, some of them recent."""

from mentara_seed.assets.common import seed_asset
from mentara_seed.generate import makers, state
from mentara_seed.requirements import BY_NAME
from mentara_seed.schema import tables as T
from mentara_seed.seeding import Seeding


@seed_asset("enriched_posts", group="tier2", deps=["tier2", "enriched_memberships"], owns=T.Post)
def enrich_posts(s: Seeding) -> None:
    """Guarantees: every client and every therapist has written the mode's minimum of posts, every
    community has the mode's minimum of posts and at least one from the 30 days before the anchor.
    Authors are always members of the community whose room holds the post."""
    joined = state.communities_by_user(s)
    members = state.members_by_community(s)

    def in_own_community(user_id, rng):
        return (user_id, rng.choice(joined[user_id])) if joined.get(user_id) else None

    def by_a_member(community_id, rng):
        return (rng.choice(members[community_id]), community_id) if members.get(community_id) else None

    for name in ("client_posts", "therapist_posts"):
        makers.make_posts(s, f"posts/{name}", needs(s, name), in_own_community)
    makers.make_posts(s, "posts/community_posts", needs(s, "community_posts"), by_a_member)
    makers.make_posts(s, "posts/community_recent_posts", needs(s, "community_recent_posts"), by_a_member, recent=True)


def needs(s: Seeding, requirement: str) -> dict[str, int]:
    return {d.subject: d.missing for d in s.deficits(BY_NAME[requirement])}

"""Tier 2 enricher: clients, therapists and communities all have posts, some of them recent."""

import sqlalchemy as sa

from mentara_seed.assets.common import enricher
from mentara_seed.generate import makers, state, voices
from mentara_seed.requirements import BY_NAME, community_posts
from mentara_seed.schema import tables as T
from mentara_seed.seeding import Seeding


@enricher("posts", tier=2, owns=T.Post, inputs=["enriched_memberships"])
def enrich_posts(s: Seeding) -> None:
    """Guarantees: every client and every therapist has written the mode's minimum of posts, every
    community has the mode's minimum of posts and at least one from the 30 days before the anchor.
    Authors are always members of the community whose room holds the post. So that tier 3 can
    meet its minimum, every client's communities also hold at least as many posts by others as
    the client must heart."""
    view = state.View(s)

    def in_own_community(user_id, rng):
        joined = view.joined.get(user_id)
        return (user_id, rng.choice(joined)) if joined else None

    def by_a_member(community_id, rng):
        members = view.members.get(community_id)
        return (rng.choice(members), community_id) if members else None

    def by_someone_in_their_communities(client_id, rng):
        shared = [c for c in view.joined.get(client_id, ()) if len(view.members[c]) > 1]
        if not shared:
            return None
        community_id = rng.choice(shared)
        return makers.pick(rng, view.members[community_id], {client_id}), community_id

    w = voices.Writers(s)
    for name in ("client_posts", "therapist_posts"):
        makers.make_posts(s, f"posts/{name}", s.needs(BY_NAME[name]), in_own_community, writers=w)
    makers.make_posts(s, "posts/community_posts", s.needs(BY_NAME["community_posts"]), by_a_member, writers=w)
    makers.make_posts(s, "posts/community_recent_posts", s.needs(BY_NAME["community_recent_posts"]), by_a_member,
                      recent=True, writers=w)
    makers.make_posts(s, "posts/client_hearts_given", heartable_needs(s), by_someone_in_their_communities, writers=w)


def heartable_needs(s: Seeding) -> dict[str, int]:
    """Clients whose communities hold fewer posts by others than the hearts they must give.

    Posts by others in a client's communities = all posts of those
    communities - the client's own posts there: two grouped counts, no join
    of every membership with every post.
    """
    wanted = BY_NAME["client_hearts_given"].minimum(s.mode, s.target.version)
    posts = community_posts().where(T.Post.c.createdAt < s.anchor).subquery()
    M = T.Membership
    per_community = sa.select(posts.c.communityId, sa.func.count().label("n")).group_by(posts.c.communityId).subquery()
    in_communities = s.counts(
        sa.select(M.c.userId, sa.func.sum(sa.func.coalesce(per_community.c.n, 0)))
        .join(T.Client, T.Client.c.userId == M.c.userId)
        .outerjoin(per_community, per_community.c.communityId == M.c.communityId)
        .group_by(M.c.userId)
    )
    own = s.counts(
        sa.select(posts.c.userId, sa.func.count())
        .join(M, sa.and_(M.c.userId == posts.c.userId, M.c.communityId == posts.c.communityId))
        .group_by(posts.c.userId)
    )
    by_others = {client: int(total) - own.get(client, 0) for client, total in in_communities.items()}
    return {client: wanted - n for client, n in by_others.items() if n < wanted}

"""Tier 1 enricher: every community has a moderator, and every moderator a community."""

import heapq
import json
from collections import Counter

import sqlalchemy as sa

from mentara_seed.assets.common import enricher
from mentara_seed.generate import state
from mentara_seed.generate.keys import made_by_seeder, seed_id, unit
from mentara_seed.requirements import BY_NAME
from mentara_seed.schema import tables as T
from mentara_seed.seeding import Seeding

MC = T.ModeratorCommunity


@enricher("moderators", tier=1, owns=T.ModeratorCommunity, writes=[T.Moderator])
def enrich_moderators(s: Seeding) -> None:
    """Guarantees: every community has a moderator and every moderator moderates at least one
    community, the work spread evenly (a community goes to the least-loaded moderator, a moderator
    takes the least-watched community). The app reads a moderator's communities from two places it
    never syncs, the assignments and the moderator's ``assignedCommunities`` list; for the seeder's
    own moderators the list is kept equal to their assignments."""
    communities = state.ids(s, T.Community.c.id)
    moderators = state.ids(s, T.Moderator.c.userId)
    pairs = set(s.rows(sa.select(MC.c.moderatorId, MC.c.communityId)))
    new = []

    def assign(moderator_id: str, community_id: str) -> None:
        pairs.add((moderator_id, community_id))
        new.append({"id": seed_id("moderator_community", community_id, moderator_id), "moderatorId": moderator_id,
                    "communityId": community_id,
                    "assignedAt": s.days_before(s.rng("moderator_assignment", community_id, moderator_id), 60, 500)})

    unwatched = s.deficits(BY_NAME["community_moderators"])
    if unwatched and moderators:
        per_moderator = Counter(m for m, _ in pairs)
        load = [(per_moderator[moderator], unit("moderator_load", moderator), moderator) for moderator in moderators]
        heapq.heapify(load)
        for d in unwatched:
            n, tie, moderator = heapq.heappop(load)
            assign(moderator, d.subject)
            heapq.heappush(load, (n + 1, tie, moderator))
    s.unmet["community_moderators"] += 0 if moderators else len(unwatched)

    idle = s.deficits(BY_NAME["moderator_communities"])
    if idle and communities:
        per_community = Counter(c for _, c in pairs)
        watchers = {c: per_community[c] for c in communities}
        for d in idle:
            community = min(communities, key=lambda c: (watchers[c], unit("community_watch", d.subject, c)))
            assign(d.subject, community)
            watchers[community] += 1
    s.unmet["moderator_communities"] += 0 if communities else len(idle)
    s.insert(MC, new)
    sync_assigned_lists(s)


def sync_assigned_lists(s: Seeding) -> None:
    """Set ``Moderator.assignedCommunities`` of the seeder's own moderators to their assignments (sorted
    ids), dated at the latest assignment."""
    M = T.Moderator
    assigned: dict[str, list[str]] = {}
    latest: dict[str, object] = {}
    for moderator_id, community_id, at in s.rows(
        sa.select(MC.c.moderatorId, MC.c.communityId, MC.c.assignedAt).join(M, M.c.userId == MC.c.moderatorId)
        .where(made_by_seeder(M.c.userId)).order_by(MC.c.moderatorId, MC.c.communityId)
    ):
        assigned.setdefault(moderator_id, []).append(community_id)
        latest[moderator_id] = max(at, latest.get(moderator_id, at))
    changes = []
    for moderator_id, listed, created, updated in s.rows(
        sa.select(M.c.userId, M.c.assignedCommunities, M.c.createdAt, M.c.updatedAt)
        .where(made_by_seeder(M.c.userId)).order_by(M.c.userId)
    ):
        wanted = assigned.get(moderator_id, [])
        current = json.loads(listed) if isinstance(listed, str) else listed
        if current != wanted:
            at = max(filter(None, (latest.get(moderator_id), updated, created)))
            changes.append({"who": moderator_id, "listed": wanted, "at": at})
    if changes:
        s.conn.execute(sa.update(M).where(M.c.userId == sa.bindparam("who"))
                       .values(assignedCommunities=sa.bindparam("listed", type_=M.c.assignedCommunities.type),
                               updatedAt=sa.bindparam("at")), changes)
        s.updated[M.name] += len(changes)

"""Legacy generator 3: client-therapist pairs and community memberships."""

from __future__ import annotations

import sqlalchemy as sa

from mentara_seed.assets.common import legacy_asset
from mentara_seed.assets.legacy.users import base_population
from mentara_seed.generate import makers, rows, state
from mentara_seed.generate.keys import unit
from mentara_seed.requirements import approved_therapists
from mentara_seed.schema import tables as T
from mentara_seed.seeding import Seeding


def has_therapist(s: Seeding, client_id: str) -> bool:
    """Whether the base population gives this client a therapist (the mode's share)."""
    return unit("has_therapist", client_id) < s.volumes.share_with_therapist


def therapist_for(client_id: str, approved: list[str]) -> str:
    """The approved therapist the base population pairs this client with."""
    return approved[int(unit("therapist_for", client_id) * len(approved))]


def joins_communities(s: Seeding, user_id: str) -> bool:
    """Whether the base population has this user join communities (the mode's share)."""
    return unit("joins_communities", user_id) < s.volumes.share_joining_communities


def membership_target(s: Seeding, user_id: str) -> int:
    """How many communities a joining user is in: the mode's average, give or take one."""
    return max(1, s.volumes.avg_memberships + s.rng("membership_target", user_id).choice((-1, 0, 1)))


@legacy_asset("relationships", owns=T.ClientTherapist, inputs=["users", "communities"], writes=[T.Membership])
def generate_relationships(s: Seeding) -> None:
    """The base client-therapist pairs (the mode's share of clients gets an approved therapist) and
    community memberships (the mode's share of users joins about the average number of communities,
    and every community gets the mode's members per community)."""
    therapists = sorted(s.scalars(approved_therapists()))
    paired = set(s.scalars(sa.select(T.ClientTherapist.c.clientId)))
    if therapists:
        s.insert(T.ClientTherapist, [
            rows.relationship(s, client_id, therapist_for(client_id, therapists))
            for client_id in state.ids(s, T.Client.c.userId)
            if has_therapist(s, client_id) and client_id not in paired
        ])

    # Grouped counts decide who is short; the memberships themselves are read only to add some.
    M = T.Membership
    joined = state.counted(s, M.c.userId)
    users = base_population(s, state.clients_and_therapists(s))
    makers.add_memberships(s, {
        user_id: membership_target(s, user_id) - joined.get(user_id, 0)
        for user_id in users
        if joins_communities(s, user_id) and joined.get(user_id, 0) < membership_target(s, user_id)
    }, "legacy_memberships")
    members = state.counted(s, M.c.communityId)
    per_community = s.volumes.members_per_community
    makers.fill_communities(s, {
        community_id: per_community - members.get(community_id, 0)
        for community_id in state.ids(s, T.Community.c.id)
        if members.get(community_id, 0) < per_community
    }, "legacy_members")

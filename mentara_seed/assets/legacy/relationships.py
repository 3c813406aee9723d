"""Legacy generator 3: client-therapist pairs and community memberships."""

from __future__ import annotations

import sqlalchemy as sa

from mentara_seed.assets.common import seed_asset
from mentara_seed.generate import rows, state
from mentara_seed.generate.keys import unit
from mentara_seed.requirements import approved_therapists
from mentara_seed.schema import tables as T
from mentara_seed.seeding import Seeding


def has_therapist(s: Seeding, client_id: str) -> bool:
    """Whether the base population gives this client a therapist (the mode's share)."""
    return unit("has_therapist", client_id) < s.volumes.share_with_therapist


def joins_communities(s: Seeding, user_id: str) -> bool:
    """Whether the base population has this user join communities (the mode's share)."""
    return unit("joins_communities", user_id) < s.volumes.share_joining_communities


def membership_target(s: Seeding, user_id: str) -> int:
    """How many communities a joining user is in: the mode's average, give or take one."""
    return max(1, s.volumes.avg_memberships + s.rng("membership_target", user_id).choice((-1, 0, 1)))


def add_memberships(s: Seeding, wanted: dict[str, int], shuffle_key: str) -> None:
    """Have each user in ``wanted`` join that many more communities they are not in yet."""
    communities = state.ids(s, T.Community.c.id)
    joined = state.communities_by_user(s)
    new = []
    for user_id, n in sorted(wanted.items()):
        options = [c for c in communities if c not in set(joined.get(user_id, ()))]
        s.rng(shuffle_key, user_id).shuffle(options)
        new.extend(rows.membership(s, user_id, community_id) for community_id in options[:n])
    s.insert(T.Membership, new)


def fill_communities(s: Seeding, wanted: dict[str, int], shuffle_key: str) -> None:
    """Give each community in ``wanted`` that many more members (clients and therapists)."""
    users = sorted(state.ids(s, T.Client.c.userId) + state.ids(s, T.Therapist.c.userId))
    members = state.members_by_community(s)
    new = []
    for community_id, n in sorted(wanted.items()):
        present = set(members.get(community_id, ()))
        options = [u for u in users if u not in present]
        s.rng(shuffle_key, community_id).shuffle(options)
        new.extend(rows.membership(s, user_id, community_id) for user_id in options[:n])
    s.insert(T.Membership, new)


@seed_asset("relationships", group="legacy", deps=["users", "communities"], owns=T.ClientTherapist)
def generate_relationships(s: Seeding) -> None:
    """The base client-therapist pairs (the mode's share of clients gets an approved therapist) and
    community memberships (the mode's share of users joins about the average number of communities,
    and every community gets the mode's members per community)."""
    therapists = sorted(s.scalars(approved_therapists()))
    paired = set(s.scalars(sa.select(T.ClientTherapist.c.clientId)))
    if therapists:
        s.insert(T.ClientTherapist, [
            rows.relationship(s, client_id, therapists[int(unit("therapist_for", client_id) * len(therapists))])
            for client_id in state.ids(s, T.Client.c.userId)
            if has_therapist(s, client_id) and client_id not in paired
        ])

    joined = state.communities_by_user(s)
    users = state.ids(s, T.Client.c.userId) + state.ids(s, T.Therapist.c.userId)
    add_memberships(s, {
        user_id: membership_target(s, user_id) - len(joined.get(user_id, ()))
        for user_id in users
        if joins_communities(s, user_id) and len(joined.get(user_id, ())) < membership_target(s, user_id)
    }, "legacy_memberships")
    members = state.members_by_community(s)
    per_community = s.volumes.members_per_community
    fill_communities(s, {
        community_id: per_community - len(members.get(community_id, ()))
        for community_id in state.ids(s, T.Community.c.id)
        if len(members.get(community_id, ())) < per_community
    }, "legacy_members")

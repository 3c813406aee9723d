"""Legacy generator 2: communities with their room groups and rooms, and their moderators."""

from __future__ import annotations

import sqlalchemy as sa

from mentara_seed.assets.common import legacy_asset
from mentara_seed.generate import rows, text
from mentara_seed.generate.keys import seed_id
from mentara_seed.schema import tables as T
from mentara_seed.seeding import Seeding


def planned_communities(s: Seeding) -> list[tuple[str, str, str, bool]]:
    """(id, name, topic, illness-based) of every community the legacy volumes call for.

    Beyond the named topics (scale > 1), a topic comes back as a numbered circle.
    """
    planned = []
    for illness, topics, count in (
        (True, text.ILLNESS_TOPICS, s.volumes.illness_communities),
        (False, text.GENERAL_TOPICS, s.volumes.general_communities),
    ):
        for k in range(count):
            topic = topics[k % len(topics)]
            name = f"{topic} Support" if illness else topic
            if k >= len(topics):
                name = f"{name} Circle {k // len(topics) + 1}"
            planned.append((seed_id("community", "illness" if illness else "general", k), name, topic, illness))
    return planned


def ensure_rooms(s: Seeding) -> None:
    """Every community without room groups gets the standard groups and rooms."""
    bare = sorted(
        s.scalars(
            sa.select(T.Community.c.id).where(
                ~sa.exists().where(T.RoomGroup.c.communityId == T.Community.c.id)
            )
        )
    )
    groups, rooms = [], []
    for community_id in bare:
        for order, (group_name, room_names) in enumerate(text.ROOM_GROUPS):
            group_id = seed_id("room_group", community_id, order)
            groups.append({"id": group_id, "name": group_name, "order": order, "communityId": community_id})
            for room_order, room_name in enumerate(room_names):
                rooms.append({
                    "id": seed_id("room", community_id, order, room_order), "name": room_name, "order": room_order,
                    # Guidelines are posted by moderators; every other room is open to members.
                    "postingRole": "moderator" if room_name == "Community Guidelines" else "member",
                    "roomGroupId": group_id,
                })
    s.insert(T.RoomGroup, groups)
    s.insert(T.Room, rooms)


@legacy_asset("communities", owns=T.Community, inputs=["users"])
def generate_communities(s: Seeding) -> None:
    """Illness-based and general communities (scaled), each with room groups and rooms, and a
    moderator assigned to every community that has none."""
    planned = planned_communities(s)
    present = s.ids.existing_ids(T.Community, (c[0] for c in planned))
    names = {c[1] for c in planned} | {text.community_slug(c[1]) for c in planned}
    taken = set()
    for column in (T.Community.c.name, T.Community.c.slug):
        taken.update(s.scalars(sa.select(column).where(s.one_of(column, sorted(names)))))
    s.insert(T.Community, [
        rows.community(s, community_id, name, topic, illness)
        for community_id, name, topic, illness in planned
        if community_id not in present and name not in taken and text.community_slug(name) not in taken
    ])
    ensure_rooms(s)

    moderators = sorted(s.scalars(sa.select(T.Moderator.c.userId)))
    unmoderated = sorted(s.scalars(
        sa.select(T.Community.c.id).where(~sa.exists().where(T.ModeratorCommunity.c.communityId == T.Community.c.id))
    ))
    if moderators:
        s.insert(T.ModeratorCommunity, [
            {"id": seed_id("moderator_community", community_id), "communityId": community_id,
             "moderatorId": moderators[k % len(moderators)],
             "assignedAt": s.days_before(s.rng("moderator_community", community_id), 500, 600)}
            for k, community_id in enumerate(unmoderated)
        ])

"""Legacy generator 2: communities with their room groups and rooms, and their moderators."""

from __future__ import annotations

import sqlalchemy as sa

from mentara_seed.assets.common import legacy_asset
from mentara_seed.generate import corpus, rows
from mentara_seed.generate.keys import seed_id
from mentara_seed.schema import tables as T
from mentara_seed.seeding import Seeding


def planned_communities(s: Seeding) -> list[tuple[str, str, corpus.Topic, str | None]]:
    """(id, name, topic, chapter) of every community the legacy volumes call for: the app's canonical
    communities, and beyond them (scale > 1) regional chapters of the same ones."""
    planned = []
    for kind, topics, count in (("illness", corpus.ILLNESS, s.volumes.illness_communities),
                                ("general", corpus.GENERAL, s.volumes.general_communities)):
        for k in range(count):
            topic = topics[k % len(topics)]
            round_ = k // len(topics)
            chapter = None
            if round_:
                chapter = corpus.CHAPTERS[(round_ - 1) % len(corpus.CHAPTERS)]
                if round_ > len(corpus.CHAPTERS):
                    chapter = f"{chapter} {round_ // len(corpus.CHAPTERS) + 1}"
            name = f"{topic.name} - {chapter} Chapter" if chapter else topic.name
            planned.append((seed_id("community", kind, k), name, topic, chapter))
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
        for order, (group_name, room_names) in enumerate(corpus.ROOM_GROUPS):
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


@legacy_asset("communities", owns=T.Community, inputs=["users"], writes=[T.ModeratorCommunity, T.Room, T.RoomGroup])
def generate_communities(s: Seeding) -> None:
    """Illness-based and general communities (scaled), each with room groups and rooms, and a
    moderator assigned to every community that has none."""
    planned = planned_communities(s)
    present = s.ids.existing_ids(T.Community, (c[0] for c in planned))
    made = [rows.community(s, community_id, name, topic, chapter) for community_id, name, topic, chapter in planned
            if community_id not in present]
    taken = set()  # a name or slug someone else's community already has keeps its owner
    for column, key in ((T.Community.c.name, "name"), (T.Community.c.slug, "slug")):
        taken.update(s.scalars(sa.select(column).where(s.one_of(column, sorted(c[key] for c in made)))))
    s.insert(T.Community, [c for c in made if c["name"] not in taken and c["slug"] not in taken])
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

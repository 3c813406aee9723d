"""What generators need to know about the database as it is now, read in bulk.

Each loader is one query over a whole table (never one per entity) and
returns plain dicts keyed by id, sorted so that choices made from them are
deterministic. They hold entities (users, communities, posts), never the
millions of rows hung off them (comments, hearts, messages).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable

import sqlalchemy as sa

from mentara_seed.requirements import active_relationships
from mentara_seed.schema import tables as T
from mentara_seed.seeding import LOOKUP, Seeding, chunks


def ids(s: Seeding, column) -> list[str]:
    return sorted(s.scalars(sa.select(column)))


def _listed(s: Seeding, key, value) -> dict[str, list[str]]:
    """``{key: [value, ...]}`` over a whole table, both sorted."""
    listed: dict[str, list[str]] = defaultdict(list)
    for k, v in s.rows(sa.select(key, value).order_by(key, value)):
        listed[k].append(v)
    return listed


def members_by_community(s: Seeding) -> dict[str, list[str]]:
    return _listed(s, T.Membership.c.communityId, T.Membership.c.userId)


def communities_by_user(s: Seeding) -> dict[str, list[str]]:
    return _listed(s, T.Membership.c.userId, T.Membership.c.communityId)


def member_rooms(s: Seeding) -> dict[str, list[str]]:
    """The rooms ordinary members may post in, per community."""
    rooms: dict[str, list[str]] = defaultdict(list)
    statement = (
        sa.select(T.RoomGroup.c.communityId, T.Room.c.id)
        .join(T.RoomGroup, T.RoomGroup.c.id == T.Room.c.roomGroupId)
        .where(T.Room.c.postingRole == "member")
        .order_by(T.RoomGroup.c.communityId, T.Room.c.id)
    )
    for community_id, room_id in s.rows(statement):
        rooms[community_id].append(room_id)
    return rooms


def all_posts(s: Seeding) -> list[sa.Row]:
    """(id, userId, createdAt, communityId) of every post; communityId is None outside any room."""
    statement = (
        sa.select(T.Post.c.id, T.Post.c.userId, T.Post.c.createdAt, T.RoomGroup.c.communityId)
        .outerjoin(T.Room, T.Room.c.id == T.Post.c.roomId)
        .outerjoin(T.RoomGroup, T.RoomGroup.c.id == T.Room.c.roomGroupId)
        .order_by(T.Post.c.id)
    )
    return s.rows(statement)


def relationships(s: Seeding) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Active pairs with an approved therapist: therapists per client, clients per therapist."""
    by_client: dict[str, list[str]] = defaultdict(list)
    by_therapist: dict[str, list[str]] = defaultdict(list)
    pairs = active_relationships().subquery()
    for client_id, therapist_id in s.rows(sa.select(pairs).order_by(pairs.c.clientId, pairs.c.therapistId)):
        by_client[client_id].append(therapist_id)
        by_therapist[therapist_id].append(client_id)
    return by_client, by_therapist


def pairs_where(s: Seeding, table: sa.Table, left, right, column, values: Iterable[str]) -> set[tuple[str, str]]:
    """The existing ``(left, right)`` pairs of ``table`` whose ``column`` is in ``values``."""
    found: set[tuple[str, str]] = set()
    for part in chunks(sorted(values), LOOKUP):
        found.update(s.conn.execute(sa.select(left, right).where(s.one_of(column, part))).tuples())
    return found


def grouped(pairs: set[tuple[str, str]]) -> dict[str, set[str]]:
    """``{(a, b), ...}`` as ``{a: {b, ...}}``."""
    out: dict[str, set[str]] = defaultdict(set)
    for a, b in pairs:
        out[a].add(b)
    return out

"""What generators need to know about the database as it is now, read in bulk.

Each loader is one query over a whole table (never one per entity) and
returns plain dicts keyed by id, sorted so that choices made from them are
deterministic. They hold entities (users, communities, posts), never the
millions of rows hung off them (comments, hearts, messages).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from functools import cached_property
from operator import itemgetter
from typing import NamedTuple

import sqlalchemy as sa

from mentara_seed.generate.corpus import topic_of
from mentara_seed.requirements import active_relationships
from mentara_seed.schema import tables as T
from mentara_seed.seeding import LOOKUP, Seeding, chunks

# Rows fetched at a time from a whole-table read. Such a read leaves the order to Python: a cursor's
# ORDER BY makes Postgres pick a fast-start plan (an index walk, reading the heap at random), and a
# read buffered whole holds every row twice (heavy x1000: a million posts) until it is converted.
STREAM_ROWS = 20_000


def streamed(s: Seeding, statement) -> Iterable[sa.Row]:
    """The rows of ``statement``, fetched STREAM_ROWS at a time."""
    return s.conn.execute(statement.execution_options(yield_per=STREAM_ROWS))


def ids(s: Seeding, column) -> list[str]:
    return sorted(s.scalars(sa.select(column)))


def clients_and_therapists(s: Seeding) -> list[str]:
    """Every client's user id, then every therapist's, each sorted."""
    return ids(s, T.Client.c.userId) + ids(s, T.Therapist.c.userId)


def _listed(s: Seeding, key, value, where=None) -> dict[str, list[str]]:
    """``{key: [value, ...]}`` over a whole table (or its rows ``where`` holds), both sorted."""
    found: dict[str, list[str]] = defaultdict(list)
    for k, v in streamed(s, sa.select(key, value) if where is None else sa.select(key, value).where(where)):
        found[k].append(v)
    listed: dict[str, list[str]] = defaultdict(list)
    for k in sorted(found):
        listed[k] = sorted(found.pop(k))
    return listed


def counted(s: Seeding, column) -> dict[str, int]:
    """``{key: rows}`` for each value of ``column`` in its table (one grouped count; keys never in it are absent)."""
    return s.counts(sa.select(column, sa.func.count()).group_by(column))


def community_topics(s: Seeding) -> dict:
    """``{community id: Topic}`` (None for a community the seeder did not name)."""
    return {cid: topic_of(name) for cid, name in s.rows(sa.select(T.Community.c.id, T.Community.c.name))}


def topics_by_user(s: Seeding) -> dict[str, list]:
    """The topics of each user's communities, in a stable order."""
    topics = community_topics(s)
    return {user: sorted({topics[c] for c in communities if topics.get(c)}, key=lambda t: t.key)
            for user, communities in communities_by_user(s).items()}


def members_by_community(s: Seeding) -> dict[str, list[str]]:
    return _listed(s, T.Membership.c.communityId, T.Membership.c.userId)


def members_of(s: Seeding, communities: Iterable[str]) -> dict[str, list[str]]:
    """``members_by_community`` for the named communities only."""
    M = T.Membership
    return _listed(s, M.c.communityId, M.c.userId, s.one_of(M.c.communityId, communities))


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


class PostRow(NamedTuple):
    """What generators need of a post. Its author, room and community ids are shared with every
    other post that has them (half the memory of a database row, at a million posts)."""

    id: str
    userId: str
    createdAt: dt.datetime
    roomId: str | None
    communityId: str | None


_by_id = itemgetter(0)


def all_posts(s: Seeding, only: Iterable[str] | None = None) -> list[PostRow]:
    """(id, userId, createdAt, roomId, communityId) of every post (or of the posts ``only`` names), by
    id; communityId is None outside any room."""
    shared: dict[str, str] = {}

    def post(row) -> PostRow:
        user, room, community = row.userId, row.roomId, row.communityId
        return PostRow(row.id, shared.setdefault(user, user), row.createdAt,
                       room and shared.setdefault(room, room), community and shared.setdefault(community, community))

    statement = _posts_statement()
    if only is None:
        return sorted((post(row) for row in streamed(s, statement)), key=_by_id)
    found = [post(row) for part in chunks(sorted(only), LOOKUP)
             for row in s.conn.execute(statement.where(s.one_of(T.Post.c.id, part)))]
    return sorted(found, key=_by_id)


def _posts_statement() -> sa.Select:
    return (
        sa.select(T.Post.c.id, T.Post.c.userId, T.Post.c.createdAt, T.Post.c.roomId, T.RoomGroup.c.communityId)
        .outerjoin(T.Room, T.Room.c.id == T.Post.c.roomId)
        .outerjoin(T.RoomGroup, T.RoomGroup.c.id == T.Room.c.roomGroupId)
    )


def posts_by_community(s: Seeding, communities: Iterable[str], before: dt.datetime) -> dict[str, list[PostRow]]:
    """The posts created before ``before`` in each of the named communities, by id: what
    ``View.posts_by_community`` holds for them, read for those communities only."""
    grouped_posts: dict[str, list[PostRow]] = defaultdict(list)
    for part in chunks(sorted(communities), LOOKUP):
        statement = _posts_statement().where(s.one_of(T.RoomGroup.c.communityId, part), T.Post.c.createdAt < before)
        for row in s.conn.execute(statement):
            grouped_posts[row.communityId].append(PostRow(row.id, row.userId, row.createdAt, row.roomId,
                                                          row.communityId))
    for posts in grouped_posts.values():
        posts.sort(key=_by_id)
    return grouped_posts


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
        found.update(s.conn.execute(sa.select(left, right).where(s.one_of(column, part))))
    return found


def grouped(pairs: set[tuple[str, str]]) -> dict[str, set[str]]:
    """``{(a, b), ...}`` as ``{a: {b, ...}}``."""
    out: dict[str, set[str]] = defaultdict(set)
    for a, b in pairs:
        out[a].add(b)
    return out


class View:
    """The parts of the database a generator may need, each read on first use and kept.

    A generator asks its grouped deficit questions first and touches the
    view only to make missing rows, so a complete database costs it no more
    than those questions. A view must not be kept across writes to the
    tables it shows (each generator writes other tables than it reads here).
    """

    def __init__(self, s: Seeding) -> None:
        self.s = s

    @cached_property
    def joined(self) -> dict[str, list[str]]:
        """Communities per user."""
        return communities_by_user(self.s)

    @cached_property
    def members(self) -> dict[str, list[str]]:
        """Members per community."""
        return members_by_community(self.s)

    @cached_property
    def everyone(self) -> list[str]:
        """Every client and therapist (who may write where no community decides)."""
        return clients_and_therapists(self.s)

    @cached_property
    def posts(self) -> list[PostRow]:
        """Posts created before the anchor (only those can get comments and hearts)."""
        return [p for p in all_posts(self.s) if p.createdAt < self.s.anchor]

    @cached_property
    def posts_by_id(self) -> dict[str, PostRow]:
        return {p.id: p for p in self.posts}

    @cached_property
    def posts_by_community(self) -> dict[str, list[PostRow]]:
        grouped_posts: dict[str, list[PostRow]] = defaultdict(list)
        for p in self.posts:
            grouped_posts[p.communityId].append(p)
        return grouped_posts

    @cached_property
    def by_client(self) -> dict[str, list[str]]:
        """Approved therapists per client (active pairs)."""
        return self._relationships[0]

    @cached_property
    def by_therapist(self) -> dict[str, list[str]]:
        """Clients per approved therapist (active pairs)."""
        return self._relationships[1]

    @cached_property
    def _relationships(self) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        return relationships(self.s)

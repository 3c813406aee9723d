"""Legacy generator 4: posts, comments with replies, post hearts and comment hearts."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from typing import NamedTuple

import sqlalchemy as sa

from mentara_seed.assets.common import legacy_asset
from mentara_seed.assets.legacy.relationships import joins_communities
from mentara_seed.assets.legacy.users import base_population
from mentara_seed.generate import makers, rows, state, voices
from mentara_seed.generate.keys import made_by_seeder, seed_id
from mentara_seed.requirements import community_posts
from mentara_seed.schema import tables as T
from mentara_seed.seeding import Seeding, chunks

COMMUNITY_POSTS = "legacy_post/community"
USER_POSTS = "legacy_post/user"
COMMENTS = "legacy_comment"
REPLY_SHARE = 0.3
# Base posts whose comments and hearts are made together: bounds the working set at any scale.
POSTS_PER_CHUNK = 2_000

Members = dict[str, list[str]]


@cache
def _binomial_cdf(slots: int, p: float) -> tuple[float, ...]:
    """P(X <= k) for k = 0 .. slots - 1 of X ~ Binomial(slots, p)."""
    probability = (1 - p) ** slots
    cumulative, table = probability, []
    for k in range(slots):
        table.append(cumulative)
        probability *= (slots - k) / (k + 1) * p / (1 - p)
        cumulative += probability
    return tuple(table)


def binomial(s: Seeding, slots: int, p: float, *key: object) -> int:
    """A deterministic Binomial(slots, p) draw: how many of ``slots`` chances come true.

    Inverts the distribution function at one digest draw, so a no-op rerun
    re-derives every target without building a random stream per entity.
    """
    return bisect_right(_binomial_cdf(slots, p), s.unit(*key))


def planned_posts(s: Seeding, communities: Iterable[str], posters: Iterable[str]) -> dict[str, list[str]]:
    """The base population's posts, by id, per entity that plans them: ``posts_per_community`` for each
    of ``communities``, ``posts_per_user`` for each of ``posters`` (users who joined communities).

    The comments and hearts of the base population go on these posts only, never on posts the
    enrichers add later, so a second run adds nothing.
    """
    v = s.volumes
    planned = {c: [seed_id(COMMUNITY_POSTS, c, k) for k in range(v.posts_per_community)] for c in communities}
    planned.update({u: [seed_id(USER_POSTS, u, k) for k in range(v.posts_per_user)] for u in posters})
    return planned


def others_posts(s: Seeding) -> tuple[dict[str, int], dict[str, int]]:
    """Posts the seeder did not write (real ones), per community and per author: they count towards
    the base volumes, as the base population's own do."""
    P = T.Post
    real = sa.not_(made_by_seeder(P.c.id))
    in_rooms = community_posts().where(real).subquery()
    per_community = s.counts(sa.select(in_rooms.c.communityId, sa.func.count()).group_by(in_rooms.c.communityId))
    return per_community, s.counts(sa.select(P.c.userId, sa.func.count()).where(real).group_by(P.c.userId))


@legacy_asset("content", owns=T.Post, inputs=["relationships"], shard_by="community and user (the posts they plan)",
              writes=[T.Comment, T.CommentHeart, T.PostHeart])
def generate_content(s: Seeding) -> None:
    """The base posts (per community and per joining user, written by members in their communities'
    rooms), comments on them with replies, and hearts on posts and comments at the mode's likelihoods."""
    v = s.volumes
    view = state.View(s)  # memberships are read only if rows are to be made
    writers = voices.Writers(s)  # so are the people, rooms and topics the texts need

    # A community's base posts, and a user's, depend on that entity alone: the ones it plans that are
    # missing (real posts count towards the volume), whatever else an earlier run or shard wrote.
    communities = [c for c in state.ids(s, T.Community.c.id) if s.mine(c)]
    posters = [u for u in base_population(s, sorted(state.counted(s, T.Membership.c.userId)))
               if joins_communities(s, u) and s.mine(u)]
    planned = planned_posts(s, communities, posters)
    present = s.ids.existing_ids(T.Post, (post_id for ids in planned.values() for post_id in ids))
    real_in, real_by = others_posts(s)

    def missing(entity: str, volume: int, real: dict[str, int]) -> int:
        return volume - sum(post_id in present for post_id in planned[entity]) - real.get(entity, 0)

    makers.make_posts(
        s, COMMUNITY_POSTS,
        {c: n for c in communities if (n := missing(c, v.posts_per_community, real_in)) > 0},
        lambda community_id, rng: (rng.choice(view.members[community_id]), community_id)
        if view.members.get(community_id) else None,
        writers=writers,
    )
    makers.make_posts(
        s, USER_POSTS,
        {u: n for u in posters if (n := missing(u, v.posts_per_user, real_by)) > 0},
        lambda user_id, rng: (user_id, rng.choice(view.joined[user_id])),
        writers=writers,
    )

    # What each base post has, in three grouped counts over whole tables; only posts short of
    # their targets are read and worked on, a chunk at a time (a complete database costs just the counts).
    C, H, CH = T.Comment, T.PostHeart, T.CommentHeart
    comments = state.counted(s, C.c.postId)
    post_hearts = state.counted(s, H.c.postId)
    comment_hearts = s.counts(sa.select(C.c.postId, sa.func.count()).select_from(CH.join(C, C.c.id == CH.c.commentId))
                              .group_by(C.c.postId))
    slots = v.comments_per_post * comment_heart_slots(s)
    base = sorted(s.ids.existing_ids(T.Post, (post_id for ids in planned.values() for post_id in ids)))
    short = [
        post_id for post_id in base
        if comments.get(post_id, 0) < v.comments_per_post
        or post_hearts.get(post_id, 0) < post_hearts_wanted(s, post_id)
        or comment_hearts.get(post_id, 0) < binomial(s, slots, v.comment_heart_likelihood, "comment_hearts", post_id)
    ]
    # Comments and hearts of one post depend on that post alone. A chunk whose posts have none yet
    # (all of them, in a fresh seed) reads nothing back: it knows what it made. So the tables loaded
    # from empty keep their indexes out until the end (``seeding.deferred``), built in one sort, and
    # such chunks are built by worker processes too (``Seeding.each``).
    def parts() -> Iterator[tuple[list[state.PostRow], bool]]:
        for part in chunks(short, POSTS_PER_CHUNK):
            bare = not any(comments.get(p) or post_hearts.get(p) or comment_hearts.get(p) for p in part)
            yield state.all_posts(s, part), bare  # all in rooms: planned posts always are

    def build(chunk: tuple[list[state.PostRow], bool]) -> None:
        posts, bare = chunk
        made = add_comments(s, posts, view.members, writers, bare)
        add_post_hearts(s, posts, view.members, bare)
        add_comment_hearts(s, posts, view.members, made if bare else None)

    s.each(parts(), build, portable=lambda chunk: chunk[1])


def post_hearts_wanted(s: Seeding, post_id: str) -> int:
    """Hearts a base post gets: each of the community's usual members hearts it with the mode's likelihood."""
    return binomial(s, s.volumes.members_per_community, s.volumes.post_heart_likelihood, "post_hearts", post_id)


def comment_heart_slots(s: Seeding) -> int:
    """Chances of a heart per base comment: a quarter of the community's usual members read the thread."""
    return max(1, s.volumes.members_per_community // 4)


class Made(NamedTuple):
    """A base comment just made (what its hearts need)."""

    id: str
    postId: str
    userId: str
    createdAt: object


def add_comments(s: Seeding, posts: Sequence[state.PostRow], members: Members, writers: voices.Writers,
                 bare: bool = False) -> list[Made]:
    """Each base post gets the mode's comments per post from community members, answering it within
    hours; some are replies to an earlier comment, naming its author. ``bare``: the posts have no
    comments yet (nothing is read back). Returns the comments made."""
    v = s.volumes
    C = T.Comment
    have = {} if bare else s.counts(sa.select(C.c.postId, sa.func.count())
                                    .where(s.one_of(C.c.postId, [p.id for p in posts])).group_by(C.c.postId))
    short = {p.id: p for p in posts if have.get(p.id, 0) < v.comments_per_post}
    if not short:
        return []
    allocated = s.ids.allocate(C, COMMENTS, {pid: v.comments_per_post - have.get(pid, 0) for pid in short})
    earlier: dict[str, list[tuple[str, object, str, str]]] = defaultdict(list)
    if bare:
        writers.start_threads(short)
    else:
        for post_id, comment_id, created, author, said in s.rows(
            sa.select(C.c.postId, C.c.id, C.c.createdAt, C.c.userId, C.c.content)
            .where(s.one_of(C.c.postId, list(short)), C.c.parentId.is_(None))
            .order_by(C.c.postId, C.c.createdAt, C.c.id)
        ):
            earlier[post_id].append((comment_id, created, author, said))
        writers.load_threads(short, only=True)
    new = []
    for post_id in sorted(allocated):
        post = short[post_id]
        people = [m for m in members.get(post.communityId, ()) if m != post.userId] or members.get(post.communityId, [])
        for comment_id in allocated[post_id]:
            rng = s.rng(COMMENTS, comment_id)
            if not people:
                s.unmet[COMMENTS] += 1
                continue
            parent_id, after, parent_author, parent_text = None, post.createdAt, None, None
            if earlier[post_id] and rng.random() < REPLY_SHARE:
                parent_id, after, parent_author, parent_text = rng.choice(earlier[post_id])
            commenter = makers.pick(rng, people, {parent_author} if parent_author else set()) or rng.choice(people)
            text_ = writers.comment_text(rng, post_id, post.communityId, commenter, parent_author, parent_text,
                                         post_author=post.userId, room_id=post.roomId)
            created = s.soon_after(rng, after, 4 if parent_id else 6)
            row = rows.comment(s, rng, comment_id, post_id, commenter, created, text_, parent_id)
            if parent_id is None:
                earlier[post_id].append((comment_id, row["createdAt"], commenter, text_))
            new.append(row)
    # Replies point at comments of the same chunk: insert parents before children.
    new.sort(key=lambda r: r["parentId"] is not None)
    s.insert(C, new)
    return [Made(r["id"], r["postId"], r["userId"], r["createdAt"]) for r in new]


def add_post_hearts(s: Seeding, posts: Sequence[state.PostRow], members: Members, bare: bool = False) -> None:
    """``bare``: the posts have no hearts yet."""
    H = T.PostHeart
    have = {} if bare else s.counts(sa.select(H.c.postId, sa.func.count())
                                    .where(s.one_of(H.c.postId, [p.id for p in posts])).group_by(H.c.postId))
    wanted = {p.id: post_hearts_wanted(s, p.id) for p in posts}
    short = [p for p in posts if have.get(p.id, 0) < wanted[p.id]]
    hearted = state.grouped(state.pairs_where(s, H, H.c.postId, H.c.userId, H.c.postId, [p.id for p in short if have.get(p.id)]))

    def fans() -> Iterator[tuple[str, object, list[str]]]:
        for post in short:
            taken = {post.userId} | hearted.get(post.id, set())
            yield post.id, post.createdAt, makers.sample_excluding(
                s.rng("legacy_post_hearts", post.id), members.get(post.communityId, []), taken,
                wanted[post.id] - have.get(post.id, 0))

    s.insert_columns(H, rows.heart_batches(s, "post", fans()))


def add_comment_hearts(s: Seeding, posts: Sequence[state.PostRow], members: Members,
                       made: Sequence[Made] | None = None) -> None:
    """Each base post's comments get, together, Binomial(comments x slots, likelihood) hearts (one draw
    per post, so that a complete post is recognised from one count), split over its base comments.
    ``made``: the posts' only comments, just made (none has a heart yet)."""
    v = s.volumes
    C, H = T.Comment, T.CommentHeart
    planned = {seed_id(COMMENTS, p.id, k): (p, k) for p in posts for k in range(v.comments_per_post)}
    if made is not None:
        comments = sorted((c for c in made if c.id in planned), key=lambda c: c.id)
        hearted: dict[str, set[str]] = {}
    else:
        comments = [c for c in s.rows(
            sa.select(C.c.id, C.c.postId, C.c.userId, C.c.createdAt).where(s.one_of(C.c.postId, [p.id for p in posts]))
            .order_by(C.c.id)
        ) if c.id in planned]
        hearted = state.grouped(state.pairs_where(s, H, H.c.commentId, H.c.userId, H.c.commentId,
                                                  [c.id for c in comments]))
    by_post: dict[str, list] = defaultdict(list)
    for c in sorted(comments, key=lambda c: planned[c.id][1]):
        by_post[c.postId].append(c)
    slots = comment_heart_slots(s)

    def fans() -> Iterator[tuple[str, object, list[str]]]:
        for post in posts:
            thread = by_post.get(post.id, [])
            if not thread:
                continue
            total = binomial(s, v.comments_per_post * slots, v.comment_heart_likelihood, "comment_hearts", post.id)
            if sum(len(hearted.get(c.id, ())) for c in thread) >= total:
                continue
            # The post's hearts split over its base comments, each getting at most its slots.
            split = [0] * len(thread)
            rng = s.rng("legacy_comment_heart_split", post.id)
            for _ in range(min(total, slots * len(thread))):
                k = rng.below(len(thread))
                while split[k] == slots:
                    k = (k + 1) % len(thread)
                split[k] += 1
            for c, wanted in zip(thread, split, strict=True):
                taken = hearted.get(c.id, set())
                yield c.id, c.createdAt, makers.sample_excluding(
                    s.rng("legacy_comment_hearts", c.id), members.get(post.communityId, []), {c.userId} | taken,
                    wanted - len(taken))

    s.insert_columns(H, rows.heart_batches(s, "comment", fans()))

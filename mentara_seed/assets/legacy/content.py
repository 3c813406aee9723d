"""Legacy generator 4: posts, comments with replies, post hearts and comment hearts."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa

from mentara_seed.assets.common import seed_asset
from mentara_seed.assets.legacy.relationships import joins_communities
from mentara_seed.generate import makers, rows, state
from mentara_seed.generate.keys import seed_id
from mentara_seed.requirements import BY_NAME
from mentara_seed.schema import tables as T
from mentara_seed.seeding import Seeding

COMMUNITY_POSTS = "legacy_post/community"
USER_POSTS = "legacy_post/user"
COMMENTS = "legacy_comment"
REPLY_SHARE = 0.3


def binomial(s: Seeding, slots: int, p: float, *key: object) -> int:
    """A deterministic Binomial(slots, p) draw: how many of ``slots`` chances come true.

    Inverts the distribution function at one digest draw, so a no-op rerun
    re-derives every target without building a random stream per entity.
    """
    u = s.unit(*key)
    probability = (1 - p) ** slots
    cumulative, k = probability, 0
    while u >= cumulative and k < slots:
        probability *= (slots - k) / (k + 1) * p / (1 - p)
        k += 1
        cumulative += probability
    return k


def legacy_posts(s: Seeding) -> list[sa.Row]:
    """The base population's posts that exist: their ids are those the legacy volumes plan.

    The comments and hearts of the base population are added to these posts
    only, never to posts the enrichers add later, so a second run adds nothing.
    """
    v = s.volumes
    planned = {seed_id(COMMUNITY_POSTS, c, k) for c in state.ids(s, T.Community.c.id) for k in range(v.posts_per_community)}
    planned |= {seed_id(USER_POSTS, u, k) for u in state.ids(s, T.User.c.id) for k in range(v.posts_per_user)}
    return [p for p in state.all_posts(s) if p.id in planned]  # all in rooms: planned posts always are


@seed_asset("content", group="legacy", deps=["relationships"], owns=T.Post)
def generate_content(s: Seeding) -> None:
    """The base posts (per community and per joining user, written by members in their communities'
    rooms), comments on them with replies, and hearts on posts and comments at the mode's likelihoods."""
    v = s.volumes
    members = state.members_by_community(s)
    joined = state.communities_by_user(s)

    per_community = s.counts(BY_NAME["community_posts"].counts(s.anchor))
    makers.make_posts(
        s, COMMUNITY_POSTS,
        {c: v.posts_per_community - n for c, n in per_community.items() if n < v.posts_per_community},
        lambda community_id, rng: (rng.choice(members[community_id]), community_id) if members.get(community_id) else None,
    )
    per_user = s.counts(sa.select(T.Post.c.userId, sa.func.count()).group_by(T.Post.c.userId))
    makers.make_posts(
        s, USER_POSTS,
        {u: v.posts_per_user - per_user.get(u, 0) for u in sorted(joined)
         if joins_communities(s, u) and per_user.get(u, 0) < v.posts_per_user},
        lambda user_id, rng: (user_id, rng.choice(joined[user_id])),
    )

    posts = legacy_posts(s)
    add_comments(s, posts, members)
    add_post_hearts(s, posts, members)
    add_comment_hearts(s, posts, members)


def add_comments(s: Seeding, posts: list[sa.Row], members: dict[str, list[str]]) -> None:
    """Each base post gets the mode's comments per post from community members; some are replies."""
    v = s.volumes
    have = s.counts(sa.select(T.Comment.c.postId, sa.func.count()).group_by(T.Comment.c.postId))
    short = {p.id: p for p in posts if have.get(p.id, 0) < v.comments_per_post}
    allocated = s.allocate(T.Comment, COMMENTS, {pid: v.comments_per_post - have.get(pid, 0) for pid in short})
    earlier: dict[str, list[tuple[str, object]]] = defaultdict(list)
    for post_id, comment_id, created in s.rows(
        sa.select(T.Comment.c.postId, T.Comment.c.id, T.Comment.c.createdAt)
        .where(T.Comment.c.postId.in_(list(short)), T.Comment.c.parentId.is_(None))
        .order_by(T.Comment.c.postId, T.Comment.c.createdAt, T.Comment.c.id)
    ) if short else []:
        earlier[post_id].append((comment_id, created))
    new = []
    for post_id in sorted(allocated):
        post = short[post_id]
        voices = [m for m in members.get(post.communityId, ()) if m != post.userId] or members.get(post.communityId, [])
        for comment_id in allocated[post_id]:
            rng = s.rng(COMMENTS, comment_id)
            if not voices:
                s.unmet[COMMENTS] += 1
                continue
            parent_id, after = None, post.createdAt
            if earlier[post_id] and rng.random() < REPLY_SHARE:
                parent_id, after = rng.choice(earlier[post_id])
            row = rows.comment(s, comment_id, post_id, rng.choice(voices), s.between(rng, after, s.anchor), parent_id)
            if parent_id is None:
                earlier[post_id].append((comment_id, row["createdAt"]))
            new.append(row)
    # Replies point at comments of the same batch: insert parents before children.
    new.sort(key=lambda r: r["parentId"] is not None)
    s.insert(T.Comment, new)


def add_post_hearts(s: Seeding, posts: list[sa.Row], members: dict[str, list[str]]) -> None:
    v = s.volumes
    have = s.counts(sa.select(T.PostHeart.c.postId, sa.func.count()).group_by(T.PostHeart.c.postId))
    wanted = {p.id: binomial(s, v.members_per_community, v.post_heart_likelihood, "post_hearts", p.id) for p in posts}
    short = [p for p in posts if have.get(p.id, 0) < wanted[p.id]]
    hearted = state.grouped(state.pairs_where(s, T.PostHeart, T.PostHeart.c.postId, T.PostHeart.c.userId,
                                              T.PostHeart.c.postId, {p.id for p in short}))
    new = []
    for post in short:
        voices = members.get(post.communityId, [])
        taken = {post.userId} | hearted.get(post.id, set())
        fans = makers.sample_excluding(s.rng("legacy_post_hearts", post.id), voices, taken,
                                       wanted[post.id] - have.get(post.id, 0))
        new.extend(rows.post_heart(s, post.id, fan, post.createdAt) for fan in fans)
    s.insert(T.PostHeart, new)


def add_comment_hearts(s: Seeding, posts: list[sa.Row], members: dict[str, list[str]]) -> None:
    v = s.volumes
    community_of = {p.id: p.communityId for p in posts}
    planned = {seed_id(COMMENTS, p.id, k) for p in posts for k in range(v.comments_per_post)}
    comments = [c for c in s.rows(
        sa.select(T.Comment.c.id, T.Comment.c.postId, T.Comment.c.userId, T.Comment.c.createdAt).order_by(T.Comment.c.id)
    ) if c.id in planned and c.postId in community_of]
    have = s.counts(sa.select(T.CommentHeart.c.commentId, sa.func.count()).group_by(T.CommentHeart.c.commentId))
    slots = max(1, v.members_per_community // 4)
    wanted = {c.id: binomial(s, slots, v.comment_heart_likelihood, "comment_hearts", c.id) for c in comments}
    short = [c for c in comments if have.get(c.id, 0) < wanted[c.id]]
    hearted = state.grouped(state.pairs_where(s, T.CommentHeart, T.CommentHeart.c.commentId, T.CommentHeart.c.userId,
                                              T.CommentHeart.c.commentId, {c.id for c in short}))
    new = []
    for c in short:
        voices = members.get(community_of[c.postId], [])
        taken = {c.userId} | hearted.get(c.id, set())
        fans = makers.sample_excluding(s.rng("legacy_comment_hearts", c.id), voices, taken,
                                       wanted[c.id] - have.get(c.id, 0))
        new.extend(rows.comment_heart(s, c.id, fan, c.createdAt) for fan in fans)
    s.insert(T.CommentHeart, new)

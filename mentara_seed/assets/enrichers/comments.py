"""Tier 3 enricher: clients and therapists comment, and every post has a conversation going."""

from functools import lru_cache

from mentara_seed.assets.common import enricher
from mentara_seed.generate import makers, state, voices
from mentara_seed.requirements import BY_NAME
from mentara_seed.schema import tables as T
from mentara_seed.seeding import Seeding


@enricher("comments", tier=3, owns=T.Comment, inputs=["enriched_posts"])
def enrich_comments(s: Seeding) -> None:
    """Guarantees: every client and every therapist has written the mode's minimum of comments, and
    every post has at least two. Commenters are members of the post's community (anyone for a post
    outside any room) and answer the post in their own voice, naming what it is about, usually
    within hours of it and in the daytime, before the anchor."""
    view = state.View(s)

    @lru_cache(maxsize=1)  # rows come grouped by user: each user's options are gathered once
    def options_of(user_id):
        options = [p for c in view.joined.get(user_id, ()) for p in view.posts_by_community[c]]
        return [p for p in options if p.userId != user_id] or options

    def on_a_post_in_their_communities(user_id, rng):
        options = options_of(user_id)
        post = rng.choice(options) if options else None
        return (post, user_id) if post else None

    def by_someone_who_can_see_it(post_id, rng):
        post = view.posts_by_id.get(post_id)
        if post is None:
            return None
        people = view.members.get(post.communityId, ()) if post.communityId else view.everyone
        commenter = makers.pick(rng, people, {post.userId}) or makers.pick(rng, people)
        return (post, commenter) if commenter else None

    writers = voices.Writers(s)
    for name in ("client_comments", "therapist_comments"):
        makers.make_comments(s, f"comments/{name}", s.needs(BY_NAME[name]), on_a_post_in_their_communities, writers)
    makers.make_comments(s, "comments/post_comments", s.needs(BY_NAME["post_comments"]), by_someone_who_can_see_it,
                         writers)

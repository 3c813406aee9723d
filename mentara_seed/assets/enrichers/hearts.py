"""Tier 3 enricher: clients heart posts, and every post has a heart."""

from collections.abc import Iterator

from mentara_seed.assets.common import enricher
from mentara_seed.generate import makers, rows, state
from mentara_seed.requirements import BY_NAME
from mentara_seed.schema import tables as T
from mentara_seed.seeding import Seeding


@enricher("hearts", tier=3, owns=T.PostHeart, inputs=["enriched_posts"])
def enrich_hearts(s: Seeding) -> None:
    """Guarantees: every client has hearted the minimum number of posts and every post has a heart.
    A heart comes from a member of the post's community, never from its author, at most once per
    user and post, after the post was created."""
    view = state.View(s)
    H = T.PostHeart

    fans = s.deficits(BY_NAME["client_hearts_given"])
    hearted = state.pairs_where(s, H, H.c.postId, H.c.userId, H.c.userId, {d.subject for d in fans}) if fans else set()

    def from_fans() -> Iterator[tuple[str, object, list[str]]]:
        for d in fans:
            options = [p.id for c in view.joined.get(d.subject, ()) for p in view.posts_by_community[c]]
            exclude = {p for p in options if view.posts_by_id[p].userId == d.subject or (p, d.subject) in hearted}
            chosen = makers.sample_excluding(s.rng("hearts/client", d.subject), options, exclude, d.missing)
            s.unmet["client_hearts_given"] += d.missing - len(chosen)
            for post_id in chosen:
                yield post_id, view.posts_by_id[post_id].createdAt, (d.subject,)

    s.insert_columns(H, rows.heart_batches(s, "post", from_fans()))

    short = s.deficits(BY_NAME["post_hearts"])
    loved = [d for d in short if d.subject in view.posts_by_id] if short else []  # future posts wait for their day
    fans_of = state.grouped(state.pairs_where(s, H, H.c.postId, H.c.userId, H.c.postId, {d.subject for d in loved}))

    def for_posts() -> Iterator[tuple[str, object, list[str]]]:
        for d in loved:
            post = view.posts_by_id[d.subject]
            voices = view.members.get(post.communityId, []) if post.communityId else view.everyone
            exclude = {post.userId} | fans_of.get(post.id, set())
            chosen = makers.sample_excluding(s.rng("hearts/post", post.id), voices, exclude, d.missing)
            s.unmet["post_hearts"] += d.missing - len(chosen)
            yield post.id, post.createdAt, chosen

    s.insert_columns(H, rows.heart_batches(s, "post", for_posts()))

"""Tier 5 enricher: a few members have blocked someone, usually after reporting them."""

import datetime as dt

import sqlalchemy as sa

from mentara_seed.assets.common import enricher
from mentara_seed.generate import state
from mentara_seed.generate.keys import seed_id, unit
from mentara_seed.requirements import BY_NAME
from mentara_seed.schema import tables as T
from mentara_seed.seeding import Seeding

B, R = T.UserBlock, T.Report
BLOCK_REASON = {"spam": "spam", "harassment": "harassment", "inappropriate": "inappropriate",
                "hate_speech": "inappropriate"}


def therapy_pairs(s: Seeding) -> set[frozenset]:
    """Every client-therapist pair, in either order (nobody blocks their own therapist or client)."""
    return {frozenset(pair) for pair in s.rows(sa.select(T.ClientTherapist.c.clientId, T.ClientTherapist.c.therapistId))}


@enricher("blocks", tier=5, owns=T.UserBlock, inputs=["enriched_reports"])
def enrich_blocks(s: Seeding) -> None:
    """Guarantees: the platform has the mode's minimum of user blocks. A block is what a member does
    after reporting someone's post or comment (blocker the reporter, blocked the author, the
    report's reason, minutes after the report); never of oneself, never between a client and their
    own therapist, at most once per pair."""
    short = s.deficits(BY_NAME["platform_blocks"])
    if not short:
        return
    wanted = short[0].missing
    author = sa.func.coalesce(T.Post.c.userId, T.Comment.c.userId)
    candidates = s.rows(
        sa.select(R.c.id, R.c.reporterId, author.label("author"), R.c.reason, R.c.createdAt)
        .outerjoin(T.Post, T.Post.c.id == R.c.postId)
        .outerjoin(T.Comment, T.Comment.c.id == R.c.commentId)
        .where(author.is_not(None), R.c.createdAt <= s.anchor)
    )
    existing = {(a, b) for a, b in s.rows(sa.select(B.c.blockerId, B.c.blockedId))}
    related = therapy_pairs(s)
    new = []
    for report in sorted(candidates, key=lambda r: (unit("block_after_report", r.id), r.id)):
        if len(new) == wanted:
            break
        pair = (report.reporterId, report.author)
        if report.reporterId == report.author or pair in existing or frozenset(pair) in related:
            continue
        existing.add(pair)
        block_id = seed_id("user_block", *pair)
        at = min(report.createdAt + dt.timedelta(minutes=1 + int(120 * unit("block_delay", block_id))), s.anchor)
        new.append({"id": block_id, "blockerId": pair[0], "blockedId": pair[1],
                    "reason": BLOCK_REASON.get(report.reason, "other"), "createdAt": at})
    if len(new) < wanted:  # no reports to go on: members of a shared community
        members = state.members_by_community(s)
        for community_id in sorted(members, key=lambda c: unit("block_community", c)):
            people = members[community_id]
            if len(new) == wanted or len(people) < 2:
                continue
            rng = s.rng("block_in_community", community_id)
            pair = tuple(rng.sample(people, 2))
            if pair in existing or frozenset(pair) in related:
                continue
            existing.add(pair)
            new.append({"id": seed_id("user_block", *pair), "blockerId": pair[0], "blockedId": pair[1],
                        "reason": "other", "createdAt": s.days_before(rng, 1, 90)})
    s.unmet["platform_blocks"] += wanted - len(new)
    s.insert(B, new)

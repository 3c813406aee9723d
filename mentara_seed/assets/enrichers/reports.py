"""Tier 4 enricher: members report posts and comments, and moderators have a queue to work through."""

import datetime as dt
from collections import defaultdict

import sqlalchemy as sa

from mentara_seed import contract
from mentara_seed.assets.common import enricher
from mentara_seed.generate import makers, state
from mentara_seed.requirements import BY_NAME, reports_by_community
from mentara_seed.schema import tables as T
from mentara_seed.seeding import LOOKUP, Seeding, chunks
from mentara_seed.seeding.ids import ENTITIES_PER_CHUNK

R = T.Report
# What a member writes when reporting, per reason (the web's report dialog offers these reasons).
DETAILS = {
    "spam": ("Keeps posting the same link to a supplement shop.", "Looks like an ad, not a personal post.",
             "Asks everyone to message them on another app to 'earn from home'."),
    "harassment": ("Replied to me with name-calling after I disagreed.", "Keeps tagging me in unrelated threads.",
                   "Mocking someone who shared their story."),
    "inappropriate": ("Graphic description that could upset people here.", "Language that isn't okay in a support space."),
    "misinformation": ("Says you can stop antidepressants on your own without telling your doctor.",
                       "Claims anxiety is 'just a lack of faith'."),
    "hate_speech": ("Slur aimed at a group of people.",),
    "self_harm": ("This person sounds like they might be in danger; please check on them.",),
    "privacy": ("Posted a screenshot with someone's full name and number.", "Shares details of a friend without consent."),
    "other": ("Not sure this belongs in this room.", "Posted in the wrong community, I think."),
}
REPORT_DELAY = dt.timedelta(minutes=5)  # the soonest a member reports what they read
REASON_WEIGHTS = ("spam", "spam", "harassment", "inappropriate", "misinformation", "misinformation", "privacy",
                  "self_harm", "other", "hate_speech")


@enricher("reports", tier=4, owns=T.Report, inputs=["enriched_comments", "enriched_moderators"])
def enrich_reports(s: Seeding) -> None:
    """Guarantees: every community has the mode's minimum of reports on its posts and comments, in
    every status a moderator filters by (pending, reviewed, dismissed). A report names exactly one
    post or comment, comes from a member of the post's community who is not its author and has not
    reported it before, gives one of the reasons the app offers with what the member wrote, and is
    dated at least five minutes after the content (so what was said in the anchor's last five
    minutes is not reported yet); a resolved report is dated at its resolution. The documented moderator
    has pending reports to review."""
    count_needs = s.needs(BY_NAME["community_reports"])
    status_needs = s.needs(BY_NAME["community_report_statuses"])
    needs = {c: max(count_needs.get(c, 0), status_needs.get(c, 0)) for c in sorted({*count_needs, *status_needs})}
    make_reports(s, "reports/community", "community_reports", needs)
    # The documented moderator's queue: pending reports in the first community they moderate that has posts.
    demo = s.needs(BY_NAME["demo_moderator_reports"])
    if demo:
        MC = T.ModeratorCommunity
        wanted = {}
        for moderator_id, missing in demo.items():
            theirs = sorted(s.scalars(sa.select(MC.c.communityId).where(MC.c.moderatorId == moderator_id)))
            with_posts = state.posts_by_community(s, theirs, s.anchor)
            community = next((c for c in theirs if with_posts.get(c)), None)
            if community is None:
                s.unmet["demo_moderator_reports"] += missing
            else:
                wanted[community] = wanted.get(community, 0) + missing
        make_reports(s, "reports/demo_moderator", "demo_moderator_reports", wanted, status="PENDING")


def make_reports(s: Seeding, purpose: str, requirement: str, needs: dict[str, int], status: str | None = None) -> None:
    """``needs[community]`` more reports on the community's posts and comments, in the statuses it
    lacks first (or in ``status``). The posts, comments and members it picks from are read for a
    chunk of communities at a time (the chunks ``new_ids`` makes), so its memory does not grow with
    the database."""
    wanted = sorted(c for c, n in needs.items() if n > 0)
    if not wanted:
        return
    reports = reports_by_community().subquery()
    present = defaultdict(set)
    for community_id, found in s.rows(sa.select(reports.c.communityId, reports.c.status).distinct()
                                      .where(s.one_of(reports.c.communityId, wanted))):
        present[community_id].add(found)
    reporters = defaultdict(set)  # target -> who reported it already (the app allows one report each)
    for reporter, target in s.rows(sa.select(R.c.reporterId, sa.func.coalesce(R.c.postId, R.c.commentId))):
        reporters[target].add(reporter)
    # Only what was posted or said at least five minutes before the anchor can be reported by it (a
    # reply written at the anchor itself cannot have been reported yet).
    reportable = s.anchor - REPORT_DELAY
    C = T.Comment
    for part in chunks(wanted, ENTITIES_PER_CHUNK):
        posts_of = state.posts_by_community(s, part, reportable)
        members = state.members_of(s, part)
        chosen_posts = {c: makers.sample_excluding(s.rng(purpose + "/posts", c), posts_of.get(c, []), set(), needs[c])
                        for c in part}
        comments = defaultdict(list)
        ids = [p.id for posts in chosen_posts.values() for p in posts]
        for some in chunks(ids, LOOKUP):
            for row in s.rows(sa.select(C.c.id, C.c.postId, C.c.userId, C.c.createdAt)
                              .where(s.one_of(C.c.postId, some), C.c.createdAt < reportable)
                              .order_by(C.c.postId, C.c.id)):
                comments[row.postId].append(row)
        for chunk in s.ids.new_ids(R, purpose, {c: needs[c] for c in part}):
            new = []
            for k, (community_id, report_id, rng) in enumerate(chunk):
                posts = chosen_posts[community_id]
                if not posts:
                    s.unmet[requirement] += 1
                    continue
                post = posts[k % len(posts)]
                on_comment = comments.get(post.id) and rng.random() < 0.45
                target = rng.choice(comments[post.id]) if on_comment else post
                reporter = makers.pick(rng, members.get(community_id, []), {target.userId} | reporters[target.id])
                if reporter is None:
                    s.unmet[requirement] += 1
                    continue
                reporters[target.id].add(reporter)
                missing = sorted(set(contract.REPORT_STATUSES) - present[community_id])
                chosen = status or (missing[0] if missing
                                    else rng.choice(("PENDING", "PENDING", "REVIEWED", "DISMISSED")))
                present[community_id].add(chosen)
                new.append(report(s, rng, report_id, reporter, target, on_comment, chosen))
            s.insert(R, new)


def report(s: Seeding, rng, report_id: str, reporter: str, target, on_comment: bool, status: str) -> dict:
    reason = rng.choice(REASON_WEIGHTS)
    created = s.between(rng, target.createdAt + REPORT_DELAY, s.anchor)
    resolved = created if status == "PENDING" else s.between(rng, created, s.anchor)
    return {"id": report_id, "reason": reason, "content": rng.choice(DETAILS[reason]) if rng.random() < 0.85 else None,
            "status": status, "postId": None if on_comment else target.id, "commentId": target.id if on_comment else None,
            "reportedUserId": None, "reporterId": reporter, "createdAt": created, "updatedAt": resolved}

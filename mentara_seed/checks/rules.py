"""The row rules of the spec (``../shared/spec/SEEDING.md``) as queries of offending rows.

Each rule belongs to the asset that writes its table, and its check runs in
that asset's stage. A rule reading a table the target does not have (an
older Mentara version's) does not apply there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from mentara_seed.contract import MEETING_OPEN
from mentara_seed.generate.text import WEEKDAYS
from mentara_seed.requirements import community_posts, tables_of
from mentara_seed.schema import tables as T

__all__ = ["RULES", "IntegrityRule", "tables_of"]


@dataclass(frozen=True)
class IntegrityRule:
    """A rule every row must respect: ``offenders(anchor)`` selects ``(id, label)`` of violating rows."""

    name: str
    asset: str
    description: str
    offenders: Callable[[dt.datetime], sa.Select]

U = T.User


def _is_member(user_col, community_col):
    return sa.exists().where(T.Membership.c.userId == user_col, T.Membership.c.communityId == community_col)


def _related(client_col, therapist_col):
    return sa.exists().where(T.ClientTherapist.c.clientId == client_col, T.ClientTherapist.c.therapistId == therapist_col)


def _approved(therapist_col):
    return sa.exists().where(T.Therapist.c.userId == therapist_col, T.Therapist.c.status == "APPROVED")


def _email(user_col):
    """The user's e-mail, as a label for examples. A subquery, not a join: counting the offenders
    never evaluates it (the planner drops unused columns), only the ten examples do."""
    return sa.select(U.c.email).where(U.c.id == user_col).scalar_subquery()


def posts_by_non_members(_: dt.datetime) -> sa.Select:
    posts = community_posts().subquery()
    return sa.select(posts.c.id, _email(posts.c.userId)).where(~_is_member(posts.c.userId, posts.c.communityId))


def _by_non_members(table: sa.Table):
    """Rows of ``table`` (comments, hearts) on a room's post by someone outside its community."""
    def offenders(_: dt.datetime) -> sa.Select:
        posts = community_posts().subquery()
        return (sa.select(table.c.id, _email(table.c.userId)).join(posts, posts.c.id == table.c.postId)
                .where(~_is_member(table.c.userId, posts.c.communityId)))
    return offenders


def _not_after_post(table: sa.Table):
    """Rows of ``table`` (comments, hearts) created at or before their post."""
    def offenders(_: dt.datetime) -> sa.Select:
        return (sa.select(table.c.id, T.Post.c.title).join(T.Post, T.Post.c.id == table.c.postId)
                .where(table.c.createdAt <= T.Post.c.createdAt))
    return offenders


def self_hearts(_: dt.datetime) -> sa.Select:
    H = T.PostHeart
    return (sa.select(H.c.id, _email(H.c.userId)).join(T.Post, T.Post.c.id == H.c.postId)
            .where(H.c.userId == T.Post.c.userId))


def _unrelated(table):
    def offenders(_: dt.datetime) -> sa.Select:
        return sa.select(table.c.id, table.c.title).where(~_related(table.c.clientId, table.c.therapistId))
    return offenders


def _unapproved(table):
    def offenders(_: dt.datetime) -> sa.Select:
        return sa.select(table.c.id, table.c.title).where(~_approved(table.c.therapistId))
    return offenders


def meetings_out_of_time(anchor: dt.datetime) -> sa.Select:
    M = T.Meeting
    return sa.select(M.c.id, M.c.status).where(sa.or_(
        sa.and_(M.c.endTime <= anchor, M.c.status.in_(MEETING_OPEN)),
        sa.and_(M.c.startTime > anchor, M.c.status.in_(("COMPLETED", "NO_SHOW"))),
    ))


def reviews_not_tied_to_clients_meeting(_: dt.datetime) -> sa.Select:
    R, M = T.Review, T.Meeting
    tied = sa.exists().where(
        M.c.id == R.c.meetingId, M.c.status == "COMPLETED",
        M.c.clientId == R.c.clientId, M.c.therapistId == R.c.therapistId,
    )
    return sa.select(R.c.id, R.c.title).where(~tied)


def clients_of_unapproved_therapists(_: dt.datetime) -> sa.Select:
    CT = T.ClientTherapist
    return sa.select(CT.c.id, _email(CT.c.therapistId)).where(CT.c.status == "active", ~_approved(CT.c.therapistId))


def senders_not_participants(_: dt.datetime) -> sa.Select:
    M, P = T.Message, T.ConversationParticipant
    return (sa.select(M.c.id, _email(M.c.senderId))
            .where(~sa.exists().where(P.c.conversationId == M.c.conversationId, P.c.userId == M.c.senderId)))


def malformed_availability(_: dt.datetime) -> sa.Select:
    A = T.TherapistAvailability

    def hh_mm(column):
        return sa.and_(sa.func.length(column) == 5, sa.func.substr(column, 3, 1) == ":")

    return sa.select(A.c.id, A.c.dayOfWeek).where(sa.or_(
        A.c.dayOfWeek.not_in(WEEKDAYS), ~hh_mm(A.c.startTime), ~hh_mm(A.c.endTime), A.c.startTime >= A.c.endTime,
    ))


def _timestamps(tables: tuple[sa.Table, ...], dated: tuple[sa.Table, ...]):
    """Rows with updatedAt before createdAt, or (for content) dated after the anchor."""

    def offenders(anchor: dt.datetime) -> sa.Select:
        parts = []
        for table in tables:
            key = next(iter(table.primary_key.columns))
            created = table.c.get("createdAt")
            conditions = []
            if created is not None and "updatedAt" in table.c:
                conditions.append(table.c.updatedAt < created)
            if table in dated:
                conditions.append(created > anchor)
            if conditions:
                parts.append(sa.select(key.label("id"), sa.literal(table.name).label("name")).where(sa.or_(*conditions)))
        return sa.union_all(*parts) if len(parts) > 1 else parts[0]

    return offenders


def _timestamp_rule(asset: str, tables: tuple[sa.Table, ...], dated: tuple[sa.Table, ...] = ()) -> IntegrityRule:
    names = ", ".join(t.name for t in tables)
    what = "createdAt <= updatedAt" + (" and content dated at or before the anchor" if dated else "")
    return IntegrityRule(f"{asset}_timestamps_valid", asset, f"{names}: {what}", _timestamps(tables, dated))


RULES: tuple[IntegrityRule, ...] = (
    IntegrityRule("posts_written_by_members", "enriched_posts",
                  "posts are written by members of the community that owns the room", posts_by_non_members),
    IntegrityRule("comments_by_members", "enriched_comments",
                  "comments come from members of the post's community", _by_non_members(T.Comment)),
    IntegrityRule("comments_after_their_post", "enriched_comments",
                  "comments are created after their post", _not_after_post(T.Comment)),
    IntegrityRule("no_self_hearts", "enriched_hearts", "nobody hearts their own post", self_hearts),
    IntegrityRule("hearts_by_members", "enriched_hearts",
                  "hearts come from members of the post's community", _by_non_members(T.PostHeart)),
    IntegrityRule("hearts_after_their_post", "enriched_hearts",
                  "hearts are given after the post was created", _not_after_post(T.PostHeart)),
    IntegrityRule("only_approved_therapists_have_clients", "enriched_relationships",
                  "only approved therapists have active clients", clients_of_unapproved_therapists),
    IntegrityRule("availability_well_formed", "enriched_availability",
                  "availability windows name a weekday and run from HH:MM to a later HH:MM", malformed_availability),
    IntegrityRule("meetings_between_related_pairs", "enriched_meetings",
                  "meetings join a client and a therapist that have a relationship", _unrelated(T.Meeting)),
    IntegrityRule("meetings_with_approved_therapists", "enriched_meetings",
                  "only approved therapists have meetings", _unapproved(T.Meeting)),
    IntegrityRule("meeting_status_matches_time", "enriched_meetings",
                  "past meetings are completed, cancelled or no-show; future ones are not completed",
                  meetings_out_of_time),
    IntegrityRule("worksheets_between_related_pairs", "enriched_worksheets",
                  "worksheets join a client and a therapist that have a relationship", _unrelated(T.Worksheet)),
    IntegrityRule("worksheets_with_approved_therapists", "enriched_worksheets",
                  "only approved therapists have worksheets", _unapproved(T.Worksheet)),
    IntegrityRule("message_senders_are_participants", "enriched_messages",
                  "messages come from the conversation's participants", senders_not_participants),
    IntegrityRule("reviews_tied_to_clients_completed_meeting", "enriched_reviews",
                  "a review is tied to a COMPLETED meeting of the same client and therapist",
                  reviews_not_tied_to_clients_meeting),
    IntegrityRule("reviews_between_related_pairs", "enriched_reviews",
                  "reviews join a client and a therapist that have a relationship", _unrelated(T.Review)),
    IntegrityRule("reviews_with_approved_therapists", "enriched_reviews",
                  "only approved therapists have reviews", _unapproved(T.Review)),
    _timestamp_rule("users", (T.User, T.Client, T.Therapist, T.Admin, T.Moderator)),
    _timestamp_rule("communities", (T.Community,)),
    _timestamp_rule("content", (T.CommentHeart,), dated=(T.CommentHeart,)),
    _timestamp_rule("enriched_availability", (T.TherapistAvailability,)),
    _timestamp_rule("enriched_assessments", (T.PreAssessment,)),
    _timestamp_rule("enriched_posts", (T.Post,), dated=(T.Post,)),
    _timestamp_rule("enriched_comments", (T.Comment,), dated=(T.Comment,)),
    _timestamp_rule("enriched_hearts", (T.PostHeart,), dated=(T.PostHeart,)),
    _timestamp_rule("enriched_meetings", (T.Meeting, T.MeetingNotes), dated=(T.MeetingNotes,)),
    _timestamp_rule("enriched_worksheets", (T.Worksheet,)),
    _timestamp_rule("enriched_messages", (T.Message, T.Conversation), dated=(T.Message, T.Conversation)),
    _timestamp_rule("enriched_reviews", (T.Review,), dated=(T.Review,)),
    _timestamp_rule("enriched_notifications", (T.Notification,), dated=(T.Notification,)),
)

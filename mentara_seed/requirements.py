"""The minimum requirements, as one table of data read by enrichers and checks alike.

Each requirement names its subjects (every client, every approved therapist,
every community, ...) and a grouped query that counts, for every subject at
once, what the subject has. An enricher inserts ``minimum - count`` rows for
each subject below the minimum; a check reports the same subjects. Both read
the minimum from here, so they cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

import sqlalchemy as sa

from mentara_seed.schema import tables as T

RECENT_POST_WINDOW = dt.timedelta(days=30)


@dataclass(frozen=True)
class Requirement:
    name: str
    tier: int
    enricher: str
    subject: str
    description: str
    minimums: tuple[int, int, int]  # light, medium, heavy
    counts: Callable[[dt.datetime], sa.Select]  # anchor -> (subject, n) for every subject

    def minimum(self, mode: str) -> int:
        return self.minimums[("light", "medium", "heavy").index(mode)]

    def describe(self, mode: str) -> str:
        return self.description.format(n=self.minimum(mode))


# -- subjects -------------------------------------------------------------------
def clients() -> sa.Select:
    return sa.select(T.Client.c.userId.label("subject"))


def therapists() -> sa.Select:
    return sa.select(T.Therapist.c.userId.label("subject"))


def approved_therapists() -> sa.Select:
    return sa.select(T.Therapist.c.userId.label("subject")).where(T.Therapist.c.status == "APPROVED")


def active_relationships() -> sa.Select:
    """Active client-therapist pairs whose therapist is approved."""
    return (
        sa.select(T.ClientTherapist.c.clientId, T.ClientTherapist.c.therapistId)
        .join(T.Therapist, T.Therapist.c.userId == T.ClientTherapist.c.therapistId)
        .where(T.ClientTherapist.c.status == "active", T.Therapist.c.status == "APPROVED")
    )


def clients_with_therapist() -> sa.Select:
    pairs = active_relationships().subquery()
    return sa.select(pairs.c.clientId.label("subject")).distinct()


def community_posts() -> sa.Select:
    """Every post that lives in a room, with its community."""
    return (
        sa.select(T.Post.c.id, T.Post.c.userId, T.Post.c.createdAt, T.RoomGroup.c.communityId)
        .join(T.Room, T.Room.c.id == T.Post.c.roomId)
        .join(T.RoomGroup, T.RoomGroup.c.id == T.Room.c.roomGroupId)
    )


def client_conversations() -> sa.Select:
    return (
        sa.select(T.ConversationParticipant.c.conversationId.label("subject"))
        .join(T.Client, T.Client.c.userId == T.ConversationParticipant.c.userId)
        .distinct()
    )


# -- counting -------------------------------------------------------------------
def count_per(subjects: sa.Select, child: sa.FromClause, child_key, counted, *conditions) -> sa.Select:
    """``(subject, n)`` for every subject: distinct ``counted`` values of the children whose
    ``child_key`` is the subject and that meet ``conditions`` (zero when there are none).

    The children are counted per key first and then joined to the subjects:
    one pass over the (large) child table instead of a join of every child row,
    about twice to four times faster on a million rows. A primary key needs no DISTINCT.
    """
    # count(*) when the counted column is the key: an index on child_key then answers alone
    # (SQLite scans it instead of the table: ten times faster on half a million rows).
    unique = getattr(counted, "primary_key", False)
    per_key = (
        sa.select(child_key.label("key"), (sa.func.count() if unique else sa.func.count(sa.distinct(counted))).label("n"))
        .where(*conditions)
        .group_by(child_key)
        .subquery()
    )
    subject = subjects.subquery()
    return sa.select(subject.c.subject, sa.func.coalesce(per_key.c.n, 0).label("n")).select_from(
        subject.outerjoin(per_key, per_key.c.key == subject.c.subject)
    )


def _posts_in_communities(anchor: dt.datetime | None = None) -> sa.Subquery:
    posts = community_posts()
    if anchor is not None:
        posts = posts.where(T.Post.c.createdAt > anchor - RECENT_POST_WINDOW, T.Post.c.createdAt <= anchor)
    return posts.subquery()


def _community_post_count(anchor: dt.datetime | None) -> sa.Select:
    posts = _posts_in_communities(anchor)
    return count_per(sa.select(T.Community.c.id.label("subject")), posts, posts.c.communityId, posts.c.id)


def _notes_per_therapist(_: dt.datetime) -> sa.Select:
    notes = (
        sa.select(T.MeetingNotes.c.id, T.Meeting.c.therapistId)
        .join(T.Meeting, T.Meeting.c.id == T.MeetingNotes.c.meetingId)
        .subquery()
    )
    return count_per(approved_therapists(), notes, notes.c.therapistId, notes.c.id)


def _reviews_per_therapist(_: dt.datetime) -> sa.Select:
    reviews = (
        sa.select(T.Review.c.id, T.Review.c.therapistId)
        .join(T.Meeting, T.Meeting.c.id == T.Review.c.meetingId)
        .where(
            T.Meeting.c.status == "COMPLETED",
            T.Meeting.c.therapistId == T.Review.c.therapistId,
            T.Meeting.c.clientId == T.Review.c.clientId,
        )
        .subquery()
    )
    return count_per(approved_therapists(), reviews, reviews.c.therapistId, reviews.c.id)


def _messages_per_conversation(_: dt.datetime) -> sa.Select:
    return count_per(client_conversations(), T.Message, T.Message.c.conversationId, T.Message.c.id)


def _conversations_per_client(_: dt.datetime) -> sa.Select:
    return count_per(
        clients(), T.ConversationParticipant, T.ConversationParticipant.c.userId,
        T.ConversationParticipant.c.conversationId,
    )


M = T.Membership
P = T.Post
C = T.Comment

REQUIREMENTS: tuple[Requirement, ...] = (
    # tier 1
    Requirement("client_communities", 1, "memberships", "client", "every client is a member of at least {n} community",
                (1, 1, 1), lambda a: count_per(clients(), M, M.c.userId, M.c.communityId)),
    Requirement("therapist_communities", 1, "memberships", "therapist",
                "every therapist is a member of at least {n} community",
                (1, 1, 1), lambda a: count_per(therapists(), M, M.c.userId, M.c.communityId)),
    Requirement("community_members", 1, "memberships", "community", "every community has at least {n} members",
                (4, 8, 20), lambda a: count_per(sa.select(T.Community.c.id.label("subject")), M, M.c.communityId, M.c.userId)),
    Requirement("therapist_clients", 1, "relationships", "approved therapist",
                "every approved therapist has at least {n} active clients", (1, 2, 5),
                lambda a: count_per(approved_therapists(), T.ClientTherapist, T.ClientTherapist.c.therapistId,
                                    T.ClientTherapist.c.clientId, T.ClientTherapist.c.status == "active")),
    Requirement("therapist_availability", 1, "availability", "approved therapist",
                "every approved therapist is available on at least {n} distinct weekdays", (3, 3, 3),
                lambda a: count_per(approved_therapists(), T.TherapistAvailability,
                                    T.TherapistAvailability.c.therapistId, T.TherapistAvailability.c.dayOfWeek,
                                    T.TherapistAvailability.c.isAvailable == sa.true())),
    # tier 2
    Requirement("client_pre_assessment", 2, "assessments", "client",
                "every client has {n} completed pre-assessment", (1, 1, 1),
                lambda a: count_per(clients(), T.PreAssessment, T.PreAssessment.c.clientId, T.PreAssessment.c.id,
                                    T.PreAssessment.c.isProcessed == sa.true())),
    Requirement("client_posts", 2, "posts", "client", "every client has written at least {n} posts", (2, 5, 10),
                lambda a: count_per(clients(), P, P.c.userId, P.c.id)),
    Requirement("therapist_posts", 2, "posts", "therapist", "every therapist has written at least {n} posts",
                (2, 2, 2), lambda a: count_per(therapists(), P, P.c.userId, P.c.id)),
    Requirement("community_posts", 2, "posts", "community", "every community has at least {n} posts", (5, 10, 30),
                lambda a: _community_post_count(None)),
    Requirement("community_recent_posts", 2, "posts", "community",
                "every community has at least {n} post in the 30 days before the anchor", (1, 1, 1),
                lambda a: _community_post_count(a)),
    # tier 3
    Requirement("client_comments", 3, "comments", "client", "every client has written at least {n} comments",
                (5, 10, 20), lambda a: count_per(clients(), C, C.c.userId, C.c.id)),
    Requirement("therapist_comments", 3, "comments", "therapist", "every therapist has written at least {n} comments",
                (5, 5, 5), lambda a: count_per(therapists(), C, C.c.userId, C.c.id)),
    Requirement("post_comments", 3, "comments", "post", "every post has at least {n} comments", (2, 2, 2),
                lambda a: count_per(sa.select(P.c.id.label("subject")), C, C.c.postId, C.c.id)),
    Requirement("client_hearts_given", 3, "hearts", "client", "every client has hearted at least {n} posts",
                (3, 3, 3), lambda a: count_per(clients(), T.PostHeart, T.PostHeart.c.userId, T.PostHeart.c.id)),
    Requirement("post_hearts", 3, "hearts", "post", "every post has at least {n} heart", (1, 1, 1),
                lambda a: count_per(sa.select(P.c.id.label("subject")), T.PostHeart, T.PostHeart.c.postId,
                                    T.PostHeart.c.id)),
    # tier 4
    Requirement("client_meetings", 4, "meetings", "client with a therapist",
                "every client with a therapist has at least {n} meetings", (1, 3, 8),
                lambda a: count_per(clients_with_therapist(), T.Meeting, T.Meeting.c.clientId, T.Meeting.c.id)),
    Requirement("therapist_meetings", 4, "meetings", "approved therapist",
                "every approved therapist has at least {n} meetings", (2, 4, 15),
                lambda a: count_per(approved_therapists(), T.Meeting, T.Meeting.c.therapistId, T.Meeting.c.id)),
    Requirement("completed_meeting_notes", 4, "meetings", "completed meeting",
                "every completed meeting has at least {n} note", (1, 1, 1),
                lambda a: count_per(sa.select(T.Meeting.c.id.label("subject")).where(T.Meeting.c.status == "COMPLETED"),
                                    T.MeetingNotes, T.MeetingNotes.c.meetingId, T.MeetingNotes.c.id)),
    Requirement("therapist_session_notes", 4, "meetings", "approved therapist",
                "every approved therapist has written at least {n} session notes", (2, 2, 2), _notes_per_therapist),
    Requirement("therapist_worksheets", 4, "worksheets", "approved therapist",
                "every approved therapist has created at least {n} worksheets", (3, 3, 8),
                lambda a: count_per(approved_therapists(), T.Worksheet, T.Worksheet.c.therapistId, T.Worksheet.c.id)),
    Requirement("client_worksheets", 4, "worksheets", "client with a therapist",
                "every client with a therapist has at least {n} worksheet", (1, 1, 1),
                lambda a: count_per(clients_with_therapist(), T.Worksheet, T.Worksheet.c.clientId, T.Worksheet.c.id)),
    Requirement("client_conversations", 4, "messages", "client", "every client is in at least {n} conversations",
                (2, 2, 2), _conversations_per_client),
    Requirement("conversation_messages", 4, "messages", "client conversation",
                "every conversation of a client has at least {n} messages", (5, 5, 5), _messages_per_conversation),
    # tier 5
    Requirement("therapist_reviews", 5, "reviews", "approved therapist",
                "every approved therapist has at least {n} review tied to one of their completed meetings",
                (1, 1, 1), _reviews_per_therapist),
    Requirement("client_notifications", 5, "notifications", "client",
                "every client has at least {n} notifications", (2, 2, 2),
                lambda a: count_per(clients(), T.Notification, T.Notification.c.userId, T.Notification.c.id)),
)

BY_NAME: dict[str, Requirement] = {r.name: r for r in REQUIREMENTS}
TIERS = (1, 2, 3, 4, 5)


def for_tier(tier: int) -> tuple[Requirement, ...]:
    return tuple(r for r in REQUIREMENTS if r.tier == tier)

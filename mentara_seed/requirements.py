"""The minimum requirements, as one table of data read by enrichers, checks and tests alike.

Each requirement names its subject (every client, every approved therapist,
every community, ...: a query of their ids and how to name one in a report)
and a grouped query that counts, for every subject at once, what the subject
has. ``Requirement.shortfall`` selects the subjects below the minimum with
how many rows each is missing: an enricher inserts exactly those rows, a check
reports those subjects, the tests' oracle counts them. All three read the
minimum from here, so they cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.sql import visitors

from mentara_seed.schema import tables as T

RECENT_POST_WINDOW = dt.timedelta(days=30)
MODES = ("light", "medium", "heavy")


@dataclass(frozen=True)
class Subject:
    """Who a requirement is about: the query of their ids (``subject``), and how reports name one."""

    label: str
    ids: Callable[[], sa.Select]
    named_by: tuple[sa.Table, sa.Column, sa.Column]  # (table, key, readable name)


@dataclass(frozen=True)
class Requirement:
    """A minimum every subject must meet, per mode (and, where the schema changed it, per version)."""

    name: str
    enricher: str
    subject: Subject
    description: str
    minimums: tuple[int, int, int]  # light, medium, heavy
    # (subjects, anchor) -> (subject, n) for every subject of ``subjects``
    counts: Callable[[sa.Select, dt.datetime], sa.Select]
    # Minimums that hold from a schema version on: ((version, (light, medium, heavy)), ...)
    from_version: tuple[tuple[str, tuple[int, int, int]], ...] = ()

    def minimum(self, mode: str, version: object = None) -> int:
        minimums = self.minimums
        for since, newer in self.from_version:
            if version is not None and str(version) >= since:
                minimums = newer
        return minimums[MODES.index(mode)]

    def describe(self, mode: str, version: object = None) -> str:
        return self.description.format(n=self.minimum(mode, version))

    def count_query(self, anchor: dt.datetime) -> sa.Select:
        """``(subject, n)`` for every subject."""
        return self.counts(self.subject.ids(), anchor)

    def shortfall(self, mode: str, anchor: dt.datetime, version: object = None) -> sa.Select:
        """``(subject, n, missing)`` for every subject below the minimum: the one definition of "short"."""
        minimum = self.minimum(mode, version)
        counts = self.count_query(anchor).subquery()
        return sa.select(counts.c.subject, counts.c.n, (minimum - counts.c.n).label("missing")).where(counts.c.n < minimum)

    @property
    def tables(self) -> frozenset[str]:
        """Every table the requirement reads."""
        return tables_of(self.count_query(dt.datetime(2000, 1, 1)))

    def applies(self, target) -> bool:
        """Whether the target has every table the requirement reads (a newer version's may be missing)."""
        return all(target.has(name) for name in self.tables)


def tables_of(statement) -> frozenset[str]:
    """Every table a statement reads, in subqueries and EXISTS clauses too."""
    return frozenset(element.name for element in visitors.iterate(statement) if isinstance(element, sa.Table))


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


def _community_posts(subjects: sa.Select, anchor: dt.datetime | None) -> sa.Select:
    posts = _posts_in_communities(anchor)
    return count_per(subjects, posts, posts.c.communityId, posts.c.id)


def _notes_per_therapist(subjects: sa.Select, _: dt.datetime) -> sa.Select:
    notes = (
        sa.select(T.MeetingNotes.c.id, T.Meeting.c.therapistId)
        .join(T.Meeting, T.Meeting.c.id == T.MeetingNotes.c.meetingId)
        .subquery()
    )
    return count_per(subjects, notes, notes.c.therapistId, notes.c.id)


def _reviews_per_therapist(subjects: sa.Select, _: dt.datetime) -> sa.Select:
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
    return count_per(subjects, reviews, reviews.c.therapistId, reviews.c.id)


def _per(child: sa.Table, key: str, counted: str = "id", *conditions) -> Callable[[sa.Select, dt.datetime], sa.Select]:
    """Count ``child`` rows (distinct ``counted``) per ``key`` column that meet ``conditions``."""
    return lambda subjects, _: count_per(subjects, child, child.c[key], child.c[counted], *conditions)


U = T.User
M = T.Membership
P = T.Post
C = T.Comment

# -- who the requirements are about ------------------------------------------------
CLIENT = Subject("client", clients, (U, U.c.id, U.c.email))
THERAPIST = Subject("therapist", therapists, (U, U.c.id, U.c.email))
APPROVED_THERAPIST = Subject("approved therapist", approved_therapists, (U, U.c.id, U.c.email))
CLIENT_WITH_THERAPIST = Subject("client with a therapist", clients_with_therapist, (U, U.c.id, U.c.email))
COMMUNITY = Subject("community", lambda: sa.select(T.Community.c.id.label("subject")),
                    (T.Community, T.Community.c.id, T.Community.c.name))
POST = Subject("post", lambda: sa.select(P.c.id.label("subject")), (P, P.c.id, P.c.title))
COMPLETED_MEETING = Subject(
    "completed meeting", lambda: sa.select(T.Meeting.c.id.label("subject")).where(T.Meeting.c.status == "COMPLETED"),
    (T.Meeting, T.Meeting.c.id, T.Meeting.c.title))
CLIENT_CONVERSATION = Subject("client conversation", client_conversations,
                              (T.Conversation, T.Conversation.c.id, T.Conversation.c.type))

REQUIREMENTS: tuple[Requirement, ...] = (
    # tier 1
    Requirement("client_communities", "memberships", CLIENT, "every client is a member of at least {n} community",
                (1, 1, 1), _per(M, "userId", "communityId")),
    Requirement("therapist_communities", "memberships", THERAPIST, "every therapist is a member of at least {n} community",
                (1, 1, 1), _per(M, "userId", "communityId")),
    Requirement("community_members", "memberships", COMMUNITY, "every community has at least {n} members",
                (4, 8, 20), _per(M, "communityId", "userId")),
    Requirement("therapist_clients", "relationships", APPROVED_THERAPIST,
                "every approved therapist has at least {n} active clients", (1, 2, 5),
                _per(T.ClientTherapist, "therapistId", "clientId", T.ClientTherapist.c.status == "active")),
    Requirement("therapist_availability", "availability", APPROVED_THERAPIST,
                "every approved therapist is available on at least {n} distinct weekdays", (3, 3, 3),
                _per(T.TherapistAvailability, "therapistId", "dayOfWeek", T.TherapistAvailability.c.isAvailable == sa.true())),
    # tier 2
    Requirement("client_pre_assessment", "assessments", CLIENT, "every client has {n} completed pre-assessment", (1, 1, 1),
                _per(T.PreAssessment, "clientId", "id", T.PreAssessment.c.isProcessed == sa.true())),
    Requirement("client_posts", "posts", CLIENT, "every client has written at least {n} posts", (2, 5, 10),
                _per(P, "userId")),
    Requirement("therapist_posts", "posts", THERAPIST, "every therapist has written at least {n} posts", (2, 2, 2),
                _per(P, "userId")),
    Requirement("community_posts", "posts", COMMUNITY, "every community has at least {n} posts", (5, 10, 30),
                lambda subjects, a: _community_posts(subjects, None)),
    Requirement("community_recent_posts", "posts", COMMUNITY,
                "every community has at least {n} post in the 30 days before the anchor", (1, 1, 1),
                lambda subjects, a: _community_posts(subjects, a)),
    # tier 3
    Requirement("client_comments", "comments", CLIENT, "every client has written at least {n} comments", (5, 10, 20),
                _per(C, "userId")),
    Requirement("therapist_comments", "comments", THERAPIST, "every therapist has written at least {n} comments",
                (5, 5, 5), _per(C, "userId")),
    Requirement("post_comments", "comments", POST, "every post has at least {n} comments", (2, 2, 2), _per(C, "postId")),
    Requirement("client_hearts_given", "hearts", CLIENT, "every client has hearted at least {n} posts", (3, 3, 3),
                _per(T.PostHeart, "userId")),
    Requirement("post_hearts", "hearts", POST, "every post has at least {n} heart", (1, 1, 1), _per(T.PostHeart, "postId")),
    # tier 4
    Requirement("client_meetings", "meetings", CLIENT_WITH_THERAPIST,
                "every client with a therapist has at least {n} meetings", (1, 3, 8), _per(T.Meeting, "clientId")),
    Requirement("therapist_meetings", "meetings", APPROVED_THERAPIST, "every approved therapist has at least {n} meetings",
                (2, 4, 15), _per(T.Meeting, "therapistId")),
    Requirement("completed_meeting_notes", "meetings", COMPLETED_MEETING, "every completed meeting has at least {n} note",
                (1, 1, 1), _per(T.MeetingNotes, "meetingId")),
    Requirement("therapist_session_notes", "meetings", APPROVED_THERAPIST,
                "every approved therapist has written at least {n} session notes", (2, 2, 2), _notes_per_therapist),
    Requirement("therapist_worksheets", "worksheets", APPROVED_THERAPIST,
                "every approved therapist has created at least {n} worksheets", (3, 3, 8), _per(T.Worksheet, "therapistId")),
    Requirement("client_worksheets", "worksheets", CLIENT_WITH_THERAPIST,
                "every client with a therapist has at least {n} worksheet", (1, 1, 1), _per(T.Worksheet, "clientId")),
    Requirement("client_conversations", "messages", CLIENT, "every client is in at least {n} conversations", (2, 2, 2),
                _per(T.ConversationParticipant, "userId", "conversationId")),
    Requirement("conversation_messages", "messages", CLIENT_CONVERSATION,
                "every conversation of a client has at least {n} messages", (5, 5, 5), _per(T.Message, "conversationId")),
    # tier 5
    Requirement("therapist_reviews", "reviews", APPROVED_THERAPIST,
                "every approved therapist has at least {n} review tied to one of their completed meetings", (1, 1, 1),
                _reviews_per_therapist),
    Requirement("client_notifications", "notifications", CLIENT, "every client has at least {n} notifications", (2, 2, 2),
                _per(T.Notification, "userId")),
)

BY_NAME: dict[str, Requirement] = {r.name: r for r in REQUIREMENTS}


def of_enricher(enricher: str) -> tuple[Requirement, ...]:
    return tuple(r for r in REQUIREMENTS if r.enricher == enricher)

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
from functools import cached_property

import sqlalchemy as sa
from sqlalchemy.sql import visitors

from mentara_seed.accounts import EMAILS
from mentara_seed.schema import tables as T

RECENT_POST_WINDOW = dt.timedelta(days=30)
MODES = ("light", "medium", "heavy")


@dataclass(frozen=True)
class Subject:
    """Who a requirement is about: the query of their ids (``subject``), and how reports name one."""

    label: str
    ids: Callable[[], sa.Select]
    named_by: tuple[sa.Table, sa.Column, sa.Column] | None  # (table, key, readable name); None: the id says it


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

    @cached_property
    def tables(self) -> frozenset[str]:
        """Every table the requirement reads (built once: the query's tables do not depend on the anchor)."""
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


# Subjects defined by a relation to other rows are the entities of their table IN that relation, not
# a DISTINCT over it: SQLite then gives the counts they are joined to an automatic index, where after
# a DISTINCT it scanned the counts once per subject (heavy x100: 4.4 s against 0.03 s a requirement).
def clients_with_therapist() -> sa.Select:
    pairs = active_relationships().subquery()
    return sa.select(T.Client.c.userId.label("subject")).where(T.Client.c.userId.in_(sa.select(pairs.c.clientId)))


def community_posts() -> sa.Select:
    """Every post that lives in a room, with its community."""
    return (
        sa.select(T.Post.c.id, T.Post.c.userId, T.Post.c.createdAt, T.RoomGroup.c.communityId)
        .join(T.Room, T.Room.c.id == T.Post.c.roomId)
        .join(T.RoomGroup, T.RoomGroup.c.id == T.Room.c.roomGroupId)
    )


def client_conversations() -> sa.Select:
    CP = T.ConversationParticipant
    with_a_client = sa.select(CP.c.conversationId).join(T.Client, T.Client.c.userId == CP.c.userId)
    return sa.select(T.Conversation.c.id.label("subject")).where(T.Conversation.c.id.in_(with_a_client))


# Messages younger than this many of their conversation's are the ones still unread.
UNREAD_TAIL = 2


def messages_read_by_now() -> sa.Select:
    """Every message of a conversation but its latest ``UNREAD_TAIL``: the other participants have
    read these (the app counts a message unread while its reader has no receipt for it)."""
    Msg = T.Message
    ranked = sa.select(
        Msg.c.id,
        sa.func.row_number().over(partition_by=Msg.c.conversationId,
                                  order_by=(Msg.c.createdAt.desc(), Msg.c.id.desc())).label("rank"),
    ).where(Msg.c.isDeleted == sa.false()).subquery()
    return sa.select(ranked.c.id.label("subject")).where(ranked.c.rank > UNREAD_TAIL)


def communities_with_therapists() -> sa.Select:
    """Communities one of whose members is an approved therapist (they can run group sessions)."""
    Mb = T.Membership
    with_a_therapist = sa.select(Mb.c.communityId).join(T.Therapist, T.Therapist.c.userId == Mb.c.userId).where(
        T.Therapist.c.status == "APPROVED")
    return sa.select(T.Community.c.id.label("subject")).where(T.Community.c.id.in_(with_a_therapist))


def reports_by_community() -> sa.Select:
    """(id, status, communityId) of every report on a post or a comment of a community's room."""
    R = T.Report
    CommentPost = T.Post.alias("comment_post")
    on_posts = (
        sa.select(R.c.id, R.c.status, T.RoomGroup.c.communityId)
        .join(T.Post, T.Post.c.id == R.c.postId)
        .join(T.Room, T.Room.c.id == T.Post.c.roomId)
        .join(T.RoomGroup, T.RoomGroup.c.id == T.Room.c.roomGroupId)
    )
    on_comments = (
        sa.select(R.c.id, R.c.status, T.RoomGroup.c.communityId)
        .join(T.Comment, T.Comment.c.id == R.c.commentId)
        .join(CommentPost, CommentPost.c.id == T.Comment.c.postId)
        .join(T.Room, T.Room.c.id == CommentPost.c.roomId)
        .join(T.RoomGroup, T.RoomGroup.c.id == T.Room.c.roomGroupId)
    )
    return sa.union_all(on_posts, on_comments)


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


def _platform_blocks(subjects: sa.Select, _: dt.datetime) -> sa.Select:
    subject = subjects.subquery()
    blocks = sa.select(sa.func.count()).select_from(T.UserBlock).scalar_subquery()
    return sa.select(subject.c.subject, blocks.label("n")).select_from(subject)


def _reports(counted: str) -> Callable[[sa.Select, dt.datetime], sa.Select]:
    def counts(subjects: sa.Select, _: dt.datetime) -> sa.Select:
        reports = reports_by_community().subquery()
        return count_per(subjects, reports, reports.c.communityId, reports.c[counted])
    return counts


def _upcoming_group_sessions(subjects: sa.Select, anchor: dt.datetime) -> sa.Select:
    G = T.GroupTherapySessions
    return count_per(subjects, G, G.c.communityId, G.c.id, G.c.status == "APPROVED", G.c.scheduledAt > anchor)


def _reactions_per_conversation(subjects: sa.Select, _: dt.datetime) -> sa.Select:
    reactions = (
        sa.select(T.MessageReaction.c.id, T.Message.c.conversationId)
        .join(T.Message, T.Message.c.id == T.MessageReaction.c.messageId)
        .subquery()
    )
    return count_per(subjects, reactions, reactions.c.conversationId, reactions.c.id)


def _per(child: sa.Table, key: str, counted: str = "id", *conditions) -> Callable[[sa.Select, dt.datetime], sa.Select]:
    """Count ``child`` rows (distinct ``counted``) per ``key`` column that meet ``conditions``."""
    return lambda subjects, _: count_per(subjects, child, child.c[key], child.c[counted], *conditions)


U = T.User
M = T.Membership
P = T.Post
C = T.Comment

def _account(role: str) -> Callable[[], sa.Select]:
    return lambda: sa.select(U.c.id.label("subject")).where(U.c.email == EMAILS[role], U.c.role == role)


def _soon(anchor: dt.datetime):
    return (T.Meeting.c.startTime > anchor, T.Meeting.c.startTime <= anchor + dt.timedelta(days=7),
            T.Meeting.c.status.in_(("SCHEDULED", "CONFIRMED")))


def _recent_messages(subjects: sa.Select, anchor: dt.datetime) -> sa.Select:
    CP, Msg = T.ConversationParticipant, T.Message
    recent = (sa.select(Msg.c.id, CP.c.userId).join(CP, CP.c.conversationId == Msg.c.conversationId)
              .where(Msg.c.createdAt > anchor - dt.timedelta(days=3), Msg.c.createdAt <= anchor).subquery())
    return count_per(subjects, recent, recent.c.userId, recent.c.id)


def _pending_reports_to_moderate(subjects: sa.Select, _: dt.datetime) -> sa.Select:
    reports = reports_by_community().subquery()
    pending = (sa.select(reports.c.id, T.ModeratorCommunity.c.moderatorId)
               .join(T.ModeratorCommunity, T.ModeratorCommunity.c.communityId == reports.c.communityId)
               .where(reports.c.status == "PENDING").subquery())
    return count_per(subjects, pending, pending.c.moderatorId, pending.c.id)


def _pending_applications(subjects: sa.Select, _: dt.datetime) -> sa.Select:
    subject = subjects.subquery()
    pending = sa.select(sa.func.count()).select_from(T.Therapist).where(T.Therapist.c.status == "PENDING")
    return sa.select(subject.c.subject, pending.scalar_subquery().label("n")).select_from(subject)


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
MODERATOR = Subject("moderator", lambda: sa.select(T.Moderator.c.userId.label("subject")), (U, U.c.id, U.c.email))
ADMIN = Subject("admin", lambda: sa.select(T.Admin.c.userId.label("subject")), (U, U.c.id, U.c.email))
READ_MESSAGE = Subject("message read by now", messages_read_by_now, (T.Message, T.Message.c.id, T.Message.c.content))
PLATFORM = Subject("platform", lambda: sa.select(sa.literal("mentara", sa.Text).label("subject")), None)
COMMUNITY_WITH_THERAPIST = Subject("community with a therapist member", communities_with_therapists,
                                   (T.Community, T.Community.c.id, T.Community.c.name))
APPROVED_GROUP_SESSION = Subject(
    "approved group session",
    lambda: sa.select(T.GroupTherapySessions.c.id.label("subject")).where(T.GroupTherapySessions.c.status == "APPROVED"),
    (T.GroupTherapySessions, T.GroupTherapySessions.c.id, T.GroupTherapySessions.c.title))
GROUP_SESSION = Subject("group session", lambda: sa.select(T.GroupTherapySessions.c.id.label("subject")),
                        (T.GroupTherapySessions, T.GroupTherapySessions.c.id, T.GroupTherapySessions.c.title))
DEMO_CLIENT = Subject("the documented client account", _account("client"), (U, U.c.id, U.c.email))
DEMO_THERAPIST = Subject("the documented therapist account", _account("therapist"), (U, U.c.id, U.c.email))
DEMO_MODERATOR = Subject("the documented moderator account", _account("moderator"), (U, U.c.id, U.c.email))
DEMO_ADMIN = Subject("the documented admin account", _account("admin"), (U, U.c.id, U.c.email))
CHATBOT_SESSION = Subject("chatbot session", lambda: sa.select(T.ChatbotSession.c.id.label("subject")),
                          (T.ChatbotSession, T.ChatbotSession.c.id, T.ChatbotSession.c.sessionId))

REQUIREMENTS: tuple[Requirement, ...] = (
    # tier 1
    Requirement("moderator_communities", "moderators", MODERATOR, "every moderator moderates at least {n} community",
                (1, 1, 1), _per(T.ModeratorCommunity, "moderatorId", "communityId")),
    Requirement("community_moderators", "moderators", COMMUNITY, "every community has at least {n} moderator",
                (1, 1, 1), _per(T.ModeratorCommunity, "communityId", "moderatorId")),
    Requirement("client_chatbot_sessions", "chatbot", CLIENT,
                "every client has completed at least {n} pre-assessment chat with the chatbot", (1, 1, 1),
                _per(T.ChatbotSession, "clientId", "id", T.ChatbotSession.c.isComplete == sa.true())),
    Requirement("chatbot_session_messages", "chatbot", CHATBOT_SESSION,
                "every chatbot session has at least {n} messages", (6, 6, 6), _per(T.ChatbotMessage, "sessionId")),
    Requirement("client_communities", "memberships", CLIENT, "every client is a member of at least {n} community",
                (1, 1, 1), _per(M, "userId", "communityId")),
    Requirement("therapist_communities", "memberships", THERAPIST, "every therapist is a member of at least {n} community",
                (1, 1, 1), _per(M, "userId", "communityId")),
    Requirement("community_members", "memberships", COMMUNITY, "every community has at least {n} members",
                (4, 8, 20), _per(M, "communityId", "userId")),
    Requirement("therapist_clients", "relationships", APPROVED_THERAPIST,
                "every approved therapist has at least {n} active clients", (1, 2, 5),
                _per(T.ClientTherapist, "therapistId", "clientId", T.ClientTherapist.c.status == "active")),
    Requirement("demo_client_has_a_therapist", "relationships", DEMO_CLIENT,
                "the documented client has at least {n} therapist", (1, 1, 1),
                _per(T.ClientTherapist, "clientId", "therapistId", T.ClientTherapist.c.status == "active")),
    Requirement("demo_admin_pending_applications", "applications", DEMO_ADMIN,
                "the documented admin has at least {n} therapist application to review", (1, 1, 1), _pending_applications),
    Requirement("therapist_availability", "availability", APPROVED_THERAPIST,
                "every approved therapist is available on at least {n} distinct weekdays", (3, 3, 3),
                _per(T.TherapistAvailability, "therapistId", "dayOfWeek", T.TherapistAvailability.c.isAvailable == sa.true())),
    # tier 2
    Requirement("client_pre_assessment", "assessments", CLIENT, "every client has at least {n} completed pre-assessments",
                (1, 1, 1), _per(T.PreAssessment, "clientId", "id", T.PreAssessment.c.isProcessed == sa.true()),
                from_version=(("2026-02", (2, 2, 2)),)),
    Requirement("client_journal_entries", "journals", CLIENT, "every client has written at least {n} journal entries",
                (2, 3, 5), _per(T.JournalEntry, "userId")),
    Requirement("client_preferences", "preferences", CLIENT, "every client has stated their therapy preferences",
                (1, 1, 1), _per(T.ClientPreferences, "clientId")),
    Requirement("community_group_sessions", "group_sessions", COMMUNITY_WITH_THERAPIST,
                "every community with a therapist member has at least {n} upcoming group session", (1, 1, 2),
                _upcoming_group_sessions),
    Requirement("group_session_therapists", "group_sessions", GROUP_SESSION,
                "every group session has at least {n} therapist who accepted its invitation", (1, 1, 1),
                _per(T.GroupSessionTherapistInvitations, "sessionId", "therapistId",
                     T.GroupSessionTherapistInvitations.c.status == "ACCEPTED")),
    Requirement("group_session_participants", "group_sessions", APPROVED_GROUP_SESSION,
                "every approved group session has at least {n} registered participants", (2, 3, 4),
                _per(T.GroupSessionParticipants, "sessionId", "userId",
                     T.GroupSessionParticipants.c.attendanceStatus != "CANCELLED")),
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
    Requirement("demo_client_upcoming_session", "meetings", DEMO_CLIENT,
                "the documented client has at least {n} session booked in the next 7 days", (1, 1, 1),
                lambda subjects, a: count_per(subjects, T.Meeting, T.Meeting.c.clientId, T.Meeting.c.id, *_soon(a))),
    Requirement("demo_therapist_sessions_this_week", "meetings", DEMO_THERAPIST,
                "the documented therapist has at least {n} sessions in the next 7 days", (2, 2, 2),
                lambda subjects, a: count_per(subjects, T.Meeting, T.Meeting.c.therapistId, T.Meeting.c.id, *_soon(a))),
    Requirement("demo_therapist_booking_requests", "meetings", DEMO_THERAPIST,
                "the documented therapist has at least {n} booking request waiting for an answer", (1, 1, 1),
                lambda subjects, a: count_per(subjects, T.Meeting, T.Meeting.c.therapistId, T.Meeting.c.id,
                                              T.Meeting.c.status == "WAITING", T.Meeting.c.startTime > a)),
    Requirement("demo_client_worksheet_due", "worksheets", DEMO_CLIENT,
                "the documented client has at least {n} worksheet due", (1, 1, 1),
                lambda subjects, a: count_per(subjects, T.Worksheet, T.Worksheet.c.clientId, T.Worksheet.c.id,
                                              T.Worksheet.c.status == "ASSIGNED", T.Worksheet.c.dueDate > a)),
    Requirement("client_worksheets", "worksheets", CLIENT_WITH_THERAPIST,
                "every client with a therapist has at least {n} worksheets", (1, 1, 1), _per(T.Worksheet, "clientId"),
                from_version=(("2026-02", (4, 4, 4)),)),
    Requirement("client_conversations", "messages", CLIENT, "every client is in at least {n} conversations", (2, 2, 2),
                _per(T.ConversationParticipant, "userId", "conversationId")),
    Requirement("conversation_messages", "messages", CLIENT_CONVERSATION,
                "every conversation of a client has at least {n} messages", (5, 5, 5), _per(T.Message, "conversationId")),
    Requirement("demo_client_recent_conversation", "messages", DEMO_CLIENT,
                "the documented client has at least {n} messages in the last 3 days", (2, 2, 2), _recent_messages),
    Requirement("demo_moderator_reports", "reports", DEMO_MODERATOR,
                "the documented moderator has at least {n} pending report in a community they moderate", (1, 1, 1),
                _pending_reports_to_moderate),
    Requirement("community_reports", "reports", COMMUNITY,
                "every community has at least {n} reports on its posts and comments", (3, 4, 6), _reports("id")),
    Requirement("community_report_statuses", "reports", COMMUNITY,
                "every community has reports in at least {n} statuses (pending, reviewed, dismissed)", (3, 3, 3),
                _reports("status")),
    # tier 5
    Requirement("therapist_reviews", "reviews", APPROVED_THERAPIST,
                "every approved therapist has at least {n} review tied to one of their completed meetings", (1, 1, 1),
                _reviews_per_therapist),
    Requirement("messages_read", "message_interactions", READ_MESSAGE,
                "every message but the latest two of its conversation has been read by at least {n} other participant",
                (1, 1, 1), _per(T.MessageReadReceipt, "messageId", "userId")),
    Requirement("conversation_reactions", "message_interactions", CLIENT_CONVERSATION,
                "every conversation of a client has at least {n} reaction", (1, 1, 1), _reactions_per_conversation),
    Requirement("client_payment_methods", "payments", CLIENT, "every client has at least {n} payment method", (1, 1, 1),
                _per(T.PaymentMethod, "userId")),
    Requirement("completed_meeting_payments", "payments", COMPLETED_MEETING,
                "every completed meeting has at least {n} payment", (1, 1, 1), _per(T.Payment, "meetingId")),
    Requirement("platform_blocks", "blocks", PLATFORM, "the platform has at least {n} user blocks", (2, 4, 8),
                _platform_blocks),
    # tier 6
    Requirement("client_notifications", "notifications", CLIENT, "every client has at least {n} notifications", (2, 2, 2),
                _per(T.Notification, "userId")),
    Requirement("therapist_notifications", "notifications", THERAPIST, "every therapist has at least {n} notifications",
                (2, 2, 2), _per(T.Notification, "userId")),
    Requirement("moderator_notifications", "notifications", MODERATOR, "every moderator has at least {n} notification",
                (1, 1, 1), _per(T.Notification, "userId")),
    Requirement("admin_notifications", "notifications", ADMIN, "every admin has at least {n} notification", (1, 1, 1),
                _per(T.Notification, "userId")),
    Requirement("demo_client_unread_notifications", "notifications", DEMO_CLIENT,
                "the documented client has at least {n} unread notification", (1, 1, 1),
                _per(T.Notification, "userId", "id", T.Notification.c.isRead == sa.false())),
    Requirement("client_engagement", "engagement", CLIENT, "every client has an engagement record", (1, 1, 1),
                _per(T.ClientEngagement, "clientId")),
    Requirement("therapist_performance", "performance", APPROVED_THERAPIST,
                "every approved therapist has a performance record", (1, 1, 1), _per(T.TherapistPerformance, "therapistId")),
)

BY_NAME: dict[str, Requirement] = {r.name: r for r in REQUIREMENTS}


def of_enricher(enricher: str) -> tuple[Requirement, ...]:
    return tuple(r for r in REQUIREMENTS if r.enricher == enricher)

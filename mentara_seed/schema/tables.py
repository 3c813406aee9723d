"""SQLAlchemy Core tables mirroring the DDL Prisma generates for Mentara.

One ``sa.Table`` per Prisma model, the Python name equal to the table name.
Column order, types, nullability, server defaults, primary keys, indexes
(Prisma creates unique keys as ``CREATE UNIQUE INDEX``, so they are unique
``sa.Index`` objects here, not constraints), foreign keys and enum types all
carry Prisma's exact names, so ``metadata.create_all`` on PostgreSQL yields a
schema that reflects identically to ``prisma migrate``'s (checked by
``mentara_seed_tests/test_schema.py``). The same metadata also works on SQLite.
"""

from __future__ import annotations

import sqlalchemy as sa

from .types import (
    CURRENT_TIMESTAMP,
    EMPTY_INT_ARRAY,
    EMPTY_TEXT_ARRAY,
    IntArray,
    Jsonb,
    Money,
    TextArray,
    Timestamp3,
    pg_enum,
)

metadata = sa.MetaData()

# ---------------------------------------------------------------------------
# Enum types (values in Prisma's order)
# ---------------------------------------------------------------------------

MEETING_STATUS = ("SCHEDULED", "WAITING", "CONFIRMED", "IN_PROGRESS", "COMPLETED", "CANCELLED", "NO_SHOW")
REPORT_STATUS = ("PENDING", "REVIEWED", "DISMISSED")
CONVERSATION_TYPE = ("DIRECT", "GROUP", "SESSION", "SUPPORT")
PARTICIPANT_ROLE = ("MEMBER", "MODERATOR", "ADMIN")
MESSAGE_TYPE = ("TEXT", "IMAGE", "AUDIO", "VIDEO", "SYSTEM")
NOTIFICATION_TYPE = (
    "APPOINTMENT_REMINDER",
    "APPOINTMENT_CONFIRMED",
    "APPOINTMENT_CANCELLED",
    "APPOINTMENT_RESCHEDULED",
    "MESSAGE_RECEIVED",
    "MESSAGE_REACTION",
    "WORKSHEET_ASSIGNED",
    "WORKSHEET_DUE",
    "WORKSHEET_FEEDBACK",
    "REVIEW_REQUEST",
    "REVIEW_RECEIVED",
    "THERAPIST_APPLICATION",
    "THERAPIST_APPROVED",
    "THERAPIST_REJECTED",
    "THERAPIST_STATUS_UPDATED",
    "THERAPIST_REQUEST_ACCEPTED",
    "THERAPIST_REQUEST_DECLINED",
    "ALTERNATIVE_RECOMMENDATIONS",
    "CLIENT_REQUEST_RECEIVED",
    "CLIENT_REQUEST_CANCELLED",
    "PROFILE_COMPLETION",
    "COMMUNITY_POST",
    "COMMUNITY_REPLY",
    "COMMUNITY_RECOMMENDATION",
    "COMMUNITY_JOINED",
    "COMMUNITY_WELCOME",
    "RECOMMENDATIONS_UPDATED",
    "NEW_RECOMMENDATIONS",
    "RELATIONSHIP_ESTABLISHED",
    "REQUEST_REMINDER",
    "SYSTEM_MAINTENANCE",
    "SYSTEM_UPDATE",
    "SECURITY_ALERT",
    "SCHEDULING_INFO",
    "PAYMENT_SUCCESS",
    "PAYMENT_FAILED",
    "SUBSCRIPTION_EXPIRING",
    "INCOMING_VIDEO_CALL",
    "VIDEO_CALL_MISSED",
    "VIDEO_CALL_ENDED",
)
NOTIFICATION_PRIORITY = ("LOW", "NORMAL", "HIGH", "URGENT")
PAYMENT_STATUS = ("PENDING", "COMPLETED", "FAILED", "REFUNDED")
PAYMENT_METHOD_TYPE = ("CARD", "BANK_ACCOUNT", "DIGITAL_WALLET", "GCASH", "MAYA")
THERAPIST_APPLICATION_STATUS = ("PENDING", "APPROVED", "REJECTED")
WORKSHEET_STATUS = ("ASSIGNED", "SUBMITTED", "REVIEWED", "OVERDUE")

MeetingStatus = pg_enum("MeetingStatus", MEETING_STATUS, metadata)
ReportStatus = pg_enum("ReportStatus", REPORT_STATUS, metadata)
ConversationType = pg_enum("ConversationType", CONVERSATION_TYPE, metadata)
ParticipantRole = pg_enum("ParticipantRole", PARTICIPANT_ROLE, metadata)
MessageType = pg_enum("MessageType", MESSAGE_TYPE, metadata)
NotificationType = pg_enum("NotificationType", NOTIFICATION_TYPE, metadata)
NotificationPriority = pg_enum("NotificationPriority", NOTIFICATION_PRIORITY, metadata)
PaymentStatus = pg_enum("PaymentStatus", PAYMENT_STATUS, metadata)
PaymentMethodType = pg_enum("PaymentMethodType", PAYMENT_METHOD_TYPE, metadata)
TherapistApplicationStatus = pg_enum("TherapistApplicationStatus", THERAPIST_APPLICATION_STATUS, metadata)
WorksheetStatus = pg_enum("WorksheetStatus", WORKSHEET_STATUS, metadata)

#: Enum name (as in PostgreSQL) -> ordered values.
ENUMS: dict[str, tuple[str, ...]] = {
    "MeetingStatus": MEETING_STATUS,
    "ReportStatus": REPORT_STATUS,
    "ConversationType": CONVERSATION_TYPE,
    "ParticipantRole": PARTICIPANT_ROLE,
    "MessageType": MESSAGE_TYPE,
    "NotificationType": NOTIFICATION_TYPE,
    "NotificationPriority": NOTIFICATION_PRIORITY,
    "PaymentStatus": PAYMENT_STATUS,
    "PaymentMethodType": PAYMENT_METHOD_TYPE,
    "TherapistApplicationStatus": THERAPIST_APPLICATION_STATUS,
    "WorksheetStatus": WORKSHEET_STATUS,
}

# ---------------------------------------------------------------------------
# Helpers (only to shorten the repetitive parts; names follow Prisma)
# ---------------------------------------------------------------------------


def _req(name: str, type_=sa.Text, **kw) -> sa.Column:
    """A ``NOT NULL`` column."""
    return sa.Column(name, type_, nullable=False, **kw)


def _opt(name: str, type_=sa.Text, **kw) -> sa.Column:
    """A nullable column."""
    return sa.Column(name, type_, nullable=True, **kw)


def _created(name: str = "createdAt") -> sa.Column:
    """``TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP``."""
    return _req(name, Timestamp3, server_default=CURRENT_TIMESTAMP)


def _updated() -> sa.Column:
    """Prisma's ``@updatedAt``: ``TIMESTAMP(3) NOT NULL``, no server default."""
    return _req("updatedAt", Timestamp3)


def _pk(table: str, *columns: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint(*columns, name=f"{table}_pkey")


def _fk(table: str, column: str, referred: str, *, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    """Prisma's ``"<Table>_<column>_fkey"``, always ``ON UPDATE CASCADE``."""
    return sa.ForeignKeyConstraint(
        [column], [referred], name=f"{table}_{column}_fkey", ondelete=ondelete, onupdate="CASCADE"
    )


def _text_array(name: str, *, empty_default: bool = True) -> sa.Column:
    """``TEXT[]`` (nullable), by default with ``DEFAULT ARRAY[]::TEXT[]``."""
    return _opt(name, TextArray, server_default=EMPTY_TEXT_ARRAY if empty_default else None)


def _int_array(name: str, *, empty_default: bool = True) -> sa.Column:
    """``INTEGER[]`` (nullable), by default with ``DEFAULT ARRAY[]::INTEGER[]``."""
    return _opt(name, IntArray, server_default=EMPTY_INT_ARRAY if empty_default else None)


def _ix(name: str, *columns, unique: bool = False) -> sa.Index:
    return sa.Index(name, *columns, unique=unique)


# ---------------------------------------------------------------------------
# Tables (in the order of Prisma's DDL)
# ---------------------------------------------------------------------------

Meeting = sa.Table(
    "Meeting",
    metadata,
    _req("id"),
    _opt("title"),
    _opt("description"),
    _req("startTime", Timestamp3),
    _opt("endTime", Timestamp3),
    _req("duration", sa.Integer, server_default=sa.text("60")),
    _req("status", MeetingStatus, server_default="SCHEDULED"),
    _req("meetingType", server_default="video"),
    _opt("meetingUrl"),
    _req("clientId"),
    _req("therapistId"),
    _created(),
    _updated(),
    _pk("Meeting", "id"),
    _fk("Meeting", "clientId", "Client.userId"),
    _fk("Meeting", "therapistId", "Therapist.userId"),
    _ix("Meeting_clientId_idx", "clientId"),
    _ix("Meeting_therapistId_idx", "therapistId"),
    _ix("Meeting_startTime_idx", "startTime"),
    _ix("Meeting_endTime_idx", "endTime"),
    _ix("Meeting_status_idx", "status"),
    _ix("Meeting_therapistId_startTime_status_idx", "therapistId", "startTime", "status"),
    _ix("Meeting_therapistId_startTime_endTime_idx", "therapistId", "startTime", "endTime"),
    _ix("Meeting_clientId_startTime_endTime_idx", "clientId", "startTime", "endTime"),
)

MeetingNotes = sa.Table(
    "MeetingNotes",
    metadata,
    _req("id"),
    _req("meetingId"),
    _req("notes"),
    _created(),
    _updated(),
    _pk("MeetingNotes", "id"),
    _fk("MeetingNotes", "meetingId", "Meeting.id"),
    _ix("MeetingNotes_id_key", "id", unique=True),
    _ix("MeetingNotes_meetingId_idx", "meetingId"),
)

TherapistAvailability = sa.Table(
    "TherapistAvailability",
    metadata,
    _req("id"),
    _req("therapistId"),
    _req("dayOfWeek"),
    _req("startTime"),
    _req("endTime"),
    _req("timezone", server_default="UTC"),
    _req("isAvailable", sa.Boolean, server_default=sa.true()),
    _opt("notes"),
    _created(),
    _updated(),
    _pk("TherapistAvailability", "id"),
    _fk("TherapistAvailability", "therapistId", "Therapist.userId"),
    _ix("TherapistAvailability_therapistId_idx", "therapistId"),
    _ix("TherapistAvailability_dayOfWeek_idx", "dayOfWeek"),
    # Prisma truncates identifiers to PostgreSQL's 63 characters.
    _ix(
        "TherapistAvailability_therapistId_dayOfWeek_startTime_endTi_key",
        "therapistId",
        "dayOfWeek",
        "startTime",
        "endTime",
        unique=True,
    ),
)

ClientTherapist = sa.Table(
    "ClientTherapist",
    metadata,
    _req("id"),
    _req("clientId"),
    _req("therapistId"),
    _req("status", server_default="active"),
    _created("assignedAt"),
    _pk("ClientTherapist", "id"),
    _fk("ClientTherapist", "clientId", "Client.userId"),
    _fk("ClientTherapist", "therapistId", "Therapist.userId"),
    _ix("ClientTherapist_clientId_idx", "clientId"),
    _ix("ClientTherapist_therapistId_idx", "therapistId"),
    _ix("ClientTherapist_clientId_status_idx", "clientId", "status"),
    _ix("ClientTherapist_clientId_therapistId_key", "clientId", "therapistId", unique=True),
)

Community = sa.Table(
    "Community",
    metadata,
    _req("id"),
    _req("name"),
    _req("slug"),
    _req("description"),
    _req("imageUrl"),
    _created(),
    _updated(),
    _pk("Community", "id"),
    _ix("Community_name_key", "name", unique=True),
    _ix("Community_slug_key", "slug", unique=True),
    _ix("Community_name_idx", "name"),
    _ix("Community_slug_idx", "slug"),
)

Membership = sa.Table(
    "Membership",
    metadata,
    _req("id"),
    _created("joinedAt"),
    _req("communityId"),
    _req("userId"),
    _pk("Membership", "id"),
    _fk("Membership", "communityId", "Community.id"),
    _fk("Membership", "userId", "User.id"),
    _ix("Membership_userId_idx", "userId"),
    _ix("Membership_communityId_idx", "communityId"),
    _ix("Membership_userId_communityId_key", "userId", "communityId", unique=True),
)

ModeratorCommunity = sa.Table(
    "ModeratorCommunity",
    metadata,
    _req("id"),
    _req("moderatorId"),
    _req("communityId"),
    _created("assignedAt"),
    _pk("ModeratorCommunity", "id"),
    _fk("ModeratorCommunity", "communityId", "Community.id"),
    _fk("ModeratorCommunity", "moderatorId", "Moderator.userId"),
    _ix("ModeratorCommunity_moderatorId_idx", "moderatorId"),
    _ix("ModeratorCommunity_communityId_idx", "communityId"),
    _ix("ModeratorCommunity_moderatorId_communityId_key", "moderatorId", "communityId", unique=True),
)

RoomGroup = sa.Table(
    "RoomGroup",
    metadata,
    _req("id"),
    _req("name"),
    _req("order", sa.Integer),
    _req("communityId"),
    _pk("RoomGroup", "id"),
    _fk("RoomGroup", "communityId", "Community.id"),
)

Room = sa.Table(
    "Room",
    metadata,
    _req("id"),
    _req("name"),
    _req("order", sa.Integer),
    _req("postingRole", server_default="member"),
    _req("roomGroupId"),
    _pk("Room", "id"),
    _fk("Room", "roomGroupId", "RoomGroup.id"),
)

Post = sa.Table(
    "Post",
    metadata,
    _req("id"),
    _req("title"),
    _req("content"),
    _created(),
    _updated(),
    _req("userId"),
    _opt("roomId"),
    _text_array("attachmentUrls"),
    _text_array("attachmentNames"),
    _int_array("attachmentSizes"),
    _pk("Post", "id"),
    _fk("Post", "roomId", "Room.id", ondelete="SET NULL"),
    _fk("Post", "userId", "User.id"),
    _ix("Post_userId_idx", "userId"),
    _ix("Post_roomId_idx", "roomId"),
)

Comment = sa.Table(
    "Comment",
    metadata,
    _req("id"),
    _req("postId"),
    _req("userId"),
    _req("content"),
    _opt("parentId"),
    _created(),
    _updated(),
    _text_array("attachmentUrls"),
    _text_array("attachmentNames"),
    _int_array("attachmentSizes"),
    _pk("Comment", "id"),
    # Self-reference (replies); SQLAlchemy's dependency sort ignores it.
    _fk("Comment", "parentId", "Comment.id"),
    _fk("Comment", "postId", "Post.id"),
    _fk("Comment", "userId", "User.id"),
    _ix("Comment_postId_idx", "postId"),
    _ix("Comment_userId_idx", "userId"),
    _ix("Comment_parentId_idx", "parentId"),
    _ix("Comment_postId_parentId_idx", "postId", "parentId"),
)

CommentHeart = sa.Table(
    "CommentHeart",
    metadata,
    _req("id"),
    _req("commentId"),
    _created(),
    _req("userId"),
    _pk("CommentHeart", "id"),
    _fk("CommentHeart", "commentId", "Comment.id"),
    _fk("CommentHeart", "userId", "User.id"),
    _ix("CommentHeart_commentId_idx", "commentId"),
    _ix("CommentHeart_userId_idx", "userId"),
    _ix("CommentHeart_commentId_userId_key", "commentId", "userId", unique=True),
)

PostHeart = sa.Table(
    "PostHeart",
    metadata,
    _req("id"),
    _req("postId"),
    _created(),
    _req("userId"),
    _pk("PostHeart", "id"),
    _fk("PostHeart", "postId", "Post.id"),
    _fk("PostHeart", "userId", "User.id"),
    _ix("PostHeart_postId_idx", "postId"),
    _ix("PostHeart_userId_idx", "userId"),
    _ix("PostHeart_postId_userId_key", "postId", "userId", unique=True),
)

Report = sa.Table(
    "Report",
    metadata,
    _req("id"),
    _req("reason"),
    _opt("content"),
    _req("status", ReportStatus, server_default="PENDING"),
    _opt("postId"),
    _opt("commentId"),
    _opt("reportedUserId"),
    _req("reporterId"),
    _created(),
    _updated(),
    _pk("Report", "id"),
    _fk("Report", "commentId", "Comment.id"),
    _fk("Report", "postId", "Post.id"),
    _fk("Report", "reportedUserId", "User.id"),
    _fk("Report", "reporterId", "User.id"),
    _ix("Report_reporterId_idx", "reporterId"),
    _ix("Report_postId_idx", "postId"),
    _ix("Report_commentId_idx", "commentId"),
    _ix("Report_reportedUserId_idx", "reportedUserId"),
)

Conversation = sa.Table(
    "Conversation",
    metadata,
    _req("id"),
    _req("type", ConversationType, server_default="DIRECT"),
    _opt("title"),
    _req("isActive", sa.Boolean, server_default=sa.true()),
    _opt("lastMessageAt", Timestamp3),
    _created(),
    _updated(),
    _pk("Conversation", "id"),
    _ix("Conversation_lastMessageAt_idx", "lastMessageAt"),
    _ix("Conversation_isActive_idx", "isActive"),
    _ix("Conversation_type_idx", "type"),
)

ConversationParticipant = sa.Table(
    "ConversationParticipant",
    metadata,
    _req("id"),
    _req("conversationId"),
    _req("userId"),
    _created("joinedAt"),
    _opt("lastReadAt", Timestamp3),
    _req("role", ParticipantRole, server_default="MEMBER"),
    _req("isActive", sa.Boolean, server_default=sa.true()),
    _req("isMuted", sa.Boolean, server_default=sa.false()),
    _pk("ConversationParticipant", "id"),
    _fk("ConversationParticipant", "conversationId", "Conversation.id"),
    _fk("ConversationParticipant", "userId", "User.id"),
    _ix("ConversationParticipant_userId_idx", "userId"),
    _ix("ConversationParticipant_conversationId_idx", "conversationId"),
    _ix("ConversationParticipant_isActive_idx", "isActive"),
    _ix("ConversationParticipant_conversationId_userId_key", "conversationId", "userId", unique=True),
)

Message = sa.Table(
    "Message",
    metadata,
    _req("id"),
    _req("conversationId"),
    _req("senderId"),
    _req("content"),
    _req("messageType", MessageType, server_default="TEXT"),
    _text_array("attachmentUrls"),
    _text_array("attachmentNames"),
    _int_array("attachmentSizes"),
    _opt("replyToId"),
    _req("isEdited", sa.Boolean, server_default=sa.false()),
    _req("isDeleted", sa.Boolean, server_default=sa.false()),
    _opt("editedAt", Timestamp3),
    _created(),
    _updated(),
    _pk("Message", "id"),
    _fk("Message", "conversationId", "Conversation.id"),
    # Self-reference (replies); SQLAlchemy's dependency sort ignores it.
    _fk("Message", "replyToId", "Message.id", ondelete="SET NULL"),
    _fk("Message", "senderId", "User.id"),
    _ix("Message_conversationId_createdAt_isDeleted_idx", "conversationId", "createdAt", "isDeleted"),
    _ix("Message_senderId_idx", "senderId"),
    _ix("Message_messageType_idx", "messageType"),
    _ix("Message_isDeleted_idx", "isDeleted"),
)

MessageReadReceipt = sa.Table(
    "MessageReadReceipt",
    metadata,
    _req("id"),
    _req("messageId"),
    _req("userId"),
    _created("readAt"),
    _pk("MessageReadReceipt", "id"),
    _fk("MessageReadReceipt", "messageId", "Message.id"),
    _fk("MessageReadReceipt", "userId", "User.id"),
    _ix("MessageReadReceipt_messageId_idx", "messageId"),
    _ix("MessageReadReceipt_userId_idx", "userId"),
    _ix("MessageReadReceipt_messageId_userId_key", "messageId", "userId", unique=True),
)

MessageReaction = sa.Table(
    "MessageReaction",
    metadata,
    _req("id"),
    _req("messageId"),
    _req("userId"),
    _req("emoji"),
    _created(),
    _pk("MessageReaction", "id"),
    _fk("MessageReaction", "messageId", "Message.id"),
    _fk("MessageReaction", "userId", "User.id"),
    _ix("MessageReaction_messageId_idx", "messageId"),
    _ix("MessageReaction_userId_idx", "userId"),
    _ix("MessageReaction_messageId_userId_emoji_key", "messageId", "userId", "emoji", unique=True),
)

# Note: Prisma generates no foreign keys for TypingIndicator.
TypingIndicator = sa.Table(
    "TypingIndicator",
    metadata,
    _req("id"),
    _req("conversationId"),
    _req("userId"),
    _req("isTyping", sa.Boolean, server_default=sa.true()),
    _created("lastTypingAt"),
    _pk("TypingIndicator", "id"),
    _ix("TypingIndicator_conversationId_idx", "conversationId"),
    _ix("TypingIndicator_lastTypingAt_idx", "lastTypingAt"),
    _ix("TypingIndicator_conversationId_userId_key", "conversationId", "userId", unique=True),
)

UserBlock = sa.Table(
    "UserBlock",
    metadata,
    _req("id"),
    _req("blockerId"),
    _req("blockedId"),
    _opt("reason"),
    _created(),
    _pk("UserBlock", "id"),
    _fk("UserBlock", "blockedId", "User.id"),
    _fk("UserBlock", "blockerId", "User.id"),
    _ix("UserBlock_blockerId_idx", "blockerId"),
    _ix("UserBlock_blockedId_idx", "blockedId"),
    _ix("UserBlock_blockerId_blockedId_key", "blockerId", "blockedId", unique=True),
)

Notification = sa.Table(
    "Notification",
    metadata,
    _req("id"),
    _req("userId"),
    _req("title"),
    _req("message"),
    _req("type", NotificationType),
    _req("priority", NotificationPriority, server_default="NORMAL"),
    _opt("data", Jsonb),
    _opt("actionUrl"),
    _req("isRead", sa.Boolean, server_default=sa.false()),
    _opt("readAt", Timestamp3),
    _created(),
    _updated(),
    _pk("Notification", "id"),
    _fk("Notification", "userId", "User.id"),
    _ix("Notification_userId_idx", "userId"),
    _ix("Notification_isRead_idx", "isRead"),
    _ix("Notification_type_idx", "type"),
    _ix("Notification_priority_idx", "priority"),
    _ix("Notification_createdAt_idx", "createdAt"),
)
# The one index with a non-default sort order: ("userId", "isRead", "createdAt" DESC).
_ix(
    "Notification_userId_isRead_createdAt_idx",
    Notification.c.userId,
    Notification.c.isRead,
    Notification.c.createdAt.desc(),
)

Payment = sa.Table(
    "Payment",
    metadata,
    _req("id"),
    _req("amount", Money),
    _req("currency", server_default="USD"),
    _req("status", PaymentStatus, server_default="PENDING"),
    _req("clientId"),
    _req("therapistId"),
    _opt("meetingId"),
    _opt("paymentMethodId"),
    _opt("processedAt", Timestamp3),
    _opt("failedAt", Timestamp3),
    _opt("failureReason"),
    _created(),
    _updated(),
    _pk("Payment", "id"),
    _fk("Payment", "clientId", "Client.userId"),
    _fk("Payment", "meetingId", "Meeting.id", ondelete="SET NULL"),
    _fk("Payment", "paymentMethodId", "PaymentMethod.id", ondelete="SET NULL"),
    _fk("Payment", "therapistId", "Therapist.userId"),
    _ix("Payment_clientId_idx", "clientId"),
    _ix("Payment_therapistId_idx", "therapistId"),
    _ix("Payment_status_idx", "status"),
    _ix("Payment_meetingId_idx", "meetingId"),
)

PaymentMethod = sa.Table(
    "PaymentMethod",
    metadata,
    _req("id"),
    _req("userId"),
    _req("type", PaymentMethodType, server_default="CARD"),
    _opt("nickname"),
    _req("isDefault", sa.Boolean, server_default=sa.false()),
    _req("isActive", sa.Boolean, server_default=sa.true()),
    _opt("lastUsed", Timestamp3),
    _opt("cardLast4"),
    _opt("cardBrand"),
    _opt("cardholderName"),
    _opt("cardNumber"),
    _opt("expiryMonth", sa.Integer),
    _opt("expiryYear", sa.Integer),
    _opt("cardType"),
    _opt("bankName"),
    _opt("accountHolderName"),
    _opt("accountType"),
    _opt("routingNumber"),
    _opt("accountLast4"),
    _opt("walletProvider"),
    _opt("walletEmail"),
    _opt("walletAccountName"),
    _opt("gcashNumber"),
    _opt("gcashName"),
    _opt("isVerified", sa.Boolean),
    _opt("gcashEmail"),
    _opt("mayaNumber"),
    _opt("mayaName"),
    _opt("mayaVerified", sa.Boolean),
    _opt("mayaEmail"),
    _opt("billingAddress", Jsonb),
    _created(),
    _updated(),
    _pk("PaymentMethod", "id"),
    _fk("PaymentMethod", "userId", "User.id"),
    _ix("PaymentMethod_userId_idx", "userId"),
    _ix("PaymentMethod_isDefault_idx", "isDefault"),
    _ix("PaymentMethod_type_idx", "type"),
)

PreAssessment = sa.Table(
    "PreAssessment",
    metadata,
    _req("id"),
    _created(),
    _updated(),
    _req("clientId"),
    _req("answers", Jsonb),
    _req("scores", Jsonb),
    _req("severityLevels", Jsonb),
    _req("aiEstimate", Jsonb),
    _req("isProcessed", sa.Boolean, server_default=sa.false()),
    _opt("processedAt", Timestamp3),
    _pk("PreAssessment", "id"),
    _fk("PreAssessment", "clientId", "Client.userId"),
    _ix("PreAssessment_clientId_key", "clientId", unique=True),
    _ix("PreAssessment_clientId_idx", "clientId"),
)

Review = sa.Table(
    "Review",
    metadata,
    _req("id"),
    _req("rating", sa.Integer),
    _opt("title"),
    _opt("content"),
    _req("isAnonymous", sa.Boolean, server_default=sa.false()),
    _req("clientId"),
    _req("therapistId"),
    _opt("meetingId"),
    _req("isVerified", sa.Boolean, server_default=sa.false()),
    _created(),
    _updated(),
    _pk("Review", "id"),
    _fk("Review", "clientId", "Client.userId"),
    _fk("Review", "meetingId", "Meeting.id", ondelete="SET NULL"),
    _fk("Review", "therapistId", "Therapist.userId"),
    _ix("Review_therapistId_idx", "therapistId"),
    _ix("Review_clientId_idx", "clientId"),
    _ix("Review_rating_idx", "rating"),
    _ix("Review_createdAt_idx", "createdAt"),
    _ix("Review_clientId_therapistId_meetingId_key", "clientId", "therapistId", "meetingId", unique=True),
)

Therapist = sa.Table(
    "Therapist",
    metadata,
    _req("userId"),
    _req("mobile"),
    _req("province"),
    _req("timezone", server_default="UTC"),
    _req("status", TherapistApplicationStatus, server_default="PENDING"),
    _created("submissionDate"),
    _created("processingDate"),
    _opt("processedByAdminId"),
    _req("providerType"),
    _req("professionalLicenseType"),
    _req("isPRCLicensed"),
    _req("prcLicenseNumber"),
    _req("expirationDateOfLicense", Timestamp3),
    _req("practiceStartDate", Timestamp3),
    _req("licenseVerified", sa.Boolean, server_default=sa.false()),
    _opt("licenseVerifiedAt", Timestamp3),
    _opt("licenseVerifiedBy"),
    _opt("certifications", Jsonb),
    _text_array("certificateUrls"),
    _text_array("certificateNames"),
    _text_array("licenseUrls"),
    _text_array("licenseNames"),
    _text_array("documentUrls"),
    _text_array("documentNames"),
    _opt("yearsOfExperience", sa.Integer),
    _opt("educationBackground"),
    _text_array("specialCertifications", empty_default=False),
    _opt("practiceLocation"),
    _req("acceptsInsurance", sa.Boolean, server_default=sa.false()),
    _text_array("acceptedInsuranceTypes", empty_default=False),
    _text_array("areasOfExpertise", empty_default=False),
    _text_array("assessmentTools", empty_default=False),
    _text_array("therapeuticApproachesUsedList", empty_default=False),
    _text_array("languagesOffered", empty_default=False),
    _req("providedOnlineTherapyBefore", sa.Boolean),
    _req("comfortableUsingVideoConferencing", sa.Boolean),
    _int_array("preferredSessionLength", empty_default=False),
    _opt("privateConfidentialSpace"),
    _req("compliesWithDataPrivacyAct", sa.Boolean),
    _opt("professionalLiabilityInsurance"),
    _opt("complaintsOrDisciplinaryActions"),
    _req("willingToAbideByPlatformGuidelines", sa.Boolean),
    _text_array("expertise", empty_default=False),
    _text_array("approaches", empty_default=False),
    _text_array("languages", empty_default=False),
    _text_array("illnessSpecializations", empty_default=False),
    _text_array("acceptTypes", empty_default=False),
    _req("treatmentSuccessRates", Jsonb),
    _req("sessionLength"),
    _req("hourlyRate", Money),
    _created(),
    _updated(),
    _pk("Therapist", "userId"),
    _fk("Therapist", "processedByAdminId", "Admin.userId", ondelete="SET NULL"),
    _fk("Therapist", "userId", "User.id"),
    _ix("Therapist_userId_key", "userId", unique=True),
    _ix("Therapist_userId_idx", "userId"),
    _ix("Therapist_status_idx", "status"),
    _ix("Therapist_timezone_idx", "timezone"),
)

User = sa.Table(
    "User",
    metadata,
    _req("id"),
    _req("email"),
    _req("firstName"),
    _opt("middleName"),
    _req("lastName"),
    _opt("birthDate", Timestamp3),
    _opt("address"),
    _req("role", server_default="client"),
    _created(),
    _updated(),
    _opt("password"),
    _req("emailVerified", sa.Boolean, server_default=sa.false()),
    _opt("emailVerifyToken"),
    _opt("emailVerifyTokenExp", Timestamp3),
    _opt("resetToken"),
    _opt("resetTokenExpiry", Timestamp3),
    _req("isActive", sa.Boolean, server_default=sa.true()),
    _req("failedLoginCount", sa.Integer, server_default=sa.text("0")),
    _opt("avatarUrl"),
    _opt("coverImageUrl"),
    _opt("bio"),
    _opt("suspendedAt", Timestamp3),
    _opt("suspendedBy"),
    _opt("suspensionReason"),
    _opt("deactivatedAt", Timestamp3),
    _opt("deactivatedBy"),
    _opt("deactivationReason"),
    _opt("lastLoginAt", Timestamp3),
    _opt("lockoutUntil", Timestamp3),
    _pk("User", "id"),
    _ix("User_id_key", "id", unique=True),
    _ix("User_email_key", "email", unique=True),
    _ix("User_emailVerifyToken_key", "emailVerifyToken", unique=True),
    _ix("User_resetToken_key", "resetToken", unique=True),
    _ix("User_email_idx", "email"),
    _ix("User_role_idx", "role"),
)

Client = sa.Table(
    "Client",
    metadata,
    _req("userId"),
    _req("hasSeenTherapistRecommendations", sa.Boolean, server_default=sa.false()),
    _created(),
    # Unlike every other table, Client.updatedAt has DEFAULT CURRENT_TIMESTAMP.
    _req("updatedAt", Timestamp3, server_default=CURRENT_TIMESTAMP),
    _pk("Client", "userId"),
    _fk("Client", "userId", "User.id"),
    _ix("Client_userId_key", "userId", unique=True),
    _ix("Client_userId_idx", "userId"),
)

Moderator = sa.Table(
    "Moderator",
    metadata,
    _req("userId"),
    _text_array("permissions", empty_default=False),
    _opt("assignedCommunities", Jsonb),
    _created(),
    _updated(),
    _pk("Moderator", "userId"),
    _fk("Moderator", "userId", "User.id"),
    _ix("Moderator_userId_key", "userId", unique=True),
    _ix("Moderator_userId_idx", "userId"),
)

Admin = sa.Table(
    "Admin",
    metadata,
    _req("userId"),
    _text_array("permissions", empty_default=False),
    _req("adminLevel", server_default="admin"),
    _created(),
    _updated(),
    _pk("Admin", "userId"),
    _fk("Admin", "userId", "User.id"),
    _ix("Admin_userId_key", "userId", unique=True),
    _ix("Admin_userId_idx", "userId"),
)

Worksheet = sa.Table(
    "Worksheet",
    metadata,
    _req("id"),
    _req("clientId"),
    _req("therapistId"),
    _req("title"),
    _req("instructions"),
    _req("dueDate", Timestamp3),
    _req("status", WorksheetStatus, server_default="ASSIGNED"),
    _text_array("materialUrls"),
    _text_array("materialNames"),
    _created(),
    _updated(),
    _pk("Worksheet", "id"),
    _fk("Worksheet", "clientId", "Client.userId"),
    _fk("Worksheet", "therapistId", "Therapist.userId"),
    _ix("Worksheet_clientId_idx", "clientId"),
    _ix("Worksheet_therapistId_idx", "therapistId"),
    _ix("Worksheet_status_idx", "status"),
    _ix("Worksheet_dueDate_idx", "dueDate"),
)

WorksheetSubmission = sa.Table(
    "WorksheetSubmission",
    metadata,
    _req("id"),
    _req("worksheetId"),
    _text_array("fileUrls", empty_default=False),
    _text_array("fileNames", empty_default=False),
    _int_array("fileSizes", empty_default=False),
    _created("submittedAt"),
    _opt("feedback"),
    _pk("WorksheetSubmission", "id"),
    _fk("WorksheetSubmission", "worksheetId", "Worksheet.id"),
    _ix("WorksheetSubmission_worksheetId_key", "worksheetId", unique=True),
    _ix("WorksheetSubmission_worksheetId_idx", "worksheetId"),
    _ix("WorksheetSubmission_submittedAt_idx", "submittedAt"),
)

#: The 33 table names in dependency (create) order: parents before children.
TABLE_NAMES: tuple[str, ...] = tuple(t.name for t in metadata.sorted_tables)

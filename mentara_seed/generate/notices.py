"""Notifications as the Mentara app sends them: one per real event, to the person it concerns.

Each kind names the event it reports (a message received, a comment on your
post, a worksheet assigned, a session confirmed, a booking request, a review,
an approved application, a report to review, an application to review), who
receives it, its wording and ``data`` as the API writes them
(``notifications/notifications.service.ts``; a meeting is ``appointmentId``
there), and an ``actionUrl`` that opens the entity in the web app (its real
routes, ``apps/web/app/(protected)``). The same ``select`` finds the events a
notification can be made of and, for the integrity check, the event a
notification claims to be about: it is dated at that event and goes to that
person.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from mentara_seed.generate.keys import made_by_seeder
from mentara_seed.schema import tables as T

U, Msg, CP = T.User, T.Message, T.ConversationParticipant
Sender = U.alias("sender")
# A notification follows its event within this long (the API creates it in the same request).
DELAY = dt.timedelta(minutes=2)


@dataclass(frozen=True)
class Kind:
    type: str
    key: str  # the data key naming the event's entity
    roles: tuple[str, ...]  # who receives it
    # (recipient, entity, at, role, ...): every such event worth a notification now, or (any_status=True)
    # every one that ever was (a session booked, then cancelled, was still booked when notified)
    select: Callable[..., sa.Select]
    build: Callable[[sa.Row], tuple[str, str, dict, str, str]]  # -> (title, message, data, actionUrl, priority)


def _preview(text: str | None) -> str:
    text = text or ""
    return text[:100] + ("..." if len(text) > 100 else "")


def _messages(any_status: bool = False) -> sa.Select:
    return (sa.select(CP.c.userId.label("recipient"), Msg.c.id.label("entity"), Msg.c.createdAt.label("at"),
                      U.c.role, Msg.c.senderId, Msg.c.conversationId, Msg.c.content, Sender.c.firstName,
                      Sender.c.lastName)
            .join(Msg, sa.and_(Msg.c.conversationId == CP.c.conversationId, Msg.c.senderId != CP.c.userId))
            .join(U, U.c.id == CP.c.userId).join(Sender, Sender.c.id == Msg.c.senderId)
            .where(sa.true() if any_status else Msg.c.isDeleted == sa.false()))


def _message(row) -> tuple:
    sender = f"{row.firstName} {row.lastName}"
    url = (f"/therapist/messages?userId={row.senderId}" if row.role == "therapist"
           else f"/client/messages?contact={row.senderId}")
    data = {"senderId": row.senderId, "conversationId": row.conversationId, "messagePreview": _preview(row.content),
            "senderName": sender, "messageId": row.entity}
    return "New Message", f"You have a new message from {sender}.", data, url, "NORMAL"


def _comments(any_status: bool = False) -> sa.Select:
    C, P = T.Comment, T.Post
    return (sa.select(P.c.userId.label("recipient"), C.c.id.label("entity"), C.c.createdAt.label("at"), U.c.role,
                      C.c.postId, C.c.userId.label("authorId"), C.c.parentId, C.c.content, P.c.title,
                      Sender.c.firstName, Sender.c.lastName)
            .join(P, P.c.id == C.c.postId).join(U, U.c.id == P.c.userId).join(Sender, Sender.c.id == C.c.userId)
            .where(C.c.userId != P.c.userId))


def _comment(row) -> tuple:
    author = f"{row.firstName} {row.lastName}"
    url = f"/{'therapist' if row.role == 'therapist' else 'client'}/community/posts/{row.postId}"
    data = {"commentId": row.entity, "postId": row.postId, "authorId": row.authorId, "authorName": author,
            "parentCommentId": row.parentId, "postTitle": row.title}
    return ("New Comment on Your Post", f'{author} commented on your post: "{_preview(row.content)}"', data, url,
            "NORMAL")


def _worksheets(any_status: bool = False) -> sa.Select:
    W = T.Worksheet
    return (sa.select(W.c.clientId.label("recipient"), W.c.id.label("entity"), W.c.createdAt.label("at"), U.c.role,
                      W.c.title, Sender.c.firstName, Sender.c.lastName)
            .join(U, U.c.id == W.c.clientId).join(Sender, Sender.c.id == W.c.therapistId))


def _worksheet(row) -> tuple:
    return ("New Worksheet Assigned",
            f'{row.firstName} {row.lastName} has assigned you a new worksheet: "{row.title}".',
            {"worksheetId": row.entity}, f"/client/worksheets/{row.entity}", "NORMAL")


def _confirmed(any_status: bool = False) -> sa.Select:
    M = T.Meeting
    return (sa.select(M.c.clientId.label("recipient"), M.c.id.label("entity"), M.c.createdAt.label("at"), U.c.role,
                      M.c.therapistId, M.c.startTime, M.c.duration, M.c.meetingType, Sender.c.firstName,
                      Sender.c.lastName)
            .join(U, U.c.id == M.c.clientId).join(Sender, Sender.c.id == M.c.therapistId)
            .where(sa.true() if any_status else M.c.status.in_(("CONFIRMED", "SCHEDULED", "COMPLETED"))))


def _when(moment: dt.datetime) -> str:
    local = moment + dt.timedelta(hours=8)
    return local.strftime("%a %d %b at %I:%M %p").replace(" 0", " ")


def _booked(row) -> tuple:
    data = {"appointmentId": row.entity, "therapistId": row.therapistId, "startTime": row.startTime.isoformat() + "Z",
            "duration": row.duration, "meetingType": row.meetingType}
    return ("Session Booked Successfully!",
            f"Your session with {row.firstName} {row.lastName} on {_when(row.startTime)} is booked.",
            data, f"/client/sessions/{row.entity}", "HIGH")


def _requests(any_status: bool = False) -> sa.Select:
    M = T.Meeting
    return (sa.select(M.c.therapistId.label("recipient"), M.c.id.label("entity"), M.c.createdAt.label("at"), U.c.role,
                      M.c.clientId, M.c.startTime, M.c.duration, Sender.c.firstName, Sender.c.lastName)
            .join(U, U.c.id == M.c.therapistId).join(Sender, Sender.c.id == M.c.clientId)
            .where(sa.true() if any_status else M.c.status.in_(("WAITING", "SCHEDULED", "CONFIRMED", "COMPLETED"))))


def _request(row) -> tuple:
    data = {"appointmentId": row.entity, "clientId": row.clientId, "startTime": row.startTime.isoformat() + "Z",
            "duration": row.duration}
    return ("New Session Booked", f"{row.firstName} {row.lastName} booked a session on {_when(row.startTime)}.",
            data, "/therapist/schedule", "HIGH")


def _reviews(any_status: bool = False) -> sa.Select:
    R = T.Review
    return (sa.select(R.c.therapistId.label("recipient"), R.c.id.label("entity"), R.c.createdAt.label("at"), U.c.role,
                      R.c.rating, R.c.meetingId).join(U, U.c.id == R.c.therapistId))


def _review(row) -> tuple:
    return ("New review", f"A client rated a session {row.rating} out of 5.",
            {"reviewId": row.entity, "meetingId": row.meetingId, "rating": row.rating}, "/therapist", "NORMAL")


def _approvals(any_status: bool = False) -> sa.Select:
    Th = T.Therapist
    return (sa.select(Th.c.userId.label("recipient"), Th.c.userId.label("entity"), Th.c.processingDate.label("at"),
                      U.c.role).join(U, U.c.id == Th.c.userId)
            .where(Th.c.status.not_in(("PENDING", "REJECTED")) if any_status else Th.c.status == "APPROVED"))


def _approval(row) -> tuple:
    return ("Application Approved", "Congratulations! Your therapist application has been approved.",
            {"status": "approved", "therapistId": row.entity}, "/therapist", "HIGH")


def _reports(any_status: bool = False) -> sa.Select:
    """Reports on a post or a comment, to each moderator of the community it is in."""
    R, MC, RG, Rm, P, C = T.Report, T.ModeratorCommunity, T.RoomGroup, T.Room, T.Post, T.Comment
    return (sa.select(MC.c.moderatorId.label("recipient"), R.c.id.label("entity"), R.c.createdAt.label("at"), U.c.role,
                      R.c.reason, P.c.id.label("postId"), R.c.commentId, RG.c.communityId, T.Community.c.name)
            .select_from(R).outerjoin(C, C.c.id == R.c.commentId)
            .join(P, P.c.id == sa.func.coalesce(R.c.postId, C.c.postId))
            .join(Rm, Rm.c.id == P.c.roomId).join(RG, RG.c.id == Rm.c.roomGroupId)
            .join(MC, MC.c.communityId == RG.c.communityId).join(U, U.c.id == MC.c.moderatorId)
            .join(T.Community, T.Community.c.id == RG.c.communityId))


def _report(row) -> tuple:
    what = "A comment" if row.commentId else "A post"
    data = {"reportId": row.entity, "postId": row.postId, "communityId": row.communityId, "reason": row.reason}
    if row.commentId:
        data["commentId"] = row.commentId
    return ("New report to review", f"{what} in {row.name} was reported for {row.reason.replace('_', ' ')}.",
            data, "/moderator/reports", "NORMAL")


def _applications(any_status: bool = False) -> sa.Select:
    Th, A = T.Therapist, T.Admin
    return (sa.select(A.c.userId.label("recipient"), Th.c.userId.label("entity"), Th.c.submissionDate.label("at"),
                      U.c.role, Th.c.providerType, Sender.c.firstName, Sender.c.lastName)
            .select_from(A).join(Th, sa.true()).join(U, U.c.id == A.c.userId).join(Sender, Sender.c.id == Th.c.userId)
            .where(sa.true() if any_status else Th.c.status == "PENDING"))


def _application(row) -> tuple:
    return ("New therapist application", f"{row.firstName} {row.lastName} applied to join as a {row.providerType.lower()}.",
            {"therapistId": row.entity}, f"/admin/therapist-applications/{row.entity}", "HIGH")


KINDS: tuple[Kind, ...] = (
    Kind("MESSAGE_RECEIVED", "messageId", ("client", "therapist"), _messages, _message),
    Kind("COMMUNITY_REPLY", "commentId", ("client", "therapist"), _comments, _comment),
    Kind("WORKSHEET_ASSIGNED", "worksheetId", ("client",), _worksheets, _worksheet),
    Kind("APPOINTMENT_CONFIRMED", "appointmentId", ("client",), _confirmed, _booked),
    Kind("CLIENT_REQUEST_RECEIVED", "appointmentId", ("therapist",), _requests, _request),
    Kind("REVIEW_RECEIVED", "reviewId", ("therapist",), _reviews, _review),
    Kind("THERAPIST_APPROVED", "therapistId", ("therapist",), _approvals, _approval),
    Kind("SYSTEM_UPDATE", "reportId", ("moderator",), _reports, _report),
    Kind("THERAPIST_APPLICATION", "therapistId", ("admin",), _applications, _application),
)
BY_TYPE = {kind.type: kind for kind in KINDS}


def row(notification_id: str, recipient: str, kind: Kind, event, created: dt.datetime, read_at: dt.datetime | None) -> dict:
    title, message, data, url, priority = kind.build(event)
    return {"id": notification_id, "userId": recipient, "title": title, "message": message, "type": kind.type,
            "priority": priority, "data": data, "actionUrl": url, "isRead": read_at is not None, "readAt": read_at,
            "createdAt": created, "updatedAt": read_at or created}


# A notification is sent as its event happens (the app's event handlers): within minutes.
NOTIFIED_WITHIN = dt.timedelta(minutes=10)


def unfounded(conn) -> list[tuple[str, str, bool]]:
    """``(id, reason, gone)`` of each of the seeder's notifications that is not about a real event of
    its recipient as the app would send it: a type it does not send, ``data`` without the event's id,
    no such event (``gone``: deleted since), another link than the event's, or a date not at it."""
    N = T.Notification
    by_type: dict[str, list] = defaultdict(list)
    out = []
    for row in conn.execute(sa.select(N.c.id, N.c.userId, N.c.type, N.c.data, N.c.actionUrl, N.c.createdAt)
                            .where(made_by_seeder(N.c.id))):
        data = json.loads(row.data) if isinstance(row.data, str) else row.data
        kind = BY_TYPE.get(row.type)
        if kind is None:
            out.append((row.id, f"type {row.type}", False))
        elif not isinstance(data, dict) or not data.get(kind.key):
            out.append((row.id, f"data without {kind.key}", False))
        else:
            by_type[row.type].append((row, data[kind.key]))
    for type_, wanted in sorted(by_type.items()):
        kind = BY_TYPE[type_]
        events = {}
        found = kind.select(any_status=True).subquery()
        entities = sorted({entity for _, entity in wanted})
        for k in range(0, len(entities), 5000):
            for event in conn.execute(sa.select(found).where(found.c.entity.in_(entities[k:k + 5000]))):
                events[(event.recipient, event.entity)] = event
        for row, entity in wanted:
            event = events.get((row.userId, entity))
            if event is None:
                out.append((row.id, f"no {kind.key} {entity} concerning the recipient", True))
            elif row.actionUrl != kind.build(event)[3]:
                out.append((row.id, f"links to {row.actionUrl}", False))
            elif event.at is None or not event.at <= row.createdAt <= event.at + NOTIFIED_WITHIN:
                out.append((row.id, f"dated {row.createdAt:%Y-%m-%d %H:%M}, the event {event.at}", False))
    return sorted(out)


def vanished() -> sa.Select:
    """(id, recipient) of the seeder's notifications whose event no longer concerns their recipient (its entity deleted
    since, or no longer its recipient's): one anti-join per type, what ``unfounded`` calls ``gone``."""
    N = T.Notification
    parts = []
    for kind in KINDS:
        events = kind.select(any_status=True).subquery()
        parts.append(sa.select(N.c.id, N.c.userId).where(
            N.c.type == kind.type, made_by_seeder(N.c.id),
            ~sa.exists().where(events.c.entity == N.c.data[kind.key].as_string(), events.c.recipient == N.c.userId)))
    return sa.union_all(*parts)

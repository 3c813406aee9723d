"""The row rules of the spec (``../shared/spec/SEEDING.md``) as queries of offending rows.

Each rule belongs to the asset that writes its table, and its check runs in
that asset's stage. A rule reading a table the target does not have (an
older Mentara version's) does not apply there.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mentara_seed import contract, metrics
from mentara_seed.contract import MEETING_OPEN
from mentara_seed.generate import assessments, notices, professionals, schedule
from mentara_seed.generate.keys import made_by_seeder, seeded
from mentara_seed.requirements import community_posts, tables_of
from mentara_seed.schema import tables as T

__all__ = ["RULES", "IntegrityRule", "tables_of"]


@dataclass(frozen=True)
class IntegrityRule:
    """A rule every row must respect. ``offenders(anchor)`` selects ``(id, label)`` of the violating
    rows; where SQL cannot say it (a score recomputed from answers), ``find(conn, anchor)`` lists them
    from grouped reads of the tables in ``reads``, which must name every table it reads: a check
    passes unread while those tables are unchanged (``checks.incremental``; ``test_incremental``
    records the statements of each ``find`` and fails on a table missing here)."""

    name: str
    asset: str
    description: str
    offenders: Callable[[dt.datetime], sa.Select] | None = None
    find: Callable[[Connection, dt.datetime], list[tuple[str, str]]] | None = None
    reads: tuple[str, ...] = ()

    def tables(self, anchor: dt.datetime) -> frozenset[str]:
        return frozenset(self.reads) if self.find is not None else tables_of(self.offenders(anchor))

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
    """What the booking API cannot use: a weekday not "0".."6", a time not on the half hours of its
    slot grid, a window that ends before it starts, or times meant for another clock than its UTC one."""
    A = T.TherapistAvailability
    return sa.select(A.c.id, A.c.dayOfWeek).where(sa.or_(
        A.c.dayOfWeek.not_in(contract.WEEKDAYS), A.c.startTime.not_in(contract.HALF_HOURS),
        A.c.endTime.not_in(contract.WINDOW_ENDS), A.c.startTime >= A.c.endTime, A.c.timezone != "UTC",
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


# -- the rest of the product -----------------------------------------------------------------------
def _own(id_column):
    return made_by_seeder(id_column)


def moderators_not_listing_their_communities(conn: Connection, _: dt.datetime) -> list[tuple[str, str]]:
    """The seeder's moderators whose assignedCommunities is not exactly their assignments."""
    M, MC = T.Moderator, T.ModeratorCommunity
    assigned: dict[str, list[str]] = {}
    for moderator_id, community_id in conn.execute(sa.select(MC.c.moderatorId, MC.c.communityId)
                                                   .order_by(MC.c.moderatorId, MC.c.communityId)):
        assigned.setdefault(moderator_id, []).append(community_id)
    out = []
    for moderator_id, listed in conn.execute(sa.select(M.c.userId, M.c.assignedCommunities).where(_own(M.c.userId))):
        listed = json.loads(listed) if isinstance(listed, str) else listed
        if listed != assigned.get(moderator_id, []):
            out.append((moderator_id, f"lists {len(listed or [])}, moderates {len(assigned.get(moderator_id, []))}"))
    return out


def _json_values(texts: list[str | None]) -> list[object]:
    """JSON texts (None for NULL) as values: one parse for all (a value per call costs more than the
    parsing), one per text only if some text is not JSON (it reads as None)."""
    try:
        return json.loads("[" + ",".join("null" if t is None else t for t in texts) + "]")
    except ValueError:
        values = []
        for text in texts:
            try:
                values.append(None if text is None else json.loads(text))
            except ValueError:
                values.append(None)
        return values


def assessments_scored_unlike_the_app(conn: Connection, _: dt.datetime) -> list[tuple[str, str]]:
    """Pre-assessments whose answers are not 201 values the checklist offers, or whose scores and
    severities are not what the app computes from them (computed for 5,000 rows at once, as a check's
    connection streams them: ``findings.STREAM_ROWS``)."""
    P = T.PreAssessment
    out = []
    result = conn.execute(sa.select(P.c.id, *(sa.cast(c, sa.Text) for c in (P.c.answers, P.c.scores, P.c.severityLevels))))
    for rows in result.partitions(5_000):
        answers, scores, severities = (_json_values([row[k] for row in rows]) for k in (1, 2, 3))
        matrix, scored, malformed = assessments.answer_rows(answers)
        found = {k: "answers are not 201 whole numbers from 0 to 10" for k in malformed}
        for k, computed in zip(scored, assessments.score_many(matrix), strict=True):
            if (scores[k], severities[k]) != computed:
                found[k] = "scores or severities differ from the answers'"
        out += [(rows[k][0], reason) for k, reason in sorted(found.items())]
    return out


def chatbot_assessments_not_from_their_session(_: dt.datetime) -> sa.Select:
    P, C = T.PreAssessment, T.ChatbotSession
    linked = sa.exists().where(C.c.id == P.c.chatbotSessionId, C.c.clientId == P.c.clientId, C.c.isComplete == sa.true())
    return sa.select(P.c.id, P.c.assessmentMethod).where(sa.or_(
        sa.and_(P.c.assessmentMethod == "CHATBOT", ~linked),
        sa.and_(P.c.chatbotSessionId.is_not(None), P.c.assessmentMethod != "CHATBOT"),
    ))


def chatbot_sessions_inconsistent(anchor: dt.datetime) -> sa.Select:
    C = T.ChatbotSession
    return sa.select(C.c.id, C.c.sessionId).where(sa.or_(
        sa.and_(C.c.userId.is_not(None), C.c.clientId.is_not(None), C.c.userId != C.c.clientId),
        C.c.isComplete != C.c.completedAt.is_not(None),
        C.c.completedAt < C.c.startedAt, C.c.lastActivity < C.c.startedAt, C.c.startedAt > anchor,
    ))


def chatbot_messages_outside_their_session(anchor: dt.datetime) -> sa.Select:
    Msg, C = T.ChatbotMessage, T.ChatbotSession
    return (sa.select(Msg.c.id, Msg.c.role).join(C, C.c.id == Msg.c.sessionId)
            .where(sa.or_(Msg.c.timestamp < C.c.startedAt, Msg.c.timestamp > anchor)))


def journals_not_by_clients(_: dt.datetime) -> sa.Select:
    J = T.JournalEntry
    return sa.select(J.c.id, _email(J.c.userId)).where(~sa.exists().where(T.Client.c.userId == J.c.userId))


def preferences_outside_the_apps_values(_: dt.datetime) -> sa.Select:
    CP = T.ClientPreferences

    def outside(column, values):
        return sa.and_(column.is_not(None), column.not_in(values))

    return sa.select(CP.c.id, CP.c.clientId).where(sa.or_(
        outside(CP.c.genderPreference, ("no-preference", "male", "female", "non-binary")),
        outside(CP.c.agePreference, ("no-preference", "younger", "similar", "older")),
        outside(CP.c.sessionFormat, ("in-person", "video", "phone", "no-preference")),
        outside(CP.c.sessionFrequency, ("weekly", "bi-weekly", "monthly", "as-needed")),
        outside(CP.c.budgetRange, contract.BUDGET_RANGES),
    ))


G, INV, PART = T.GroupTherapySessions, T.GroupSessionTherapistInvitations, T.GroupSessionParticipants


def group_sessions_not_by_their_moderator(_: dt.datetime) -> sa.Select:
    MC = T.ModeratorCommunity
    return sa.select(G.c.id, G.c.title).where(
        ~sa.exists().where(MC.c.moderatorId == G.c.createdById, MC.c.communityId == G.c.communityId))


def facilitators_not_therapist_members(_: dt.datetime) -> sa.Select:
    return (sa.select(INV.c.id, _email(INV.c.therapistId)).join(G, G.c.id == INV.c.sessionId)
            .where(~_is_member(INV.c.therapistId, G.c.communityId)))


def participants_not_members(_: dt.datetime) -> sa.Select:
    return (sa.select(PART.c.id, _email(PART.c.userId)).join(G, G.c.id == PART.c.sessionId)
            .where(~_is_member(PART.c.userId, G.c.communityId)))


def group_sessions_inconsistent(_: dt.datetime) -> sa.Select:
    """Approved but a facilitator has not accepted, over capacity, or cancelled without a date."""
    pending = sa.exists().where(INV.c.sessionId == G.c.id, INV.c.status != "ACCEPTED")
    registered = (sa.select(sa.func.count()).where(PART.c.sessionId == G.c.id).scalar_subquery())
    return sa.select(G.c.id, G.c.title).where(sa.or_(
        sa.and_(G.c.status == "APPROVED", pending),
        registered > G.c.maxParticipants,
        sa.and_(G.c.status == "CANCELLED", G.c.cancelledAt.is_(None)),
    ))


def _report_community_and_author():
    """(report id, reporter, community, author, content createdAt) of every report on a post or comment."""
    R, CommentPost = T.Report, T.Post.alias("reported_comment_post")
    on_posts = (sa.select(R.c.id, R.c.reporterId, T.RoomGroup.c.communityId, T.Post.c.userId.label("author"),
                          T.Post.c.createdAt.label("content_created"), R.c.createdAt)
                .join(T.Post, T.Post.c.id == R.c.postId).join(T.Room, T.Room.c.id == T.Post.c.roomId)
                .join(T.RoomGroup, T.RoomGroup.c.id == T.Room.c.roomGroupId))
    on_comments = (sa.select(R.c.id, R.c.reporterId, T.RoomGroup.c.communityId, T.Comment.c.userId.label("author"),
                             T.Comment.c.createdAt.label("content_created"), R.c.createdAt)
                   .join(T.Comment, T.Comment.c.id == R.c.commentId)
                   .join(CommentPost, CommentPost.c.id == T.Comment.c.postId)
                   .join(T.Room, T.Room.c.id == CommentPost.c.roomId)
                   .join(T.RoomGroup, T.RoomGroup.c.id == T.Room.c.roomGroupId))
    return sa.union_all(on_posts, on_comments).subquery()


def reports_not_by_members(_: dt.datetime) -> sa.Select:
    r = _report_community_and_author()
    return sa.select(r.c.id, _email(r.c.reporterId)).where(sa.or_(
        ~_is_member(r.c.reporterId, r.c.communityId), r.c.reporterId == r.c.author))


def reports_before_their_content(_: dt.datetime) -> sa.Select:
    r = _report_community_and_author()
    return sa.select(r.c.id, _email(r.c.reporterId)).where(r.c.createdAt <= r.c.content_created)


def reports_malformed(_: dt.datetime) -> sa.Select:
    """A report names exactly one target, and a post or comment report one of the reasons the app offers."""
    R = T.Report
    targets = sum(sa.case((column.is_not(None), 1), else_=0) for column in (R.c.postId, R.c.commentId, R.c.reportedUserId))
    return sa.select(R.c.id, R.c.reason).where(sa.or_(
        targets != 1,
        sa.and_(R.c.reportedUserId.is_(None), R.c.reason.not_in(contract.CONTENT_REPORT_REASONS)),
    ))


Msg, RR, RX, CP_ = T.Message, T.MessageReadReceipt, T.MessageReaction, T.ConversationParticipant


def _participant(user_col, conversation_col):
    return sa.exists().where(CP_.c.userId == user_col, CP_.c.conversationId == conversation_col)


def receipts_not_by_other_participants(_: dt.datetime) -> sa.Select:
    return (sa.select(RR.c.id, _email(RR.c.userId)).join(Msg, Msg.c.id == RR.c.messageId)
            .where(sa.or_(RR.c.userId == Msg.c.senderId, ~_participant(RR.c.userId, Msg.c.conversationId))))


def receipts_out_of_time(anchor: dt.datetime) -> sa.Select:
    return (sa.select(RR.c.id, _email(RR.c.userId)).join(Msg, Msg.c.id == RR.c.messageId)
            .where(sa.or_(RR.c.readAt < Msg.c.createdAt, RR.c.readAt > anchor)))


def reactions_not_by_other_participants(anchor: dt.datetime) -> sa.Select:
    return (sa.select(RX.c.id, RX.c.emoji).join(Msg, Msg.c.id == RX.c.messageId).where(sa.or_(
        RX.c.userId == Msg.c.senderId, ~_participant(RX.c.userId, Msg.c.conversationId),
        RX.c.createdAt < Msg.c.createdAt, RX.c.createdAt > anchor, RX.c.emoji.not_in(contract.REACTIONS))))


def payments_not_for_the_pairs_completed_meeting(_: dt.datetime) -> sa.Select:
    PAY, M = T.Payment, T.Meeting
    tied = sa.exists().where(M.c.id == PAY.c.meetingId, M.c.status == "COMPLETED", M.c.clientId == PAY.c.clientId,
                             M.c.therapistId == PAY.c.therapistId)
    return sa.select(PAY.c.id, PAY.c.status).where(~tied)


def payments_not_at_the_rate(_: dt.datetime) -> sa.Select:
    """The seeder's payments cost the therapist's hourly rate for the session's length."""
    PAY, M, Th = T.Payment, T.Meeting, T.Therapist
    price = sa.func.round(sa.cast(Th.c.hourlyRate * M.c.duration, sa.Numeric(14, 4)) / 60, 2)
    return (sa.select(PAY.c.id, PAY.c.amount).join(M, M.c.id == PAY.c.meetingId).join(Th, Th.c.userId == M.c.therapistId)
            .where(_own(PAY.c.id), sa.func.abs(PAY.c.amount - price) > 0.005))


def payments_inconsistent(_: dt.datetime) -> sa.Select:
    """A failed payment says when and why; a completed or refunded one when it went through; the method is the payer's."""
    PAY, PM = T.Payment, T.PaymentMethod
    foreign_method = sa.and_(PAY.c.paymentMethodId.is_not(None), ~sa.exists().where(
        PM.c.id == PAY.c.paymentMethodId, PM.c.userId == PAY.c.clientId))
    return sa.select(PAY.c.id, PAY.c.status).where(sa.or_(
        sa.and_(PAY.c.status == "FAILED", sa.or_(PAY.c.failedAt.is_(None), PAY.c.failureReason.is_(None))),
        sa.and_(PAY.c.status.in_(("COMPLETED", "REFUNDED")), PAY.c.processedAt.is_(None)),
        foreign_method,
    ))


def several_default_methods(_: dt.datetime) -> sa.Select:
    """Every default payment method of a user beyond their first. The seeder's rank first: it adds a
    default only to someone with none, so a second default beside it was set by someone else since."""
    PM = T.PaymentMethod
    ranked = sa.select(PM.c.id, PM.c.userId, sa.func.row_number().over(
        partition_by=PM.c.userId, order_by=(sa.case((made_by_seeder(PM.c.id), 0), else_=1), PM.c.createdAt, PM.c.id),
    ).label("rank")).where(PM.c.isDefault == sa.true()).subquery()
    return sa.select(ranked.c.id, _email(ranked.c.userId)).where(ranked.c.rank > 1)


def blocks_not_allowed(_: dt.datetime) -> sa.Select:
    B, CT = T.UserBlock, T.ClientTherapist
    in_therapy = sa.exists().where(sa.or_(
        sa.and_(CT.c.clientId == B.c.blockerId, CT.c.therapistId == B.c.blockedId),
        sa.and_(CT.c.clientId == B.c.blockedId, CT.c.therapistId == B.c.blockerId)))
    return sa.select(B.c.id, _email(B.c.blockerId)).where(sa.or_(B.c.blockerId == B.c.blockedId, in_therapy))


# -- the app's contract: what its services read, book and display ---------------------------------------
def _week(conn: Connection) -> dict[tuple[str, int], list[tuple[int, int]]]:
    """Every therapist's available windows per weekday, in minutes of the UTC day, as the API reads them."""
    A = T.TherapistAvailability
    week: dict[tuple[str, int], list[tuple[int, int]]] = defaultdict(list)
    for therapist, day, start, end in conn.execute(
            sa.select(A.c.therapistId, A.c.dayOfWeek, A.c.startTime, A.c.endTime).where(A.c.isAvailable == sa.true())):
        try:
            week[(therapist, int(day))].append((schedule.minutes(start), schedule.minutes(end)))
        except (TypeError, ValueError):
            continue
    return week


def meetings_the_booking_api_would_not_make(conn: Connection, _: dt.datetime) -> list[tuple[str, str]]:
    """Sessions the booking API would refuse: a length it does not offer, an end that is not start plus
    length, a start off the half-hour grid, or a slot outside the therapist's available windows
    (weekday and "HH:MM" on its UTC clock)."""
    M = T.Meeting
    week = _week(conn)
    out = []
    for row in conn.execute(sa.select(M.c.id, M.c.therapistId, M.c.startTime, M.c.endTime, M.c.duration)):
        start, end = row.startTime, row.endTime
        if row.duration not in contract.SESSION_MINUTES:
            out.append((row.id, f"lasts {row.duration} minutes"))
        elif end is None or end != start + dt.timedelta(minutes=row.duration):
            out.append((row.id, "ends other than start plus duration"))
        elif start.minute % schedule.SLOT_MINUTES or start.second or start.microsecond:
            out.append((row.id, f"starts at {start:%H:%M:%S}, off the half-hour grid"))
        else:
            low = start.hour * 60 + start.minute
            high = low + row.duration
            windows = week.get((row.therapistId, schedule.js_weekday(start)), ())
            if end.date() != start.date() or not any(w_low <= low and high <= w_high for w_low, w_high in windows):
                out.append((row.id, f"{start:%a %H:%M} UTC is outside the therapist's availability"))
    return out


def double_bookings(conn: Connection, _: dt.datetime) -> list[tuple[str, str]]:
    """Sessions that overlap another session of the same therapist or client (cancelled ones aside):
    of each clashing pair the later one, or the one the seeder did not write."""
    M = T.Meeting
    diaries: dict[str, list] = defaultdict(list)
    for row in conn.execute(sa.select(M.c.id, M.c.therapistId, M.c.clientId, M.c.startTime, M.c.endTime, M.c.duration)
                            .where(M.c.status != "CANCELLED")):
        end = row.endTime or row.startTime + dt.timedelta(minutes=row.duration or 60)
        for person in (row.therapistId, row.clientId):
            diaries[person].append((row.startTime, end, row.id))
    out = {}
    for diary in diaries.values():
        diary.sort()
        latest_end, latest_id = None, None
        for start, end, meeting_id in diary:
            if latest_end is not None and start < latest_end:
                # A clash with someone else's session is reported as theirs: the seeder books around
                # every session it reads, so the other was booked after (and never blocks it).
                if seeded(meeting_id) and not seeded(latest_id):
                    out.setdefault(latest_id, f"overlaps {meeting_id}")
                else:
                    out.setdefault(meeting_id, f"overlaps {latest_id}")
            if latest_end is None or end > latest_end:
                latest_end, latest_id = end, meeting_id
    return sorted(out.items())


def meeting_rooms_elsewhere(_: dt.datetime) -> sa.Select:
    """A seeded video session's link is the web app's meeting room for it, as the booking service sets it."""
    M = T.Meeting
    return sa.select(M.c.id, M.c.meetingUrl).where(
        _own(M.c.id), M.c.meetingType == "video",
        sa.or_(M.c.meetingUrl.is_(None), M.c.meetingUrl != sa.literal(contract.MEETING_ROOM_URL) + M.c.id))


def worksheets_in_states_the_app_never_sets(_: dt.datetime) -> sa.Select:
    W, WS = T.Worksheet, T.WorksheetSubmission
    handed_in = sa.exists().where(WS.c.worksheetId == W.c.id)
    return sa.select(W.c.id, W.c.status).where(sa.or_(
        W.c.status.not_in(contract.WORKSHEET_STATUSES),
        sa.and_(W.c.status.in_(contract.WORKSHEET_HANDED_IN), ~handed_in),
        sa.and_(W.c.status == "ASSIGNED", handed_in),
    ))


def relationships_in_other_states(_: dt.datetime) -> sa.Select:
    CT = T.ClientTherapist
    return sa.select(CT.c.id, CT.c.status).where(CT.c.status.not_in(contract.RELATIONSHIP_STATUSES))


def therapists_the_form_would_not_take(conn: Connection, _: dt.datetime) -> list[tuple[str, str]]:
    """Applications the registration form would refuse: a provider type or province it does not offer,
    a PRC licence number that is not seven digits, a mobile number in another format."""
    Th = T.Therapist
    mobile = re.compile(contract.MOBILE_PATTERN)
    out = []
    for row in conn.execute(sa.select(Th.c.userId, Th.c.providerType, Th.c.province, Th.c.isPRCLicensed,
                                      Th.c.prcLicenseNumber, Th.c.mobile)):
        problems = []
        if row.providerType not in contract.PROVIDER_TYPES:
            problems.append(f"provider type {row.providerType!r}")
        if row.province not in contract.PROVINCES:
            problems.append(f"province {row.province!r}")
        if row.isPRCLicensed not in ("yes", "no") or (
                row.isPRCLicensed == "yes" and not re.fullmatch(rf"\d{{{contract.PRC_LICENCE_DIGITS}}}", row.prcLicenseNumber or "")):
            problems.append("PRC licence")
        if not mobile.match(row.mobile or ""):
            problems.append(f"mobile {row.mobile!r}")
        if problems:
            out.append((row.userId, ", ".join(problems)))
    return out


def therapists_inconsistent(conn: Connection, anchor: dt.datetime) -> list[tuple[str, str]]:
    """The seeder's therapists whose profile contradicts itself: a licence their provider type does not
    hold, practice started before 21 or after they applied, or years of experience other than the full
    years since the practice started (as of some day between the application and the anchor)."""
    Th = T.Therapist
    out = []
    for row in conn.execute(sa.select(Th.c.userId, Th.c.providerType, Th.c.professionalLicenseType,
                                      Th.c.practiceStartDate, Th.c.submissionDate, Th.c.yearsOfExperience,
                                      U.c.birthDate).join(U, U.c.id == Th.c.userId).where(_own(Th.c.userId))):
        problems = []
        fits = professionals.LICENCES_OF.get(row.providerType, ())
        if row.professionalLicenseType not in fits:
            problems.append(f"a {row.providerType} holding {row.professionalLicenseType!r}")
        started = row.practiceStartDate
        if row.birthDate is None or started is None or professionals.full_years(row.birthDate, started) < contract.YOUNGEST_PRACTICE_AGE:
            problems.append("practice started before 21")
        elif started > row.submissionDate:
            problems.append("practice started after applying")
        elif row.yearsOfExperience is None or not (
                professionals.full_years(started, row.submissionDate) <= row.yearsOfExperience <= professionals.full_years(started, anchor)):
            problems.append(f"{row.yearsOfExperience} years of experience since {started:%Y-%m-%d}")
        if problems:
            out.append((row.userId, "; ".join(problems)))
    return out


def notifications_not_about_their_event(conn: Connection, _: dt.datetime) -> list[tuple[str, str]]:
    """The seeder's notifications whose type the app does not send, whose ``data`` does not name an event
    that concerns the recipient, whose link is not the one to that event, or that are not dated at it."""
    return [(notification_id, reason) for notification_id, reason, _ in notices.unfounded(conn)]


def notifications_read_inconsistently(anchor: dt.datetime) -> sa.Select:
    """Read exactly when it has a read time, read after it arrived and before the anchor (the bell counts isRead)."""
    N = T.Notification
    return sa.select(N.c.id, N.c.type).where(sa.or_(
        N.c.isRead != N.c.readAt.is_not(None), N.c.readAt < N.c.createdAt, N.c.readAt > anchor))


def reviews_out_of_range(_: dt.datetime) -> sa.Select:
    R = T.Review
    return sa.select(R.c.id, R.c.rating).where(sa.or_(R.c.rating < 1, R.c.rating > 5))


def conversations_showing_an_old_last_message(_: dt.datetime) -> sa.Select:
    """A seeded conversation's lastMessageAt (the inbox's order) is its latest message."""
    C, Msg_ = T.Conversation, T.Message
    latest = sa.select(sa.func.max(Msg_.c.createdAt)).where(Msg_.c.conversationId == C.c.id).scalar_subquery()
    return sa.select(C.c.id, C.c.title).where(_own(C.c.id), latest.is_not(None),
                                              sa.or_(C.c.lastMessageAt.is_(None), C.c.lastMessageAt != latest))


def _snapshots_differ(table: sa.Table, key: str, compute, fields):
    def find(conn: Connection, anchor: dt.datetime) -> list[tuple[str, str]]:
        figures = compute(conn, anchor)
        out = []
        for row in conn.execute(sa.select(table).where(_own(table.c.id))).mappings():
            computed = figures.get(row[key])
            wrong = [f for f in fields if computed is None or metrics.differs(row[f], computed[f])]
            if wrong:
                out.append((row["id"], ", ".join(wrong)))
        return out
    return find


def _dated_only(asset: str, table: sa.Table, column: str = "createdAt") -> IntegrityRule:
    """A table whose rows have a creation moment and no updatedAt: dated at or before the anchor."""
    key = next(iter(table.primary_key.columns))
    return IntegrityRule(f"{asset}_timestamps_valid", asset, f"{table.name}: dated at or before the anchor",
                         lambda anchor: sa.select(key, sa.literal(table.name)).where(table.c[column] > anchor))


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
    IntegrityRule("availability_in_the_apps_format", "enriched_availability",
                  "availability is a weekday \"0\"..\"6\" (0 Sunday) and a UTC window on the half hours, start before end, "
                  "as the booking API reads it", malformed_availability),
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
    # moderators
    IntegrityRule("moderators_list_their_communities", "enriched_moderators",
                  "a seeded moderator's assignedCommunities lists exactly the communities assigned to them",
                  find=moderators_not_listing_their_communities, reads=("Moderator", "ModeratorCommunity")),
    # pre-assessments and the chatbot
    IntegrityRule("pre_assessments_scored_as_the_app_scores", "enriched_assessments",
                  "answers are 201 values from 0 to 10, and scores and severities are what the app computes from them",
                  find=assessments_scored_unlike_the_app, reads=("PreAssessment",)),
    IntegrityRule("chatbot_assessments_from_their_session", "enriched_assessments",
                  "a CHATBOT pre-assessment links a completed chatbot session of the same client, and only it links one",
                  chatbot_assessments_not_from_their_session),
    IntegrityRule("chatbot_sessions_consistent", "enriched_chatbot",
                  "a chatbot session belongs to its user, is complete exactly when it has ended, and ends after it starts",
                  chatbot_sessions_inconsistent),
    IntegrityRule("chatbot_messages_within_their_session", "enriched_chatbot",
                  "chatbot messages are sent after their session started, before the anchor",
                  chatbot_messages_outside_their_session),
    _timestamp_rule("enriched_chatbot", (T.ChatbotSession,), dated=(T.ChatbotSession,)),
    # journals and preferences
    IntegrityRule("journals_written_by_clients", "enriched_journals", "journal entries are written by clients",
                  journals_not_by_clients),
    _timestamp_rule("enriched_journals", (T.JournalEntry,), dated=(T.JournalEntry,)),
    IntegrityRule("preferences_in_the_apps_values", "enriched_preferences",
                  "client preferences use the values of the app's onboarding form", preferences_outside_the_apps_values),
    _timestamp_rule("enriched_preferences", (T.ClientPreferences,), dated=(T.ClientPreferences,)),
    # group therapy
    IntegrityRule("group_sessions_created_by_a_community_moderator", "enriched_group_sessions",
                  "a group session is created by a moderator of its community", group_sessions_not_by_their_moderator),
    IntegrityRule("group_session_facilitators_are_members", "enriched_group_sessions",
                  "invited therapists are members of the session's community", facilitators_not_therapist_members),
    IntegrityRule("group_session_participants_are_members", "enriched_group_sessions",
                  "group session participants are members of the session's community", participants_not_members),
    IntegrityRule("group_sessions_consistent", "enriched_group_sessions",
                  "an approved session's facilitators all accepted, participants fit its capacity, a cancelled one says when",
                  group_sessions_inconsistent),
    _timestamp_rule("enriched_group_sessions", (G, INV, PART)),
    # moderation
    IntegrityRule("reports_by_members", "enriched_reports",
                  "post and comment reports come from members of the post's community, not from its author",
                  reports_not_by_members),
    IntegrityRule("reports_after_their_content", "enriched_reports", "reports are made after the content they report",
                  reports_before_their_content),
    IntegrityRule("reports_well_formed", "enriched_reports",
                  "a report names exactly one post, comment or user, and a content report one of the app's reasons",
                  reports_malformed),
    _timestamp_rule("enriched_reports", (T.Report,), dated=(T.Report,)),
    # message interactions
    IntegrityRule("read_receipts_by_other_participants", "enriched_message_interactions",
                  "messages are read by participants of their conversation other than the sender",
                  receipts_not_by_other_participants),
    IntegrityRule("read_receipts_after_the_message", "enriched_message_interactions",
                  "a message is read after it was sent, before the anchor", receipts_out_of_time),
    IntegrityRule("reactions_by_other_participants", "enriched_message_interactions",
                  "reactions are the messenger's emoji, from participants other than the sender, after the message",
                  reactions_not_by_other_participants),
    # payments
    IntegrityRule("payments_for_the_pairs_completed_meeting", "enriched_payments",
                  "a payment belongs to a COMPLETED meeting of the same client and therapist",
                  payments_not_for_the_pairs_completed_meeting),
    IntegrityRule("payments_at_the_therapists_rate", "enriched_payments",
                  "a seeded payment is the therapist's hourly rate for the session's length", payments_not_at_the_rate),
    IntegrityRule("payments_consistent", "enriched_payments",
                  "a failed payment says when and why, a completed or refunded one when it went through, "
                  "and the method is the payer's", payments_inconsistent),
    IntegrityRule("one_default_payment_method", "enriched_payments", "a user has at most one default payment method",
                  several_default_methods),
    _timestamp_rule("enriched_payments", (T.Payment, T.PaymentMethod), dated=(T.Payment, T.PaymentMethod)),
    # blocks
    IntegrityRule("blocks_allowed", "enriched_blocks",
                  "nobody blocks themselves, and no block stands between a client and their own therapist",
                  blocks_not_allowed),
    _dated_only("enriched_blocks", T.UserBlock),
    # computed records
    IntegrityRule("engagement_matches_activity", "enriched_engagement",
                  "a seeded engagement record has the figures the app computes from the client's activity",
                  find=_snapshots_differ(T.ClientEngagement, "clientId", metrics.engagement, metrics.ENGAGEMENT_FIELDS),
                  reads=("ClientEngagement", "Client", "User", "JournalEntry", "Worksheet", "Meeting", "Review")),
    IntegrityRule("performance_matches_activity", "enriched_performance",
                  "a seeded performance record has the figures the app computes from the therapist's activity",
                  find=_snapshots_differ(T.TherapistPerformance, "therapistId", metrics.performance,
                                         metrics.PERFORMANCE_FIELDS),
                  reads=("TherapistPerformance", "Therapist", "ClientTherapist", "TherapistAvailability", "JournalEntry",
                         "Worksheet", "Meeting", "Message", "ConversationParticipant")),
    # the app's contract
    IntegrityRule("meetings_bookable", "enriched_meetings",
                  "a session lasts 30, 60, 90 or 120 minutes, ends at start plus duration, starts on the half hour, "
                  "inside one of the therapist's available windows (UTC weekday and HH:MM), as the booking API checks",
                  find=meetings_the_booking_api_would_not_make, reads=("Meeting", "TherapistAvailability")),
    IntegrityRule("no_double_booking", "enriched_meetings",
                  "no therapist or client has two sessions at the same time (cancelled ones aside)",
                  find=double_bookings, reads=("Meeting",)),
    IntegrityRule("video_sessions_link_their_room", "enriched_meetings",
                  "a seeded video session links the web app's meeting room for it", meeting_rooms_elsewhere),
    IntegrityRule("worksheet_statuses_as_the_app_sets_them", "enriched_worksheets",
                  "worksheets are ASSIGNED, SUBMITTED or REVIEWED (never OVERDUE), and handed in exactly when "
                  "submitted or reviewed", worksheets_in_states_the_app_never_sets),
    IntegrityRule("relationship_statuses_as_the_app_sets_them", "enriched_relationships",
                  "a client-therapist link is active or inactive", relationships_in_other_states),
    IntegrityRule("therapist_applications_as_the_form_takes_them", "enriched_applications",
                  "therapists have a provider type and province the registration form offers, a seven-digit PRC "
                  "licence when licensed, and a Philippine mobile number", find=therapists_the_form_would_not_take,
                  reads=("Therapist",)),
    IntegrityRule("therapist_profiles_consistent", "enriched_applications",
                  "a seeded therapist's licence fits their provider type, practice started at 21 or later and before "
                  "they applied, and their years of experience are the full years since",
                  find=therapists_inconsistent, reads=("Therapist", "User")),
    IntegrityRule("notifications_tied_to_their_event", "enriched_notifications",
                  "a seeded notification is of a type the app sends, names in data an event concerning the recipient, "
                  "links to it in the web app and is dated at it", find=notifications_not_about_their_event,
                  reads=("Notification", "Message", "ConversationParticipant", "Comment", "Post", "Worksheet", "Meeting",
                         "Review", "Therapist", "Report", "ModeratorCommunity", "Admin", "User", "Room", "RoomGroup",
                         "Community")),
    IntegrityRule("notifications_read_consistently", "enriched_notifications",
                  "a notification is read exactly when it has a read time, after it arrived, by the anchor",
                  notifications_read_inconsistently),
    IntegrityRule("review_ratings_in_range", "enriched_reviews", "ratings are 1 to 5 stars", reviews_out_of_range),
    IntegrityRule("conversations_show_their_last_message", "enriched_messages",
                  "a seeded conversation's lastMessageAt is its latest message", conversations_showing_an_old_last_message),
)

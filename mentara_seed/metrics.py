"""ClientEngagement and TherapistPerformance, computed from the data as the Mentara API computes them.

The API's matching services (``therapist/matching/analysis/client-engagement-
analysis.service.ts`` and ``therapist-performance-analysis.service.ts``, the
current schema) upsert these rows from a client's or therapist's real
activity. The same formulas live here once, over grouped queries ("now" is
the run's anchor); the enrichers write their results and the integrity checks
recompute them, so the figures always agree with the rest of the data.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mentara_seed.schema import tables as T

CLOSED = ("COMPLETED", "CANCELLED", "NO_SHOW")
BOOKED = ("SCHEDULED", "CONFIRMED", "IN_PROGRESS")
ENGAGEMENT_FIELDS = ("loginFrequency", "platformUsageScore", "journalEntryCount", "worksheetCompletionRate",
                     "meetingAttendanceRate", "averageSessionRating", "engagementTrend")
PERFORMANCE_FIELDS = ("averageResponseTime", "clientRetentionRate", "noShowRate", "cancellationRate",
                      "averageSessionDuration", "clientProgressRate", "workloadCapacity", "availabilityUtilization")


def js_round(x: float) -> int:
    """JavaScript's Math.round (halves go up), not Python's banker's rounding."""
    return math.floor(x + 0.5)


def _grouped(conn: Connection, key, *conditions, value=None) -> dict:
    """``{key: count(*)}`` (or ``{key: sum(value)}``) over the key column's table."""
    aggregate = sa.func.count() if value is None else sa.func.sum(value)
    return dict(conn.execute(sa.select(key, aggregate).where(*conditions).group_by(key)).all())


def _usage(journals: int, worksheet_rate: float, attendance_rate: float, reviews: int) -> float:
    return min(min(journals / 10, 1) * 0.3 + worksheet_rate * 0.3 + attendance_rate * 0.3 + min(reviews / 5, 1) * 0.1, 1)


def _rate(part: int, whole: int) -> float:
    return part / whole if whole > 0 else 0


def engagement(conn: Connection, anchor: dt.datetime) -> dict[str, dict]:
    """Every client's engagement figures (``calculateEngagementMetrics``)."""
    J, W, M, R = T.JournalEntry, T.Worksheet, T.Meeting, T.Review
    thirty, sixty = anchor - dt.timedelta(days=30), anchor - dt.timedelta(days=60)
    done = W.c.status.in_(("SUBMITTED", "REVIEWED"))
    logged_in = dict(conn.execute(sa.select(T.Client.c.userId, T.User.c.lastLoginAt.is_not(None))
                                  .join(T.User, T.User.c.id == T.Client.c.userId)).all())
    journals = _grouped(conn, J.c.userId, J.c.createdAt >= thirty)
    sheets, sheets_done = _grouped(conn, W.c.clientId), _grouped(conn, W.c.clientId, done)
    meetings, attended = _grouped(conn, M.c.clientId, M.c.status.in_(CLOSED)), _grouped(conn, M.c.clientId, M.c.status == "COMPLETED")
    reviews, ratings = _grouped(conn, R.c.clientId), _grouped(conn, R.c.clientId, value=R.c.rating)
    window_j = _grouped(conn, J.c.userId, J.c.createdAt >= sixty, J.c.createdAt < thirty)
    in_window = (W.c.createdAt >= sixty, W.c.createdAt < thirty)
    window_s, window_sd = _grouped(conn, W.c.clientId, *in_window), _grouped(conn, W.c.clientId, done, *in_window)
    met = (M.c.startTime >= sixty, M.c.startTime < thirty)
    window_m = _grouped(conn, M.c.clientId, M.c.status.in_(CLOSED), *met)
    window_ma = _grouped(conn, M.c.clientId, M.c.status == "COMPLETED", *met)
    window_r = _grouped(conn, R.c.clientId, R.c.createdAt >= sixty, R.c.createdAt < thirty)
    out = {}
    for client, has_login in logged_in.items():
        worksheet_rate = _rate(sheets_done.get(client, 0), sheets.get(client, 0))
        attendance = _rate(attended.get(client, 0), meetings.get(client, 0))
        n_reviews = reviews.get(client, 0)
        usage = _usage(journals.get(client, 0), worksheet_rate, attendance, n_reviews)
        before_sheets = _rate(window_sd.get(client, 0), window_s.get(client, 0))
        before_attendance = _rate(window_ma.get(client, 0), window_m.get(client, 0))
        before = (_usage(window_j.get(client, 0), before_sheets, before_attendance, window_r.get(client, 0))
                  + before_attendance + before_sheets) / 3
        change = (usage + attendance + worksheet_rate) / 3 - before
        out[client] = {
            "loginFrequency": 3 if has_login else 0,
            "platformUsageScore": usage,
            "journalEntryCount": journals.get(client, 0),
            "worksheetCompletionRate": worksheet_rate,
            "meetingAttendanceRate": attendance,
            "averageSessionRating": ratings[client] / n_reviews if n_reviews else None,
            "engagementTrend": "increasing" if change > 0.1 else "decreasing" if change < -0.1 else "stable",
        }
    return out


def _minutes(hh_mm: str) -> float:
    hours, _, minutes = (hh_mm or "0:0").partition(":")
    try:
        return int(hours) * 60 + int(minutes or 0)
    except ValueError:
        return math.nan


def performance(conn: Connection, anchor: dt.datetime) -> dict[str, dict]:
    """Every therapist's performance figures (``therapist-performance-analysis.service.ts``)."""
    M, CT, W, A = T.Meeting, T.ClientTherapist, T.Worksheet, T.TherapistAvailability
    therapists = conn.execute(sa.select(T.Therapist.c.userId)).scalars().all()
    relationships = defaultdict(list)
    for therapist, client, status in conn.execute(sa.select(CT.c.therapistId, CT.c.clientId, CT.c.status)):
        relationships[therapist].append((client, status))
    completed_pairs = dict(conn.execute(
        sa.select(M.c.therapistId + "|" + M.c.clientId, sa.func.count()).where(M.c.status == "COMPLETED")
        .group_by(M.c.therapistId, M.c.clientId)).all())
    closed = _grouped(conn, M.c.therapistId, M.c.status.in_(CLOSED))
    no_shows = _grouped(conn, M.c.therapistId, M.c.status == "NO_SHOW")
    cancelled = _grouped(conn, M.c.therapistId, M.c.status == "CANCELLED")
    completed = _grouped(conn, M.c.therapistId, M.c.status == "COMPLETED", M.c.duration.is_not(None))
    minutes = _grouped(conn, M.c.therapistId, M.c.status == "COMPLETED", value=M.c.duration)
    journaling = set(conn.execute(sa.select(T.JournalEntry.c.userId).distinct()).scalars())
    progressed = set(conn.execute(sa.select(W.c.therapistId, W.c.clientId).distinct()
                                  .where(W.c.status.in_(("SUBMITTED", "REVIEWED")))).all())
    weekly = defaultdict(float)
    for therapist, start, end in conn.execute(sa.select(A.c.therapistId, A.c.startTime, A.c.endTime)
                                              .where(A.c.isAvailable == sa.true())):
        weekly[therapist] += (_minutes(end) - _minutes(start)) / 60
    booked = _grouped(conn, M.c.therapistId, M.c.startTime <= anchor + dt.timedelta(days=28), M.c.status.in_(BOOKED),
                      value=sa.func.coalesce(M.c.duration, 60))
    out = {}
    responses = response_times(conn)
    for therapist in therapists:
        pairs = relationships.get(therapist, [])
        total = closed.get(therapist, 0)
        hours = weekly.get(therapist, 0.0) * 4
        out[therapist] = {
            "averageResponseTime": responses.get(therapist),
            "clientRetentionRate": _rate(sum(1 for c, _ in pairs if completed_pairs.get(f"{therapist}|{c}", 0) > 1),
                                         len(pairs)),
            "noShowRate": _rate(no_shows.get(therapist, 0), total),
            "cancellationRate": _rate(cancelled.get(therapist, 0), total),
            "averageSessionDuration": js_round(minutes[therapist] / completed[therapist])
            if completed.get(therapist) else 60,
            "clientProgressRate": _rate(sum(1 for c, _ in pairs if c in journaling or (therapist, c) in progressed),
                                        len(pairs)),
            "workloadCapacity": min(sum(1 for _, status in pairs if status == "active") / 25, 1),
            "availabilityUtilization": min(booked.get(therapist, 0) / 60 / hours, 1) if hours > 0 else 0,
        }
    return out


def response_times(conn: Connection) -> dict[str, int]:
    """Per therapist, the rounded mean minutes between someone else's message and the therapist's next
    one, over all the conversations they are in merged by time (``calculateAverageResponseTime``)."""
    P, Msg = T.ConversationParticipant, T.Message
    rows = conn.execute(
        sa.select(P.c.userId, Msg.c.senderId, Msg.c.createdAt)
        .join(T.Therapist, T.Therapist.c.userId == P.c.userId)
        .join(Msg, Msg.c.conversationId == P.c.conversationId)
        .order_by(P.c.userId, Msg.c.createdAt, Msg.c.id)
    )
    sums: dict[str, list] = {}
    last: dict[str, tuple] = {}
    for therapist, sender, created in rows:
        previous = last.get(therapist)
        if previous is not None and previous[0] != therapist and sender == therapist:
            total = sums.setdefault(therapist, [0.0, 0])
            total[0] += (created - previous[1]).total_seconds() / 60
            total[1] += 1
        last[therapist] = (sender, created)
    return {therapist: js_round(total / n) for therapist, (total, n) in sums.items() if n}


def differs(stored, computed) -> bool:
    """Whether a stored figure is not the computed one (floats to within rounding)."""
    if stored is None or computed is None:
        return stored is not computed
    if isinstance(computed, str):
        return stored != computed
    return abs(float(stored) - float(computed)) > 1e-9

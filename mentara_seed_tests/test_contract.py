"""The Mentara app's contract as checks, and the documented accounts ready for a demo.

The demo assertions are written from the API's own queries (the dashboards' where-clauses, in
the services named), not from the seeder's requirements, so the two cannot agree by construction.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from mentara_seed.schema import tables as T
from mentara_seed_tests.helpers import ANCHOR_DT, evaluations, run_job, seeded

U, M, N = T.User, T.Meeting, T.Notification


def _account(conn, email: str) -> str:
    return conn.execute(sa.select(U.c.id).where(U.c.email == email)).scalar_one()


def dashboards(url: str, now: dt.datetime) -> dict[str, int]:
    """What each documented account's first screen counts, as the app queries it at ``now``."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        client, therapist = _account(conn, "client@mentara.test"), _account(conn, "therapist@mentara.test")
        moderator, admin = _account(conn, "moderator@mentara.test"), _account(conn, "admin@mentara.test")
        week = now + dt.timedelta(days=7)
        count = lambda statement: conn.execute(statement).scalar_one()  # noqa: E731
        CT, W, CP, Msg, R = T.ClientTherapist, T.Worksheet, T.ConversationParticipant, T.Message, T.Report
        # client dashboard (dashboard.service getClientDashboard): the assigned therapist, upcoming sessions,
        # pending worksheets; the messenger's recent conversations; the bell's unread count.
        out = {
            "client: therapists": count(sa.select(sa.func.count()).where(CT.c.clientId == client, CT.c.status == "active")),
            "client: sessions in the next 7 days": count(sa.select(sa.func.count()).where(
                M.c.clientId == client, M.c.startTime > now, M.c.startTime <= week,
                M.c.status.in_(("SCHEDULED", "CONFIRMED")))),
            "client: worksheets due": count(sa.select(sa.func.count()).where(
                W.c.clientId == client, W.c.status == "ASSIGNED", W.c.dueDate > now)),
            "client: messages in the last 3 days": count(
                sa.select(sa.func.count()).select_from(Msg).join(CP, CP.c.conversationId == Msg.c.conversationId)
                .where(CP.c.userId == client, Msg.c.createdAt > now - dt.timedelta(days=3), Msg.c.createdAt <= now)),
            "client: unread notifications": count(sa.select(sa.func.count()).where(N.c.userId == client,
                                                                                   N.c.isRead == sa.false())),
            # therapist dashboard: this week's schedule and the requests to answer (WAITING, booking.service)
            "therapist: sessions in the next 7 days": count(sa.select(sa.func.count()).where(
                M.c.therapistId == therapist, M.c.startTime > now, M.c.startTime <= week,
                M.c.status.in_(("SCHEDULED", "CONFIRMED")))),
            "therapist: booking requests": count(sa.select(sa.func.count()).where(
                M.c.therapistId == therapist, M.c.status == "WAITING", M.c.startTime > now)),
            # moderator queue (admin-reports.service): pending reports in the communities they moderate
            "moderator: pending reports": count(
                sa.select(sa.func.count()).select_from(R)
                .outerjoin(T.Comment, T.Comment.c.id == R.c.commentId)
                .join(T.Post, T.Post.c.id == sa.func.coalesce(R.c.postId, T.Comment.c.postId))
                .join(T.Room, T.Room.c.id == T.Post.c.roomId).join(T.RoomGroup, T.RoomGroup.c.id == T.Room.c.roomGroupId)
                .join(T.ModeratorCommunity, T.ModeratorCommunity.c.communityId == T.RoomGroup.c.communityId)
                .where(T.ModeratorCommunity.c.moderatorId == moderator, R.c.status == "PENDING")),
            # admin (admin-therapist.service getApplications): applications waiting for a decision
            "admin: pending applications": count(sa.select(sa.func.count()).where(T.Therapist.c.status == "PENDING")),
        }
        logins = dict(conn.execute(sa.select(U.c.id, U.c.lastLoginAt).where(U.c.id.in_((client, therapist, moderator, admin)))).all())
    engine.dispose()
    out["accounts logged in within a day"] = sum(1 for at in logins.values() if now - dt.timedelta(days=1) <= at <= now)
    return out


WANTED = {"client: therapists": 1, "client: sessions in the next 7 days": 1, "client: worksheets due": 1,
          "client: messages in the last 3 days": 2, "client: unread notifications": 1,
          "therapist: sessions in the next 7 days": 2, "therapist: booking requests": 1,
          "moderator: pending reports": 1, "admin: pending applications": 1, "accounts logged in within a day": 4}


@pytest.mark.parametrize("mode", ["light", "heavy"])
def test_every_documented_account_has_what_its_dashboard_shows(target_url, mode):
    run_job(target_url, mode=mode)
    found = dashboards(target_url, ANCHOR_DT)
    assert {k: v for k, v in found.items() if v < WANTED[k]} == {}, found


def test_the_demo_stays_ready_as_the_nightly_refresh_moves_the_anchor(target_url):
    seeded(target_url, mode="light")
    later = ANCHOR_DT + dt.timedelta(days=10)
    run_job(target_url, mode="light", anchor=later.isoformat() + "Z")
    found = dashboards(target_url, later)
    # Logins are the seeder's as of its first run; everything the dashboards count moved on with the anchor.
    found.pop("accounts logged in within a day")
    assert {k: v for k, v in found.items() if v < WANTED[k]} == {}, found


def _break_the_contract(url: str) -> dict[str, set[str]]:
    """One row per contract rule changed the way an app-unaware generator would get it wrong;
    returns rule -> the ids it must name."""
    engine = sa.create_engine(url)
    A, W, Th, CT, C = T.TherapistAvailability, T.Worksheet, T.Therapist, T.ClientTherapist, T.Conversation
    with engine.begin() as conn:
        future = conn.execute(sa.select(M.c.id, M.c.startTime, M.c.duration, M.c.therapistId, M.c.clientId)
                              .where(M.c.startTime > ANCHOR_DT + dt.timedelta(days=1), M.c.meetingType == "video")
                              .order_by(M.c.id).limit(3)).all()
        night, odd, clash = future
        # 1 a.m. in Manila (17:00 UTC the day before): outside any window of the therapist's week.
        start = (night.startTime - dt.timedelta(days=1)).replace(hour=17, minute=0)
        conn.execute(sa.update(M).where(M.c.id == night.id).values(
            startTime=start, endTime=start + dt.timedelta(minutes=night.duration)))
        # A 45-minute session: the booking screen offers 30, 60, 90 and 120.
        conn.execute(sa.update(M).where(M.c.id == odd.id).values(
            duration=45, endTime=odd.startTime + dt.timedelta(minutes=45)))
        # The therapist booked twice in the same slot.
        conn.execute(sa.insert(M), [{
            "id": "double-booked", "title": "Session", "startTime": clash.startTime,
            "endTime": clash.startTime + dt.timedelta(minutes=clash.duration), "duration": clash.duration,
            "status": "SCHEDULED", "meetingType": "video", "meetingUrl": None, "clientId": clash.clientId,
            "therapistId": clash.therapistId, "createdAt": ANCHOR_DT - dt.timedelta(days=1),
            "updatedAt": ANCHOR_DT - dt.timedelta(days=1)}])
        # A video session whose link goes elsewhere.
        conn.execute(sa.update(M).where(M.c.id == clash.id).values(meetingUrl="https://zoom.us/j/123"))
        # A weekday written as a name.
        window = conn.execute(sa.select(A.c.id).order_by(A.c.id).limit(1)).scalar_one()
        conn.execute(sa.update(A).where(A.c.id == window).values(dayOfWeek="MONDAY"))
        # A stored OVERDUE status the app never sets.
        sheet = conn.execute(sa.select(W.c.id).where(W.c.status == "ASSIGNED").order_by(W.c.id).limit(1)).scalar_one()
        conn.execute(sa.update(W).where(W.c.id == sheet).values(status="OVERDUE"))
        # A relationship status the app does not know.
        link = conn.execute(sa.select(CT.c.id).order_by(CT.c.id).limit(1)).scalar_one()
        conn.execute(sa.update(CT).where(CT.c.id == link).values(status="pending"))
        # Therapists: a province the form does not offer; another started practising at 16.
        metro, teen = conn.execute(sa.select(Th.c.userId).order_by(Th.c.userId).limit(2)).scalars().all()
        conn.execute(sa.update(Th).where(Th.c.userId == metro).values(province="Metro Manila"))
        born = conn.execute(sa.select(U.c.birthDate).where(U.c.id == teen)).scalar_one()
        conn.execute(sa.update(Th).where(Th.c.userId == teen).values(practiceStartDate=born + dt.timedelta(days=16 * 366)))
        # Notifications: one linking to a generic page, one read without a read time.
        generic, unread = conn.execute(sa.select(N.c.id).order_by(N.c.id).limit(2)).scalars().all()
        conn.execute(sa.update(N).where(N.c.id == generic).values(actionUrl=f"/notifications/{generic}"))
        conn.execute(sa.update(N).where(N.c.id == unread).values(isRead=True, readAt=None))
        # An inbox ordered by a stale last message.
        stale = conn.execute(sa.select(C.c.id).order_by(C.c.id).limit(1)).scalar_one()
        conn.execute(sa.update(C).where(C.c.id == stale).values(lastMessageAt=ANCHOR_DT - dt.timedelta(days=400)))
        # A pre-assessment whose total does not follow from its answers.
        assessment, scores = conn.execute(sa.select(T.PreAssessment.c.id, T.PreAssessment.c.scores)
                                          .order_by(T.PreAssessment.c.id).limit(1)).one()
        scores = json.loads(scores) if isinstance(scores, str) else dict(scores)
        scores[next(iter(sorted(scores)))] += 3
        conn.execute(sa.update(T.PreAssessment).where(T.PreAssessment.c.id == assessment).values(scores=scores))
    engine.dispose()
    return {
        "meetings_bookable": {night.id, odd.id},
        "no_double_booking": {"double-booked"},
        "video_sessions_link_their_room": {clash.id},
        "availability_in_the_apps_format": {window},
        "worksheet_statuses_as_the_app_sets_them": {sheet},
        "relationship_statuses_as_the_app_sets_them": {link},
        "therapist_applications_as_the_form_takes_them": {metro},
        "therapist_profiles_consistent": {teen},
        "notifications_tied_to_their_event": {generic},
        "notifications_read_consistently": {unread},
        "conversations_show_their_last_message": {stale},
        "pre_assessments_scored_as_the_app_scores": {assessment},
    }


def test_each_contract_rule_names_the_rows_the_app_would_reject(target_url):
    seeded(target_url, mode="light")
    broken = _break_the_contract(target_url)
    found = evaluations(run_job(target_url, job="audit_job", mode="light", raise_on_error=False))
    named = {}
    for rule in broken:
        evaluation = found[rule]
        assert not evaluation.passed, rule
        # The seeder's rows changed by hand are its own violations; the hand-made session is someone else's.
        named[rule] = {e["id"] for e in evaluation.metadata["examples"].value}
        named[rule] |= {e["id"] for e in evaluation.metadata["foreign_examples"].value}
        assert (evaluation.severity.value == "WARN") == (rule == "no_double_booking"), rule
    # Each rule names what was broken for it (a moved window also strands the sessions booked in it).
    assert {rule: ids - named[rule] for rule, ids in broken.items() if ids - named[rule]} == {}
    assert {rule: named[rule] - broken[rule] for rule in broken
            if rule not in ("meetings_bookable", "availability_in_the_apps_format") and named[rule] - broken[rule]} == {}

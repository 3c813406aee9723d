"""Tier 2 enricher (current schema): communities with a therapist hold group therapy sessions."""

import datetime as dt
from collections import defaultdict

import sqlalchemy as sa

from mentara_seed.assets.common import enricher
from mentara_seed.generate import makers, people, state
from mentara_seed.generate.keys import Stream, seed_id
from mentara_seed.requirements import BY_NAME
from mentara_seed.schema import tables as T
from mentara_seed.seeding import Seeding

G, INV, PART = T.GroupTherapySessions, T.GroupSessionTherapistInvitations, T.GroupSessionParticipants
THEMES = {
    "anxiety": ("Taming the worry loop", "Grounding skills for anxious days"),
    "depression": ("Small steps out of the fog", "Building a gentle routine"),
    "adhd": ("Focus tools that actually stick", "Planning without the overwhelm"),
    "insomnia": ("Wind-down routines for better sleep", "Quieting the 2 a.m. mind"),
    "burnout": ("Boundaries at work", "Recovering your energy"),
    "panic": ("Riding out a panic wave", "Breath and body skills"),
    "social_anxiety": ("Confidence in small steps", "Practising conversations safely"),
    "family": ("Carrying grief together", "Honouring the people we miss"),
    "ptsd": ("Feeling safe in your body", "Grounding after triggers"),
    "ocd": ("Living with uncertainty", "Exposure practice, together"),
}
GENERAL_THEMES = ("Mindful check-in circle", "Self-compassion practice", "Stress skills for everyday life")


@enricher("group_sessions", tier=2, owns=T.GroupTherapySessions, inputs=["enriched_memberships", "enriched_moderators"],
          writes=[T.GroupSessionParticipants, T.GroupSessionTherapistInvitations])
def enrich_group_sessions(s: Seeding) -> None:
    """Guarantees (current schema): every community with an approved therapist among its members has
    the mode's minimum of upcoming group sessions, each created by one of the community's moderators,
    facilitated by therapist members who accepted the invitation (so the session is approved), with
    registered participants who are members of the community, up to its capacity. Sessions start on
    the half hour in Manila's daytime, within the next four weeks."""
    if not s.target.has(G):
        return
    needs = s.needs(BY_NAME["community_group_sessions"])
    if needs:
        create_sessions(s, needs)
    add_facilitators(s)
    add_participants(s)


def create_sessions(s: Seeding, needs: dict[str, int]) -> None:
    members = state.members_by_community(s)
    approved = set(s.scalars(sa.select(T.Therapist.c.userId).where(T.Therapist.c.status == "APPROVED")))
    moderators = defaultdict(list)
    for moderator_id, community_id in s.rows(sa.select(T.ModeratorCommunity.c.moderatorId,
                                                       T.ModeratorCommunity.c.communityId).order_by(T.ModeratorCommunity.c.moderatorId)):
        moderators[community_id].append(moderator_id)
    topics = state.community_topics(s)
    names = dict(s.rows(sa.select(T.Community.c.id, T.Community.c.name)))
    for chunk in s.ids.new_ids(G, "group_sessions/community", needs):
        sessions, invitations = [], []
        for community_id, session_id, rng in chunk:
            therapists = [m for m in members.get(community_id, ()) if m in approved]
            if not therapists or not moderators.get(community_id):
                s.unmet["community_group_sessions"] += 1
                continue
            session = group_session(s, rng, session_id, community_id, rng.choice(moderators[community_id]),
                                    topics.get(community_id), names.get(community_id, "the community"))
            sessions.append(session)
            for therapist_id in rng.sample(therapists, min(len(therapists), rng.randint(1, 2))):
                invitations.append(invitation(s, session, therapist_id))
        s.insert(G, sessions)
        s.insert(INV, invitations)


def group_session(s: Seeding, rng: Stream, session_id: str, community_id: str, moderator_id: str, topic,
                  community_name: str) -> dict:
    theme = rng.choice(THEMES.get(topic.key if topic else None, GENERAL_THEMES))
    day = (s.anchor + dt.timedelta(days=rng.randint(2, 28))).replace(hour=0, minute=0, second=0, microsecond=0)
    # 10:00 to 19:30 in Manila: 02:00 to 11:30 UTC, on the half hour.
    start = day + dt.timedelta(minutes=120 + 30 * rng.below(20))
    virtual = rng.random() < 0.8
    created = s.days_before(rng, 3, 20)
    city = people.place(rng)[0]
    return {
        "id": session_id, "title": f"{theme}", "description": f"A facilitated group session for members of "
        f"{community_name}: {theme.lower()}. Come as you are; sharing is always optional.",
        "communityId": community_id, "createdById": moderator_id, "sessionType": "VIRTUAL" if virtual else "IN_PERSON",
        "sessionFormat": "group-therapy" if rng.random() < 0.75 else "webinar", "scheduledAt": start,
        "duration": rng.choice((60, 60, 90)), "maxParticipants": rng.choice((8, 10, 12, 15, 20)),
        "virtualLink": f"https://meet.mentara.test/group/{session_id}" if virtual else None,
        "location": None if virtual else f"Mentara Wellness Hub, {city}",
        "locationAddress": None if virtual else f"2F Community Center, {city}",
        "status": "APPROVED", "cancelledAt": None, "cancellationReason": None, "completedAt": None,
        "createdAt": created, "updatedAt": created,
    }


def invitation(s: Seeding, session: dict, therapist_id: str) -> dict:
    invitation_id = seed_id("group_session_invitation", session["id"], therapist_id)
    rng = s.rng("group_session_invitation", invitation_id)
    responded = min(session["createdAt"] + dt.timedelta(hours=rng.randint(1, 48)), s.anchor)
    return {"id": invitation_id, "sessionId": session["id"], "therapistId": therapist_id, "status": "ACCEPTED",
            "invitedAt": session["createdAt"], "respondedAt": responded,
            "message": rng.choice((None, "Happy to co-facilitate!", "Count me in.", "Looking forward to it.")),
            "createdAt": session["createdAt"], "updatedAt": responded}


def add_facilitators(s: Seeding) -> None:
    """A session without an accepted facilitator (someone else's) gets one of the community's therapists."""
    short = s.deficits(BY_NAME["group_session_therapists"])
    if not short:
        return
    members = state.members_by_community(s)
    approved = set(s.scalars(sa.select(T.Therapist.c.userId).where(T.Therapist.c.status == "APPROVED")))
    sessions = {row.id: row for row in s.rows(sa.select(G.c.id, G.c.communityId, G.c.createdAt)
                                               .where(s.one_of(G.c.id, [d.subject for d in short])))}
    invited = state.grouped(state.pairs_where(s, INV, INV.c.sessionId, INV.c.therapistId, INV.c.sessionId, list(sessions)))
    new = []
    for d in short:
        session = sessions[d.subject]
        options = [m for m in members.get(session.communityId, ()) if m in approved]
        chosen = makers.sample_excluding(s.rng("group_session_facilitator", d.subject), options,
                                         invited.get(d.subject, set()), d.missing)
        s.unmet["group_session_therapists"] += d.missing - len(chosen)
        new.extend(invitation(s, {"id": session.id, "createdAt": min(session.createdAt, s.anchor)}, t) for t in chosen)
    s.insert(INV, new)


def add_participants(s: Seeding) -> None:
    """Members of the session's community register, never beyond its capacity."""
    short = s.deficits(BY_NAME["group_session_participants"])
    if not short:
        return
    members = state.members_by_community(s)
    ids = [d.subject for d in short]
    sessions = {row.id: row for row in s.rows(sa.select(G.c.id, G.c.communityId, G.c.createdAt, G.c.maxParticipants,
                                                        G.c.createdById).where(s.one_of(G.c.id, ids)))}
    taken = defaultdict(set)
    for session_id, user_id in s.rows(sa.select(PART.c.sessionId, PART.c.userId).where(s.one_of(PART.c.sessionId, ids))):
        taken[session_id].add(user_id)
    facilitators = state.grouped(state.pairs_where(s, INV, INV.c.sessionId, INV.c.therapistId, INV.c.sessionId, ids))
    new = []
    for d in short:
        session_id = d.subject
        session = sessions[session_id]
        room = max(0, session.maxParticipants - len(taken[session_id]))
        exclude = taken[session_id] | facilitators.get(session_id, set()) | {session.createdById}
        chosen = makers.sample_excluding(s.rng("group_session_participants", session_id),
                                         members.get(session.communityId, []), exclude, min(d.missing, room))
        s.unmet["group_session_participants"] += d.missing - len(chosen)
        for user_id in chosen:
            participant_id = seed_id("group_session_participant", session_id, user_id)
            joined = s.between(s.rng("group_session_participant", participant_id), min(session.createdAt, s.anchor),
                               s.anchor)
            new.append({"id": participant_id, "sessionId": session_id, "userId": user_id, "joinedAt": joined,
                        "attendanceStatus": "REGISTERED", "leftAt": None, "createdAt": joined, "updatedAt": joined})
    s.insert(PART, new)

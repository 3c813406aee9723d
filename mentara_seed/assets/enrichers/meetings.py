"""Tier 4 enricher: therapy happens, and every completed session is written up."""

from collections import defaultdict

import sqlalchemy as sa

from mentara_seed.assets.common import enricher
from mentara_seed.contract import MEETING_OPEN
from mentara_seed.generate import makers, schedule, state
from mentara_seed.generate.keys import made_by_seeder
from mentara_seed.requirements import BY_NAME
from mentara_seed.schema import tables as T
from mentara_seed.seeding import LOOKUP, Seeding, chunks


@enricher("meetings", tier=4, owns=T.Meeting, inputs=["enriched_relationships"], writes=[T.MeetingNotes])
def enrich_meetings(s: Seeding) -> None:
    """Guarantees: every client with a therapist and every approved therapist has the mode's minimum
    of meetings, every COMPLETED meeting has notes, and every approved therapist has written at
    least two session notes. Meetings only join related pairs with an approved therapist, sit in a
    free half-hour slot of the therapist's week that the booking API would offer (30 to 120
    minutes, inside a window, never overlapping either person's other sessions); past ones are
    completed, cancelled or no-show, future ones requested (WAITING), scheduled or confirmed. The
    documented client has a confirmed session in the coming week, and the documented therapist has
    sessions in it and a booking request to answer."""
    close_past_sessions(s)
    view = state.View(s)

    def with_their_therapist(client_id, rng):
        therapists = view.by_client.get(client_id)
        return (client_id, rng.choice(therapists)) if therapists else None

    def with_one_of_their_clients(therapist_id, rng):
        clients = view.by_therapist.get(therapist_id)
        return (rng.choice(clients), therapist_id) if clients else None

    book = schedule.Book.load(s.conn)
    names = makers.therapist_names(s)
    makers.make_meetings(s, "meetings/client_meetings", s.needs(BY_NAME["client_meetings"]), with_their_therapist,
                         book, names=names)
    makers.make_meetings(s, "meetings/therapist_meetings", s.needs(BY_NAME["therapist_meetings"]),
                         with_one_of_their_clients, book, names=names)

    unnoted = [d.subject for d in s.deficits(BY_NAME["completed_meeting_notes"])]
    for part in chunks(unnoted, LOOKUP):
        M = T.Meeting
        makers.make_notes(s, s.rows(sa.select(M.c.id, M.c.endTime, M.c.clientId).where(s.one_of(M.c.id, part))
                                    .order_by(M.c.id)))

    # A therapist still short of session notes gets more past sessions, each written up.
    makers.make_meetings(s, "meetings/therapist_session_notes", s.needs(BY_NAME["therapist_session_notes"]),
                         with_one_of_their_clients, book, past=True, status="COMPLETED", noted=lambda meeting: True,
                         names=names)

    # The documented accounts' dashboards: the client's next session, the therapist's week and requests.
    soon = {"past": False, "future_days": (1, 7), "names": names}
    makers.make_meetings(s, "meetings/demo_client_upcoming", s.needs(BY_NAME["demo_client_upcoming_session"]),
                         with_their_therapist, book, status="CONFIRMED", **soon)
    makers.make_meetings(s, "meetings/demo_therapist_week", s.needs(BY_NAME["demo_therapist_sessions_this_week"]),
                         with_one_of_their_clients, book, status=("SCHEDULED", "CONFIRMED"), **soon)
    makers.make_meetings(s, "meetings/demo_therapist_requests", s.needs(BY_NAME["demo_therapist_booking_requests"]),
                         with_one_of_their_clients, book, status="WAITING", **{**soon, "future_days": (1, 14)})


def close_past_sessions(s: Seeding) -> None:
    """Sessions the seeder scheduled that have ended by the anchor get their outcome.

    A nightly refresh moves the anchor on; a session seeded as "scheduled"
    for next week is in the past a week later. Only the seeder's own meetings
    are touched; with an unchanged anchor there is nothing to do.
    """
    M = T.Meeting
    outcomes = defaultdict(list)
    for meeting_id in s.scalars(
        sa.select(M.c.id).where(M.c.endTime <= s.anchor, M.c.status.in_(MEETING_OPEN), made_by_seeder(M.c.id)).order_by(M.c.id)
    ):
        roll = s.rng("meeting_outcome", meeting_id).random()
        outcomes["COMPLETED" if roll < 0.85 else "CANCELLED" if roll < 0.95 else "NO_SHOW"].append(meeting_id)
    for status, ids in sorted(outcomes.items()):
        for part in chunks(ids, LOOKUP):
            s.conn.execute(sa.update(M).where(s.one_of(M.c.id, part)).values(status=status, updatedAt=M.c.endTime))
        s.updated[M.name] += len(ids)

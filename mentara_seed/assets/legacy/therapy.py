"""Legacy generator 5: meetings, session notes, worksheets (with submissions), pre-assessments, reviews."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa

from mentara_seed.assets.common import legacy_asset
from mentara_seed.assets.legacy.relationships import has_therapist, therapist_for
from mentara_seed.generate import makers, rows, schedule, state, voices
from mentara_seed.generate.keys import seed_id, unit
from mentara_seed.requirements import approved_therapists
from mentara_seed.schema import tables as T
from mentara_seed.seeding import LOOKUP, Seeding, chunks

MEETINGS = "legacy_meeting"
WORKSHEETS = "legacy_worksheet"


def pair_key(client_id: str, therapist_id: str) -> str:
    return f"{client_id}+{therapist_id}"


def counts_per_pair(s: Seeding, table: sa.Table) -> dict[str, int]:
    """Rows of ``table`` per client-therapist pair, keyed by ``pair_key``."""
    return s.counts(
        sa.select(table.c.clientId + "+" + table.c.therapistId, sa.func.count())
        .group_by(table.c.clientId, table.c.therapistId)
    )


def legacy_pairs(s: Seeding) -> list[tuple[str, str]]:
    """The base population's active pairs: clients drawn to have a therapist, with that therapist.

    Later relationships (added by the enrichers) get their meetings and
    worksheets from the enrichers, so a second run adds nothing here.
    """
    approved = sorted(s.scalars(approved_therapists()))
    by_client, _ = state.relationships(s)
    return [
        (c, therapist_for(c, approved))
        for c, therapists in sorted(by_client.items())
        if has_therapist(s, c) and therapist_for(c, approved) in therapists
    ]


@legacy_asset("therapy", owns=T.Meeting, inputs=["relationships"],
              writes=[T.MeetingNotes, T.PreAssessment, T.Review, T.TherapistAvailability, T.Worksheet, T.WorksheetSubmission])
def generate_therapy(s: Seeding) -> None:
    """For the base client-therapist pairs: meetings (past ones COMPLETED, cancelled or no-show,
    future ones scheduled), session notes, worksheets with submissions and reviews, at the mode's
    volumes and rates; and completed pre-assessments for the mode's share of clients."""
    v = s.volumes
    pairs = {pair_key(c, t): (c, t) for c, t in legacy_pairs(s)}

    ensure_weeks(s)
    per_pair = counts_per_pair(s, T.Meeting)
    makers.make_meetings(
        s, MEETINGS,
        {k: v.meetings_per_relationship - per_pair.get(k, 0) for k in pairs if per_pair.get(k, 0) < v.meetings_per_relationship},
        lambda key, rng: pairs[key], schedule.Book.load(s.conn),
        apart=lambda key: pairs[key][1],  # each client in one base pair: therapists' diaries are apart
    )

    # Session notes for the share of the base pairs' completed meetings the mode asks for.
    M = T.Meeting
    unnoted = s.rows(sa.select(M.c.id, M.c.endTime, M.c.clientId).where(
        M.c.status == "COMPLETED", ~sa.exists().where(T.MeetingNotes.c.meetingId == M.c.id),
    ).order_by(M.c.id))
    if unnoted:
        planned = {seed_id(MEETINGS, k, n) for k in pairs for n in range(v.meetings_per_relationship)}
        makers.make_notes(s, [
            (m.id, m.endTime, m.clientId) for m in unnoted
            if m.id in planned and unit("session_notes", m.id) < v.session_notes_rate
        ])

    sheets = counts_per_pair(s, T.Worksheet)
    makers.make_worksheets(
        s, WORKSHEETS,
        {k: v.worksheets_per_relationship - sheets.get(k, 0) for k in pairs if sheets.get(k, 0) < v.worksheets_per_relationship},
        lambda key, rng: pairs[key],
    )

    assessed = set(s.scalars(sa.select(T.PreAssessment.c.clientId)))
    due = [c for c in state.ids(s, T.Client.c.userId)
           if c not in assessed and unit("pre_assessment", c) < v.assessment_rate]
    if due:
        topics = state.topics_by_user(s)
        s.each(chunks(due, makers.PARALLEL_ENTITIES), lambda part: s.insert(T.PreAssessment, (
            rows.pre_assessment(s, seed_id("pre_assessment", c), c, topics.get(c, ()),
                                s.days_before(s.rng("pre_assessment_date", c), 300, 400))
            for c in part
        )))

    add_reviews(s, pairs)


def ensure_weeks(s: Seeding) -> None:
    """Approved therapists without availability get their usual week: sessions are booked into it."""
    A = T.TherapistAvailability
    have = set(s.scalars(sa.select(A.c.therapistId).distinct()))
    bare = [t for t in s.scalars(approved_therapists()) if t not in have]
    rows_ = []
    for therapist_id in sorted(bare):
        rng = s.rng("availability/legacy", therapist_id)
        rows_.extend(schedule.standard_week(rng, therapist_id, rng.randint(4, 5), s.days_before(rng, 300, 400)))
    s.insert(A, rows_)


def add_reviews(s: Seeding, pairs: dict[str, tuple[str, str]]) -> None:
    """The mode's share of base pairs reviews the therapist, tied to one of their completed meetings."""
    reviewed = {pair_key(c, t) for c, t in s.rows(sa.select(T.Review.c.clientId, T.Review.c.therapistId))}
    due = {key: pair for key, pair in sorted(pairs.items())
           if key not in reviewed and unit("review", key) < s.volumes.review_rate}
    if not due:
        return
    M = T.Meeting
    completed: dict[str, list[tuple[str, object]]] = defaultdict(list)
    for part in chunks(sorted({client for client, _ in due.values()}), LOOKUP):
        for m in s.rows(
            sa.select(M.c.id, M.c.clientId, M.c.therapistId, M.c.endTime)
            .where(M.c.status == "COMPLETED", M.c.endTime <= s.anchor, s.one_of(M.c.clientId, part))
            .order_by(M.c.id)
        ):
            completed[pair_key(m.clientId, m.therapistId)].append((m.id, m.endTime))
    new = []
    writers = voices.Writers(s)
    for key, (client_id, therapist_id) in due.items():
        if completed[key]:
            meeting_id, end = s.rng("legacy_review", key).choice(completed[key])
            new.append(rows.review(s, client_id, therapist_id, meeting_id, end, writers))
    s.insert(T.Review, new)

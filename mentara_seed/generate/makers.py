"""Making N missing rows for each of many entities, shared by legacy generators and enrichers.

Each maker takes ``needs`` (entity -> rows missing) and works through it a
chunk of entities at a time (``Seeding.new_ids``): it allocates the rows'
deterministic ids, asks a ``choose`` function for the parents of each new row
(drawn from the row's own stream), and streams the built rows into the
database. When ``choose`` finds no valid parent (say, a client in no
community), the row is skipped and counted in ``Seeding.unmet`` so the gap is
reported.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Optional

import sqlalchemy as sa

from mentara_seed.generate import rows, schedule, state, voices
from mentara_seed.generate.keys import Stream, seed_id
from mentara_seed.schema import tables as T
from mentara_seed.seeding import Seeding, chunks, parallel

Choice = Callable[[str, Stream], Optional[tuple]]


def pick(rng: Stream, options: Sequence, exclude: set | frozenset = frozenset()):
    """One option not in ``exclude``, or None."""
    if not exclude:
        return rng.choice(options) if options else None
    if len(exclude) == 1:
        # The usual case (not the author, not the parent's author): the same draw as choosing from
        # the options left, found without building them (a community has thousands of members).
        (left_out,) = exclude
        times = options.count(left_out)
        if times == 0:
            return rng.choice(options) if options else None
        if times == 1:
            at = options.index(left_out)
            if len(options) == 1:
                return None
            k = rng.below(len(options) - 1)
            return options[k if k < at else k + 1]
    allowed = [o for o in options if o not in exclude]
    return rng.choice(allowed) if allowed else None


def sample_excluding(rng: Stream, options: Sequence, exclude: set | frozenset, n: int) -> list:
    """Up to ``n`` distinct options not in ``exclude``, in a deterministic random order.

    Rejection-samples when the options are plentiful, so choosing a few out of
    thousands does not shuffle the thousands.
    """
    if n <= 0:
        return []
    if len(options) < 64 or len(options) - len(exclude) < 4 * n:
        allowed = [o for o in options if o not in exclude]
        return rng.sample(allowed, min(n, len(allowed)))
    chosen: list = []
    seen = set(exclude)
    while len(chosen) < n:
        option = options[rng.below(len(options))]
        if option not in seen:
            seen.add(option)
            chosen.append(option)
    return chosen


# Entities per item of a generator that ``Seeding.each`` spreads over processes: items enough to share.
PARALLEL_ENTITIES = 1_000


def _built(s: Seeding, purpose: str, chunk: Iterable[tuple[str, str, Stream]],
           build: Callable[[str, str, Stream], Optional[dict]]) -> Iterator[dict]:
    """The rows ``build`` makes for a chunk; one it cannot make counts as unmet."""
    for entity, row_id, rng in chunk:
        row = build(entity, row_id, rng)
        if row is None:
            s.unmet[purpose] += 1
        else:
            yield row


# How often a member posts in each member room: clients share stories, tools and wins; a therapist
# shares tools and introduces themselves, and leaves the members' stories and wins to them.
ROOM_WEIGHTS = {"client": {"Share Your Story": 35, "Coping Strategies": 30, "Wins and Progress": 20, "Introductions": 10},
                "therapist": {"Coping Strategies": 85, "Introductions": 15, "Share Your Story": 0, "Wins and Progress": 0}}


def choose_room(rng: Stream, room_ids: Sequence[str], names: Mapping[str, tuple], voice: str) -> str:
    """One of a community's member rooms, weighted by what its name says it is for (rooms of other
    names, someone else's, weigh as much as a typical room)."""
    weights = ROOM_WEIGHTS[voice]
    weighted = [(room_id, weights.get(names.get(room_id, ("",))[0], 10)) for room_id in room_ids]
    if not any(w for _, w in weighted):
        weighted = [(room_id, 1) for room_id in room_ids]
    pick = rng.below(sum(w for _, w in weighted))
    for room_id, weight in weighted:
        if pick < weight:
            return room_id
        pick -= weight
    return weighted[-1][0]


def make_posts(s: Seeding, purpose: str, needs: Mapping[str, int], choose: Choice, recent: bool = False,
               writers: Optional[voices.Writers] = None) -> None:
    """``choose(entity, rng) -> (author, community)``; the post goes in one of the community's member
    rooms, and says what fits the room, the community and the author."""
    if not any(n > 0 for n in needs.values()):
        return
    rooms = state.member_rooms(s)
    writers = writers or voices.Writers(s)

    def build(entity: str, post_id: str, rng: Stream) -> Optional[dict]:
        picked = choose(entity, rng)
        if picked is None or not rooms.get(picked[1]):
            return None
        author, community_id = picked
        created = s.days_before(rng, 1 / 24, 29) if recent else s.days_before(rng, 1, 180)
        room_id = choose_room(rng, rooms[community_id], writers.rooms, writers.voice(author))
        title, text_ = writers.post_text(rng, post_id, author, room_id)
        return rows.post(s, rng, post_id, author, room_id, created, title, text_)

    # Each post depends on its entity's stream alone: chunks of entities are built by the workers too.
    s.each(s.ids.allocated(T.Post, purpose, needs, PARALLEL_ENTITIES),
           lambda part: s.insert(T.Post, _built(s, purpose, s.ids.streams(purpose, part), build)))


def make_comments(s: Seeding, purpose: str, needs: Mapping[str, int], choose: Choice,
                  writers: Optional[voices.Writers] = None) -> None:
    """``choose(entity, rng) -> (post row, commenter)``; the comment answers the post, hours after it,
    and says nothing already said in its thread."""
    writers = writers or voices.Writers(s)

    def parts() -> Iterator[tuple[list, tuple] | object]:
        # A chunk's comments are picked here, then built a few posts at a time (each post's comments
        # in the chunk's order, as one pass through the chunk would): posts apart, threads apart, so
        # the workers build them too. The next chunk reads what this one wrote.
        for part in s.ids.allocated(T.Comment, purpose, needs):
            picked = [(comment_id, rng, choose(entity, rng)) for entity, comment_id, rng in s.ids.streams(purpose, part)]
            on_post: dict[str | None, list] = defaultdict(list)
            for one in picked:
                on_post[one[2][0].id if one[2] is not None else None].append(one)
            group: list = on_post.pop(None, [])  # none to be made: counted unmet in the first group
            for post_id in sorted(on_post):
                group += on_post[post_id]
                if len(group) >= PARALLEL_ENTITIES:
                    yield group, writers.context_of(p[0].id for _, _, p in group if p is not None)
                    group = []
            if group:
                yield group, writers.context_of(p[0].id for _, _, p in group if p is not None)
            yield parallel.ALL_WRITTEN

    def build(item: tuple[list, tuple]) -> None:  # built by the workers too
        picked, context = item
        writers.use_context(context)
        new = []
        for comment_id, rng, pick in picked:
            if pick is None:
                s.unmet[purpose] += 1
                continue
            post, commenter = pick
            content = writers.comment_text(rng, post.id, post.communityId, commenter, post_author=post.userId,
                                           room_id=post.roomId)
            new.append(rows.comment(s, rng, comment_id, post.id, commenter, s.soon_after(rng, post.createdAt, 6),
                                    content))
        s.insert(T.Comment, new)

    s.each(parts(), build)


def make_meetings(s: Seeding, purpose: str, needs: Mapping[str, int], choose: Choice, book: schedule.Book,
                  past: bool | None = None, status: str | tuple[str, ...] | None = None,
                  noted: Callable[[dict], bool] = lambda meeting: False, future_days: tuple[int, int] = (1, 30),
                  past_days: tuple[int, int] = (2, 120), names: Optional[Mapping[str, str]] = None,
                  apart: Optional[Callable[[str], str]] = None) -> None:
    """``choose(entity, rng) -> (client, therapist)``, a related pair; each session goes in a free slot
    of the therapist's week (``book``), in the past or (30% of them, unless
    ``past`` says) the future, ``future_days`` or ``past_days`` away from the anchor; its ``status`` is
    the one given, one of several given, or the one its time implies. Meetings ``noted`` picks get
    session notes.

    A booking depends on the bookings before it in both people's diaries, so entities are booked in
    order. ``apart(entity)`` may say more: a key such that the sessions of entities with different
    keys never share a diary (the base pairs: each client has one therapist, so the therapist). Then
    each key's entities are booked in their order, keys apart, and groups of keys are built by the
    worker processes too (``Seeding.each``): the same sessions, in another order on disk."""
    names = names if names is not None else therapist_names(s)
    writers = voices.Writers(s)

    def make(part: Iterable[tuple[str, str, Stream]]) -> None:
        written_up: list[tuple[str, dt.datetime, str]] = []
        build = _booking(s, choose, book, past, status, noted, future_days, past_days, names, written_up)
        s.insert(T.Meeting, _built(s, purpose, part, build))
        if apart is None:
            make_notes(s, written_up, writers)
        else:  # already an item of ``Seeding.each``
            s.insert(T.MeetingNotes, _notes(s, written_up, writers))

    if apart is None:
        for chunk in s.ids.new_ids(T.Meeting, purpose, needs):
            make(chunk)
        return
    groups: dict[str, list[str]] = defaultdict(list)
    for entity in sorted(entity for entity, n in needs.items() if n > 0):
        groups[apart(entity)].append(entity)
    if not groups:
        return
    book.read()  # here, once: the workers inherit it
    keys = sorted(groups)

    def items() -> Iterator[list[tuple[str, str]]]:
        wanted: list[str] = []
        for key in keys:
            wanted += groups[key]
            if len(wanted) >= PARALLEL_ENTITIES or key == keys[-1]:
                allocated = s.ids.allocate(T.Meeting, purpose, {entity: needs[entity] for entity in wanted})
                yield [(entity, row_id) for entity in wanted for row_id in allocated[entity]]
                wanted = []

    s.each(items(), lambda part: make(s.ids.streams(purpose, part)))


def _booking(s: Seeding, choose: Choice, book: schedule.Book, past: bool | None, status: str | tuple[str, ...] | None,
             noted: Callable[[dict], bool], future_days: tuple[int, int], past_days: tuple[int, int],
             names: Mapping[str, str], written_up: list[tuple[str, dt.datetime, str]]
             ) -> Callable[[str, str, Stream], Optional[dict]]:
    """``make_meetings``' row builder: a session booked into ``book``, its notes due in ``written_up``."""

    def build(entity: str, meeting_id: str, rng: Stream) -> Optional[dict]:
        picked = choose(entity, rng)
        if picked is None:
            return None
        client_id, therapist_id = picked
        in_past = rng.random() < 0.7 if past is None else past
        low, high = past_days if in_past else future_days
        first = (s.anchor - dt.timedelta(days=high)).date() if in_past else (s.anchor + dt.timedelta(days=low)).date()
        duration = rng.choice(schedule.DURATION_WEIGHTS)
        start = book.slot(rng, therapist_id, client_id, first, high - low, duration)
        if start is None or (in_past and start + dt.timedelta(minutes=duration) > s.anchor):
            return None
        meeting = rows.meeting(s, rng, meeting_id, client_id, therapist_id, start, duration,
                               names.get(therapist_id, "your therapist"),
                               status=rng.choice(status) if isinstance(status, tuple) else status)
        if meeting["status"] == "COMPLETED" and noted(meeting):
            written_up.append((meeting_id, meeting["endTime"], client_id))
        return meeting

    return build


def therapist_names(s: Seeding) -> dict[str, str]:
    """``{therapist id: "First Last"}``, as the web app titles a booking."""
    U = T.User
    return {user_id: f"{first} {last}" for user_id, first, last in s.rows(
        sa.select(U.c.id, U.c.firstName, U.c.lastName).join(T.Therapist, T.Therapist.c.userId == U.c.id))}


def make_notes(s: Seeding, meetings: Iterable[tuple[str, dt.datetime, str]],
               writers: Optional[voices.Writers] = None) -> None:
    """Session notes for each ``(meeting_id, end_time, client_id)``."""
    meetings = [tuple(m) for m in meetings]  # plain data: items a worker may build (``Seeding.each``)
    if not meetings:
        return
    writers = writers or voices.Writers(s)
    s.each(chunks(meetings, PARALLEL_ENTITIES), lambda part: s.insert(T.MeetingNotes, _notes(s, part, writers)))


def _notes(s: Seeding, meetings: Iterable[tuple[str, dt.datetime, str]], writers: voices.Writers) -> Iterator[dict]:
    """The notes of each ``(meeting_id, end_time, client_id)``: each meeting's alone."""
    return (rows.meeting_notes(s, seed_id("meeting_notes", meeting_id), meeting_id, end, client_id, writers)
            for meeting_id, end, client_id in meetings)


def make_worksheets(s: Seeding, purpose: str, needs: Mapping[str, int], choose: Choice,
                    due_in: tuple[int, int] = (-40, 21)) -> None:
    """``choose(entity, rng) -> (client, therapist)``; due ``due_in`` days from the anchor; submissions
    come with handed-in worksheets."""
    writers = voices.Writers(s)

    def make(part: list[tuple[str, str]]) -> None:  # a worksheet depends on its entity's stream alone
        submissions: list[dict] = []

        def build(entity: str, worksheet_id: str, rng: Stream) -> Optional[dict]:
            picked = choose(entity, rng)
            if picked is None:
                return None
            sheet, submission = rows.worksheet(s, rng, worksheet_id, picked[0], picked[1], writers, due_in)
            if submission:
                submissions.append(submission)
            return sheet

        s.insert(T.Worksheet, _built(s, purpose, s.ids.streams(purpose, part), build))
        s.insert(T.WorksheetSubmission, submissions)

    s.each(s.ids.allocated(T.Worksheet, purpose, needs, PARALLEL_ENTITIES), make)


def add_memberships(s: Seeding, wanted: dict[str, int], shuffle_key: str) -> None:
    """Have each user in ``wanted`` join that many more communities they are not in yet."""
    if not wanted:
        return
    communities = state.ids(s, T.Community.c.id)
    joined = state.communities_by_user(s)
    s.insert(T.Membership, (
        rows.membership(s, user_id, community_id)
        for user_id, n in sorted(wanted.items())
        for community_id in sample_excluding(s.rng(shuffle_key, user_id), communities, set(joined.get(user_id, ())), n)
    ))


def fill_communities(s: Seeding, wanted: dict[str, int], shuffle_key: str) -> None:
    """Give each community in ``wanted`` that many more members (clients and therapists)."""
    if not wanted:
        return
    users = sorted(state.clients_and_therapists(s))
    members = state.members_by_community(s)
    s.insert(T.Membership, (
        rows.membership(s, user_id, community_id)
        for community_id, n in sorted(wanted.items())
        for user_id in sample_excluding(s.rng(shuffle_key, community_id), users, set(members.get(community_id, ())), n)
    ))

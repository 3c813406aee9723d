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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Optional

from mentara_seed.generate import rows, state
from mentara_seed.generate.keys import Stream, seed_id
from mentara_seed.schema import tables as T
from mentara_seed.seeding import Seeding

Choice = Callable[[str, Stream], Optional[tuple]]


def pick(rng: Stream, options: Sequence, exclude: set | frozenset = frozenset()):
    """One option not in ``exclude``, or None."""
    if not exclude:
        return rng.choice(options) if options else None
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


def _built(s: Seeding, purpose: str, chunk: Iterable[tuple[str, str, Stream]],
           build: Callable[[str, str, Stream], Optional[dict]]) -> Iterator[dict]:
    """The rows ``build`` makes for a chunk; one it cannot make counts as unmet."""
    for entity, row_id, rng in chunk:
        row = build(entity, row_id, rng)
        if row is None:
            s.unmet[purpose] += 1
        else:
            yield row


def make_posts(s: Seeding, purpose: str, needs: Mapping[str, int], choose: Choice, recent: bool = False) -> None:
    """``choose(entity, rng) -> (author, community)``; the post goes in one of the community's member rooms."""
    if not any(n > 0 for n in needs.values()):
        return
    rooms = state.member_rooms(s)

    def build(entity: str, post_id: str, rng: Stream) -> Optional[dict]:
        picked = choose(entity, rng)
        if picked is None or not rooms.get(picked[1]):
            return None
        author, community_id = picked
        created = s.days_before(rng, 1 / 24, 29) if recent else s.days_before(rng, 1, 180)
        return rows.post(s, rng, post_id, author, rng.choice(rooms[community_id]), created)

    for chunk in s.ids.new_ids(T.Post, purpose, needs):
        s.insert(T.Post, _built(s, purpose, chunk, build))


def make_comments(s: Seeding, purpose: str, needs: Mapping[str, int], choose: Choice) -> None:
    """``choose(entity, rng) -> (post_id, post_created, commenter)``; the comment follows the post."""

    def build(entity: str, comment_id: str, rng: Stream) -> Optional[dict]:
        picked = choose(entity, rng)
        if picked is None:
            return None
        post_id, post_created, commenter = picked
        return rows.comment(s, rng, comment_id, post_id, commenter, s.between(rng, post_created, s.anchor))

    for chunk in s.ids.new_ids(T.Comment, purpose, needs):
        s.insert(T.Comment, _built(s, purpose, chunk, build))


def make_meetings(s: Seeding, purpose: str, needs: Mapping[str, int], choose: Choice,
                  past: bool | None = None, status: str | None = None,
                  noted: Callable[[dict], bool] = lambda meeting: False) -> None:
    """``choose(entity, rng) -> (client, therapist)``, a related pair; meetings ``noted`` picks get session notes."""
    for chunk in s.ids.new_ids(T.Meeting, purpose, needs):
        written_up: list[tuple[str, dt.datetime]] = []

        def build(entity: str, meeting_id: str, rng: Stream) -> Optional[dict]:
            picked = choose(entity, rng)
            if picked is None:
                return None
            meeting = rows.meeting(s, rng, meeting_id, picked[0], picked[1], past=past, status=status)
            if meeting["status"] == "COMPLETED" and noted(meeting):
                written_up.append((meeting_id, meeting["endTime"]))  # noqa: B023 (consumed in this iteration)
            return meeting

        s.insert(T.Meeting, _built(s, purpose, chunk, build))
        make_notes(s, written_up)


def make_notes(s: Seeding, meetings: Iterable[tuple[str, dt.datetime]]) -> None:
    """Session notes for each ``(meeting_id, end_time)``."""
    s.insert(T.MeetingNotes, (
        rows.meeting_notes(s, seed_id("meeting_notes", meeting_id), meeting_id, end)
        for meeting_id, end in meetings
    ))


def make_worksheets(s: Seeding, purpose: str, needs: Mapping[str, int], choose: Choice) -> None:
    """``choose(entity, rng) -> (client, therapist)``; submissions come with handed-in worksheets."""
    for chunk in s.ids.new_ids(T.Worksheet, purpose, needs):
        submissions: list[dict] = []

        def build(entity: str, worksheet_id: str, rng: Stream) -> Optional[dict]:
            picked = choose(entity, rng)
            if picked is None:
                return None
            sheet, submission = rows.worksheet(s, rng, worksheet_id, picked[0], picked[1])
            if submission:
                submissions.append(submission)  # noqa: B023 (consumed in this iteration)
            return sheet

        s.insert(T.Worksheet, _built(s, purpose, chunk, build))
        s.insert(T.WorksheetSubmission, submissions)


def make_notifications(s: Seeding, purpose: str, needs: Mapping[str, int]) -> None:
    for chunk in s.ids.new_ids(T.Notification, purpose, needs):
        s.insert(T.Notification, (rows.notification(s, rng, notification_id, user_id)
                                  for user_id, notification_id, rng in chunk))


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

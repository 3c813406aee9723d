"""Making N missing rows for each of many entities, shared by legacy generators and enrichers.

Each maker takes ``needs`` (entity -> rows missing), allocates the rows'
deterministic ids, asks a ``choose`` function for the parents of each new row
(drawn from the row's own stream), builds the rows and bulk-inserts them.
When ``choose`` finds no valid parent (say, a client in no community), the
row is skipped and counted in ``Seeding.unmet`` so the gap is reported.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Callable, Mapping, Optional, Sequence

from mentara_seed.generate import rows, state
from mentara_seed.generate.keys import seed_id
from mentara_seed.schema import tables as T
from mentara_seed.seeding import Seeding

Choice = Callable[[str, random.Random], Optional[tuple]]


def pick(rng: random.Random, options: Sequence, exclude: set | frozenset = frozenset()):
    """One option not in ``exclude``, or None."""
    allowed = [o for o in options if o not in exclude]
    return rng.choice(allowed) if allowed else None


def sample_excluding(rng: random.Random, options: Sequence, exclude: set | frozenset, n: int) -> list:
    """Up to ``n`` distinct options not in ``exclude``, in a deterministic random order.

    Rejection-samples when the options are plentiful, so choosing a few out of
    thousands does not shuffle the thousands.
    """
    if n <= 0:
        return []
    if len(options) < 64 or len(options) - len(exclude) < 4 * n:
        allowed = [o for o in options if o not in exclude]
        rng.shuffle(allowed)
        return allowed[:n]
    chosen: list = []
    seen = set(exclude)
    while len(chosen) < n:
        option = options[rng.randrange(len(options))]
        if option not in seen:
            seen.add(option)
            chosen.append(option)
    return chosen


def _each_new_id(s: Seeding, table, purpose: str, needs: Mapping[str, int]):
    allocated = s.allocate(table, purpose, needs)
    for entity in sorted(allocated):
        for row_id in allocated[entity]:
            yield entity, row_id, s.rng(purpose, row_id)


def make_posts(s: Seeding, purpose: str, needs: Mapping[str, int], choose: Choice, recent: bool = False) -> None:
    """``choose(entity, rng) -> (author, community)``; the post goes in one of the community's member rooms."""
    rooms = state.member_rooms(s)
    new = []
    for entity, post_id, rng in _each_new_id(s, T.Post, purpose, needs):
        picked = choose(entity, rng)
        if picked is None or not rooms.get(picked[1]):
            s.unmet[purpose] += 1
            continue
        author, community_id = picked
        created = s.days_before(rng, 1 / 24, 29) if recent else s.days_before(rng, 1, 180)
        new.append(rows.post(s, post_id, author, rng.choice(rooms[community_id]), created))
    s.insert(T.Post, new)


def make_comments(s: Seeding, purpose: str, needs: Mapping[str, int], choose: Choice) -> None:
    """``choose(entity, rng) -> (post_id, post_created, commenter)``; the comment follows the post."""
    new = []
    for entity, comment_id, rng in _each_new_id(s, T.Comment, purpose, needs):
        picked = choose(entity, rng)
        if picked is None:
            s.unmet[purpose] += 1
            continue
        post_id, post_created, commenter = picked
        new.append(rows.comment(s, comment_id, post_id, commenter, s.between(rng, post_created, s.anchor)))
    s.insert(T.Comment, new)


def make_meetings(s: Seeding, purpose: str, needs: Mapping[str, int], choose: Choice,
                  past: bool | None = None, status: str | None = None) -> list[dict]:
    """``choose(entity, rng) -> (client, therapist)``, a related pair. Returns the new meetings."""
    new = []
    for entity, meeting_id, rng in _each_new_id(s, T.Meeting, purpose, needs):
        picked = choose(entity, rng)
        if picked is None:
            s.unmet[purpose] += 1
            continue
        new.append(rows.meeting(s, meeting_id, picked[0], picked[1], past=past, status=status))
    s.insert(T.Meeting, new)
    return new


def make_notes(s: Seeding, meetings: Sequence[tuple[str, dt.datetime]]) -> None:
    """Session notes for each ``(meeting_id, end_time)``."""
    s.insert(T.MeetingNotes, [
        rows.meeting_notes(s, seed_id("meeting_notes", meeting_id), meeting_id, end)
        for meeting_id, end in meetings
    ])


def make_worksheets(s: Seeding, purpose: str, needs: Mapping[str, int], choose: Choice) -> None:
    """``choose(entity, rng) -> (client, therapist)``; submissions come with handed-in worksheets."""
    sheets, submissions = [], []
    for entity, worksheet_id, rng in _each_new_id(s, T.Worksheet, purpose, needs):
        picked = choose(entity, rng)
        if picked is None:
            s.unmet[purpose] += 1
            continue
        sheet, submission = rows.worksheet(s, worksheet_id, picked[0], picked[1])
        sheets.append(sheet)
        if submission:
            submissions.append(submission)
    s.insert(T.Worksheet, sheets)
    s.insert(T.WorksheetSubmission, submissions)


def make_notifications(s: Seeding, purpose: str, needs: Mapping[str, int]) -> None:
    s.insert(T.Notification, [
        rows.notification(s, notification_id, user_id)
        for user_id, notification_id, _ in _each_new_id(s, T.Notification, purpose, needs)
    ])


def add_memberships(s: Seeding, wanted: dict[str, int], shuffle_key: str) -> None:
    """Have each user in ``wanted`` join that many more communities they are not in yet."""
    communities = state.ids(s, T.Community.c.id)
    joined = state.communities_by_user(s)
    new = []
    for user_id, n in sorted(wanted.items()):
        options = sample_excluding(s.rng(shuffle_key, user_id), communities, set(joined.get(user_id, ())), n)
        new.extend(rows.membership(s, user_id, community_id) for community_id in options)
    s.insert(T.Membership, new)


def fill_communities(s: Seeding, wanted: dict[str, int], shuffle_key: str) -> None:
    """Give each community in ``wanted`` that many more members (clients and therapists)."""
    users = sorted(state.ids(s, T.Client.c.userId) + state.ids(s, T.Therapist.c.userId))
    members = state.members_by_community(s)
    new = []
    for community_id, n in sorted(wanted.items()):
        options = sample_excluding(s.rng(shuffle_key, community_id), users, set(members.get(community_id, ())), n)
        new.extend(rows.membership(s, user_id, community_id) for user_id in options)
    s.insert(T.Membership, new)

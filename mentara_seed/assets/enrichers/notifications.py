"""Tier 6 enricher: everyone hears about what happened to them: clients, therapists, moderators, admins."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from mentara_seed.assets.common import enricher
from mentara_seed.generate import notices
from mentara_seed.generate.keys import made_by_seeder
from mentara_seed.requirements import BY_NAME, tables_of
from mentara_seed.schema import tables as T
from mentara_seed.seeding import LOOKUP, Seeding, chunks

ROLES = (("client_notifications", "client"), ("therapist_notifications", "therapist"),
         ("moderator_notifications", "moderator"), ("admin_notifications", "admin"))
# Notifications of the last two days are still unread; older ones were read within hours.
UNREAD_FOR = dt.timedelta(days=2)
RECIPIENTS_PER_GROUP = 2_000
# Event rows a stream fetches at a time (``EventStreams``).
STREAM_ROWS = 5_000
N = T.Notification


@enricher("notifications", tier=6, owns=T.Notification,
          inputs=["enriched_messages", "enriched_meetings", "enriched_worksheets", "enriched_reports",
                  "enriched_reviews"], shard_by="recipient")
def enrich_notifications(s: Seeding) -> None:
    """Guarantees: every client and therapist has at least two notifications, every moderator and admin
    at least one, each about a real event that concerns them (a message to them, a comment on their
    post, a worksheet or a session booked for them, a booking request, a review, their approved
    application, a report in a community they moderate, an application to review), with the app's
    wording, the ids of the entity in ``data`` and a link that opens it in the web app, dated at the
    event; the latest ones unread, and some for the documented client."""
    withdraw_stale(s)
    for requirement, role in ROLES:
        needs = s.needs(BY_NAME[requirement])
        if needs:
            notify(s, role, requirement, needs)
    # The documented client's bell shows a count: their newest events not yet notified stay unread.
    needs = s.needs(BY_NAME["demo_client_unread_notifications"])
    if needs:
        notify(s, "client", "demo_client_unread_notifications", needs, unread=True)


def withdraw_stale(s: Seeding) -> None:
    """The seeder's own notifications about something deleted since (a post someone removed took its
    comments with it) are withdrawn, so every notification of the seeder's still opens a real thing;
    the minimums then top the recipient up with a current one. Nobody else's are touched."""
    gone = sorted(notification_id for notification_id, user_id in s.rows(notices.vanished()) if s.mine(user_id))
    for part in chunks(gone, LOOKUP):
        s.conn.execute(sa.delete(N).where(s.one_of(N.c.id, part), made_by_seeder(N.c.id)))
    if gone:
        s.removed[N.name] += len(gone)


def notify(s: Seeding, role: str, requirement: str, needs: dict[str, int], unread: bool = False) -> None:
    """``needs[user]`` notifications for users of ``role``, about their newest events not notified yet;
    those of the last two days (or, ``unread``, all) unread. Recipients are served a group at a time
    (their events held for the group only), so memory stays bounded at any volume."""
    kinds = [k for k in notices.KINDS if role in k.roles]
    purpose = f"notifications/{requirement}" if unread else f"notifications/{role}"
    # Ties in time are broken by entity id as Python orders strings.
    by_code = "C" if s.conn.dialect.name == "postgresql" else "BINARY"
    with EventStreams.open(s, kinds, role, needs) as streams:
        for group in chunks(sorted(needs), RECIPIENTS_PER_GROUP):
            notify_group(s, kinds, role, group, needs, purpose, requirement, unread, by_code, streams)


def notify_group(s: Seeding, kinds: list[notices.Kind], role: str, group: list[str], needs: dict[str, int], purpose: str,
                 requirement: str, unread: bool, by_code: str, streams: EventStreams | None) -> None:
    """The notifications of one group of recipients (``notify``)."""
    notified = set()
    for user_id, kind_type, data in s.rows(sa.select(N.c.userId, N.c.type, N.c.data).where(s.one_of(N.c.userId, group))):
        kind = notices.BY_TYPE.get(kind_type)
        if kind is not None and isinstance(data, dict):
            notified.add((user_id, kind_type, data.get(kind.key)))
    told = Counter((user_id, kind_type) for user_id, kind_type, _ in notified)
    sent = defaultdict(int)  # the most events of a kind anyone of the group was told of
    for (_, kind_type), n in told.items():
        sent[kind_type] = max(sent[kind_type], n)
    most = max(needs[r] for r in group)
    events = defaultdict(list)
    for kind in kinds:
        # A recipient is told of at most ``most`` events of a kind, the newest not told yet: only
        # those are read (every admin hears of the same applications: never all of them each).
        cap = most + sent[kind.type]
        found = (streams.through(kind, group[-1], cap) if streams is not None
                 else s.rows(ranked_events(kind, role, lambda recipient: s.one_of(recipient, group), s.anchor, cap, by_code)))
        for event in found:
            events[event.recipient].append((kind, event))
    queues = {}
    for recipient in group:
        # The newest events first, a kind's turn each (a mix, not ten messages in a row).
        by_kind = defaultdict(list)
        for k, e in sorted(events.get(recipient, []), key=lambda ke: (-ke[1].at.timestamp(), ke[0].type, ke[1].entity)):
            if (recipient, k.type, e.entity) not in notified:
                by_kind[k.type].append((k, e))
        queues[recipient] = [pair for round_ in _rounds(by_kind) for pair in round_][::-1]
    del events
    for chunk in s.ids.new_ids(N, purpose, {r: needs[r] for r in group}):
        new = []
        for recipient, notification_id, rng in chunk:
            queue = queues[recipient]
            if not queue:
                s.unmet[requirement] += 1
                continue
            kind, event = queue.pop()
            created = min(event.at + dt.timedelta(seconds=rng.randint(1, 90)), s.anchor)
            read_at = None if unread or created > s.anchor - UNREAD_FOR else min(
                s.soon_after(rng, created, 5, late_share=0.0), s.anchor)
            new.append(notices.row(notification_id, recipient, kind, event, created, read_at))
        s.insert(N, new)


def ranked_events(kind: notices.Kind, role: str, recipients: Callable[[sa.ColumnElement], sa.ColumnElement[bool]],
                  anchor: dt.datetime, cap: int, by_code: str) -> sa.Select:
    """The events of ``kind`` up to the anchor concerning recipients of ``role`` that ``recipients``
    accepts, each with its rank among its recipient's (``newest``: 1 for the latest), those ranked within ``cap``."""
    found = kind.select().where(notices.U.c.role == role).subquery()
    newest = sa.func.row_number().over(partition_by=found.c.recipient, order_by=(
        found.c.at.desc(), sa.collate(found.c.entity, by_code))).label("newest")
    ranked = (sa.select(found, newest).where(recipients(found.c.recipient), found.c.at <= anchor,
                                             found.c.at.is_not(None)).subquery())
    return sa.select(ranked).where(ranked.c.newest <= cap)


# Whether this session holds a lock that would keep another from reading one of ``tables``.
_LOCKED = sa.text("""
    SELECT count(*) > 0 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
    WHERE l.pid = pg_backend_pid() AND l.granted AND l.mode = 'AccessExclusiveLock' AND c.relname = ANY(:tables)
""").bindparams(sa.bindparam("tables", type_=sa.ARRAY(sa.Text)))


class EventStreams:
    """On Postgres, the events of every kind for all the recipients at once, one ranked read per kind in
    recipient order, taken a group at a time as the groups come to them.

    Read a group at a time instead, each group's read would go through the whole table of events
    (the planner's best plan for 2,000 clients' comment events is a hash join over every comment),
    so notifications grew with the square of the volume: the comment events took 55.6 s at heavy
    x1000 (53 groups) against 1.75 s at heavy x100 (6). The reads stream (a few thousand rows at a
    time) on a read-only connection of their own, beside the step's, which inserts meanwhile; the
    events are rows of earlier tiers, committed before this one started. That connection must never
    wait for the step's: where the step's transaction locks a table the events are read from (a role
    that may not keep the notifications' key into ``User`` unchecked drops it, which locks ``User``
    until the commit: ``seeding.deferred``), the notifications' upkeep is decided before the reads
    start, and each group's events are read by the step itself, as on SQLite (``ranked_events``)."""

    def __init__(self, results: dict[str, Iterator[sa.Row]]) -> None:
        self._rows = results
        self._next = {kind: next(rows, None) for kind, rows in results.items()}

    def through(self, kind: notices.Kind, last: str, cap: int) -> list[sa.Row]:
        """The events of ``kind`` ranked within ``cap`` of the recipients up to ``last`` not taken yet."""
        rows, row, out = self._rows[kind.type], self._next[kind.type], []
        while row is not None and row.recipient <= last:
            if row.newest <= cap:
                out.append(row)
            row = next(rows, None)
        self._next[kind.type] = row
        return out

    @classmethod
    @contextmanager
    def open(cls, s: Seeding, kinds: list[notices.Kind], role: str, needs: dict[str, int]) -> Iterator[EventStreams | None]:
        if not s.postgres:
            yield None
            return
        # What deferring the notifications' upkeep locks, it locks now, before any read of the streams.
        s.writer.deferred.before_first_rows(N.name)
        read = sorted({name for kind in kinds for name in tables_of(kind.select())})
        if s.conn.execute(_LOCKED, {"tables": read}).scalar_one():
            yield None
            return
        recipients = sorted(needs)
        # At least any group's cap: its ``most`` plus its ``sent`` (a count of distinct events told).
        told = (sa.select(sa.func.count().label("n")).where(s.one_of(N.c.userId, recipients))
                .group_by(N.c.userId, N.c.type).subquery())
        cap = max(needs.values()) + s.conn.execute(sa.select(sa.func.coalesce(sa.func.max(told.c.n), 0))).scalar_one()
        with s.conn.engine.connect() as reader:
            reader.exec_driver_sql("SET TRANSACTION READ ONLY")
            # (A cursor's plan is otherwise chosen to start fast: an index walk reading the heap at random.)
            reader.exec_driver_sql("SET LOCAL cursor_tuple_fraction = 1")
            results = {}
            try:
                for kind in kinds:
                    query = ranked_events(kind, role, lambda recipient: s.one_of(recipient, recipients), s.anchor,
                                          cap, "C")
                    query = query.order_by(sa.collate(query.selected_columns.recipient, "C"))
                    results[kind.type] = reader.execution_options(yield_per=STREAM_ROWS).execute(query)
                yield cls({kind: iter(result) for kind, result in results.items()})
            finally:
                for result in results.values():
                    result.close()
                reader.rollback()


def _rounds(by_kind: dict[str, list]):
    """The events of each kind interleaved: the newest of each kind, then the next of each, ..."""
    queues = [list(v) for _, v in sorted(by_kind.items(), key=lambda kv: -kv[1][0][1].at.timestamp())]
    while any(queues):
        yield [q.pop(0) for q in queues if q]

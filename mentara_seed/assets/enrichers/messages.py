"""Tier 4 enricher: every client is in conversations that have real back-and-forth."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence
from itertools import chain, groupby
from operator import itemgetter

import sqlalchemy as sa

from mentara_seed.assets.common import enricher
from mentara_seed.generate import content, makers, rows, state, voices
from mentara_seed.generate.keys import Stream, made_by_seeder, seed_id
from mentara_seed.requirements import BY_NAME
from mentara_seed.schema import tables as T
from mentara_seed.seeding import LOOKUP, Seeding, chunks

P = T.ConversationParticipant


@enricher("messages", tier=4, owns=T.Message, inputs=["enriched_relationships", "enriched_memberships"],
          writes=[T.Conversation, T.ConversationParticipant])
def enrich_messages(s: Seeding) -> None:
    """Guarantees: every client is in at least two conversations and each conversation of a client
    has at least five messages. A client talks with their therapist first, then with members of
    their communities, then with a moderator; messages come only from participants, in order,
    before the anchor. The documented client has messages of the last three days."""
    start_conversations(s)
    fill_conversations(s)
    keep_talking(s)


def start_conversations(s: Seeding) -> None:
    deficits = s.deficits(BY_NAME["client_conversations"])
    if not deficits:
        return
    by_client, _ = state.relationships(s)
    joined = state.communities_by_user(s)
    members = state.members_by_community(s)
    moderators = state.ids(s, T.Moderator.c.userId)
    mine, theirs = P.alias(), P.alias()
    talking = set()
    for part in chunks([d.subject for d in deficits], LOOKUP):
        talking.update(s.conn.execute(
            sa.select(mine.c.userId, theirs.c.userId)
            .join(theirs, sa.and_(theirs.c.conversationId == mine.c.conversationId, theirs.c.userId != mine.c.userId))
            .where(s.one_of(mine.c.userId, part))
        ))

    def partners(client_id: str, wanted: int) -> list[str]:
        """Their therapists first, then members of their communities, then moderators, each in a random
        order; only as many as wanted are drawn (moderators are many at large scales)."""
        rng = s.rng("conversation_partners", client_id)
        peers = sorted({m for c in joined.get(client_id, ()) for m in members[c]})
        chosen: list[str] = []
        for candidate in chain(by_client.get(client_id, []), in_random_order(rng, peers), in_random_order(rng, moderators)):
            if len(chosen) == wanted:
                break
            if candidate != client_id and candidate not in chosen and (client_id, candidate) not in talking:
                chosen.append(candidate)
        return chosen

    writers = voices.Writers(s)
    topics = state.topics_by_user(s)
    moderator_ids = set(moderators)
    def parts() -> Iterator[list[tuple[str, str, str]]]:
        # Who talks with whom is decided here, client after client (a partner chosen is someone the
        # next client cannot choose again); what they say, by the workers too.
        for part in s.ids.allocated(T.Conversation, "conversations/client", {d.subject: d.missing for d in deficits},
                                    makers.PARALLEL_ENTITIES):
            planned = []
            for client_id, new in groupby(part, key=itemgetter(0)):
                new = list(new)
                found = partners(client_id, len(new))
                s.unmet["client_conversations"] += len(new) - len(found)
                for (_, conversation_id), partner in zip(new, found, strict=False):  # fewer partners than slots: unmet
                    talking.add((partner, client_id))
                    planned.append((client_id, conversation_id, partner))
            yield planned

    def build(planned: list[tuple[str, str, str]]) -> None:
        conversations, participants, messages = [], [], []
        for client_id, conversation_id, partner in planned:
            crng = s.rng("conversations/client", conversation_id)
            kind = ("therapist" if writers.voice(partner) == "therapist" else
                    "moderator" if partner in moderator_ids else "peer")
            topic = crng.choice(topics[client_id]) if topics.get(client_id) else content.FALLBACK
            lines = content.dialogue(crng, kind, topic, content.subject_of(crng, topic),
                                     writers.first_name(client_id) or "there", writers.first_name(partner) or "there",
                                     crng.randint(5, 8))
            sent = s.days_before(crng, 3, 60)
            thread = []
            for k, (speaker, line) in enumerate(lines):
                if k:
                    sent = s.soon_after(crng, sent, 2.5, late_share=0.05)
                sender = (client_id, partner)[speaker]
                thread.append(rows.message(s, seed_id("message", conversation_id, k), conversation_id, sender, sent, line))
            # The client opens the chat with their therapist (client.service assignTherapist), titled by it.
            title = None
            if kind == "therapist":
                title = f"Therapy Session with {writers.people[partner][1]} {writers.last_name(partner)}"
            starter = [client_id, partner] if lines[0][0] == 0 or kind == "therapist" else [partner, client_id]
            conversation, people = rows.conversation(s, conversation_id, starter, thread[0]["createdAt"], thread, title)
            conversations.append(conversation)
            participants.extend(people)
            messages.extend(thread)
        s.insert(T.Conversation, conversations)
        s.insert(P, participants)
        s.insert(T.Message, messages)

    s.each(parts(), build)


def in_random_order(rng: Stream, items: Sequence[str]) -> Iterator[str]:
    """``items`` in a random order, drawn lazily: taking the first k costs k draws, not len(items)."""
    pool = list(items)
    for i in range(len(pool)):
        j = i + rng.below(len(pool) - i)
        pool[i], pool[j] = pool[j], pool[i]
        yield pool[i]


def fill_conversations(s: Seeding) -> None:
    deficits = s.deficits(BY_NAME["conversation_messages"])
    if deficits:
        add_messages(s, "messages/conversation", "conversation_messages", {d.subject: d.missing for d in deficits})


def keep_talking(s: Seeding) -> None:
    """The documented client's chat with their therapist (else their latest chat) goes on today."""
    needs = s.needs(BY_NAME["demo_client_recent_conversation"])
    if not needs:
        return
    by_client, _ = state.relationships(s)
    wanted = {}
    for client_id, missing in needs.items():
        theirs = sa.select(P.c.conversationId).where(P.c.userId == client_id)
        last = sa.func.max(T.Message.c.createdAt)
        ranked = s.rows(
            sa.select(P.c.conversationId, sa.func.max(sa.case((s.one_of(P.c.userId, by_client.get(client_id, [])), 1),
                                                              else_=0)).label("with_therapist"), last.label("last"))
            .join(T.Message, T.Message.c.conversationId == P.c.conversationId, isouter=True)
            .where(P.c.conversationId.in_(theirs)).group_by(P.c.conversationId))
        if not ranked:
            s.unmet["demo_client_recent_conversation"] += missing
            continue
        best = max(ranked, key=lambda r: (r.with_therapist, r.last or s.anchor - dt.timedelta(days=3650), r.conversationId))
        wanted[best.conversationId] = missing
    add_messages(s, "messages/demo_recent", "demo_client_recent_conversation", wanted,
                 window=dt.timedelta(days=2))


def add_messages(s: Seeding, purpose: str, requirement: str, wanted: dict[str, int],
                 window: dt.timedelta | None = None) -> None:
    """``wanted[conversation]`` more messages in each conversation, between its last message (or, given
    a ``window``, the start of that window before the anchor) and the anchor, the client and the other
    person taking turns; a conversation of the seeder's shows its new last message."""
    people, since, client_of = defaultdict(list), {}, {}
    U = T.User
    for part in chunks(sorted(wanted), LOOKUP):
        for conversation_id, user_id, role in s.rows(
            sa.select(P.c.conversationId, P.c.userId, U.c.role).join(U, U.c.id == P.c.userId)
            .where(s.one_of(P.c.conversationId, part)).order_by(P.c.userId)
        ):
            people[conversation_id].append(user_id)
            if role == "client":
                client_of.setdefault(conversation_id, user_id)
        last = (sa.select(sa.func.max(T.Message.c.createdAt)).where(T.Message.c.conversationId == T.Conversation.c.id)
                .scalar_subquery())
        for conversation_id, created, latest in s.rows(
            sa.select(T.Conversation.c.id, T.Conversation.c.createdAt, last).where(s.one_of(T.Conversation.c.id, part))
        ):
            since[conversation_id] = max(created, latest) if latest else created
            if window is not None:
                since[conversation_id] = max(since[conversation_id], s.anchor - window)
    writers = voices.Writers(s)
    topics = state.topics_by_user(s)
    newest = {}
    for chunk in s.ids.new_ids(T.Message, purpose, wanted):
        new = []
        for conversation_id, allocated in groupby(chunk, key=itemgetter(0)):
            message_ids = [message_id for _, message_id, _ in allocated]
            speakers = people[conversation_id]
            if len(speakers) < 2 or conversation_id not in since or since[conversation_id] >= s.anchor:
                s.unmet[requirement] += len(message_ids)
                continue
            client = client_of.get(conversation_id, speakers[0])
            other = next(p for p in speakers if p != client)
            rng = s.rng("conversation_fill", conversation_id)
            times = sorted(s.between(rng, since[conversation_id], s.anchor) for _ in message_ids)
            topic = rng.choice(topics[client]) if topics.get(client) else content.FALLBACK
            subject = content.subject_of(rng, topic)
            start = rng.below(len(content.FOLLOW_UPS))
            for k, (message_id, sent) in enumerate(zip(message_ids, times, strict=True)):
                speaker, line = content.follow_up(rng, topic, subject, writers.first_name(client),
                                                  writers.first_name(other), start + k)
                new.append(rows.message(s, message_id, conversation_id, (client, other)[speaker], sent, line))
                newest[conversation_id] = sent
        s.insert(T.Message, new)
    C = T.Conversation
    for conversation_id, sent in sorted(newest.items()):
        moved = s.conn.execute(
            sa.update(C).where(C.c.id == conversation_id, made_by_seeder(C.c.id),
                               sa.or_(C.c.lastMessageAt.is_(None), C.c.lastMessageAt < sent))
            .values(lastMessageAt=sent, updatedAt=sa.case((C.c.updatedAt > sent, C.c.updatedAt), else_=sent)))
        s.updated[C.name] += moved.rowcount

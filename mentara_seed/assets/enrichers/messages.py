"""Tier 4 enricher: every client is in conversations that have real back-and-forth."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence
from itertools import chain, groupby
from operator import itemgetter

import sqlalchemy as sa

from mentara_seed.assets.common import enricher
from mentara_seed.generate import rows, state
from mentara_seed.generate.keys import Stream, seed_id
from mentara_seed.requirements import BY_NAME
from mentara_seed.schema import tables as T
from mentara_seed.seeding import LOOKUP, Seeding, chunks

P = T.ConversationParticipant


@enricher("messages", tier=4, owns=T.Message, inputs=["enriched_relationships", "enriched_memberships"])
def enrich_messages(s: Seeding) -> None:
    """Guarantees: every client is in at least two conversations and each conversation of a client
    has at least five messages. A client talks with their therapist first, then with members of
    their communities, then with a moderator; messages come only from participants, in order,
    before the anchor."""
    start_conversations(s)
    fill_conversations(s)


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

    for chunk in s.ids.new_ids(T.Conversation, "conversations/client", {d.subject: d.missing for d in deficits}):
        conversations, participants, messages = [], [], []
        for client_id, new in groupby(chunk, key=itemgetter(0)):
            new = list(new)
            found = partners(client_id, len(new))
            s.unmet["client_conversations"] += len(new) - len(found)
            for (_, conversation_id, crng), partner in zip(new, found, strict=False):  # fewer partners than slots: unmet
                talking.add((partner, client_id))
                sent = s.days_before(crng, 8, 60)
                first_sender = crng.random() < 0.5
                thread = []
                for k in range(crng.randint(5, 8)):
                    sender = (client_id, partner)[(k + first_sender) % 2]
                    thread.append(rows.message(s, seed_id("message", conversation_id, k), conversation_id, sender, sent, k))
                    sent += dt.timedelta(minutes=crng.randint(2, 20 * 60))
                conversation, people = rows.conversation(s, conversation_id, [client_id, partner], thread[0]["createdAt"], thread)
                conversations.append(conversation)
                participants.extend(people)
                messages.extend(thread)
        s.insert(T.Conversation, conversations)
        s.insert(P, participants)
        s.insert(T.Message, messages)


def in_random_order(rng: Stream, items: Sequence[str]) -> Iterator[str]:
    """``items`` in a random order, drawn lazily: taking the first k costs k draws, not len(items)."""
    pool = list(items)
    for i in range(len(pool)):
        j = i + rng.below(len(pool) - i)
        pool[i], pool[j] = pool[j], pool[i]
        yield pool[i]


def fill_conversations(s: Seeding) -> None:
    deficits = s.deficits(BY_NAME["conversation_messages"])
    if not deficits:
        return
    short = [d.subject for d in deficits]
    people, since = defaultdict(list), {}
    for part in chunks(short, LOOKUP):
        for conversation_id, user_id in s.rows(
            sa.select(P.c.conversationId, P.c.userId).where(s.one_of(P.c.conversationId, part)).order_by(P.c.userId)
        ):
            people[conversation_id].append(user_id)
        last = (sa.select(sa.func.max(T.Message.c.createdAt)).where(T.Message.c.conversationId == T.Conversation.c.id)
                .scalar_subquery())
        for conversation_id, created, latest in s.rows(
            sa.select(T.Conversation.c.id, T.Conversation.c.createdAt, last).where(s.one_of(T.Conversation.c.id, part))
        ):
            since[conversation_id] = max(created, latest) if latest else created
    for chunk in s.ids.new_ids(T.Message, "messages/conversation", {d.subject: d.missing for d in deficits}):
        new = []
        for conversation_id, allocated in groupby(chunk, key=itemgetter(0)):
            message_ids = [message_id for _, message_id, _ in allocated]
            speakers = people[conversation_id]
            if not speakers or since[conversation_id] >= s.anchor:
                s.unmet["conversation_messages"] += len(message_ids)
                continue
            rng = s.rng("conversation_fill", conversation_id)
            times = sorted(s.between(rng, since[conversation_id], s.anchor) for _ in message_ids)
            for k, (message_id, sent) in enumerate(zip(message_ids, times, strict=True)):
                new.append(rows.message(s, message_id, conversation_id, speakers[k % len(speakers)], sent, k))
        s.insert(T.Message, new)

"""Tier 5 enricher: messages are read and reacted to, so unread counts look like a real inbox."""

import datetime as dt
from bisect import bisect_right
from collections import defaultdict

import sqlalchemy as sa

from mentara_seed import contract
from mentara_seed.assets.common import enricher
from mentara_seed.generate import makers
from mentara_seed.generate.keys import seed_id
from mentara_seed.requirements import BY_NAME
from mentara_seed.schema import tables as T
from mentara_seed.seeding import LOOKUP, Seeding, chunks

Msg, CP, RR, RX = T.Message, T.ConversationParticipant, T.MessageReadReceipt, T.MessageReaction
# The messenger's reactions as people use them in a support chat: mostly hearts and thumbs, never anger.
HEART, THUMBS, LAUGH, WOW, SAD, _ANGRY = contract.REACTIONS
REACTION_WEIGHTS = (HEART, HEART, HEART, THUMBS, THUMBS, LAUGH, WOW, SAD)


@enricher("message_interactions", tier=5, owns=T.MessageReadReceipt, inputs=["enriched_messages"])
def enrich_message_interactions(s: Seeding) -> None:
    """Guarantees: the other participants have read every message of a conversation but its latest
    two (the app counts a message unread while its reader has no receipt for it, so each inbox shows
    a couple of unread messages, not all of them), each read after it was sent and no later than the
    reader's next reply; and every conversation of a client has a reaction, an emoji of the
    messenger's from a participant other than the sender."""
    add_read_receipts(s)
    add_reactions(s)


def _threads(s: Seeding, conversations: list[str]) -> tuple[dict, dict]:
    """Messages (id, senderId, createdAt) per conversation in order, and active participants per conversation."""
    messages, people = defaultdict(list), defaultdict(list)
    for part in chunks(sorted(conversations), LOOKUP):
        for row in s.rows(sa.select(Msg.c.id, Msg.c.conversationId, Msg.c.senderId, Msg.c.createdAt)
                          .where(s.one_of(Msg.c.conversationId, part), Msg.c.isDeleted == sa.false())
                          .order_by(Msg.c.conversationId, Msg.c.createdAt, Msg.c.id)):
            messages[row.conversationId].append(row)
        for conversation_id, user_id in s.rows(sa.select(CP.c.conversationId, CP.c.userId)
                                               .where(s.one_of(CP.c.conversationId, part), CP.c.isActive == sa.true())
                                               .order_by(CP.c.conversationId, CP.c.userId)):
            people[conversation_id].append(user_id)
    return messages, people


def add_read_receipts(s: Seeding) -> None:
    due = s.deficits(BY_NAME["messages_read"])
    if not due:
        return
    ids = [d.subject for d in due]
    conversation_of = {}
    for part in chunks(ids, LOOKUP):
        conversation_of.update(s.rows(sa.select(Msg.c.id, Msg.c.conversationId).where(s.one_of(Msg.c.id, part))))
    messages, people = _threads(s, list(set(conversation_of.values())))
    read = defaultdict(set)
    for part in chunks(ids, LOOKUP):
        for message_id, user_id in s.rows(sa.select(RR.c.messageId, RR.c.userId).where(s.one_of(RR.c.messageId, part))):
            read[message_id].add(user_id)
    position = {m.id: (c, k) for c, thread in messages.items() for k, m in enumerate(thread)}

    def receipts():
        for d in due:
            conversation_id, k = position.get(d.subject, (None, None))
            if conversation_id is None:
                s.unmet["messages_read"] += d.missing
                continue
            thread = messages[conversation_id]
            message = thread[k]
            readers = [p for p in people[conversation_id] if p != message.senderId and p not in read[message.id]]
            s.unmet["messages_read"] += max(0, d.missing - len(readers))
            for reader in readers[: d.missing]:
                # Read before the reader's next message (you read, then reply), within hours, before the anchor.
                replies = [m.createdAt for m in thread[k + 1:] if m.senderId == reader]
                latest = min([s.anchor, message.createdAt + dt.timedelta(hours=9), *replies[:1]])
                receipt_id = seed_id("message_read_receipt", message.id, reader)
                yield {"id": receipt_id, "messageId": message.id, "userId": reader,
                       "readAt": s.between(s.rng("message_read", receipt_id), message.createdAt, latest)}

    s.insert(RR, receipts())


def add_reactions(s: Seeding) -> None:
    short = s.needs(BY_NAME["conversation_reactions"])
    if not short:
        return
    messages, people = _threads(s, list(short))
    reacted = defaultdict(set)
    for part in chunks(sorted(short), LOOKUP):
        for message_id, user_id, emoji in s.rows(
            sa.select(RX.c.messageId, RX.c.userId, RX.c.emoji).join(Msg, Msg.c.id == RX.c.messageId)
            .where(s.one_of(Msg.c.conversationId, part))
        ):
            reacted[message_id].add((user_id, emoji))
    for chunk in s.ids.new_ids(RX, "reactions/conversation", short):
        new = []
        for conversation_id, reaction_id, rng in chunk:
            thread = messages.get(conversation_id, [])
            options = [(m, p) for m in thread for p in people[conversation_id] if p != m.senderId]
            picked = makers.pick(rng, options)
            if picked is None:
                s.unmet["conversation_reactions"] += 1
                continue
            message, reactor = picked
            emoji = makers.pick(rng, REACTION_WEIGHTS, {e for u, e in reacted[message.id] if u == reactor})
            if emoji is None:
                s.unmet["conversation_reactions"] += 1
                continue
            reacted[message.id].add((reactor, emoji))
            times = [m.createdAt for m in thread]
            nxt = times[bisect_right(times, message.createdAt)] if bisect_right(times, message.createdAt) < len(times) else None
            latest = min(filter(None, (s.anchor, message.createdAt + dt.timedelta(hours=12), nxt)))
            new.append({"id": reaction_id, "messageId": message.id, "userId": reactor, "emoji": emoji,
                        "createdAt": s.between(rng, message.createdAt, latest)})
        s.insert(RX, new)

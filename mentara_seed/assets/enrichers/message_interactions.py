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
# Conversations whose messages get their receipts together: bounds the working set at any volume.
CONVERSATIONS_PER_GROUP = 5_000


@enricher("message_interactions", tier=5, owns=T.MessageReadReceipt, inputs=["enriched_messages"],
          shard_by="message (its receipts) and conversation (its reactions)", writes=[T.MessageReaction])
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
    """Receipts for the messages short of them, a group of conversations at a time (each receipt
    depends on its message's thread alone), so memory stays bounded at any volume."""
    due = s.deficits(BY_NAME["messages_read"])
    if not due:
        return
    conversation_of, shared = {}, {}
    read = defaultdict(set)  # read before this step (read first: the table may be loaded without its indexes)
    for part in chunks([d.subject for d in due], LOOKUP):
        for message_id, conversation_id in s.rows(sa.select(Msg.c.id, Msg.c.conversationId)
                                                  .where(s.one_of(Msg.c.id, part))):
            conversation_of[message_id] = shared.setdefault(conversation_id, conversation_id)
        for message_id, user_id in s.rows(sa.select(RR.c.messageId, RR.c.userId).where(s.one_of(RR.c.messageId, part))):
            read[message_id].add(user_id)
    due_in = defaultdict(list)
    for d in due:
        if d.subject in conversation_of:
            due_in[conversation_of[d.subject]].append(d)
        else:
            s.unmet["messages_read"] += d.missing
    del due, conversation_of, shared
    for group in chunks(sorted(due_in), CONVERSATIONS_PER_GROUP):
        s.insert(RR, receipts(s, group, due_in, read))


def receipts(s: Seeding, conversations: list[str], due_in: dict[str, list], read: dict[str, set[str]]):
    """The receipts the messages due in ``conversations`` lack: each by a participant other than the
    sender who has not read it yet (``read``), before their next reply."""
    messages, people = _threads(s, conversations)
    for conversation_id in conversations:
        thread = messages[conversation_id]
        position = {m.id: k for k, m in enumerate(thread)}
        for d in due_in[conversation_id]:
            k = position.get(d.subject)
            if k is None:  # deleted since
                s.unmet["messages_read"] += d.missing
                continue
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


def add_reactions(s: Seeding) -> None:
    short = s.needs(BY_NAME["conversation_reactions"])
    if not short:
        return
    reacted = defaultdict(set)  # read first: the table may be loaded without its indexes
    for part in chunks(sorted(short), LOOKUP):
        for message_id, user_id, emoji in s.rows(
            sa.select(RX.c.messageId, RX.c.userId, RX.c.emoji).join(Msg, Msg.c.id == RX.c.messageId)
            .where(s.one_of(Msg.c.conversationId, part))
        ):
            reacted[message_id].add((user_id, emoji))
    for chunk in s.ids.new_ids(RX, "reactions/conversation", short):
        chunk = list(chunk)
        messages, people = _threads(s, sorted({conversation_id for conversation_id, _, _ in chunk}))  # the chunk's only
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

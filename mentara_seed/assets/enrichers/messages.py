"""Tier 4 enricher: every client is in conversations that have real back-and-forth."""

import datetime as dt
from collections import defaultdict

import sqlalchemy as sa

from mentara_seed.assets.common import seed_asset
from mentara_seed.generate import rows, state
from mentara_seed.generate.keys import seed_id
from mentara_seed.requirements import BY_NAME
from mentara_seed.schema import tables as T
from mentara_seed.seeding import Seeding, chunks

P = T.ConversationParticipant


@seed_asset("enriched_messages", group="tier4", deps=["tier4", "enriched_relationships", "enriched_memberships"],
            owns=T.Message)
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
    for part in chunks([d.subject for d in deficits]):
        talking.update(s.rows(
            sa.select(mine.c.userId, theirs.c.userId)
            .join(theirs, sa.and_(theirs.c.conversationId == mine.c.conversationId, theirs.c.userId != mine.c.userId))
            .where(mine.c.userId.in_(part))
        ))
    allocated = s.allocate(T.Conversation, "conversations/client", {d.subject: d.missing for d in deficits})
    conversations, participants, messages = [], [], []
    for client_id in sorted(allocated):
        rng = s.rng("conversation_partners", client_id)
        peers = sorted({m for c in joined.get(client_id, ()) for m in members[c]})
        rng.shuffle(peers)
        mods = list(moderators)
        rng.shuffle(mods)
        partners = []
        for candidate in by_client.get(client_id, []) + peers + mods:
            if candidate != client_id and candidate not in partners and (client_id, candidate) not in talking:
                partners.append(candidate)
        s.unmet["client_conversations"] += max(0, len(allocated[client_id]) - len(partners))
        for conversation_id, partner in zip(allocated[client_id], partners):
            talking.add((partner, client_id))
            crng = s.rng("conversation", conversation_id)
            sent = s.days_before(crng, 8, 60)
            first_sender = crng.random() < 0.5
            thread = []
            for k in range(crng.randint(5, 8)):
                sender = (client_id, partner)[(k + first_sender) % 2]
                thread.append(rows.message(s, seed_id("message", conversation_id, k), conversation_id, sender, sent, k))
                sent += dt.timedelta(minutes=crng.randint(2, 20 * 60))
            conv, people = rows.conversation(s, conversation_id, [client_id, partner], thread[0]["createdAt"], thread)
            conversations.append(conv)
            participants.extend(people)
            messages.extend(thread)
    s.insert(T.Conversation, conversations)
    s.insert(P, participants)
    s.insert(T.Message, messages)


def fill_conversations(s: Seeding) -> None:
    deficits = s.deficits(BY_NAME["conversation_messages"])
    if not deficits:
        return
    short = [d.subject for d in deficits]
    people, since = defaultdict(list), {}
    for part in chunks(short):
        for conversation_id, user_id in s.rows(
            sa.select(P.c.conversationId, P.c.userId).where(P.c.conversationId.in_(part)).order_by(P.c.userId)
        ):
            people[conversation_id].append(user_id)
        last = (sa.select(sa.func.max(T.Message.c.createdAt)).where(T.Message.c.conversationId == T.Conversation.c.id)
                .scalar_subquery())
        for conversation_id, created, latest in s.rows(
            sa.select(T.Conversation.c.id, T.Conversation.c.createdAt, last).where(T.Conversation.c.id.in_(part))
        ):
            since[conversation_id] = max(created, latest) if latest else created
    allocated = s.allocate(T.Message, "messages/conversation", {d.subject: d.missing for d in deficits})
    new = []
    for conversation_id in sorted(allocated):
        speakers = people[conversation_id]
        if not speakers or since[conversation_id] >= s.anchor:
            s.unmet["conversation_messages"] += len(allocated[conversation_id])
            continue
        rng = s.rng("conversation_fill", conversation_id)
        times = sorted(s.between(rng, since[conversation_id], s.anchor) for _ in allocated[conversation_id])
        for k, (message_id, sent) in enumerate(zip(allocated[conversation_id], times)):
            new.append(rows.message(s, message_id, conversation_id, speakers[k % len(speakers)], sent, k))
    s.insert(T.Message, new)

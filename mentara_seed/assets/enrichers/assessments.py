"""Tier 2 enricher: every client has taken the pre-assessment (twice, on the current schema)."""

from collections import defaultdict
from itertools import groupby
from operator import itemgetter

import sqlalchemy as sa

from mentara_seed.assets.common import enricher
from mentara_seed.generate import makers, rows, state
from mentara_seed.requirements import BY_NAME
from mentara_seed.schema import tables as T
from mentara_seed.seeding import Seeding

P = T.PreAssessment


@enricher("assessments", tier=2, owns=T.PreAssessment, inputs=["enriched_relationships", "enriched_chatbot"],
          shard_by="client")
def enrich_assessments(s: Seeding) -> None:
    """Guarantees: every client has the minimum of completed pre-assessments, scored from their answers
    as the app scores them. On the Oct 2025 schema that is one (the table allows one per client: a
    client with an unprocessed one of their own is reported as unmet). On the current schema it is
    two: the first a checklist, a later one the client's chatbot session (linked to it, with its
    answers) where they have one not yet linked, else a checklist retake; the newest is current."""
    needs = s.needs(BY_NAME["client_pre_assessment"])
    if not needs:
        return
    one_each = any(index.unique and [c.name for c in index.columns] == ["clientId"]
                   for index in s.target.version.metadata.tables["PreAssessment"].indexes)
    have = s.counts(sa.select(P.c.clientId, sa.func.count()).where(s.one_of(P.c.clientId, list(needs)))
                    .group_by(P.c.clientId))
    if one_each:
        s.unmet["client_pre_assessment"] += sum(n for c, n in needs.items() if have.get(c))
        needs = {c: 1 for c in needs if not have.get(c)}
    topics = state.topics_by_user(s)
    chatbot = s.target.has(T.ChatbotSession)
    linked = set(s.scalars(sa.select(P.c.chatbotSessionId).where(P.c.chatbotSessionId.is_not(None)))) if chatbot else set()

    def parts():
        for part in s.ids.allocated(P, "pre_assessment/client", needs, makers.PARALLEL_ENTITIES):
            # The chunk's clients' sessions only (their answers are kilobytes each).
            yield part, unlinked_chatbot_sessions(s, sorted({c for c, _ in part}), linked) if chatbot else {}

    def build(item) -> None:  # a client's assessments depend on the client (and their sessions) alone
        part, sessions = item
        new = []
        for client_id, allocated in groupby(s.ids.streams("pre_assessment/client", part), key=itemgetter(0)):
            for k, (_, assessment_id, rng) in enumerate(allocated):
                ordinal = have.get(client_id, 0) + k
                session = sessions.get(client_id, []).pop() if ordinal and sessions.get(client_id) else None
                if session is not None:
                    created = session["completedAt"]
                else:
                    created = s.days_before(rng, 15, 150) if ordinal else s.days_before(rng, 300, 400)
                new.append(rows.pre_assessment(s, assessment_id, client_id, topics.get(client_id, ()), created,
                                               ordinal, session))
        s.insert(P, new)

    s.each(parts(), build)


def unlinked_chatbot_sessions(s: Seeding, clients: list[str], linked: set[str]) -> dict[str, list[dict]]:
    """Each client's completed chatbot sessions not in ``linked`` (those a pre-assessment links to
    already), the latest last."""
    C = T.ChatbotSession
    found: dict[str, list[dict]] = defaultdict(list)
    for row in s.rows(
        sa.select(C.c.id, C.c.clientId, C.c.completedAt, C.c.collectedAnswers, C.c.conversationInsights)
        .where(s.one_of(C.c.clientId, clients), C.c.isComplete == sa.true(), C.c.completedAt.is_not(None),
               C.c.completedAt <= s.anchor)
        .order_by(C.c.clientId, C.c.completedAt, C.c.id)
    ):
        if row.id in linked:
            continue
        found[row.clientId].append({"id": row.id, "completedAt": row.completedAt,
                                    "collectedAnswers": row.collectedAnswers or {},
                                    "conversationInsights": row.conversationInsights})
    return found

"""Tier 2 enricher (current schema): clients keep a journal."""

import datetime as dt

from mentara_seed.assets.common import enricher
from mentara_seed.generate import content, state, voices
from mentara_seed.requirements import BY_NAME
from mentara_seed.schema import tables as T
from mentara_seed.seeding import Seeding


@enricher("journals", tier=2, owns=T.JournalEntry, inputs=["enriched_memberships"], shard_by="client")
def enrich_journals(s: Seeding) -> None:
    """Guarantees (current schema): every client has written the mode's minimum of journal entries:
    plain first-person text about their day and the concerns of their communities, spread over the
    last three months (some within the last 30 days, which the app's engagement figures count),
    written in the daytime and never after the anchor."""
    if not s.target.has(T.JournalEntry):
        return
    needs = s.needs(BY_NAME["client_journal_entries"])
    if not needs:
        return
    topics = state.topics_by_user(s)
    writers = voices.Writers(s)
    for chunk in s.ids.new_ids(T.JournalEntry, "journals/client", needs):
        s.insert(T.JournalEntry, (entry(s, rng, entry_id, client_id, topics.get(client_id, ()), writers.town(client_id))
                                  for client_id, entry_id, rng in chunk))


def entry(s: Seeding, rng, entry_id: str, client_id: str, topics, city: str) -> dict:
    day = (s.anchor - dt.timedelta(days=rng.randint(1, 90))).replace(hour=0, minute=0, second=0, microsecond=0)
    # Evenings and lunch breaks in Manila (UTC+8): 04:00-15:00 UTC.
    written = day + dt.timedelta(hours=rng.randint(4, 14), minutes=rng.randint(0, 59), seconds=rng.randint(0, 59))
    edited = written + dt.timedelta(minutes=rng.randint(1, 40)) if rng.random() < 0.2 else written
    return {"id": entry_id, "userId": client_id, "content": content.journal_entry(rng, topics, city),
            "createdAt": min(written, s.anchor), "updatedAt": min(edited, s.anchor)}

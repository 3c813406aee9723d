"""Tier 2 enricher (current schema): every client has told the app what kind of therapy suits them."""

from collections import Counter, defaultdict

import sqlalchemy as sa

from mentara_seed import contract
from mentara_seed.assets.common import enricher
from mentara_seed.generate import state
from mentara_seed.generate.keys import seed_id
from mentara_seed.requirements import BY_NAME
from mentara_seed.schema import tables as T
from mentara_seed.seeding import Seeding

CP = T.ClientPreferences


@enricher("preferences", tier=2, owns=T.ClientPreferences, inputs=["enriched_relationships"], shard_by="client")
def enrich_preferences(s: Seeding) -> None:
    """Guarantees (current schema): every client has their therapy preferences, in the values of the
    app's onboarding form, and consistent with what they do: the approaches and languages of their
    therapist when they have one (else drawn), the times of day of their sessions, a budget their
    therapist's rate fits, and their own city as the location."""
    if not s.target.has(T.ClientPreferences):
        return
    needs = s.needs(BY_NAME["client_preferences"])
    if not needs:
        return
    clients = sorted(needs)
    by_client, _ = state.relationships(s)
    Th = T.Therapist
    therapists = {row.userId: row for row in s.rows(
        sa.select(Th.c.userId, Th.c.approaches, Th.c.languages, Th.c.hourlyRate, Th.c.acceptsInsurance,
                  Th.c.province))}
    cities = dict(s.rows(sa.select(T.Client.c.userId, T.Client.c.city).where(s.one_of(T.Client.c.userId, clients))))
    hours: dict[str, Counter] = defaultdict(Counter)
    for client_id, start in s.rows(sa.select(T.Meeting.c.clientId, T.Meeting.c.startTime)
                                   .where(s.one_of(T.Meeting.c.clientId, clients))):
        hours[client_id][contract.part_of_day(start)] += 1
    rows = []
    for client_id in clients:
        rng = s.rng("preferences", client_id)
        therapist = therapists.get(by_client[client_id][0]) if by_client.get(client_id) else None
        approaches = [contract.APPROACH_SLUGS[a] for a in (therapist.approaches or []) if a in contract.APPROACH_SLUGS] \
            if therapist else []
        approaches = approaches or rng.sample(contract.PREFERENCE_APPROACHES, rng.randint(1, 2))
        languages = sorted({lang.lower() for lang in (therapist.languages or [])} & set(contract.PREFERENCE_LANGUAGES)) \
            if therapist else []
        # Most frequent first, ties by name: rows come back in no fixed order, so neither may Counter's.
        times = [part for part, _ in sorted(hours[client_id].items(), key=lambda kv: (-kv[1], kv[0]))[:2]] or [rng.choice(("morning", "afternoon", "evening"))]
        if rng.random() < 0.3:
            times.append("weekends")
        if therapist is None:
            budget = rng.choice(contract.BUDGET_RANGES)
        else:
            budget = "insurance" if therapist.acceptsInsurance and rng.random() < 0.3 else contract.budget_for(therapist.hourlyRate)
        stated = s.days_before(rng, 30, 360)
        rows.append({
            "id": seed_id("client_preferences", client_id), "clientId": client_id, "createdAt": stated,
            "updatedAt": stated if rng.random() < 0.7 else s.between(rng, stated, s.anchor),
            "genderPreference": rng.choice(("no-preference", "no-preference", "no-preference", "female", "male", "non-binary")),
            "agePreference": rng.choice(("no-preference", "no-preference", "similar", "older", "younger")),
            "languagePreferences": languages or ["english", "filipino"],
            "treatmentApproaches": approaches,
            "sessionFormat": rng.choice(("video", "video", "video", "in-person", "phone", "no-preference")),
            "sessionFrequency": rng.choice(("weekly", "weekly", "bi-weekly", "monthly", "as-needed")),
            "budgetRange": budget,
            "locationPreference": cities.get(client_id) or (therapist.province if therapist else None),
            "availabilityPreference": times,
            "specialConsiderations": rng.choice((None, None, None, "Prefers sessions in Filipino when possible.",
                                                 "Works night shifts; mornings are hard.",
                                                 "Would like a therapist experienced with LGBTQIA+ clients.")),
        })
    s.insert(CP, rows)

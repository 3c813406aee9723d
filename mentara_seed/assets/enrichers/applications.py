"""Tier 1 enricher: the admins have a therapist application to review."""

import sqlalchemy as sa

from mentara_seed.assets.common import enricher
from mentara_seed.generate import rows
from mentara_seed.generate.keys import seed_id
from mentara_seed.requirements import BY_NAME
from mentara_seed.schema import tables as T
from mentara_seed.seeding import Seeding


@enricher("applications", tier=1, owns=T.Therapist, writes=[T.User])
def enrich_applications(s: Seeding) -> None:
    """Guarantees: the documented admin has a therapist application to review (a PENDING therapist:
    the admin dashboard's pending applications). Where the base population has none (light mode's
    four therapists are all approved), a recent applicant signs up: a therapist user with a complete
    application, submitted in the last days, not yet processed, e-mail not yet verified."""
    short = s.deficits(BY_NAME["demo_admin_pending_applications"])
    if not short:
        return
    wanted = short[0].missing
    present = s.ids.existing_ids(T.User, [seed_id("user", "applicant", k) for k in range(wanted + 10)])
    new_users, new_profiles = [], []
    for k in range(wanted + 10):
        if len(new_users) == wanted:
            break
        user_id = seed_id("user", "applicant", k)
        if user_id in present:
            continue
        user = rows.user(s, user_id, "therapist", 1000 + k, None)
        user["emailVerified"] = False
        user["email"] = user["email"].replace("@therapists.", "@applicants.")
        new_users.append(user)
        new_profiles.append(rows.therapist_profile(s, user_id, "PENDING", []))
    taken = set(s.scalars(sa.select(T.User.c.email).where(s.one_of(T.User.c.email, [u["email"] for u in new_users]))))
    keep = [u["email"] not in taken for u in new_users]
    s.insert(T.User, [u for u, k in zip(new_users, keep, strict=True) if k])
    s.insert(T.Therapist, [p for p, k in zip(new_profiles, keep, strict=True) if k])
    s.unmet["demo_admin_pending_applications"] += wanted - sum(keep)

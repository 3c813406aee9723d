"""Legacy generator 1: users with their role profiles, and the documented test accounts."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from mentara_seed.accounts import TEST_ACCOUNTS
from mentara_seed.assets.common import legacy_asset
from mentara_seed.generate import rows
from mentara_seed.generate.keys import seed_id, seeded
from mentara_seed.schema import tables as T
from mentara_seed.seeding import Seeding, chunks

# Admins first: therapists point at the admin who processed their application.
ROLES = ("admin", "moderator", "therapist", "client")
USERS_PER_CHUNK = 5_000
PROFILES = {"admin": T.Admin, "moderator": T.Moderator, "therapist": T.Therapist, "client": T.Client}


def planned_users(s: Seeding) -> list[tuple[str, int, str]]:
    """(role, ordinal, id) of every user the legacy volumes call for."""
    v = s.volumes
    counts = {"admin": v.admins, "moderator": v.moderators, "therapist": v.therapists, "client": v.clients}
    return [(role, k, seed_id("user", role, k)) for role in ROLES for k in range(counts[role])]


def base_population(s: Seeding, user_ids: Iterable[str]) -> list[str]:
    """The users the legacy generators serve: their own planned users and everyone the seeder did not
    make (real sign-ups), never users an enricher added later (an applicant made for the admin's queue
    would otherwise join the base population on the next run, and a rerun would differ from one run)."""
    planned = {user_id for _, _, user_id in planned_users(s)}
    return [user_id for user_id in user_ids if user_id in planned or not seeded(user_id)]


@legacy_asset("users", owns=T.User, resettable=True, writes=[T.Admin, T.Client, T.Moderator, T.Therapist])
def generate_users(s: Seeding) -> None:
    """Users with Client, Therapist (full application, mostly APPROVED), Admin and Moderator profiles,
    at the mode's volumes times the scale, including the fixed test accounts. Users already present
    are kept as they are; a user whose profile is missing gets it back."""
    planned = planned_users(s)
    # A chunk at a time, so memory stays bounded at any scale (the rows are the same).
    for part in chunks(planned, USERS_PER_CHUNK):
        present = s.ids.existing_ids(T.User, (user_id for _, _, user_id in part))
        new_users = [
            rows.user(s, user_id, role, k, TEST_ACCOUNTS[role] if k == 0 else None)
            for role, k, user_id in part
            if user_id not in present
        ]
        # An e-mail already used by someone else (a real sign-up) keeps its owner.
        taken = set(s.scalars(sa.select(T.User.c.email).where(s.one_of(T.User.c.email, [u["email"] for u in new_users]))))
        s.insert(T.User, [u for u in new_users if u["email"] not in taken])

    admins: list[str] = []
    for role in ROLES:
        table = PROFILES[role]
        for part in chunks([(k, user_id) for r, k, user_id in planned if r == role], USERS_PER_CHUNK):
            users_now = s.ids.existing_ids(T.User, (user_id for _, user_id in part))
            wanted = [(k, user_id) for k, user_id in part if user_id in users_now]
            have = s.ids.existing_ids(table, (user_id for _, user_id in wanted))
            missing = [(k, user_id) for k, user_id in wanted if user_id not in have]
            if not missing:
                continue
            if role == "admin":
                profiles = [rows.admin_profile(s, user_id, k) for k, user_id in missing]
            elif role == "moderator":
                profiles = [rows.moderator_profile(s, user_id) for _, user_id in missing]
            elif role == "client":
                born = dict(s.rows(sa.select(T.User.c.id, T.User.c.birthDate)
                                   .where(s.one_of(T.User.c.id, [user_id for _, user_id in missing]))))
                profiles = [rows.client_profile(s, user_id, born.get(user_id)) for _, user_id in missing]
            else:
                admins = admins or sorted(s.scalars(sa.select(T.Admin.c.userId)))
                profiles = [rows.therapist_profile(s, user_id, rows.therapist_status(k), admins) for k, user_id in missing]
            s.insert(table, profiles)

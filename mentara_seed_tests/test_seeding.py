"""The core seeder on every target: complete, deterministic, idempotent, exact.

``target_url`` runs each test on SQLite, on an empty Postgres database (the
seeder creates the schema) and on a Postgres database made from Prisma's DDL.
"""

from __future__ import annotations

import re
import uuid

import pytest
import sqlalchemy as sa

from mentara_seed.assets.enrichers import notifications
from mentara_seed.assets.enrichers import reports as reports_module
from mentara_seed.generate import notices, state
from mentara_seed.generate.keys import seed_id
from mentara_seed.requirements import reports_by_community
from mentara_seed.schema import tables as T
from mentara_seed.schema.versions import LATEST
from mentara_seed.seeding import ids
from mentara_seed_tests.conftest import prisma_ddl
from mentara_seed_tests.helpers import (
    ALL_CHECKS,
    ANCHOR_DT,
    dump,
    evaluations,
    rows_added,
    run_job,
    seeded,
    shortfalls,
    target_of,
    undeclared_writes,
)


@pytest.mark.parametrize("mode", ["light", "medium", "heavy"])
def test_seed_job_meets_every_minimum_and_passes_every_check(target_url, mode):
    result = run_job(target_url, mode=mode)
    assert result.success
    assert shortfalls(target_url, mode) == {}
    found = evaluations(result)
    assert set(found) == ALL_CHECKS
    assert [name for name, e in found.items() if not e.passed] == []
    # Each seeding asset wrote only tables it declares (what its stage's early checks wait for).
    assert undeclared_writes(result) == {}
    # No screen of the product is empty: every table the target has holds rows, but the typing
    # indicator, which the app never reads or writes (README, "Mentara schemas").
    assert [table for table, rows in dump(target_url).items() if not rows] == ["TypingIndicator"]


def test_seed_job_fills_the_legacy_volumes(target_url):
    seeded(target_url, mode="medium")
    engine = sa.create_engine(target_url)
    with engine.connect() as conn:
        count = lambda table: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()  # noqa: E731
        assert (count(T.Client), count(T.Therapist), count(T.Admin), count(T.Moderator)) == (25, 12, 4, 4)
        assert count(T.Community) == 15
        assert count(T.User) == 45
        emails = set(conn.execute(sa.select(T.User.c.email)).scalars())
        assert {"client@mentara.test", "therapist@mentara.test", "admin@mentara.test", "moderator@mentara.test"} <= emails
        statuses = dict(conn.execute(sa.select(T.Therapist.c.status, sa.func.count()).group_by(T.Therapist.c.status)).all())
        assert statuses["APPROVED"] > len(statuses) and statuses["APPROVED"] >= 9
    engine.dispose()


def test_two_fresh_runs_are_identical(target_url, tmp_path):
    run_job(target_url)
    first = dump(target_url)
    second_url = f"sqlite+pysqlite:///{tmp_path / 'second.sqlite3'}"
    run_job(second_url, schema=target_of(target_url).version.name)
    # Identical row for row and column for column, whichever backend holds them.
    assert dump(second_url) == first
    assert sum(len(rows) for rows in first.values()) > 3000


def test_notifications_read_a_group_at_a_time_or_streamed_are_the_same(postgres_databases, tmp_path, monkeypatch):
    """Postgres reads each kind's events for every recipient at once and takes them a group at a time
    (``EventStreams``); SQLite reads each group's own. With groups of 2 (light has a few recipients of
    each role, and a cap of events per group that differs between groups), both write the same rows."""
    taken = []
    through = notifications.EventStreams.through

    def noted(self, kind, last, cap):
        rows = through(self, kind, last, cap)
        taken.append((kind.type, last, len(rows)))
        return rows

    monkeypatch.setattr(notifications, "RECIPIENTS_PER_GROUP", 2)
    monkeypatch.setattr(notifications.EventStreams, "through", noted)
    url = postgres_databases.create(ddl=prisma_ddl(LATEST.name))
    assert run_job(url, mode="light").success
    groups = {last for _, last, _ in taken}
    assert len(groups) >= 8 and sum(n for _, _, n in taken) > 20  # several groups per role, with their events
    assert {kind for kind, _, _ in taken} == {kind.type for kind in notices.KINDS}
    sqlite = f"sqlite+pysqlite:///{tmp_path / 'groups.sqlite3'}"
    assert run_job(sqlite, mode="light").success
    seeded_rows = dump(url)
    assert len(seeded_rows["Notification"]) > 20
    assert seeded_rows == dump(sqlite)


def test_a_second_run_adds_and_changes_nothing(target_url):
    seeded(target_url)
    before = dump(target_url)
    result = run_job(target_url)
    assert result.success
    assert set(rows_added(result).values()) == {0}
    assert dump(target_url) == before


def test_a_client_cut_to_three_posts_gets_exactly_two_back(target_url):
    seeded(target_url, mode="medium")
    engine = sa.create_engine(target_url)
    with engine.begin() as conn:
        client = conn.execute(sa.select(T.Client.c.userId).order_by(T.Client.c.userId).limit(1)).scalar_one()
        posts = conn.execute(sa.select(T.Post.c.id).where(T.Post.c.userId == client).order_by(T.Post.c.id)).scalars().all()
        assert len(posts) >= 5
        conn.execute(sa.delete(T.Post).where(T.Post.c.id.in_(posts[3:])))
    result = run_job(target_url, job="enrich_job")
    assert result.success
    with engine.connect() as conn:
        after = conn.execute(sa.select(T.Post.c.id).where(T.Post.c.userId == client)).scalars().all()
    engine.dispose()
    # Exactly two posts for the client's own minimum (the deleted posts may also have left a
    # community short, and the client, a member, may be drawn to write its top-up).
    made_for_the_client = {seed_id("posts/client_posts", client, k) for k in range(20)}
    assert len((set(after) - set(posts[:3])) & made_for_the_client) == 2
    assert len(after) >= 5
    posts_md = next(
        e.materialization.metadata for e in result.get_asset_materialization_events()
        if e.asset_key.to_user_string() == "enriched_posts"
    )
    assert re.search(r"\| client_posts +\|[^|]+\| +1 \| +2 \|", posts_md["deficits_found"].value)
    assert shortfalls(target_url, "medium") == {}


@pytest.mark.parametrize("table, asset", [
    (T.Notification, "enriched_notifications"), (T.Payment, "enriched_payments"),
    (T.MessageReaction, "enriched_message_interactions"), (T.JournalEntry, "enriched_journals"),
])
def test_deleted_rows_come_back_exactly(target_url, table, asset):
    """After deleting rows, enrich_job adds back exactly the deficit, with the same ids, and nothing else."""
    seeded(target_url, mode="medium")
    if not target_of(target_url).has(table):
        pytest.skip(f"{table.name} is not a table of Mentara {target_of(target_url).version}")
    engine = sa.create_engine(target_url)
    key = next(iter(table.primary_key.columns))
    with engine.begin() as conn:
        # One row of each of 4 parents: each parent is then exactly one row short.
        parent = {"Notification": "userId", "Payment": "meetingId", "MessageReaction": "messageId",
                  "JournalEntry": "userId"}[table.name]
        first = sa.func.min(key).label("first")
        doomed = conn.execute(sa.select(first).group_by(table.c[parent]).order_by(first).limit(4)).scalars().all()
        conn.execute(sa.delete(table).where(key.in_(doomed)))
    result = run_job(target_url, job="enrich_job")
    with engine.connect() as conn:
        back = set(conn.execute(sa.select(key).where(key.in_(doomed))).scalars())
    engine.dispose()
    added = rows_added(result)
    assert added.pop(asset) == 4 and back == set(doomed)
    assert set(added.values()) == {0}


def _hand_made(conn) -> dict[str, str]:
    """A real sign-up: a client, a community without rooms, and a post outside any room."""
    now = ANCHOR_DT.replace(hour=0)
    user_id, community_id, post_id = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    conn.execute(sa.insert(T.User), [{
        "id": user_id, "email": "real.person@example.com", "firstName": "Real", "lastName": "Person",
        "role": "client", "createdAt": now, "updatedAt": now, "emailVerified": False,
        "isActive": True, "failedLoginCount": 0,
    }])
    conn.execute(sa.insert(T.Client), [{"userId": user_id, "hasSeenTherapistRecommendations": False,
                                        "createdAt": now, "updatedAt": now}])
    conn.execute(sa.insert(T.Community), [{
        "id": community_id, "name": "Hand-made Circle", "slug": "hand-made-circle", "description": "Made in the app",
        "imageUrl": "https://example.com/c.jpg", "createdAt": now, "updatedAt": now,
    }])
    conn.execute(sa.insert(T.Post), [{
        "id": post_id, "title": "My first post", "content": "Hello", "createdAt": now.replace(day=10),
        "updatedAt": now.replace(day=10), "userId": user_id, "roomId": None,
    }])
    return {"user": user_id, "community": community_id, "post": post_id}


def test_seeding_over_hand_made_data_serves_it_and_keeps_it(target_url):
    # Create the schema (a no-op job run would too); then the app's own rows.
    seeded(target_url, mode="light")
    engine = sa.create_engine(target_url)
    with engine.begin() as conn:
        made = _hand_made(conn)
    before = {name: [r for r in rows if made["user"] in r or made["community"] in r or made["post"] in r]
              for name, rows in dump(target_url).items()}
    result = run_job(target_url, mode="medium")
    assert result.success
    assert shortfalls(target_url, "medium") == {}
    after = dump(target_url)
    for table in ("User", "Client", "Community", "Post"):
        assert before[table] and all(row in after[table] for row in before[table]), table
    with engine.connect() as conn:
        own_posts = conn.execute(sa.select(sa.func.count()).where(T.Post.c.userId == made["user"])).scalar_one()
        rooms = conn.execute(sa.select(sa.func.count()).where(T.RoomGroup.c.communityId == made["community"])).scalar_one()
        comments = conn.execute(sa.select(sa.func.count()).where(T.Comment.c.postId == made["post"])).scalar_one()
    engine.dispose()
    assert own_posts >= 5 and rooms >= 1 and comments >= 2


def test_invalid_settings_stop_the_run_before_any_write(tmp_path):
    url = f"sqlite+pysqlite:///{tmp_path / 'untouched.sqlite3'}"
    result = run_job(url, mode="extreme", raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    message = failure.step_failure_data.error.message
    assert "MENTARA_SEED_MODE='extreme' is not a mode; accepted: light, medium, heavy" in message
    assert not (tmp_path / "untouched.sqlite3").exists()


def test_what_was_said_at_the_anchor_is_not_reported_yet(backend_url):
    """At heavy x1000 some replies fall on the anchor itself (a reply is never after it). A report is
    made at least five minutes after what it reports, so such a reply cannot be reported: here every
    comment is at the anchor, and the reports needed come back on posts only, each after its post."""
    seeded(backend_url, mode="medium")
    engine = sa.create_engine(backend_url)
    with engine.begin() as conn:
        conn.execute(sa.update(T.Comment).values(createdAt=ANCHOR_DT, updatedAt=ANCHOR_DT))
        conn.execute(sa.delete(T.Report))
    result = run_job(backend_url, job="enrich_job", raise_on_error=False)
    with engine.connect() as conn:
        on_posts, on_comments = conn.execute(sa.select(sa.func.count(T.Report.c.postId),
                                                       sa.func.count(T.Report.c.commentId))).one()
    engine.dispose()
    found = evaluations(result)
    assert found["reports_after_their_content"].passed
    assert found["community_reports_minimum"].passed and found["community_report_statuses_minimum"].passed
    assert on_posts > 0 and on_comments == 0


def test_reports_read_only_the_communities_short_of_them_a_chunk_at_a_time(backend_url, monkeypatch):
    """Reports pick posts, comments and reporters from what the communities short of reports hold, read
    for a chunk of those communities at a time (never every post and membership: at heavy x1000 that
    was the seed's memory peak); the communities that lost theirs get them back, and the others are
    not read."""
    seeded(backend_url, mode="medium")
    reports = reports_by_community().subquery()
    engine = sa.create_engine(backend_url)
    with engine.begin() as conn:
        communities = sorted(set(conn.execute(sa.select(reports.c.communityId)).scalars()))
        emptied = communities[::3]
        doomed = conn.execute(sa.select(reports.c.id).where(reports.c.communityId.in_(emptied))).scalars().all()
        conn.execute(sa.delete(T.Report).where(T.Report.c.id.in_(doomed)))
    asked = []
    members_of = state.members_of
    monkeypatch.setattr(ids, "ENTITIES_PER_CHUNK", 2)
    monkeypatch.setattr(reports_module, "ENTITIES_PER_CHUNK", 2)
    monkeypatch.setattr(state, "members_of", lambda s, part: asked.append(list(part)) or members_of(s, part))
    result = run_job(backend_url, job="enrich_job", raise_on_error=False)
    with engine.connect() as conn:
        back = sorted(set(conn.execute(sa.select(reports.c.communityId)).scalars()))
    engine.dispose()
    found = evaluations(result)
    assert found["community_reports_minimum"].passed and found["community_report_statuses_minimum"].passed
    assert back == communities and len(emptied) >= 3
    assert asked and all(len(part) <= 2 for part in asked)
    assert sorted(c for part in asked for c in part) == emptied


def test_hearts_deleted_from_threads_come_back_exactly(target_url):
    """A fresh seed makes a post's comments and hearts without reading them back; a post that has some
    already is read first. Both ways give the same rows: hearts deleted from three threads come back
    exactly as they were."""
    seeded(target_url)
    engine = sa.create_engine(target_url)
    C, CH, PH = T.Comment, T.CommentHeart, T.PostHeart
    before = {name: rows for name, rows in dump(target_url).items() if name in (CH.name, PH.name)}
    with engine.begin() as conn:
        posts = conn.execute(sa.select(C.c.postId).join(CH, CH.c.commentId == C.c.id).distinct()
                             .order_by(C.c.postId).limit(3)).scalars().all()
        gone = conn.execute(sa.delete(CH).where(CH.c.commentId.in_(sa.select(C.c.id).where(C.c.postId.in_(posts))))).rowcount
        gone += conn.execute(sa.delete(PH).where(PH.c.postId.in_(posts))).rowcount
    result = run_job(target_url)
    engine.dispose()
    assert result.success and len(posts) == 3 and gone > 6
    assert {name: dump(target_url)[name] for name in before} == before
    assert rows_added(result)["content"] == gone


def test_a_unit_of_work_runs_without_the_cycle_collector_and_frees_its_cycles_when_it_ends(tmp_path):
    """The collector's full passes walk every live object, and a unit of work keeps hundreds of
    thousands alive (``steps.cycles_collected_after``): it runs with the collector paused, and the
    reference cycles it made are freed when it ends."""
    import gc
    import weakref

    from mentara_seed.assets.common import seed_unit
    from mentara_seed.resources import MentaraDatabase
    from mentara_seed.settings import SeedSettings
    from mentara_seed.steps import cycles_collected_after
    from mentara_seed_tests.helpers import ANCHOR

    class Node:
        pass

    seen = {}

    def rule(seeding) -> None:
        seen["collector_on"] = gc.isenabled()
        node = Node()
        node.itself = node  # a cycle: reference counting alone never frees it
        seen["cycle"] = weakref.ref(node)
        del node
        kept = [Node() for _ in range(50_000)]  # live objects enough to set a running collector off
        seen["cycle_kept_inside"] = seen["cycle"]() is not None
        del kept

    database = MentaraDatabase(url=f"sqlite+pysqlite:///{tmp_path / 'unit.sqlite3'}")
    assert gc.isenabled()
    seed_unit("users", database, SeedSettings.resolve(mode="light", anchor=ANCHOR), rule)
    assert seen == {"collector_on": False, "cycle": seen["cycle"], "cycle_kept_inside": True}
    assert seen["cycle"]() is None  # collected as the unit ended
    assert gc.isenabled()

    gc.disable()  # a collector someone turned off stays off
    try:
        with cycles_collected_after():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_notifications_seeded_by_a_role_that_drops_their_key_into_users_read_their_events_in_groups(
        postgres_databases, tmp_path, monkeypatch):
    """A role that is not a superuser drops the notifications' key into ``User`` for their load, which
    locks ``User`` until the commit: the events are then read by the step itself, a group at a time
    (a connection of their own would wait for that lock forever), and the rows are the same."""
    import uuid

    monkeypatch.setattr(notifications, "RECIPIENTS_PER_GROUP", 2)
    streamed = []
    monkeypatch.setattr(notifications.EventStreams, "through",
                        lambda self, kind, last, cap: streamed.append(kind) or [])
    url = postgres_databases.create(ddl=prisma_ddl(LATEST.name))
    role = f"mentara_seed_plain_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE ROLE "{role}" NOSUPERUSER NOLOGIN')
        conn.exec_driver_sql(f'GRANT ALL ON SCHEMA public TO "{role}"')
        conn.exec_driver_sql(f'GRANT ALL ON ALL TABLES IN SCHEMA public TO "{role}"')
        conn.exec_driver_sql(f'ALTER DATABASE "{admin.url.database}" SET role = "{role}"')
        for table in conn.exec_driver_sql("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").scalars():
            conn.exec_driver_sql(f'ALTER TABLE "{table}" OWNER TO "{role}"')
    admin.dispose()  # (its sessions began as the superuser; a new one takes the database's role)
    try:
        with admin.connect() as conn:
            assert conn.exec_driver_sql("SELECT current_setting('is_superuser')").scalar_one() == "off"
        assert run_job(url, mode="light").success
        assert streamed == []
        sqlite = f"sqlite+pysqlite:///{tmp_path / 'groups.sqlite3'}"
        assert run_job(sqlite, mode="light").success
        assert dump(url) == dump(sqlite)
    finally:
        admin.dispose()
        with admin.begin() as conn:
            conn.exec_driver_sql("SET ROLE NONE")
            conn.exec_driver_sql(f'ALTER DATABASE "{admin.url.database}" RESET role')
            conn.exec_driver_sql(f'DROP OWNED BY "{role}"')
            conn.exec_driver_sql(f'DROP ROLE "{role}"')  # (roles are the server's, not the database's)
        admin.dispose()

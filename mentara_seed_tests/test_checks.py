"""Asset checks and the audit job, against real databases and real runs."""

from __future__ import annotations

import datetime as dt
import json
import re

import sqlalchemy as sa

from mentara_seed.checks.findings import PYTHON_SECONDS_METADATA, REUSED_METADATA, SECONDS_METADATA
from mentara_seed.generate.keys import seed_id
from mentara_seed.schema import tables as T
from mentara_seed_tests.helpers import ALL_CHECKS, ANCHOR_DT, dagster_cli, dump, evaluations, run_job, seeded, target_of

# A row with a seeder's id: its violations are the seeder's own, and block (others' only warn).
OWN_SELF_HEART = seed_id("tests", "self-heart")


def _make_known_gaps(url: str) -> dict[str, tuple[int, int]]:
    """Delete and change specific rows; return check -> (violations, rows_missing) expected."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        # Three clients (not the documented one) keep only one of their notifications.
        N, U = T.Notification, T.User
        per_client = conn.execute(
            sa.select(N.c.userId).join(U, U.c.id == N.c.userId)
            .where(U.c.role == "client", U.c.email != "client@mentara.test")
            .group_by(N.c.userId).having(sa.func.count() >= 2).order_by(N.c.userId).limit(3)
        ).scalars().all()
        for client in per_client:
            kept = conn.execute(sa.select(N.c.id).where(N.c.userId == client).order_by(N.c.id).limit(1)).scalar_one()
            conn.execute(sa.delete(N).where(N.c.userId == client, N.c.id != kept))
        # One approved therapist loses all availability (their sessions are no longer in their week),
        # two lose all reviews (the notifications about them now name nothing).
        approved = conn.execute(sa.select(T.Therapist.c.userId).where(T.Therapist.c.status == "APPROVED")
                                .order_by(T.Therapist.c.userId)).scalars().all()
        conn.execute(sa.delete(T.TherapistAvailability).where(T.TherapistAvailability.c.therapistId == approved[0]))
        unbookable = conn.execute(sa.select(sa.func.count()).where(T.Meeting.c.therapistId == approved[0])).scalar_one()
        reviewed = conn.execute(sa.select(T.Review.c.id, T.Review.c.clientId)
                                .where(T.Review.c.therapistId.in_(approved[1:3]))).all()
        reviews = {review_id for review_id, _ in reviewed}
        conn.execute(sa.delete(T.Review).where(T.Review.c.therapistId.in_(approved[1:3])))
        orphaned = sum(1 for data in conn.execute(sa.select(N.c.data).where(N.c.type == "REVIEW_RECEIVED")).scalars()
                       if (data if isinstance(data, dict) else json.loads(data))["reviewId"] in reviews)
        # A post hearted by its own author.
        post = conn.execute(sa.select(T.Post.c.id, T.Post.c.userId, T.Post.c.createdAt).where(
            ~sa.exists().where(T.PostHeart.c.postId == T.Post.c.id, T.PostHeart.c.userId == T.Post.c.userId)
        ).order_by(T.Post.c.id).limit(1)).one()
        conn.execute(sa.insert(T.PostHeart), [{"id": OWN_SELF_HEART, "postId": post.id, "userId": post.userId,
                                               "createdAt": post.createdAt + dt.timedelta(minutes=1)}])
        # A past, completed, unreviewed meeting that is still marked as scheduled.
        meeting = conn.execute(sa.select(T.Meeting.c.id).where(
            T.Meeting.c.status == "COMPLETED", T.Meeting.c.endTime < ANCHOR_DT,
            ~sa.exists().where(T.Review.c.meetingId == T.Meeting.c.id),
        ).order_by(T.Meeting.c.id).limit(1)).scalar_one()
        conn.execute(sa.update(T.Meeting).where(T.Meeting.c.id == meeting).values(status="SCHEDULED"))
        reopened = conn.execute(sa.select(T.Meeting.c.clientId, T.Meeting.c.therapistId)
                                .where(T.Meeting.c.id == meeting)).one()
    engine.dispose()
    assert len(per_client) == 3
    assert unbookable and orphaned
    expected = {
        "client_notifications_minimum": (3, 3),
        "therapist_availability_minimum": (1, 3),
        "meetings_bookable": (unbookable, 0),
        "therapist_reviews_minimum": (2, 2),
        "notifications_tied_to_their_event": (orphaned, 0),
        "no_self_hearts": (1, 0),
        "meeting_status_matches_time": (1, 0),
    }
    if target_of(url).has("ClientEngagement"):
        # The computed records no longer agree with the edited data: the clients whose reviews went
        # (their average rating) or whose meeting reopened, the therapists whose availability went
        # or whose booked hours grew.
        clients = {client for _, client in reviewed} | {reopened.clientId}
        therapists = {approved[0], reopened.therapistId}
        expected |= {"engagement_matches_activity": (len(clients), 0),
                     "performance_matches_activity": (len(therapists), 0)}
    # The reopened meeting is no longer a completed meeting its payment belongs to.
    return expected | {"payments_for_the_pairs_completed_meeting": (1, 0)}


def test_audit_names_each_gap_with_its_exact_count_and_writes_nothing(target_url):
    seeded(target_url, mode="medium")
    expected = _make_known_gaps(target_url)
    before = dump(target_url)

    result = run_job(target_url, job="audit_job", raise_on_error=False)

    assert not result.success
    assert result.get_asset_materialization_events() == []
    assert dump(target_url) == before
    found = evaluations(result)
    assert set(found) == ALL_CHECKS
    failing = {name: (e.metadata["violations"].value, e.metadata["rows_missing"].value)
               for name, e in found.items() if not e.passed and name != "database_audit"}
    assert failing == expected
    assert not found["database_audit"].passed
    assert found["database_audit"].metadata["checks_failing"].value == len(expected)
    examples = found["client_notifications_minimum"].metadata["examples"].value
    assert len(examples) == 3 and all(e["name"].endswith(".mentara.test") and e["has"] == 1 for e in examples)


def test_audit_passes_on_a_complete_database_and_changes_nothing(target_url):
    seeded(target_url, mode="light")
    before = dump(target_url)
    result = run_job(target_url, job="audit_job", mode="light")
    assert result.success
    assert all(e.passed for e in result.get_asset_check_evaluations())
    assert dump(target_url) == before
    # Each check evaluated says what it took: wall seconds, and its thread's CPU among them.
    timed = {name: e.metadata for name, e in evaluations(result).items() if name != "database_audit"}
    assert set(timed) == ALL_CHECKS - {"database_audit"}
    for name, metadata in timed.items():
        if REUSED_METADATA in metadata:  # a passing evaluation repeated: nothing evaluated, nothing timed
            assert SECONDS_METADATA not in metadata, name
            continue
        seconds, python = metadata[SECONDS_METADATA].value, metadata[PYTHON_SECONDS_METADATA].value
        assert 0 < seconds and 0 <= python <= seconds + 0.01, (name, seconds, python)


def test_a_failing_blocking_check_stops_everything_downstream(tmp_path):
    url = f"sqlite+pysqlite:///{tmp_path / 'db.sqlite3'}"
    seeded(url, mode="light")
    engine = sa.create_engine(url)
    with engine.begin() as conn:  # a self-heart the seeder cannot undo (it never deletes)
        post = conn.execute(sa.select(T.Post.c.id, T.Post.c.userId, T.Post.c.createdAt).where(
            ~sa.exists().where(T.PostHeart.c.postId == T.Post.c.id, T.PostHeart.c.userId == T.Post.c.userId)
        ).order_by(T.Post.c.id).limit(1)).one()
        conn.execute(sa.insert(T.PostHeart), [{"id": OWN_SELF_HEART, "postId": post.id, "userId": post.userId,
                                               "createdAt": post.createdAt + dt.timedelta(minutes=1)}])
    engine.dispose()
    result = run_job(url, job="enrich_job", mode="light", raise_on_error=False)
    assert not result.success
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert "enriched_hearts" in materialized
    assert not materialized & {"tier4", "enriched_meetings", "tier5", "enriched_reviews", "seed_report"}
    assert not evaluations(result)["no_self_hearts"].passed


def test_audit_job_from_the_cli_prints_the_table_and_exits_non_zero(tmp_path):
    url = f"sqlite+pysqlite:///{tmp_path / 'db.sqlite3'}"
    seeded(url, mode="light")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.delete(T.Notification))
    engine.dispose()
    before = dump(url)
    done = dagster_cli(["job", "execute", "-m", "mentara_seed.definitions", "-j", "audit_job"],
                       url, tmp_path / "home", mode="light")
    assert done.returncode != 0
    output = done.stdout + done.stderr
    assert re.search(r"client_notifications +minimum +FAIL", output)
    assert dump(url) == before


def test_seed_job_ends_with_the_closing_report(tmp_path):
    url = f"sqlite+pysqlite:///{tmp_path / 'db.sqlite3'}"
    result = run_job(url, mode="light")
    report = next(e.materialization.metadata for e in result.get_asset_materialization_events()
                  if e.asset_key.to_user_string() == "seed_report")
    per_asset_total = sum(
        e.materialization.metadata["rows_added_total"].value for e in result.get_asset_materialization_events()
        if e.asset_key.to_user_string() != "seed_report"
    )
    assert report["rows_added_total"].value == per_asset_total > 0
    assert report["checks_passed"].value == len(ALL_CHECKS) - 1  # all but the audit, which runs after it
    assert report["checks_failed"].value == 0
    assert "| Post " in report["table_rows"].value


def test_a_later_anchor_tops_up_and_keeps_every_rule_true(target_url):
    """The nightly refresh: the anchor moves on, sessions scheduled then are in the past now."""
    seeded(target_url, mode="medium")
    result = run_job(target_url, mode="medium", anchor="2026-03-01T00:00:00Z")
    assert result.success
    assert all(e.passed for e in result.get_asset_check_evaluations())
    meetings_md = next(e.materialization.metadata for e in result.get_asset_materialization_events()
                       if e.asset_key.to_user_string() == "enriched_meetings")
    assert meetings_md["rows_updated"].value.get("Meeting", 0) > 0
    recent = next(e.materialization.metadata for e in result.get_asset_materialization_events()
                  if e.asset_key.to_user_string() == "enriched_posts")
    assert recent["rows_added_total"].value > 0  # every community gets a post in the new 30-day window

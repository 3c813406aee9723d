"""Messy real data (docs/messy_data.md): rows the seeder did not write never block it.

Each case of the catalogue is built by hand, with Prisma's kind of ids (UUID
version 4), in a seeded database the way real people leave staging: a user
who left a community after posting, a therapist suspended after seeing
clients, an old app writing updatedAt before createdAt. One database holds
every case (as staging would), per backend; then the refresh runs over it:
``enrich_job`` on SQLite, the nightly schedule's own run on Postgres. Each
case must come out as a warning naming its rows, its rows must be
byte-identical afterwards, and the seeder's own rows must still break no rule
and miss no minimum.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from dagster import AssetCheckKey, AssetCheckSeverity, AssetKey, DagsterInstance

from mentara_seed.checks.definitions import INTEGRITY, MINIMUMS, owner
from mentara_seed.generate.keys import made_by_seeder
from mentara_seed.requirements import REQUIREMENTS
from mentara_seed.schema import tables as T
from mentara_seed_tests.conftest import PostgresDatabases, _postgres_available, prisma_ddl, require
from mentara_seed_tests.helpers import ANCHOR, ANCHOR_DT, REPO_ROOT, evaluations, run_job, seeded, target_of

DAY = dt.timedelta(days=1)


class Made:
    """Inserts hand-made rows (each a copy of a seeded row of the same table with a fresh UUID4 and
    the changes of the case), remembering them for the byte-for-byte comparison."""

    def __init__(self, conn) -> None:
        self.conn = conn
        self.rows: dict[str, set[str]] = {}

    def copy(self, table: sa.Table, of: str, **changes) -> str:
        key = next(iter(table.primary_key.columns))
        row = dict(self.conn.execute(sa.select(table).where(key == of)).mappings().one())
        row.update({key.name: str(uuid.uuid4())}, **changes)
        self.conn.execute(sa.insert(table), [row])
        self.rows.setdefault(table.name, set()).add(row[key.name])
        return row[key.name]

    def person(self, like: str, name: str) -> str:
        """A real sign-up like the seeded user ``like`` (a client or a therapist, with its profile row)."""
        user = self.copy(T.User, like, email=f"{name}@example.com", firstName=name.split(".")[0].title(),
                         emailVerifyToken=None, resetToken=None)
        role = self.conn.execute(sa.select(T.User.c.role).where(T.User.c.id == like)).scalar_one()
        profile = T.Therapist if role == "therapist" else T.Client
        row = dict(self.conn.execute(sa.select(profile).where(profile.c.userId == like)).mappings().one())
        row["userId"] = user
        self.conn.execute(sa.insert(profile), [row])
        self.rows.setdefault(profile.name, set()).add(user)
        return user


@dataclass(frozen=True)
class Base:
    """Seeded rows the cases build next to."""

    therapist: str  # approved, with availability and a past completed session
    client: str  # one of the therapist's clients
    meeting: str  # that completed session
    worksheet: str
    review: str
    availability: str
    relationship: str
    post: str  # a post in a room
    post_at: dt.datetime
    community: str
    membership: str
    elsewhere: str  # another community
    comment: str
    heart: str
    conversation: str
    participant: str
    message: str
    method: str
    notification: str


def _base(conn) -> Base:
    M, W, R, A, CT, P, RM = T.Meeting, T.Worksheet, T.Review, T.TherapistAvailability, T.ClientTherapist, T.Post, T.Room
    own = made_by_seeder
    meeting = conn.execute(sa.select(M.c.id, M.c.therapistId, M.c.clientId).where(
        own(M.c.id), M.c.status == "COMPLETED", M.c.endTime < ANCHOR_DT).order_by(M.c.id).limit(1)).one()
    one = lambda statement: conn.execute(statement.limit(1)).scalar_one()  # noqa: E731
    post = conn.execute(sa.select(P.c.id, P.c.createdAt, T.RoomGroup.c.communityId).join(RM, RM.c.id == P.c.roomId)
                        .join(T.RoomGroup, T.RoomGroup.c.id == RM.c.roomGroupId).where(own(P.c.id))
                        .order_by(P.c.id).limit(1)).one()
    return Base(
        therapist=meeting.therapistId, client=meeting.clientId, meeting=meeting.id,
        worksheet=one(sa.select(W.c.id).where(own(W.c.id), W.c.therapistId == meeting.therapistId).order_by(W.c.id)),
        review=one(sa.select(R.c.id).where(own(R.c.id)).order_by(R.c.id)),
        availability=one(sa.select(A.c.id).where(A.c.therapistId == meeting.therapistId).order_by(A.c.id)),
        relationship=one(sa.select(CT.c.id).where(CT.c.therapistId == meeting.therapistId,
                                                  CT.c.clientId == meeting.clientId)),
        post=post.id, post_at=post.createdAt, community=post.communityId,
        membership=one(sa.select(T.Membership.c.id).where(T.Membership.c.communityId == post.communityId)
                       .order_by(T.Membership.c.id)),
        elsewhere=one(sa.select(T.Community.c.id).where(T.Community.c.id != post.communityId).order_by(T.Community.c.id)),
        comment=one(sa.select(T.Comment.c.id).where(T.Comment.c.postId == post.id, T.Comment.c.parentId.is_(None))
                    .order_by(T.Comment.c.id)),
        heart=one(sa.select(T.PostHeart.c.id).where(T.PostHeart.c.postId == post.id).order_by(T.PostHeart.c.id)),
        conversation=one(sa.select(T.Conversation.c.id).where(own(T.Conversation.c.id)).order_by(T.Conversation.c.id)),
        participant=one(sa.select(T.ConversationParticipant.c.id).order_by(T.ConversationParticipant.c.id)),
        message=one(sa.select(T.Message.c.id).where(own(T.Message.c.id)).order_by(T.Message.c.id)),
        method=one(sa.select(T.PaymentMethod.c.id).where(own(T.PaymentMethod.c.id)).order_by(T.PaymentMethod.c.id)),
        notification=one(sa.select(T.Notification.c.id).order_by(T.Notification.c.id)),
    )


@dataclass(frozen=True)
class Case:
    name: str
    family: str
    check: str
    build: Callable[[Made, Base], set[str]]  # -> the ids the check must name


def _member(made: Made, b: Base, name: str) -> str:
    user = made.person(b.client, name)
    made.copy(T.Membership, b.membership, userId=user)
    return user


def _client_of(made: Made, b: Base, name: str, therapist: str | None = None) -> str:
    """A real client with an active link to ``therapist`` (the base therapist by default)."""
    user = made.person(b.client, name)
    made.copy(T.ClientTherapist, b.relationship, clientId=user, therapistId=therapist or b.therapist)
    return user


def _session(made: Made, b: Base, client: str, therapist: str | None = None, days: int = -400, **changes) -> str:
    """A copy of the base session, moved by ``days`` (far from every seeded one)."""
    start = made.conn.execute(sa.select(T.Meeting.c.startTime, T.Meeting.c.endTime).where(T.Meeting.c.id == b.meeting)).one()
    return made.copy(T.Meeting, b.meeting, clientId=client, therapistId=therapist or b.therapist,
                     startTime=start.startTime + days * DAY, endTime=start.endTime + days * DAY,
                     createdAt=start.startTime + (days - 3) * DAY, updatedAt=start.endTime + days * DAY, **changes)


def _left(made: Made, b: Base, name: str) -> str:
    """A real client who left the base community (and is still in another one)."""
    user = made.person(b.client, name)
    made.copy(T.Membership, b.membership, userId=user, communityId=b.elsewhere)
    return user


def _left_after_posting(made, b):
    return {made.copy(T.Post, b.post, userId=_left(made, b, "left.after.posting"))}


def _commented_then_left(made, b):
    return {made.copy(T.Comment, b.comment, userId=_left(made, b, "commented.then.left"))}


def _hearted_then_left(made, b):
    return {made.copy(T.PostHeart, b.heart, userId=_left(made, b, "hearted.then.left"))}


def _hearts_own_post(made, b):
    user = _member(made, b, "hearts.own.post")
    post = made.copy(T.Post, b.post, userId=user)
    return {made.copy(T.PostHeart, b.heart, userId=user, postId=post)}


def _removed_from_conversation(made, b):
    stayed, removed = made.person(b.client, "stayed.in.chat"), made.person(b.client, "removed.from.chat")
    conversation = made.copy(T.Conversation, b.conversation)
    made.copy(T.ConversationParticipant, b.participant, conversationId=conversation, userId=stayed)
    return {made.copy(T.Message, b.message, conversationId=conversation, senderId=removed, replyToId=None)}


def _session_without_a_link(made, b):
    return {_session(made, b, made.person(b.client, "unlinked.session"))}


def _worksheet_without_a_link(made, b):
    return {made.copy(T.Worksheet, b.worksheet, clientId=made.person(b.client, "unlinked.worksheet"))}


def _review_of_a_deleted_session(made, b):
    return {made.copy(T.Review, b.review, clientId=_client_of(made, b, "review.orphan"), therapistId=b.therapist,
                      meetingId=None)}


def _updated_before_created(made, b):
    user = _member(made, b, "old.app")
    return {made.copy(T.Post, b.post, userId=user, createdAt=b.post_at + DAY, updatedAt=b.post_at)}


def _comment_before_its_post(made, b):
    user = _member(made, b, "clock.skew")
    return {made.copy(T.Comment, b.comment, userId=user, createdAt=b.post_at - dt.timedelta(hours=2),
                      updatedAt=b.post_at - dt.timedelta(hours=2))}


def _past_session_still_scheduled(made, b):
    return {_session(made, b, _client_of(made, b, "never.closed"), status="SCHEDULED")}


def _future_session_completed(made, b):
    client = _client_of(made, b, "completed.early")
    days = (ANCHOR_DT - made.conn.execute(sa.select(T.Meeting.c.startTime).where(T.Meeting.c.id == b.meeting))
            .scalar_one()).days + 20
    return {_session(made, b, client, days=days, status="COMPLETED")}


def _suspended_after_seeing_clients(made, b):
    therapist = made.person(b.therapist, "suspended.therapist")
    # The admin suspended the account and withdrew the approval.
    made.conn.execute(sa.update(T.Therapist).where(T.Therapist.c.userId == therapist).values(status="REJECTED"))
    made.conn.execute(sa.update(T.User).where(T.User.c.id == therapist).values(
        isActive=False, suspendedAt=ANCHOR_DT - 30 * DAY))
    client = _client_of(made, b, "client.of.suspended", therapist)
    _session(made, b, client, therapist)
    return {next(iter(made.conn.execute(sa.select(T.ClientTherapist.c.id).where(
        T.ClientTherapist.c.clientId == client)).scalars()))}


def _pending_therapists_session(made, b):
    therapist = made.person(b.therapist, "pending.therapist")
    made.conn.execute(sa.update(T.Therapist).where(T.Therapist.c.userId == therapist).values(status="PENDING"))
    client = _client_of(made, b, "client.of.pending", therapist)
    return {_session(made, b, client, therapist, days=-500)}


def _weekday_as_a_name(made, b):
    therapist = made.person(b.therapist, "weekday.names")
    return {made.copy(T.TherapistAvailability, b.availability, therapistId=therapist, dayOfWeek="MONDAY")}


def _overdue_worksheet(made, b):
    return {made.copy(T.Worksheet, b.worksheet, clientId=_client_of(made, b, "overdue.worksheet"), status="OVERDUE",
                      submittedAt=None)}


def _client_blocks_own_therapist(made, b):
    client = _client_of(made, b, "blocks.therapist")
    row = {"id": str(uuid.uuid4()), "blockerId": client, "blockedId": b.therapist, "reason": "Too many reminders",
           "createdAt": ANCHOR_DT - 5 * DAY}
    made.conn.execute(sa.insert(T.UserBlock), [row])
    made.rows.setdefault("UserBlock", set()).add(row["id"])
    return {row["id"]}


def _two_default_cards(made, b):
    user = made.person(b.client, "two.defaults")
    first, second = ANCHOR_DT - 9 * DAY, ANCHOR_DT - 8 * DAY
    made.copy(T.PaymentMethod, b.method, userId=user, isDefault=True, createdAt=first, updatedAt=first)
    return {made.copy(T.PaymentMethod, b.method, userId=user, isDefault=True, createdAt=second, updatedAt=second)}


def _read_without_a_time(made, b):
    user = made.person(b.client, "read.no.time")
    return {made.copy(T.Notification, b.notification, userId=user, isRead=True, readAt=None)}


def _six_stars(made, b):
    return {made.copy(T.Review, b.review, clientId=_client_of(made, b, "six.stars"), therapistId=b.therapist,
                      meetingId=None, rating=6)}


CASES = (
    Case("a user left the community after posting in it", "membership", "posts_written_by_members", _left_after_posting),
    Case("a user commented, then left the community", "membership", "comments_by_members", _commented_then_left),
    Case("a user hearted a post, then left the community", "membership", "hearts_by_members", _hearted_then_left),
    Case("a user hearted their own post", "membership", "no_self_hearts", _hearts_own_post),
    Case("a user removed from a conversation after writing in it", "membership", "message_senders_are_participants",
         _removed_from_conversation),
    Case("a session with a client the therapist has no link to", "relationship", "meetings_between_related_pairs",
         _session_without_a_link),
    Case("a worksheet for a client the therapist has no link to", "relationship", "worksheets_between_related_pairs",
         _worksheet_without_a_link),
    Case("a review left after its session was deleted", "relationship", "reviews_tied_to_clients_completed_meeting",
         _review_of_a_deleted_session),
    Case("an old client app wrote updatedAt before createdAt", "time order", "enriched_posts_timestamps_valid",
         _updated_before_created),
    Case("a comment dated before its post (a phone's clock)", "time order", "comments_after_their_post",
         _comment_before_its_post),
    Case("a past session still SCHEDULED", "status against time", "meeting_status_matches_time",
         _past_session_still_scheduled),
    Case("a future session marked COMPLETED", "status against time", "meeting_status_matches_time",
         _future_session_completed),
    Case("a therapist suspended after seeing clients", "approval", "only_approved_therapists_have_clients",
         _suspended_after_seeing_clients),
    Case("a pending therapist holding a session", "approval", "meetings_with_approved_therapists",
         _pending_therapists_session),
    Case("availability written as MONDAY by an old admin tool", "contract", "availability_in_the_apps_format",
         _weekday_as_a_name),
    Case("a worksheet stored as OVERDUE", "contract", "worksheet_statuses_as_the_app_sets_them", _overdue_worksheet),
    Case("a client blocked their own therapist", "contract", "blocks_allowed", _client_blocks_own_therapist),
    Case("two default payment methods", "contract", "one_default_payment_method", _two_default_cards),
    Case("a notification read without a read time", "contract", "notifications_read_consistently",
         _read_without_a_time),
    Case("a review of six stars", "contract", "review_ratings_in_range", _six_stars),
)


def _snapshot(url: str, rows: dict[str, set[str]]) -> dict[str, list[tuple]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            out = {}
            for name, ids in sorted(rows.items()):
                table = T.metadata.tables[name]
                key = next(iter(table.primary_key.columns))
                out[name] = [tuple(r) for r in conn.execute(sa.select(table).where(key.in_(sorted(ids))).order_by(key))]
            return out
    finally:
        engine.dispose()


@dataclass
class Refreshed:
    url: str
    expected: dict[str, set[str]]  # case name -> ids its check names
    before: dict[str, list[tuple]]
    after: dict[str, list[tuple]]
    result: object
    instance: DagsterInstance


def _messy(url: str, refresh: Callable[[str, DagsterInstance], object]) -> Refreshed:
    seeded(url, mode="light")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA foreign_keys = ON")
        made = Made(conn)
        base = _base(conn)
        expected = {case.name: case.build(made, base) for case in CASES}
    engine.dispose()
    before = _snapshot(url, made.rows)
    instance = DagsterInstance.ephemeral()
    result = refresh(url, instance)
    return Refreshed(url, expected, before, _snapshot(url, made.rows), result, instance)


def _enrich(url: str, instance: DagsterInstance):
    return run_job(url, job="enrich_job", mode="light", instance=instance, raise_on_error=False)


def _nightly(url: str, instance: DagsterInstance):
    """The run the nightly schedule asks for at its tick (a top-up of staging, named by the daemon's
    environment), launched as the daemon would."""
    from dagster import build_schedule_context

    from mentara_seed.definitions import defs
    from mentara_seed.schedules import STAGING_URL_ENV, build_staging_schedule

    with pytest.MonkeyPatch.context() as env:
        env.setenv(STAGING_URL_ENV, url)
        schedule = build_staging_schedule(refresh="top-up")
        [request] = schedule.evaluate_tick(build_schedule_context(
            scheduled_execution_time=dt.datetime(2026, 1, 15, 2, tzinfo=dt.UTC))).run_requests
        config = request.run_config
        config = {**config, "resources": {**config["resources"],
                                          "seed_config": {"config": {"mode": "light", "anchor": ANCHOR}}}}
        assert schedule.job_name == "enrich_job"
        return defs.resolve_job_def(schedule.job_name).execute_in_process(
            run_config=config, instance=instance, tags=request.tags, raise_on_error=False)


@pytest.fixture(scope="module", params=["sqlite", "prisma_2026"])
def messy(request, tmp_path_factory) -> Refreshed:
    """A seeded database holding every case, refreshed: by enrich_job (SQLite), by the schedule's run (Postgres)."""
    if request.param == "sqlite":
        yield _messy(f"sqlite+pysqlite:///{tmp_path_factory.mktemp('messy') / 'staging.sqlite3'}", _enrich)
        return
    reason = _postgres_available()
    require(reason is None, reason or "")
    databases = PostgresDatabases()
    try:
        yield _messy(databases.create(ddl=prisma_ddl("2026-02")), _nightly)
    finally:
        databases.drop_all()


def test_the_refresh_succeeds_over_messy_data(messy):
    assert messy.result.success
    materialized = {e.asset_key.to_user_string() for e in messy.result.get_asset_materialization_events()}
    assert "seed_report" in materialized
    report = next(e for e in messy.result.get_asset_materialization_events()
                  if e.asset_key.to_user_string() == "seed_report").materialization.metadata
    assert report["checks_failed"].value == 0 and report["checks_warned"].value >= len({c.check for c in CASES})


@pytest.mark.parametrize("case", CASES, ids=[c.check + ":" + c.name.replace(" ", "_") for c in CASES])
def test_each_case_is_a_warning_naming_its_rows(messy, case):
    evaluation = evaluations(messy.result)[case.check]
    assert not evaluation.passed and evaluation.severity == AssetCheckSeverity.WARN
    assert evaluation.metadata["violations"].value == 0  # none of the seeder's own
    foreign = {e["id"] for e in evaluation.metadata["foreign_examples"].value}
    assert messy.expected[case.name] <= foreign, (messy.expected[case.name], foreign)
    assert evaluation.metadata["foreign_violations"].value >= len(messy.expected[case.name])
    assert "rows the seeder did not write" in evaluation.metadata["foreign_report"].value


def test_what_others_data_rules_out_is_reported_unmet_and_warned(messy):
    """The conversation a real user was removed from keeps one participant: no message of the seeder's
    can come from a participant other than the last sender, so the messages asset reports it unmet and
    the minimum warns about it (the conversation is someone else's), and the run goes on."""
    conversation = next(iter(messy.before["Conversation"]))[0]
    messages = next(e for e in messy.result.get_asset_materialization_events()
                    if e.asset_key.to_user_string() == "enriched_messages").materialization.metadata
    assert messages["unmet"].value.get("conversation_messages", 0) >= 1
    evaluation = evaluations(messy.result)["conversation_messages_minimum"]
    assert evaluation.severity == AssetCheckSeverity.WARN and evaluation.metadata["violations"].value == 0
    assert conversation in {e["id"] for e in evaluation.metadata["foreign_examples"].value}


def test_hand_made_rows_are_byte_identical_afterwards(messy):
    assert messy.after == messy.before
    assert sum(map(len, messy.before.values())) >= 2 * len(CASES)


def test_the_seeders_own_rows_break_no_rule_and_miss_no_minimum(messy):
    """The oracle: every rule's offenders and every minimum's short entities, read straight from the
    database (nothing of the run), restricted to the seeder's own ids."""
    from mentara_seed.checks.findings import evaluate_rule

    target = target_of(messy.url)
    engine = sa.create_engine(messy.url)
    broken, short = {}, {}
    with engine.connect() as conn:
        for rule in INTEGRITY.values():
            finding = evaluate_rule(conn, rule, ANCHOR_DT, target)
            if finding.violations:
                broken[rule.name] = finding.examples
        for requirement in REQUIREMENTS:
            if requirement.applies(target):
                gap = requirement.shortfall("light", ANCHOR_DT, target.version).subquery()
                n = conn.execute(sa.select(sa.func.count()).where(made_by_seeder(gap.c.subject))).scalar_one()
                if n:
                    short[requirement.name] = n
    engine.dispose()
    assert broken == {} and short == {}


def test_the_warnings_are_on_the_checks_tab(messy):
    """What the UI's Checks tab shows: each check's latest execution, read from the instance's event log."""
    for check in sorted({c.check for c in CASES}):
        key = AssetCheckKey(asset_key=AssetKey(owner(check)), name=check)
        [record] = messy.instance.event_log_storage.get_asset_check_execution_history(key, limit=1)
        evaluation = record.event.dagster_event.event_specific_data
        assert record.run_id == messy.result.run_id
        assert not evaluation.passed and evaluation.severity == AssetCheckSeverity.WARN, check


def test_the_catalogue_is_documented():
    text = (REPO_ROOT / "docs" / "messy_data.md").read_text()
    for case in CASES:
        assert case.name in text and f"`{case.check}`" in text, case.name
    assert {c.family for c in CASES} >= {"membership", "relationship", "time order", "status against time", "approval"}
    assert all(c.check in INTEGRITY or c.check in MINIMUMS for c in CASES)

"""The SQLAlchemy tables match Prisma's DDL exactly and work on both dialects."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from mentara_seed.schema import create_schema, metadata, schema_diff, schema_snapshot, tables

NOW = datetime(2024, 5, 17, 9, 30, 15, 123000)  # naive UTC, millisecond precision


def _snapshot(url: str) -> dict:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return schema_snapshot(conn)
    finally:
        engine.dispose()


# ---------------------------------------------------------------------------
# The module itself
# ---------------------------------------------------------------------------


def test_tables_and_enums_are_complete():
    assert len(metadata.tables) == 33
    assert len(tables.TABLE_NAMES) == 33
    assert set(tables.TABLE_NAMES) == set(metadata.tables)
    for name in tables.TABLE_NAMES:
        assert getattr(tables, name) is metadata.tables[name]
    assert len(tables.ENUMS) == 11
    assert tables.MEETING_STATUS[0] == "SCHEDULED"
    assert len(tables.NOTIFICATION_TYPE) == 40
    # Parents come before children in create order.
    order = tables.TABLE_NAMES
    assert order.index("User") < order.index("Therapist") < order.index("Meeting") < order.index("Payment")


# ---------------------------------------------------------------------------
# PostgreSQL: parity with Prisma's DDL
# ---------------------------------------------------------------------------


def test_create_schema_matches_prisma_ddl(postgres_databases, prisma_ddl):
    prisma_url = postgres_databases.create(ddl=prisma_ddl)
    ours_url = postgres_databases.create()
    engine = sa.create_engine(ours_url)
    create_schema(engine)
    engine.dispose()

    expected = _snapshot(prisma_url)
    actual = _snapshot(ours_url)

    assert len(expected["tables"]) == 33
    assert len(expected["enums"]) == 11
    assert schema_diff(expected, actual) == []
    assert expected == actual
    # Spot checks that the snapshot really carries the details compared.
    notification = actual["tables"]["Notification"]
    assert notification["indexes"]["Notification_userId_isRead_createdAt_idx"]["sorting"] == {"createdAt": ["desc"]}
    assert actual["tables"]["Comment"]["foreign_keys"]["Comment_parentId_fkey"]["referred_table"] == "Comment"
    assert actual["tables"]["Message"]["foreign_keys"]["Message_replyToId_fkey"]["ondelete"] == "SET NULL"
    assert "TherapistAvailability_therapistId_dayOfWeek_startTime_endTi_key" in (
        actual["tables"]["TherapistAvailability"]["indexes"]
    )
    assert actual["enums"]["MeetingStatus"] == list(tables.MEETING_STATUS)


def test_schema_diff_reports_a_dropped_column(postgres_databases, prisma_ddl):
    ours_url = postgres_databases.create()
    engine = sa.create_engine(ours_url)
    create_schema(engine)
    engine.dispose()
    broken_url = postgres_databases.create(ddl=prisma_ddl + '\nALTER TABLE "Post" DROP COLUMN "title";\n')

    diff = schema_diff(_snapshot(ours_url), _snapshot(broken_url))

    assert diff
    assert any("Post" in line and '"title"' in line for line in diff), diff
    assert not any("title" not in line for line in diff), diff


def test_schema_diff_reports_enum_and_type_changes():
    column = {"name": "title", "type": "TEXT", "nullable": False, "default": None}
    table = {"columns": [column], "primary_key": {"name": "Post_pkey", "columns": ["id"]}, "indexes": {}, "foreign_keys": {}}
    expected = {"dialect": "postgresql", "tables": {"Post": table, "Review": table}, "enums": {"MeetingStatus": ["A", "B"]}}
    actual = {
        "dialect": "postgresql",
        "tables": {"Post": {**table, "columns": [{**column, "type": "VARCHAR"}]}},
        "enums": {"MeetingStatus": ["B", "A"]},
    }
    diff = schema_diff(expected, actual)
    assert "Post.title: type TEXT != VARCHAR" in diff
    assert 'missing table "Review"' in diff
    assert any(line.startswith("enum MeetingStatus values differ") for line in diff)
    assert schema_diff(expected, expected) == []


def test_snapshot_ignores_foreign_tables(postgres_databases, prisma_ddl):
    url = postgres_databases.create(ddl=prisma_ddl + '\nCREATE TABLE "_prisma_migrations" ("id" TEXT PRIMARY KEY);\n')
    snapshot = _snapshot(url)
    assert "_prisma_migrations" not in snapshot["tables"]
    assert len(snapshot["tables"]) == 33


# ---------------------------------------------------------------------------
# PostgreSQL: values round-trip through the Table objects
# ---------------------------------------------------------------------------


def _therapist_row(user_id: str) -> dict:
    return {
        "userId": user_id,
        "mobile": "+639170000000",
        "province": "Metro Manila",
        "providerType": "Psychologist",
        "professionalLicenseType": "RPsy",
        "isPRCLicensed": "yes",
        "prcLicenseNumber": "0012345",
        "expirationDateOfLicense": datetime(2027, 1, 31),
        "practiceStartDate": datetime(2015, 6, 1),
        "certifications": None,
        "areasOfExpertise": ["anxiety", "depression"],
        "preferredSessionLength": [45, 60],
        "providedOnlineTherapyBefore": True,
        "comfortableUsingVideoConferencing": True,
        "compliesWithDataPrivacyAct": True,
        "willingToAbideByPlatformGuidelines": True,
        "treatmentSuccessRates": {"anxiety": 0.82, "notes": ["a", {"b": 1}]},
        "sessionLength": "60",
        "hourlyRate": Decimal("1500.50"),
        "updatedAt": NOW,
    }


@pytest.mark.parametrize("built_by", ["create_schema", "prisma"])
def test_postgres_round_trip(postgres_databases, prisma_ddl, built_by):
    if built_by == "prisma":
        url = postgres_databases.create(ddl=prisma_ddl)
        engine = sa.create_engine(url)
    else:
        engine = sa.create_engine(postgres_databases.create())
        create_schema(engine)
    try:
        with engine.begin() as conn:
            conn.execute(
                tables.User.insert(),
                [
                    {"id": f"u{i}", "email": f"u{i}@example.com", "firstName": "A", "lastName": "B", "updatedAt": NOW}
                    for i in (1, 2)
                ],
            )
            conn.execute(tables.Therapist.insert(), [_therapist_row("u1")])
            conn.execute(
                tables.Post.insert(),
                [
                    {"id": "p1", "title": "t", "content": "c", "userId": "u2", "updatedAt": NOW,
                     "attachmentUrls": ["https://x/1.png"], "attachmentNames": ["1.png"], "attachmentSizes": [123]},
                ],
            )
            # Omits the array columns: the server default applies.
            conn.execute(tables.Post.insert(), [{"id": "p2", "title": "t", "content": "c", "userId": "u2", "updatedAt": NOW}])
            conn.execute(
                tables.Notification.insert(),
                [{"id": "n1", "userId": "u2", "title": "t", "message": "m", "type": "SYSTEM_UPDATE",
                  "data": {"k": [1, 2]}, "updatedAt": NOW}],
            )

        with engine.connect() as conn:
            therapist = conn.execute(sa.select(tables.Therapist)).mappings().one()
            assert therapist["areasOfExpertise"] == ["anxiety", "depression"]
            assert therapist["preferredSessionLength"] == [45, 60]
            assert therapist["certificateUrls"] == []  # DEFAULT ARRAY[]::TEXT[]
            assert therapist["languages"] is None  # TEXT[] without default
            assert therapist["treatmentSuccessRates"] == {"anxiety": 0.82, "notes": ["a", {"b": 1}]}
            assert therapist["hourlyRate"] == Decimal("1500.50")
            assert therapist["updatedAt"] == NOW
            assert therapist["updatedAt"].tzinfo is None
            assert therapist["status"] == "PENDING"
            assert therapist["licenseVerified"] is False
            assert isinstance(therapist["createdAt"], datetime)
            # None in a JSONB column is SQL NULL, not JSON null.
            assert conn.execute(
                sa.select(sa.func.count()).where(tables.Therapist.c.certifications.is_(None))
            ).scalar_one() == 1

            posts = {r["id"]: r for r in conn.execute(sa.select(tables.Post)).mappings()}
            assert posts["p1"]["attachmentUrls"] == ["https://x/1.png"]
            assert posts["p1"]["attachmentSizes"] == [123]
            assert posts["p2"]["attachmentNames"] == []
            assert posts["p2"]["attachmentSizes"] == []

            notification = conn.execute(sa.select(tables.Notification)).mappings().one()
            assert notification["data"] == {"k": [1, 2]}
            assert notification["priority"] == "NORMAL"
            assert notification["isRead"] is False

            # TIMESTAMP(3): microseconds are rounded to milliseconds.
            precise = datetime(2024, 1, 1, 0, 0, 0, 123456)
            rounded = conn.execute(sa.select(sa.cast(precise, tables.Post.c.updatedAt.type))).scalar_one()
            assert rounded == datetime(2024, 1, 1, 0, 0, 0, 123000)
    finally:
        engine.dispose()


# ---------------------------------------------------------------------------
# SQLite
# ---------------------------------------------------------------------------


@pytest.fixture
def sqlite_engine(tmp_path):
    engine = sa.create_engine(f"sqlite+pysqlite:///{tmp_path / 'mentara.sqlite3'}")
    create_schema(engine)
    yield engine
    engine.dispose()


def test_sqlite_creates_every_table(sqlite_engine):
    assert set(sa.inspect(sqlite_engine).get_table_names()) == set(metadata.tables)
    with sqlite_engine.connect() as conn:
        snapshot = schema_snapshot(conn)
    assert len(snapshot["tables"]) == 33
    assert snapshot["enums"] == {}
    meeting = snapshot["tables"]["Meeting"]
    assert meeting["primary_key"] == {"name": "Meeting_pkey", "columns": ["id"]}
    assert meeting["foreign_keys"]["Meeting_clientId_fkey"]["ondelete"] == "CASCADE"
    status = next(c for c in meeting["columns"] if c["name"] == "status")
    assert status["type"] == "TEXT"
    assert "TherapistAvailability_therapistId_dayOfWeek_startTime_endTi_key" in (
        snapshot["tables"]["TherapistAvailability"]["indexes"]
    )
    # create_schema twice is harmless.
    create_schema(sqlite_engine)


def test_sqlite_rejects_invalid_enum_values(sqlite_engine):
    meeting = {"id": "m1", "startTime": NOW, "clientId": "c", "therapistId": "t", "updatedAt": NOW}
    with sqlite_engine.begin() as conn:
        conn.execute(tables.Meeting.insert(), [meeting])
        assert conn.execute(sa.select(tables.Meeting.c.status)).scalar_one() == "SCHEDULED"
    # The CHECK constraint, bypassing SQLAlchemy's own validation.
    with pytest.raises(sa.exc.IntegrityError):
        with sqlite_engine.begin() as conn:
            conn.execute(
                sa.text(
                    'INSERT INTO "Meeting" (id, "startTime", status, "clientId", "therapistId", "updatedAt") '
                    "VALUES ('m2', '2024-01-01 00:00:00', 'BOGUS', 'c', 't', '2024-01-01 00:00:00')"
                )
            )
    # SQLAlchemy's validation, through the Table object.
    with pytest.raises(sa.exc.StatementError):
        with sqlite_engine.begin() as conn:
            conn.execute(tables.Meeting.insert(), [{**meeting, "id": "m3", "status": "BOGUS"}])


def test_sqlite_arrays_and_json_round_trip(sqlite_engine):
    with sqlite_engine.begin() as conn:
        conn.execute(
            tables.Post.insert(),
            [
                {"id": "p1", "title": "t", "content": "c", "userId": "u", "updatedAt": NOW,
                 "attachmentUrls": ["https://x/1.png", "https://x/2.png"], "attachmentSizes": [1, 2]},
            ],
        )
        # Omits the array columns: the server default applies.
        conn.execute(tables.Post.insert(), [{"id": "p2", "title": "t", "content": "c", "userId": "u", "updatedAt": NOW}])
        conn.execute(
            tables.Notification.insert(),
            [
                {"id": "n1", "userId": "u", "title": "t", "message": "m", "type": "SYSTEM_UPDATE",
                 "data": {"a": [1, {"b": None}]}, "updatedAt": NOW},
                {"id": "n2", "userId": "u", "title": "t", "message": "m", "type": "SYSTEM_UPDATE",
                 "data": None, "updatedAt": NOW},
            ],
        )
    with sqlite_engine.connect() as conn:
        posts = {r["id"]: r for r in conn.execute(sa.select(tables.Post)).mappings()}
        assert posts["p1"]["attachmentUrls"] == ["https://x/1.png", "https://x/2.png"]
        assert posts["p1"]["attachmentSizes"] == [1, 2]
        assert posts["p1"]["attachmentNames"] == []  # server default '[]'
        assert posts["p2"]["attachmentUrls"] == []
        assert posts["p2"]["updatedAt"] == NOW
        assert isinstance(posts["p2"]["createdAt"], datetime)
        data = dict(conn.execute(sa.select(tables.Notification.c.id, tables.Notification.c.data)).all())
        assert data == {"n1": {"a": [1, {"b": None}]}, "n2": None}
        # None is SQL NULL, not the JSON text 'null'.
        assert conn.execute(sa.text('SELECT count(*) FROM "Notification" WHERE data IS NULL')).scalar_one() == 1
        flags = conn.execute(sa.select(tables.Notification.c.isRead, tables.Notification.c.priority)).first()
        assert tuple(flags) == (False, "NORMAL")


@pytest.mark.parametrize("dialect", ["postgresql", "sqlite"])
def test_the_stored_expected_schema_is_what_create_schema_makes(dialect, request, tmp_path):
    """The drift check compares targets with mentara_seed/schema/expected/<dialect>.json.

    After changing tables.py, regenerate it: MENTARA_SEED_UPDATE_EXPECTED=1 pytest -k stored_expected
    """
    import json
    import os

    from mentara_seed.preflight import EXPECTED, expected_snapshot

    if dialect == "postgresql":
        url = request.getfixturevalue("postgres_databases").create()
    else:
        url = f"sqlite+pysqlite:///{tmp_path / 'fresh.sqlite3'}"
    engine = sa.create_engine(url)
    create_schema(engine)
    with engine.connect() as conn:
        fresh = json.loads(json.dumps(schema_snapshot(conn)))
    engine.dispose()
    if os.environ.get("MENTARA_SEED_UPDATE_EXPECTED") == "1":
        (EXPECTED / f"{dialect}.json").write_text(json.dumps(fresh, indent=1, sort_keys=True) + "\n")
        expected_snapshot.cache_clear()
    assert schema_diff(expected_snapshot(dialect), fresh) == []

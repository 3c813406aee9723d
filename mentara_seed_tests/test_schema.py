"""The generated tables of each Mentara version match Prisma's DDL exactly and work on both dialects."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from mentara_seed.schema import codegen, tables
from mentara_seed.schema.inspect import schema_diff, schema_snapshot
from mentara_seed.schema.manage import create_schema
from mentara_seed.schema.versions import BY_NAME, LATEST, VERSIONS, compare, detect
from mentara_seed_tests.conftest import fixtures_dir, migration_2025_to_2026, prisma_ddl, require

NOW = datetime(2024, 5, 17, 9, 30, 15, 123000)  # naive UTC, millisecond precision
VERSION_NAMES = [v.name for v in VERSIONS]


def _snapshot(url: str, metadata=None) -> dict:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return schema_snapshot(conn, metadata)
    finally:
        engine.dispose()


# -- one source per version ------------------------------------------------------------
def test_regenerating_from_prisma_ddl_changes_nothing(postgres_databases, tmp_path):
    """The committed modules and snapshots are what codegen makes from ../shared/fixtures."""
    fixtures = fixtures_dir()
    require(fixtures is not None, "the fixtures (Prisma DDL) are not there: set MENTARA_FIXTURES")
    server = postgres_databases.server_url
    regenerated = codegen.generate_all(fixtures, server)
    changed = [path for path, content in regenerated.items() if (codegen.HERE / path).read_text() != content]
    assert changed == [], f"regenerate with: python -m mentara_seed.schema.codegen ({changed})"


@pytest.mark.parametrize("version", VERSION_NAMES)
def test_creating_a_version_matches_its_prisma_ddl(postgres_databases, version):
    version = BY_NAME[version]
    ddl = prisma_ddl(version.name)
    prisma_url = postgres_databases.create(ddl=ddl)
    ours_url = postgres_databases.create()
    engine = sa.create_engine(ours_url)
    create_schema(engine, version)
    engine.dispose()
    expected, actual = _snapshot(prisma_url), _snapshot(ours_url)
    assert schema_diff(expected, actual) == []
    assert expected == actual == version.expected("postgresql")
    # The target is recognised as exactly this version, with nothing to report.
    comparison = detect(actual)
    assert (comparison.version, comparison.additions) == (version, [])


def test_every_older_version_is_a_subset_of_the_newest():
    """What ``schema.tables`` relies on: queries built on the newest tables run on older targets."""
    newest = LATEST.expected("postgresql")
    for version in VERSIONS[:-1]:
        old = version.expected("postgresql")
        comparison = compare(version, newest)
        assert comparison.incompatible == [] and comparison.missing_tables == []
        assert all(name in newest["tables"] for name in old["tables"])
    assert tables.metadata is LATEST.metadata


def test_a_migrated_database_is_the_new_version_whatever_its_column_order(postgres_databases):
    """Prisma's migration appends the new columns; a fresh database has them in model order."""
    url = postgres_databases.create(ddl=prisma_ddl("2025-10") + "\n" + migration_2025_to_2026())
    snapshot = _snapshot(url)
    assert schema_diff(LATEST.expected("postgresql"), snapshot)  # the column order differs
    comparison = detect(snapshot)
    assert (comparison.version, comparison.additions, comparison.incompatible) == (LATEST, [], [])


@pytest.mark.parametrize("change, problem", [
    ('ALTER TABLE "Post" DROP COLUMN "title"', 'Post: column "title" is gone'),
    ('ALTER TABLE "Review" ALTER COLUMN "rating" TYPE BIGINT', "Review.rating: type INTEGER became BIGINT"),
    ('ALTER TABLE "Post" ALTER COLUMN "roomId" SET NOT NULL', "Post.roomId: became NOT NULL"),
    ('ALTER TABLE "Post" ADD COLUMN "mood" TEXT NOT NULL DEFAULT \'ok\'; ALTER TABLE "Post" ALTER COLUMN "mood" DROP DEFAULT',
     'Post: new column "mood" is NOT NULL without a default'),
    ("""ALTER TYPE "MeetingStatus" RENAME VALUE 'NO_SHOW' TO 'ABSENT'""", "enum MeetingStatus: values NO_SHOW are gone"),
])
def test_changes_the_seeder_cannot_honour_are_incompatible(postgres_databases, change, problem):
    ddl = prisma_ddl(LATEST.name)
    comparison = compare(LATEST, _snapshot(postgres_databases.create(ddl=ddl + ";\n" + change)))
    assert any(line.startswith(problem) for line in comparison.incompatible), comparison.incompatible


def test_additions_are_compatible_and_listed(postgres_databases):
    ddl = prisma_ddl(LATEST.name)
    url = postgres_databases.create(ddl=ddl + """;
        ALTER TABLE "Post" ADD COLUMN "mood" TEXT NOT NULL DEFAULT 'ok';
        ALTER TABLE "Post" ADD COLUMN "pinned" BOOLEAN;
        CREATE INDEX "Post_mood_idx" ON "Post"("mood");
        ALTER TYPE "MeetingStatus" ADD VALUE 'POSTPONED';
        CREATE TABLE "Bookmark" ("id" TEXT PRIMARY KEY, "postId" TEXT REFERENCES "Post"("id"));
        DROP INDEX "Post_title_idx";
    """)
    comparison = detect(_snapshot(url))
    assert comparison.version == LATEST and comparison.incompatible == []
    assert comparison.additions == [
        'new table "Bookmark"',
        'Post: new column "mood" (left to its default)',
        'Post: new column "pinned" (left to its default)',
        'Post: index "Post_title_idx" dropped',
        'Post: new index "Post_mood_idx"',
        "enum MeetingStatus: new values POSTPONED",
    ]


# -- values round-trip through the Table objects ----------------------------------------------
def _therapist_row(user_id: str) -> dict:
    return {
        "userId": user_id, "mobile": "+639170000000", "province": "Metro Manila", "providerType": "Psychologist",
        "professionalLicenseType": "RPsy", "isPRCLicensed": "yes", "prcLicenseNumber": "0012345",
        "expirationDateOfLicense": datetime(2027, 1, 31), "practiceStartDate": datetime(2015, 6, 1),
        "certifications": None, "areasOfExpertise": ["anxiety", "depression"], "preferredSessionLength": [45, 60],
        "providedOnlineTherapyBefore": True, "comfortableUsingVideoConferencing": True,
        "compliesWithDataPrivacyAct": True, "willingToAbideByPlatformGuidelines": True,
        "treatmentSuccessRates": {"anxiety": 0.82, "notes": ["a", {"b": 1}]}, "sessionLength": "60",
        "hourlyRate": Decimal("1500.50"), "updatedAt": NOW,
    }


def _round_trip(engine) -> None:
    T = tables
    with engine.begin() as conn:
        conn.execute(T.User.insert(), [{"id": f"u{i}", "email": f"u{i}@example.com", "firstName": "A", "lastName": "B",
                                        "updatedAt": NOW} for i in (1, 2)])
        conn.execute(T.Therapist.insert(), [_therapist_row("u1")])
        conn.execute(T.Post.insert(), [{"id": "p1", "title": "t", "content": "c", "userId": "u2", "updatedAt": NOW,
                                        "attachmentUrls": ["https://x/1.png"], "attachmentNames": ["1.png"],
                                        "attachmentSizes": [123]}])
        # Omits the array columns: the server default applies.
        conn.execute(T.Post.insert(), [{"id": "p2", "title": "t", "content": "c", "userId": "u2", "updatedAt": NOW}])
        conn.execute(T.Notification.insert(), [
            {"id": "n1", "userId": "u2", "title": "t", "message": "m", "type": "SYSTEM_UPDATE", "data": {"k": [1, 2]},
             "updatedAt": NOW},
            {"id": "n2", "userId": "u2", "title": "t", "message": "m", "type": "SYSTEM_UPDATE", "data": None,
             "updatedAt": NOW},
        ])
        conn.execute(T.TherapistPerformance.insert(), [{"id": "tp1", "therapistId": "u1", "noShowRate": 0.125,
                                                        "updatedAt": NOW}])
    with engine.connect() as conn:
        therapist = conn.execute(sa.select(T.Therapist)).mappings().one()
        assert therapist["areasOfExpertise"] == ["anxiety", "depression"]
        assert therapist["preferredSessionLength"] == [45, 60]
        assert therapist["certificateUrls"] == []  # DEFAULT ARRAY[]::TEXT[] ('[]' on SQLite)
        assert therapist["treatmentSuccessRates"] == {"anxiety": 0.82, "notes": ["a", {"b": 1}]}
        assert therapist["hourlyRate"] == Decimal("1500.50")
        assert therapist["updatedAt"] == NOW and therapist["updatedAt"].tzinfo is None
        assert (therapist["status"], therapist["licenseVerified"]) == ("PENDING", False)
        assert isinstance(therapist["createdAt"], datetime)
        posts = {r["id"]: r for r in conn.execute(sa.select(T.Post)).mappings()}
        assert (posts["p1"]["attachmentUrls"], posts["p1"]["attachmentSizes"]) == (["https://x/1.png"], [123])
        assert (posts["p2"]["attachmentNames"], posts["p2"]["attachmentSizes"]) == ([], [])
        data = dict(conn.execute(sa.select(T.Notification.c.id, T.Notification.c.data)).all())
        assert data == {"n1": {"k": [1, 2]}, "n2": None}
        # None in a JSON column is SQL NULL, not JSON null.
        assert conn.execute(sa.select(sa.func.count()).where(T.Notification.c.data.is_(None))).scalar_one() == 1
        notification = conn.execute(sa.select(T.Notification).where(T.Notification.c.id == "n1")).mappings().one()
        assert (notification["priority"], notification["isRead"]) == ("NORMAL", False)
        performance = conn.execute(sa.select(T.TherapistPerformance)).mappings().one()
        assert (performance["noShowRate"], performance["cancellationRate"]) == (0.125, 0.0)


def test_values_round_trip_on_a_prisma_database(postgres_databases):
    engine = sa.create_engine(postgres_databases.create(ddl=prisma_ddl(LATEST.name)))
    try:
        _round_trip(engine)
        with engine.connect() as conn:  # TIMESTAMP(3): microseconds are rounded to milliseconds
            rounded = conn.execute(sa.select(sa.cast(datetime(2024, 1, 1, 0, 0, 0, 123456), tables.Post.c.updatedAt.type)))
            assert rounded.scalar_one() == datetime(2024, 1, 1, 0, 0, 0, 123000)
    finally:
        engine.dispose()


@pytest.fixture
def sqlite_engine(tmp_path):
    engine = sa.create_engine(f"sqlite+pysqlite:///{tmp_path / 'mentara.sqlite3'}")
    create_schema(engine, LATEST)
    yield engine
    engine.dispose()


def test_values_round_trip_on_sqlite(sqlite_engine):
    _round_trip(sqlite_engine)
    with sqlite_engine.connect() as conn:
        assert conn.execute(sa.text('SELECT count(*) FROM "Notification" WHERE data IS NULL')).scalar_one() == 1


@pytest.mark.parametrize("version", VERSION_NAMES)
def test_sqlite_gets_every_table_of_the_version(tmp_path, version):
    version = BY_NAME[version]
    url = f"sqlite+pysqlite:///{tmp_path / 'fresh.sqlite3'}"
    engine = sa.create_engine(url)
    create_schema(engine, version)
    create_schema(engine, version)  # twice is harmless
    engine.dispose()
    snapshot = _snapshot(url)
    assert snapshot == version.expected("sqlite")
    assert detect(snapshot).version == version


def test_sqlite_rejects_invalid_enum_values(sqlite_engine):
    meeting = {"id": "m1", "startTime": NOW, "clientId": "c", "therapistId": "t", "updatedAt": NOW}
    with sqlite_engine.begin() as conn:
        conn.execute(tables.Meeting.insert(), [meeting])
        assert conn.execute(sa.select(tables.Meeting.c.status)).scalar_one() == "SCHEDULED"
    with pytest.raises(sa.exc.IntegrityError):  # the CHECK constraint, bypassing SQLAlchemy's validation
        with sqlite_engine.begin() as conn:
            conn.execute(sa.text(
                'INSERT INTO "Meeting" (id, "startTime", status, "clientId", "therapistId", "updatedAt") '
                "VALUES ('m2', '2024-01-01 00:00:00', 'BOGUS', 'c', 't', '2024-01-01 00:00:00')"))
    with pytest.raises(sa.exc.StatementError):  # SQLAlchemy's validation, through the Table object
        with sqlite_engine.begin() as conn:
            conn.execute(tables.Meeting.insert(), [{**meeting, "id": "m3", "status": "BOGUS"}])

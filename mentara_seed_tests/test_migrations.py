"""Mentara's own migrations: a database seeded on the Oct 2025 schema, migrated by Prisma, seeded again;
and migrations the seeder does not know, which add things (seeded, with a warning) or not (refused)."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from dagster import DagsterInstance

from mentara_seed.schema.versions import LATEST
from mentara_seed_tests.conftest import migration_2025_to_2026, prisma_ddl
from mentara_seed_tests.helpers import ALL_CHECKS, dump, evaluations, run_job, seeded, shortfalls, target_of


def _execute(url: str, sql: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(sql)
    engine.dispose()


def test_a_database_migrated_from_2025_to_2026_is_completed_and_its_rows_kept(postgres_databases):
    url = postgres_databases.create(ddl=prisma_ddl("2025-10"))
    seeded(url, mode="medium")
    before = dump(url)
    assert target_of(url).version.name == "2025-10"

    _execute(url, migration_2025_to_2026())
    assert target_of(url).version == LATEST and target_of(url).additions == ()
    result = run_job(url, mode="medium")

    assert result.success
    assert shortfalls(url, "medium") == {}
    assert set(evaluations(result)) == ALL_CHECKS and all(e.passed for e in evaluations(result).values())
    after = dump(url)
    assert [table for table, rows in after.items() if not rows] == ["TypingIndicator"]
    # Every row of the old schema is still there, unchanged in every column it had (the migration
    # appends its new columns, so the old ones come first).
    for table, rows in before.items():
        width = len(rows[0]) if rows else 0
        assert set(rows) <= {row[:width] for row in after[table]}, table
    # The new minimums of the current schema are met for the old clients too.
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        fewest = conn.execute(sa.text('SELECT min(n) FROM (SELECT count(*) AS n FROM "PreAssessment" GROUP BY "clientId") x'))
        assert fewest.scalar_one() >= 2
    engine.dispose()


def test_additions_the_seeder_does_not_know_are_seeded_around_and_reported_once(postgres_databases):
    url = postgres_databases.create(ddl=prisma_ddl(LATEST.name) + """;
        ALTER TABLE "Post" ADD COLUMN "mood" TEXT NOT NULL DEFAULT 'calm';
        ALTER TABLE "Notification" ADD COLUMN "channel" TEXT;
        CREATE TABLE "Bookmark" ("id" TEXT PRIMARY KEY, "postId" TEXT REFERENCES "Post"("id") ON DELETE CASCADE);
        ALTER TYPE "MeetingStatus" ADD VALUE 'POSTPONED';
        CREATE INDEX "Post_mood_idx" ON "Post"("mood");
    """)
    instance = DagsterInstance.ephemeral()
    result = run_job(url, mode="light", instance=instance)
    assert result.success
    notes = [entry.user_message for entry in instance.all_logs(result.run_id)
             if entry.level == logging.WARNING and "additions the seeder does not know" in entry.user_message]
    assert len(notes) == 1, "reported once per run"
    for addition in ('new table "Bookmark"', 'Post: new column "mood"', 'Notification: new column "channel"',
                     "enum MeetingStatus: new values POSTPONED", 'Post: new index "Post_mood_idx"'):
        assert addition in notes[0]
    assert shortfalls(url, "light") == {}
    engine = sa.create_engine(url)
    with engine.connect() as conn:  # what the seeder does not know took its default
        assert set(conn.execute(sa.text('SELECT DISTINCT mood FROM "Post"')).scalars()) == {"calm"}
        assert conn.execute(sa.text('SELECT count(*) FROM "Notification" WHERE channel IS NOT NULL')).scalar_one() == 0
    engine.dispose()

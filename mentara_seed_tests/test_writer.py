"""The seeding machinery on its own: the bulk writer, id allocation and id lookups, on both backends."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from mentara_seed.generate.keys import seed_id
from mentara_seed.schema import tables as T
from mentara_seed.schema.manage import create_schema
from mentara_seed.schema.versions import BY_NAME, LATEST, Comparison, Target
from mentara_seed.seeding import writer as writer_module
from mentara_seed.seeding.deferred import SchemaObject, UncheckedForeignKey
from mentara_seed.seeding.draws import Draws
from mentara_seed.seeding.ids import IdAllocator
from mentara_seed.seeding.sql import SEPARATOR, one_of
from mentara_seed.seeding.writer import BulkWriter

NOW = dt.datetime(2026, 1, 10, 8, 30, 0, 250000)
NASTY = ["plain", "tab\there", "new\nline", "back\\slash", 'double "quote"', "single 'quote'", "comma, and {braces}",
         "NULL", "\\N", "", "ünïcødé ✓ 🙂", "trailing space ", "\r\n", "x" * 3000]


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite+pysqlite:///{tmp_path / 'writer.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_databases").create()
    engine = sa.create_engine(url)
    if request.param == "sqlite":
        sa.event.listen(engine, "connect", lambda c, _: c.execute("PRAGMA foreign_keys=ON"))
    create_schema(engine, LATEST)
    yield engine
    engine.dispose()


def _user(i: int) -> dict:
    return {"id": f"user-{i}", "email": f"u{i}@example.com", "firstName": "A", "lastName": "B", "updatedAt": NOW,
            "createdAt": NOW}


def _post(i: int, user: str, **values) -> dict:
    return {"id": f"post-{i}", "title": f"t{i}", "content": "c", "userId": user, "createdAt": NOW, "updatedAt": NOW,
            "roomId": None, "attachmentUrls": [], "attachmentNames": [], "attachmentSizes": [], **values}


def test_text_arrays_and_json_arrive_exactly_as_written(engine):
    with engine.begin() as conn:
        writer = BulkWriter(conn)
        writer.insert(T.User, [_user(1)])
        writer.insert(T.Post, [
            _post(k, "user-1", title=text, content=text, attachmentNames=NASTY, attachmentUrls=[text, text],
                  attachmentSizes=[0, -1, 2**31 - 1])
            for k, text in enumerate(NASTY)
        ])
        writer.insert(T.Notification, [{
            "id": "n1", "userId": "user-1", "title": "t", "message": "\t\\N", "type": "SYSTEM_UPDATE",
            "priority": "NORMAL", "data": {"ids": NASTY, "nested": {"n": [1, 2.5, None, True]}}, "actionUrl": None,
            "isRead": False, "readAt": None, "createdAt": NOW, "updatedAt": NOW,
        }])
        writer.finish()
    with engine.connect() as conn:
        posts = conn.execute(sa.select(T.Post).order_by(T.Post.c.id)).mappings().all()
        by_id = {p["id"]: p for p in posts}
        for k, text in enumerate(NASTY):
            post = by_id[f"post-{k}"]
            assert (post["title"], post["content"]) == (text, text)
            assert post["attachmentNames"] == NASTY and post["attachmentUrls"] == [text, text]
            assert post["attachmentSizes"] == [0, -1, 2**31 - 1]
            assert post["createdAt"] == NOW and post["roomId"] is None
        notification = conn.execute(sa.select(T.Notification)).mappings().one()
        assert notification["message"] == "\t\\N" and notification["actionUrl"] is None
        assert notification["data"] == {"ids": NASTY, "nested": {"n": [1, 2.5, None, True]}}


def test_a_failing_batch_surfaces_with_its_cause(engine, monkeypatch):
    """Row 7 of the second batch points at a user who does not exist: the database's own error is
    raised by the next statement on the connection (SQLite), or where the foreign key deferred for
    the load into the empty table is rebuilt (Postgres), naming the table, and nothing of it is kept."""
    monkeypatch.setattr(writer_module, "BATCH", 5)
    monkeypatch.setattr(writer_module, "COPY_BATCH", 5)
    with pytest.raises(writer_module.InsertFailed) as raised:
        with engine.begin() as conn:
            writer = BulkWriter(conn)
            writer.insert(T.User, [_user(1)])
            writer.insert(T.Post, (_post(k, "user-1" if k != 7 else "nobody") for k in range(12)))
            conn.execute(sa.select(sa.func.count()).select_from(T.User)).scalar_one()
            writer.finish()
    message = str(raised.value)
    assert message.startswith("inserting into Post failed: ") and "foreign key" in message.lower()
    assert "\n" not in message
    cause = raised.value.__cause__
    assert type(cause).__name__ in ("IntegrityError", "ForeignKeyViolation")  # the driver's own error
    with engine.connect() as conn:  # the transaction rolled back: not even the user is there
        assert conn.execute(sa.select(sa.func.count()).select_from(T.User)).scalar_one() == 0


def test_an_error_in_the_row_generator_stops_the_insert_at_once(engine):
    def rows():
        yield _post(1, "user-1")
        raise RuntimeError("the generator broke")

    with pytest.raises(RuntimeError, match="the generator broke"):
        with engine.begin() as conn:
            writer = BulkWriter(conn)
            writer.insert(T.User, [_user(1)])
            writer.insert(T.Post, rows())


def test_columns_the_target_lacks_are_left_out(engine):
    """A row built for the newest schema goes into an older version's table without its new columns."""
    old = BY_NAME["2025-10"]
    target = Target.of(Comparison(old))
    assert "birthdate" in T.Client.c and "birthdate" not in target.columns["Client"]
    with engine.begin() as conn:
        writer = BulkWriter(conn, target)
        writer.insert(T.User, [_user(1)])
        writer.insert(T.Client, [{"userId": "user-1", "hasSeenTherapistRecommendations": False, "birthdate": NOW,
                                  "city": "Cebu City", "country": "Philippines", "createdAt": NOW, "updatedAt": NOW}])
        writer.finish()
    with engine.connect() as conn:  # the newest table has the columns: they took their defaults
        assert conn.execute(sa.select(T.Client.c.birthdate, T.Client.c.city)).one() == (None, None)


def test_freed_ordinals_are_reused_and_ids_do_not_depend_on_the_run(engine):
    with engine.begin() as conn:
        ids = IdAllocator(conn, Draws("medium", NOW))
        first = ids.allocate(T.User, "users", {"alice": 3, "bob": 1})
        assert first == {"alice": [seed_id("users", "alice", k) for k in range(3)], "bob": [seed_id("users", "bob", 0)]}
        writer = BulkWriter(conn)
        writer.insert(T.User, [{**_user(0), "id": i, "email": f"{i}@x"} for i in first["alice"] + first["bob"]])
        writer.finish()
        conn.execute(sa.delete(T.User).where(T.User.c.id == first["alice"][1]))
        again = ids.allocate(T.User, "users", {"alice": 2, "bob": 0, "carol": 1})
        assert again == {"alice": [first["alice"][1], seed_id("users", "alice", 3)], "bob": [],
                         "carol": [seed_id("users", "carol", 0)]}


def test_a_table_empty_at_the_first_allocation_needs_no_lookups_for_entities_new_to_the_unit(engine):
    """A fresh seed allocates into empty tables: nothing there can hold a candidate, so its ids are
    not looked up. An entity given ids before in the same unit is looked up again (its rows may be
    in by now), and so is every entity of a table that held rows."""
    lookups = []  # reads of the table's ids
    sa.event.listen(engine, "before_cursor_execute",
                    lambda _c, _cur, statement, *_: lookups.append(statement) if '"User".id' in statement else None)
    users = lambda ids: [{**_user(0), "id": i, "email": f"{i}@x"} for i in ids]  # noqa: E731
    with engine.begin() as conn:
        ids = IdAllocator(conn, Draws("medium", NOW))
        first = ids.allocate(T.User, "users", {"alice": 2, "bob": 1})
        assert first == {"alice": [seed_id("users", "alice", k) for k in range(2)], "bob": [seed_id("users", "bob", 0)]}
        writer = BulkWriter(conn)
        writer.insert(T.User, users([first["alice"][0], first["bob"][0]]))
        writer.finish()
        assert ids.allocate(T.User, "users", {"carol": 1}) == {"carol": [seed_id("users", "carol", 0)]}
        assert lookups == []
        # alice's first id is in: her next two are the two after it
        assert ids.allocate(T.User, "users", {"alice": 2}) == {"alice": [seed_id("users", "alice", k) for k in (1, 2)]}
        assert len(lookups) == 2  # ordinals 0 and 1, then 2

    lookups.clear()
    with engine.begin() as conn:  # a later unit of work: the table holds rows
        ids = IdAllocator(conn, Draws("medium", NOW))
        assert ids.allocate(T.User, "users", {"bob": 1}) == {"bob": [seed_id("users", "bob", 1)]}
        assert len(lookups) == 2  # ordinal 0 (taken), then 1


def test_allocating_in_a_table_loaded_without_its_indexes_brings_back_its_primary_key_only(engine):
    """The emptiness probe needs no index, and the lookups read by primary key: in the middle of a
    load they bring back the key (Postgres, where the load dropped it) and nothing else."""
    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        writer = BulkWriter(conn)
        ids = IdAllocator(conn, Draws("medium", NOW), writer.deferred.lookups)
        writer.insert(T.User, [_user(0)])  # someone's row, loaded without the other indexes
        assert "User" in writer.deferred.tables and writer.deferred.dropped
        dropped = list(writer.deferred.dropped)
        assert [o.name for o in dropped if o.kind == "primary key"] == (["User_pkey"] if postgres else [])
        assert not ids._empty_at_first_allocation(T.User)  # the probe
        assert writer.deferred.dropped == dropped
        first = ids.allocate(T.User, "users", {"alice": 2})  # looks the ids up
        writer.insert(T.User, [{**_user(0), "id": i, "email": f"{i}@x"} for i in first["alice"]])
        assert ids.allocate(T.User, "users", {"alice": 1, "bob": 1}) == {
            "alice": [seed_id("users", "alice", 2)], "bob": [seed_id("users", "bob", 0)]}
        assert writer.deferred.dropped == [o for o in dropped if o.kind != "primary key"]
        writer.finish()
        assert writer.deferred.dropped == []


def test_a_load_into_empty_tables_takes_out_their_keys_and_puts_back_exactly_what_was_there(postgres_databases):
    """Postgres: the primary key of an empty table goes with the foreign keys of the empty tables
    referring to it, and the catalog after the load is the catalog before it."""
    from mentara_seed.seeding.deferred import catalog

    engine = sa.create_engine(postgres_databases.create())
    create_schema(engine, LATEST)
    with engine.begin() as conn:
        before = catalog(conn)
        writer = BulkWriter(conn)
        writer.insert(T.User, [_user(1)])
        writer.insert(T.Post, [_post(k, "user-1") for k in range(3)])
        gone = {(o.table, o.kind, o.name) for o in writer.deferred.dropped if not isinstance(o, UncheckedForeignKey)}
        assert {("User", "primary key", "User_pkey"), ("Post", "primary key", "Post_pkey"),
                ("Post", "foreign key", "Post_userId_fkey"), ("Comment", "foreign key", "Comment_postId_fkey"),
                ("Notification", "foreign key", "Notification_userId_fkey")} <= gone
        left = {(table, name) for _, table, name, *_ in catalog(conn)}
        assert not {(table, name) for table, _, name in gone} & left
        # The key into a table the load does not defer (rooms) stays, its checks off until the end.
        kept = [o for o in writer.deferred.dropped if isinstance(o, UncheckedForeignKey)]
        assert [o.name for o in kept] == ["Post_roomId_fkey"] and ("Post", "Post_roomId_fkey") in left
        writer.finish()
        assert catalog(conn) == before
    engine.dispose()


def _committed_users(engine, *ids: int) -> None:
    with engine.begin() as conn:
        writer = BulkWriter(conn)
        writer.insert(T.User, [_user(i) for i in ids])
        writer.finish()


def test_a_load_referring_to_rows_already_there_keeps_its_keys_and_locks_only_the_rows_it_refers_to(
        postgres_databases):
    """Postgres: posts loaded into an empty table by a later unit of work keep their key into ``User``,
    unchecked while they load (its check triggers off) and checked once at the end. Another session
    can read ``User`` throughout (dropping the key would lock it), and once checked the users the
    posts refer to cannot be deleted before the commit, as the per-row checks would have locked them;
    their other columns can be changed."""
    from mentara_seed.seeding.deferred import catalog

    url = postgres_databases.create()
    engine = sa.create_engine(url)
    create_schema(engine, LATEST)
    _committed_users(engine, 1, 2)
    other = sa.create_engine(url, poolclass=sa.pool.NullPool)

    def from_elsewhere(statement: str):
        with other.begin() as conn:
            conn.exec_driver_sql("SET LOCAL lock_timeout = '500ms'")
            r = conn.exec_driver_sql(statement)
            return r.all() if statement.startswith("SELECT") else r.rowcount

    with engine.connect() as conn:
        before = catalog(conn)
    with engine.begin() as conn:
        writer = BulkWriter(conn)
        writer.insert(T.Post, [_post(k, "user-1") for k in range(3)])
        kept = {o.name: o for o in writer.deferred.dropped if isinstance(o, UncheckedForeignKey)}
        assert set(kept) == {"Post_userId_fkey", "Post_roomId_fkey"}
        assert kept["Post_userId_fkey"].columns == ("userId",) and len(kept["Post_userId_fkey"].triggers) == 2
        assert from_elsewhere('SELECT count(*) FROM "User"') == [(2,)]
        writer.finish()
        assert from_elsewhere('SELECT count(*) FROM "User"') == [(2,)]
        assert from_elsewhere("""UPDATE "User" SET "firstName" = 'Changed' WHERE id = 'user-1'""") == 1  # not its key
        # (Waiting for the row itself, not for the posts a delete would cascade to.)
        with pytest.raises(sa.exc.OperationalError, match='lock timeout(.|\n)*while deleting tuple .* in relation "User"'):
            from_elsewhere("""DELETE FROM "User" WHERE id = 'user-1'""")
    with engine.connect() as conn:
        assert catalog(conn) == before  # the triggers fire again
        assert conn.exec_driver_sql('SELECT count(*) FROM "Post" WHERE "userId" = \'user-1\'').scalar_one() == 3
    other.dispose()
    engine.dispose()


def test_a_reference_to_nobody_fails_the_load_where_its_key_is_checked_at_the_end(postgres_databases):
    """The one check at the end refuses what the per-row check would have, with Postgres' own error,
    and the transaction leaves nothing: no post, and the key's triggers as they were."""
    from mentara_seed.seeding.deferred import catalog

    engine = sa.create_engine(postgres_databases.create())
    create_schema(engine, LATEST)
    _committed_users(engine, 1)
    with engine.connect() as conn:
        before = catalog(conn)
    with pytest.raises(writer_module.InsertFailed) as raised:
        with engine.begin() as conn:
            writer = BulkWriter(conn)
            writer.insert(T.Post, [_post(k, "user-1" if k != 2 else "nobody") for k in range(4)])
            assert "Post_userId_fkey" in {o.name for o in writer.deferred.dropped
                                          if isinstance(o, UncheckedForeignKey)}
            writer.finish()
    assert str(raised.value) == ('inserting into Post failed: insert or update on table "Post" violates '
                                 'foreign key constraint "Post_userId_fkey"')
    assert type(raised.value.__cause__).__name__ == "ForeignKeyViolation"
    assert 'Key ("userId")=(nobody) is not present in table "User".' in str(raised.value.__cause__)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(T.Post)).scalar_one() == 0
        assert catalog(conn) == before
    engine.dispose()


def test_a_kept_key_whose_table_is_loaded_later_in_the_unit_goes_with_its_primary_key(postgres_databases):
    """Posts keep their key into the (empty) rooms, unchecked; when the same unit of work then loads
    rooms, the rooms' primary key goes, and that key with it: it is re-added (and checked) whole."""
    from mentara_seed.seeding.deferred import catalog

    engine = sa.create_engine(postgres_databases.create())
    create_schema(engine, LATEST)
    with engine.begin() as conn:
        writer = BulkWriter(conn)
        writer.insert(T.User, [_user(1)])
        writer.insert(T.Community, [{"id": "c", "name": "C", "slug": "c", "description": "d", "imageUrl": "u",
                                     "createdAt": NOW, "updatedAt": NOW}])
        writer.insert(T.RoomGroup, [{"id": "g", "name": "G", "order": 0, "communityId": "c"}])
        writer.finish()
    with engine.connect() as conn:
        before = catalog(conn)
    with engine.begin() as conn:
        writer = BulkWriter(conn)
        writer.insert(T.Post, [_post(k, "user-1", roomId="r" if k else None) for k in range(3)])
        assert {o.name for o in writer.deferred.dropped if isinstance(o, UncheckedForeignKey)} == {
            "Post_userId_fkey", "Post_roomId_fkey"}
        writer.insert(T.Room, [{"id": "r", "name": "R", "order": 0, "postingRole": "member", "roomGroupId": "g"}])
        by_name = {o.name: o for o in writer.deferred.dropped}
        assert "Room_pkey" in by_name and type(by_name["Post_roomId_fkey"]) is SchemaObject
        assert [o.name for o in writer.deferred.dropped].count("Post_roomId_fkey") == 1
        writer.finish()
    with engine.connect() as conn:
        assert catalog(conn) == before
        assert conn.exec_driver_sql('SELECT count(*) FROM "Post" WHERE "roomId" = \'r\'').scalar_one() == 2
    engine.dispose()


def test_a_role_that_may_not_disable_the_checks_drops_the_keys_instead(postgres_databases):
    """Disabling a foreign key's check triggers takes a superuser: under another role the key into
    ``User`` is dropped and re-added, and the catalog ends as it began."""
    import uuid

    from mentara_seed.seeding.deferred import catalog

    url = postgres_databases.create()
    role = f"mentara_seed_plain_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE ROLE "{role}" NOSUPERUSER NOLOGIN')
        conn.exec_driver_sql(f'GRANT CREATE, USAGE ON SCHEMA public TO "{role}"')
    engine = sa.create_engine(url, connect_args={"options": f"-c role={role}"})
    try:
        create_schema(engine, LATEST)
        _committed_users(engine, 1)
        with engine.connect() as conn:
            before = catalog(conn)
        with engine.begin() as conn:
            assert conn.exec_driver_sql("SELECT current_setting('is_superuser')").scalar_one() == "off"
            writer = BulkWriter(conn)
            writer.insert(T.Post, [_post(k, "user-1") for k in range(3)])
            keys = {o.name: type(o).__name__ for o in writer.deferred.dropped if o.kind == "foreign key"}
            assert keys["Post_userId_fkey"] == "SchemaObject"
            assert "UncheckedForeignKey" not in keys.values()
            writer.finish()
        with engine.connect() as conn:
            assert catalog(conn) == before
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP OWNED BY "{role}"')
            conn.exec_driver_sql(f'DROP ROLE "{role}"')
        admin.dispose()


def test_a_table_that_rows_elsewhere_refer_to_keeps_its_primary_key(postgres_databases, monkeypatch):
    """Posts (more than the limit of a nearly empty table, here 1) may refer to a room: the rooms'
    key stays for their load, while the empty community's goes."""
    from mentara_seed.seeding import deferred

    monkeypatch.setattr(deferred, "DEFER_UP_TO", 1)
    engine = sa.create_engine(postgres_databases.create())
    create_schema(engine, LATEST)
    with engine.begin() as conn:
        writer = BulkWriter(conn)
        writer.insert(T.User, [_user(1)])
        writer.insert(T.Post, [_post(k, "user-1") for k in range(2)])  # in no room
        writer.finish()
    with engine.begin() as conn:
        writer = BulkWriter(conn)
        writer.insert(T.Community, [{"id": "c", "name": "C", "slug": "c", "description": "d", "imageUrl": "u",
                                     "createdAt": NOW, "updatedAt": NOW}])
        writer.insert(T.RoomGroup, [{"id": "g", "name": "G", "order": 0, "communityId": "c"}])
        assert "Room_roomGroupId_fkey" in {o.name for o in writer.deferred.dropped}  # with the group's key
        writer.insert(T.Room, [{"id": "r", "name": "R", "order": 0, "postingRole": "member", "roomGroupId": "g"}])
        keys = {o.name for o in writer.deferred.dropped if o.kind == "primary key"}
        assert {"Community_pkey", "RoomGroup_pkey"} <= keys and "Room_pkey" not in keys
        writer.finish()


def test_a_duplicate_id_in_a_load_fails_it_naming_the_table(engine):
    """Where the primary key is deferred (Postgres), its rebuild refuses the duplicate, as the insert would
    have. (A post's id has no other unique index.)"""
    with pytest.raises(writer_module.InsertFailed) as raised:
        with engine.begin() as conn:
            writer = BulkWriter(conn)
            writer.insert(T.User, [_user(1)])
            writer.insert(T.Post, [_post(1, "user-1"), _post(2, "user-1"), _post(1, "user-1", title="again")])
            if engine.dialect.name == "postgresql":
                assert "Post_pkey" in {o.name for o in writer.deferred.dropped}
            writer.finish()
    message = str(raised.value)
    assert message.startswith("inserting into Post failed: ") and "unique" in message.lower(), message
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(T.Post)).scalar_one() == 0


def test_a_delete_from_a_table_whose_key_was_taken_out_cascades(postgres_databases):
    """A table comes back whole before a statement that writes it: the foreign keys referring to it
    too, so a DELETE follows their ON DELETE rules (a post's comments go with it)."""
    engine = sa.create_engine(postgres_databases.create())
    create_schema(engine, LATEST)
    comment = {"id": "c1", "postId": "post-1", "userId": "user-1", "content": "c", "parentId": None,
               "createdAt": NOW, "updatedAt": NOW, "attachmentUrls": [], "attachmentNames": [], "attachmentSizes": []}
    with engine.begin() as conn:
        writer = BulkWriter(conn)
        writer.insert(T.User, [_user(1)])
        writer.insert(T.Post, [_post(k, "user-1") for k in range(3)])
        writer.insert(T.Comment, [comment])
        assert {"Post_pkey", "Comment_postId_fkey"} <= {o.name for o in writer.deferred.dropped}
        conn.execute(sa.delete(T.Post).where(T.Post.c.id == "post-1"))
        assert conn.execute(sa.select(sa.func.count()).select_from(T.Comment)).scalar_one() == 0
        writer.finish()


def test_an_update_of_a_deferred_table_gets_it_back_whole_first(engine):
    with engine.begin() as conn:
        writer = BulkWriter(conn)
        writer.insert(T.User, [_user(1)])
        writer.insert(T.Post, [_post(k, "user-1") for k in range(3)])
        assert any(o.table == "Post" for o in writer.deferred.dropped)
        conn.execute(sa.update(T.Post).where(T.Post.c.id == "post-1").values(title="new"))
        assert not any(o.table == "Post" for o in writer.deferred.dropped)
        writer.finish()


def test_id_lookups_with_the_separator_in_a_value_still_match_exactly(engine):
    odd = [f"odd{SEPARATOR}id", f"{SEPARATOR}", "plain"]
    with engine.begin() as conn:
        writer = BulkWriter(conn)
        writer.insert(T.User, [{**_user(k), "id": value} for k, value in enumerate(odd + ["other"])])
        writer.finish()
        postgres = conn.dialect.name == "postgresql"
        found = conn.execute(sa.select(T.User.c.id).where(one_of(postgres, T.User.c.id, odd + ["missing"]))).scalars()
        assert sorted(found) == sorted(odd)
        plain = conn.execute(sa.select(T.User.c.id).where(one_of(postgres, T.User.c.id, ["plain", "other"]))).scalars()
        assert sorted(plain) == ["other", "plain"]
        assert conn.execute(sa.select(T.User.c.id).where(one_of(postgres, T.User.c.id, []))).all() == []

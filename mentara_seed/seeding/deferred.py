"""A table's secondary indexes (and, on Postgres, its primary and foreign keys), taken out for a bulk load and put back.

Loading into a table with live indexes and foreign keys pays for both on
every row: each index is updated row by row, and each foreign key is checked
row by row (Postgres queues one trigger event per row and runs them when the
COPY ends). Building an index over the loaded rows in one sort, and
validating a foreign key with one join, costs a fraction of that, which is
what ``pg_restore`` does. ``Deferred`` does it inside the writing
transaction. It reads each object's definition from the catalog
(``pg_get_indexdef``, ``pg_get_constraintdef``), drops it, and after the load
creates it again from that same definition, with the same name, columns,
method, uniqueness and ON DELETE / ON UPDATE rules: the primary keys first
(a foreign key rests on the oldest unique index over its columns, Prisma's
primary key being older than a unique index over the same column), then the
other indexes, then the foreign keys. Postgres' DDL is transactional: a
run killed before the commit leaves the schema exactly as it was, and a
duplicate or a dangling reference fails the rebuild, and so the asset, as it
would have failed the insert.

The primary key (Postgres) goes too when every foreign key referencing the
table comes from a (nearly) empty table as well; those foreign keys are
dropped with it. A seeded id is a UUID, so a fresh load inserts into the
key's b-tree at random places: a COPY of 440,000 rows shaped as comments took
2.1 s with the key live here, against 0.85 s bare and 0.31 s to build the key
after (one-off measurement). Reads by primary key (the id allocator's
lookups, ``lookups``) bring the key back, and only the key; any other read of
a deferred table (and an UPDATE or DELETE of it) brings the whole table back,
the foreign keys referring to it included (a DELETE cascades along them).

SQLite: the same for secondary indexes, each created again from its own
``CREATE INDEX`` text in ``sqlite_master`` (keys are part of their table
there, checked per row in any case). SQLite's DDL is transactional too.

A foreign key into a table the unit of work does not defer (``User``, for
most loads after the users') is kept instead, with its per-row checks off
for the load and one check at the end (``UncheckedForeignKey``), where the
role may do that (a superuser); other roles drop it like the rest.

Locks: dropping an index or a key takes an ACCESS EXCLUSIVE lock on its
table, and dropping a foreign key takes one on the table it references too
(Postgres removes the key's triggers there), held
until the asset's transaction ends (a kept key locks only its own table, and
at the end the rows it refers to): with a primary key, that is every
(nearly) empty table referring to it too, written by this unit of work or
not. Other sessions cannot read those tables meanwhile. That is why only tables the load dwarfs are
deferred: ones that are (nearly) empty, as in a fresh seed or after a reset,
where nothing else has anything to read yet; and a primary key only when the
tables whose keys refer to it are (nearly) empty too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mentara_seed.failpoints import failpoint

# A table holding at most this many rows (counted, up to one more) is deferred.
DEFER_UP_TO = 1_000


@dataclass(frozen=True)
class SchemaObject:
    """An index or a constraint of a table, as the catalog defines it."""

    table: str
    kind: str  # "index", "foreign key" or "primary key"
    name: str
    definition: str  # CREATE INDEX ... for an index; the constraint's definition otherwise
    references: str | None = None  # a foreign key's referenced table

    def drop(self) -> str:
        if self.kind == "index":
            return f'DROP INDEX "{self.name}"'
        return f'ALTER TABLE "{self.table}" DROP CONSTRAINT "{self.name}"'

    def create(self) -> str:
        if self.kind == "index":
            return self.definition
        return f'ALTER TABLE "{self.table}" ADD CONSTRAINT "{self.name}" {self.definition}'


@dataclass(frozen=True)
class UncheckedForeignKey(SchemaObject):
    """A foreign key into a table the unit of work does not defer (``User``, in most loads): kept, with
    its per-row checks on the loading table off while the table loads (its two check triggers,
    ``RI_FKey_check_ins`` and ``RI_FKey_check_upd``, disabled), and verified by one join at the end.

    Dropping the key instead would lock the referenced table too (Postgres removes the key's
    triggers there), for the rest of the unit of work: nobody could read ``User`` while a big
    table loads. Disabling a trigger locks only the table it belongs to, the loading table,
    which the unit of work holds already. Its end first locks the referenced rows as a per-row
    check would have (``FOR KEY SHARE``: nobody can delete one or change its key until the
    commit), then looks for a reference none of them answers, failing the unit of work with
    Postgres' own error (``foreign_key_violation``) if one does not, then enables the triggers.
    Disabling a system trigger takes a superuser; other roles drop and re-add the key."""

    columns: tuple[str, ...] = ()
    referenced_columns: tuple[str, ...] = ()
    triggers: tuple[str, ...] = ()

    def drop(self) -> str:
        return f'ALTER TABLE "{self.table}" ' + ", ".join(f'DISABLE TRIGGER "{t}"' for t in self.triggers)

    def create(self) -> str:
        def key(alias: str, names: tuple[str, ...]) -> str:
            return "(" + ", ".join(f'{alias}."{n}"' for n in names) + ")"

        t, r = key("t", self.columns), key("r", self.referenced_columns)
        present = " AND ".join(f't."{c}" IS NOT NULL' for c in self.columns)  # MATCH SIMPLE
        shown = " || ', ' || ".join(f't."{c}"::text' for c in self.columns)
        names = ", ".join(f'"{c}"' for c in self.columns).replace("'", "''")
        enable = f'ALTER TABLE "{self.table}" ' + ", ".join(f'ENABLE TRIGGER "{g}"' for g in self.triggers)
        return f"""DO $deferred$ DECLARE missing text; BEGIN
            PERFORM 1 FROM "{self.references}" r WHERE {r} IN (SELECT {t} FROM "{self.table}" t WHERE {present})
                FOR KEY SHARE OF r;
            SELECT {shown} INTO missing FROM "{self.table}" t WHERE {present}
                AND NOT EXISTS (SELECT 1 FROM "{self.references}" r WHERE {r} = {t}) LIMIT 1;
            IF FOUND THEN
                RAISE EXCEPTION 'insert or update on table "{self.table}" violates foreign key constraint "{self.name}"'
                    USING ERRCODE = 'foreign_key_violation',
                          DETAIL = 'Key ({names})=(' || missing || ') is not present in table "{self.references}".';
            END IF;
            {enable};
        END $deferred$"""


# A table's foreign keys into other tables, with what keeping one unchecked needs: the columns on both
# sides and the key's check triggers on the table (only a plain MATCH SIMPLE key whose two check
# triggers are enabled as Postgres made them).
_OUTGOING = sa.text("""
    SELECT c.conname,
           array(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i),
           array(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY k(n, i)
                 JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i),
           g.names
    FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
    JOIN LATERAL (SELECT array_agg(g.tgname ORDER BY g.tgname) AS names, count(*) AS triggers,
                         count(*) FILTER (WHERE g.tgenabled = 'O' AND g.tgfoid IN
                             ('"RI_FKey_check_ins"'::regproc, '"RI_FKey_check_upd"'::regproc)) AS checks
                  FROM pg_trigger g WHERE g.tgconstraint = c.oid AND g.tgrelid = c.conrelid) g
      ON g.triggers = 2 AND g.checks = 2
    WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = :table AND c.contype = 'f'
      AND c.confrelid <> c.conrelid AND c.confmatchtype = 's'
""")


_OBJECTS = sa.text("""
    SELECT t.relname, 'index', i.relname, pg_get_indexdef(i.oid), NULL::name
    FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
    WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = ANY(:tables)
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.conrelid = x.indrelid)
    UNION ALL
    SELECT t.relname, CASE c.contype WHEN 'f' THEN 'foreign key' ELSE 'primary key' END, c.conname,
           pg_get_constraintdef(c.oid), r.relname
    FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid LEFT JOIN pg_class r ON r.oid = c.confrelid
    WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = ANY(:tables)
      AND c.contype IN ('f', 'p')
    ORDER BY 1, 2, 3
""").bindparams(sa.bindparam("tables", type_=sa.ARRAY(sa.Text)))

# The foreign keys referencing a table (its own included), as ``_OBJECTS`` describes them.
_INCOMING = sa.text("""
    SELECT t.relname, 'foreign key', c.conname, pg_get_constraintdef(c.oid), r.relname
    FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class r ON r.oid = c.confrelid
    WHERE r.relnamespace = current_schema()::regnamespace AND r.relname = :table AND c.contype = 'f'
      AND t.relnamespace = current_schema()::regnamespace
    ORDER BY 1, 2, 3
""")


def schema_objects(conn: Connection, tables: list[str]) -> list[SchemaObject]:
    """The indexes not backing a constraint, the foreign keys and the primary keys of ``tables``
    (SQLite: the indexes created by a ``CREATE INDEX``)."""
    if conn.dialect.name == "sqlite":
        return [SchemaObject(table, "index", name, sql) for table, name, sql in conn.execute(sa.text(
            "SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            " AND tbl_name IN (SELECT value FROM json_each(:tables)) ORDER BY tbl_name, name"),
            {"tables": json.dumps(sorted(tables))})]
    return [SchemaObject(*row) for row in conn.execute(_OBJECTS, {"tables": sorted(tables)})]


def catalog(conn: Connection) -> list[tuple]:
    """Every index and constraint of the schema with its full definition: what a rebuild must restore
    (a constraint's with the index it depends on: a foreign key can rest on a primary key or on a
    unique index over the same columns, whichever of them is older; and on Postgres a constraint's
    triggers, each with its table, function and whether it fires, as a kept key's must again)."""
    if conn.dialect.name == "sqlite":
        return [tuple(row) for row in conn.execute(sa.text(
            "SELECT type, tbl_name, name, sql FROM sqlite_master ORDER BY type, tbl_name, name"))]
    return [tuple(row) for row in conn.execute(sa.text("""
        SELECT 'index', t.relname, i.relname, pg_get_indexdef(i.oid), x.indisvalid AND x.indisready
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
        WHERE t.relnamespace = current_schema()::regnamespace
        UNION ALL
        SELECT 'constraint ' || c.contype::text, t.relname, c.conname,
               pg_get_constraintdef(c.oid) || ' USING INDEX ' || coalesce(c.conindid::regclass::text, '-'), c.convalidated
        FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
        WHERE t.relnamespace = current_schema()::regnamespace
        UNION ALL
        SELECT 'constraint triggers', t.relname, c.conname,
               string_agg(g.tgrelid::regclass::text || ' ' || g.tgfoid::regproc::text || ' ' || g.tgenabled::text, ', '
                          ORDER BY g.tgrelid::regclass::text, g.tgfoid::regproc::text), bool_and(g.tgenabled = 'O')
        FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_trigger g ON g.tgconstraint = c.oid
        WHERE t.relnamespace = current_schema()::regnamespace
        GROUP BY t.relname, c.conname
        ORDER BY 1, 2, 3
    """))]


# What a rebuild creates first. A primary key before the table's other indexes: a foreign key rests on
# the oldest unique index over its columns, and Prisma's primary key is older than its unique indexes
# (``User_id_key`` has the columns of ``User_pkey``). Foreign keys last: each needs the key it references.
ORDER = {"primary key": 0, "index": 1, "foreign key": 2}


class Deferred:
    """The secondary indexes and (Postgres) primary and foreign keys of the (nearly) empty tables a unit of
    work loads, dropped before the table's first rows and rebuilt, from their catalog definitions, before it ends."""

    def __init__(self, conn: Connection, enabled: bool = True) -> None:
        self.conn = conn
        # Off where other units of work write the same tables at once (shards): their loads would
        # wait on this one's locks, and its rebuild would be theirs to pay for.
        self.enabled = enabled
        self.decided: set[str] = set()
        self.dropped: list[SchemaObject] = []
        # The tables deferred, in order, each followed by those whose foreign keys went with its primary
        # key (all locked until the unit of work ends).
        self.tables: list[str] = []
        self.rebuilding: SchemaObject | None = None
        self._may_disable_triggers: bool | None = None  # (a superuser's privilege: ``UncheckedForeignKey``)
        self._reads: str | None = None  # what the reads in a ``lookups`` block need: "primary key" or "nothing"

    def _nearly_empty(self, table: str) -> bool:
        holds = self.conn.execute(sa.text(f'SELECT count(*) FROM (SELECT 1 FROM "{table}" LIMIT {DEFER_UP_TO + 1}) s'))
        return holds.scalar_one() <= DEFER_UP_TO

    def before_first_rows(self, table: str) -> None:
        """Called before a table's first insert of the unit of work: defer its upkeep if it is (nearly) empty.

        On Postgres its primary key goes too (a fresh seed's ids come in no order, and a b-tree
        taking them one by one costs more than the rest of the load), when every foreign key
        referencing the table comes from a (nearly) empty table as well: those keys are dropped
        with it, and come back after it."""
        if table in self.decided or not self.enabled:
            return
        self.decided.add(table)
        with self.lookups(primary_key=False):  # its own reads of the catalog and of row counts need nothing back
            self._defer(table)

    def _defer(self, table: str) -> None:
        if not self._nearly_empty(table):
            return
        found = schema_objects(self.conn, [table])
        objects = [o for o in found if o.kind != "primary key"]
        primary = [o for o in found if o.kind == "primary key"]
        if primary and self.conn.dialect.name == "postgresql":
            incoming = [SchemaObject(*row) for row in self.conn.execute(_INCOMING, {"table": table})]
            incoming = [o for o in incoming if o not in objects]  # (its own keys to itself are among them)
            if all(self._nearly_empty(o.table) for o in incoming):
                objects = incoming + objects + primary  # the keys on it before it
        objects = self._kept(table, objects)
        # A key kept unchecked that goes now (with the primary key it refers to) is re-added whole instead.
        going = {(o.table, o.name) for o in objects}
        self.dropped = [o for o in self.dropped
                        if not (isinstance(o, UncheckedForeignKey) and (o.table, o.name) in going)]
        for obj in objects:
            self.conn.exec_driver_sql(obj.drop())
        self.dropped += objects
        if objects:
            self.tables += [t for t in dict.fromkeys([table, *(o.table for o in objects)]) if t not in self.tables]

    def _kept(self, table: str, objects: list[SchemaObject]) -> list[SchemaObject]:
        """``objects`` with the foreign keys of ``table`` into tables this unit of work has not deferred
        kept, unchecked (``UncheckedForeignKey``), where the role may disable their check triggers."""
        if self.conn.dialect.name != "postgresql" or not self._superuser():
            return objects
        # (Keys into the table itself are not among them: its primary key may be going.)
        outgoing = {name: row for name, *row in self.conn.execute(_OUTGOING, {"table": table})}
        kept = []
        for o in objects:
            if o.kind == "foreign key" and o.table == table and o.name in outgoing and o.references not in self.tables:
                columns, referenced, triggers = outgoing[o.name]
                o = UncheckedForeignKey(o.table, o.kind, o.name, o.definition, o.references,
                                        tuple(columns), tuple(referenced), tuple(triggers))
            kept.append(o)
        return kept

    def _superuser(self) -> bool:
        if self._may_disable_triggers is None:
            self._may_disable_triggers = self.conn.exec_driver_sql(
                "SELECT current_setting('is_superuser') = 'on'").scalar_one()
        return self._may_disable_triggers

    @contextmanager
    def lookups(self, primary_key: bool = True) -> Iterator[None]:
        """Reads in here look rows up by primary key only: a table's primary key comes back for them,
        nothing else. ``primary_key=False``: reads that need no index at all (a first row)."""
        self._reads, previous = ("primary key" if primary_key else "nothing"), self._reads
        try:
            yield
        finally:
            self._reads = previous

    def before_statement(self, statement: str) -> None:
        """A statement reading a deferred table gets it back whole first: the unit of work reads what it
        wrote (a thread's earlier comments, the notifications already sent), and without its indexes
        every such read would scan the table, once per chunk. (A lookup by primary key gets the key.)"""
        if not self.dropped or self._reads == "nothing":
            return
        mentioned = {obj.table for obj in self.dropped if f'"{obj.table}"' in statement}
        if not mentioned:
            return
        if self._reads == "primary key":
            self._create([o for o in self.dropped if o.kind == "primary key" and o.table in mentioned], raw=True)
        elif statement.lstrip()[:6].upper().startswith(("SELECT", "WITH", "UPDATE", "DELETE")):
            self.rebuild(mentioned, raw=True)

    def rebuild(self, tables: set[str] | None = None, raw: bool = False) -> None:
        """Create again what was dropped (of ``tables``, or all): the primary keys, the other indexes, then
        the foreign keys, each validated by one join. A table comes back whole: with the foreign keys
        referring to it (a DELETE must cascade), and the primary keys its own refer to.
        ``raw``: through the driver, from inside another statement's event."""
        objects = [o for o in self.dropped if tables is None or o.table in tables
                   or (o.kind == "foreign key" and o.references in tables)]
        referenced = {o.references for o in objects if o.kind == "foreign key"}
        objects += [o for o in self.dropped if o.kind == "primary key" and o.table in referenced and o not in objects]
        self._create(objects, raw)

    def _create(self, objects: list[SchemaObject], raw: bool) -> None:
        self.dropped = [o for o in self.dropped if o not in objects]
        for obj in sorted(objects, key=lambda o: ORDER[o.kind]):
            self.rebuilding = obj
            failpoint(f"rebuild:{obj.table}")
            if isinstance(obj, UncheckedForeignKey):
                failpoint(f"check:{obj.name}")
            if raw:
                cursor = self.conn.connection.driver_connection.cursor()
                try:
                    cursor.execute(obj.create())
                finally:
                    cursor.close()
            else:
                self.conn.exec_driver_sql(obj.create())

"""Generate the SQLAlchemy tables of each Mentara schema version from Prisma's DDL.

    python -m mentara_seed.schema.codegen [--fixtures DIR] [--out DIR] [--server URL]

For each version in ``SOURCES`` it builds a throwaway Postgres database from
Prisma's DDL (``../shared/fixtures`` or ``$MENTARA_FIXTURES``), reflects it,
and writes:

- ``v<version>.py``: the tables, columns, keys, indexes and enum types, with
  Prisma's names, in the order of Prisma's DDL;
- ``expected/<version>/postgresql.json``: the reflected schema, as the drift
  check compares targets with it (exactly what ``prisma migrate`` makes);
- ``expected/<version>/sqlite.json``: the same tables created on SQLite and
  reflected (what the seeder makes in an embedded database).

Before writing, it creates the generated tables in a second Postgres database
and fails unless they reflect exactly as Prisma's DDL does. The generated
files are committed (the seeder needs no DDL and no server at run time);
``test_schema.py`` regenerates them and fails on any difference. Needs a
Postgres server (``--server``, default ``$MENTARA_TEST_POSTGRES_URL`` or the
local one).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import tempfile
import types
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import make_url

from mentara_seed.schema.inspect import schema_diff, schema_snapshot

HERE = Path(__file__).resolve().parent
# Version name -> Prisma's DDL of it, in the fixtures directory.
SOURCES = {"2025-10": "mentara_prisma_ddl.sql", "2026-02": "mentara_prisma_ddl_2026.sql"}
DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def fixtures_dir() -> Path:
    return Path(os.environ.get("MENTARA_FIXTURES") or HERE.parents[2] / "shared" / "fixtures")


def module_name(version: str) -> str:
    return "v" + version.replace("-", "_")


@contextmanager
def scratch_database(server: str) -> Iterator[str]:
    """A fresh, empty Postgres database on ``server``, dropped afterwards."""
    name = f"mentara_codegen_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


# -- reflection to source --------------------------------------------------------------------------
def _type_source(column_type: sa.types.TypeEngine, enums: set[str]) -> str:
    if isinstance(column_type, postgresql.ENUM):
        if column_type.name not in enums:
            raise ValueError(f"enum {column_type.name} is not a type of this schema")
        return column_type.name
    if isinstance(column_type, postgresql.ARRAY):
        item = column_type.item_type
        if isinstance(item, sa.Text):
            return "TextArray"
        if isinstance(item, sa.Integer):
            return "IntArray"
    elif isinstance(column_type, postgresql.JSONB):
        return "Jsonb"
    elif isinstance(column_type, sa.TIMESTAMP):
        if column_type.precision == 3 and not column_type.timezone:
            return "Timestamp3"
    elif isinstance(column_type, postgresql.DOUBLE_PRECISION):
        return "Double"
    elif isinstance(column_type, sa.Numeric):
        return f"sa.Numeric({column_type.precision}, {column_type.scale})"
    elif isinstance(column_type, sa.Boolean):
        return "sa.Boolean"
    elif isinstance(column_type, sa.Integer) and type(column_type) in (sa.INTEGER, sa.Integer):
        return "sa.Integer"
    elif isinstance(column_type, sa.Text):
        return "sa.Text"
    raise ValueError(f"no portable type for {column_type!r}: extend mentara_seed.schema.codegen")


def _default_source(default: str | None) -> str | None:
    """The ``server_default`` that renders as Prisma's default on both dialects."""
    if default is None:
        return None
    if default == "CURRENT_TIMESTAMP":
        return "CURRENT_TIMESTAMP"
    if default in ("true", "false"):
        return f"sa.{default}()"
    if re.fullmatch(r"-?\d+(\.\d+)?", default):
        return f"sa.text({default!r})"
    if re.fullmatch(r"ARRAY\[\]::text\[\]", default, re.I):
        return "EMPTY_TEXT_ARRAY"
    if re.fullmatch(r"ARRAY\[\]::integer\[\]", default, re.I):
        return "EMPTY_INT_ARRAY"
    literal = re.fullmatch(r"'((?:[^']|'')*)'::(text|\"\w+\")", default)
    if literal:
        return repr(literal.group(1).replace("''", "'"))
    raise ValueError(f"no portable default for {default!r}: extend mentara_seed.schema.codegen")


def _q(value) -> str:
    """A Python literal in double quotes (as the project's code writes them)."""
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, (list, tuple)):
        inner = ", ".join(_q(v) for v in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner}{',' if len(value) == 1 else ''})"
    return repr(value)


def _wrapped(head: str, items: list[str], tail: str, indent: str = "    ", width: int = 120) -> list[str]:
    """``head item, item, ... tail`` on one line if it fits, else one item per line."""
    line = f"{indent}{head}{', '.join(items)}{tail}"
    if len(line) <= width:
        return [line]
    return [f"{indent}{head}", *(f"{indent}    {item}," for item in items), f"{indent}{tail.lstrip(',')}"]


def render_module(version: str, ddl_name: str, ddl: str, conn: sa.Connection) -> str:
    """The Python source of the tables of the database ``conn`` (built from Prisma's DDL)."""
    inspector = sa.inspect(conn)
    tables = conn.exec_driver_sql(
        "SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = current_schema()::regnamespace ORDER BY oid"
    ).scalars().all()
    enums = {e["name"]: e["labels"] for e in sorted(inspector.get_enums(), key=lambda e: e["name"]) if e["visible"]}
    out = [
        f'"""The Mentara schema of {version} ({len(tables)} tables, {len(enums)} enum types) as SQLAlchemy Core tables.',
        "",
        f"Generated by ``python -m mentara_seed.schema.codegen`` from Prisma's DDL ({ddl_name},",
        f"sha256 {hashlib.sha256(ddl.encode()).hexdigest()[:16]}): do not edit; regenerate. Names, column order,",
        "types, defaults, keys and indexes are Prisma's (unique keys are unique indexes, as Prisma",
        "creates them); on SQLite, arrays and JSONB are JSON and enums are TEXT with a CHECK.",
        '"""',
        "",
        "import sqlalchemy as sa",
        "",
        "from mentara_seed.schema.types import (",
        "<imports>",
        ")",
        "",
        f"VERSION = {_q(version)}",
        "metadata = sa.MetaData()",
        "",
        "# Enum types, values in Prisma's order.",
        "ENUMS: dict[str, tuple[str, ...]] = {",
    ]
    for name, labels in enums.items():
        out += _wrapped(f"{_q(name)}: (", [_q(label) for label in labels], "),")
    out += ["}", ""]
    for name in enums:
        out.append(f"{name} = pg_enum({_q(name)}, ENUMS[{_q(name)}], metadata)")
    for table in tables:
        out += ["", "", f"{table} = sa.Table(", f"    {_q(table)},", "    metadata,"]
        for column in inspector.get_columns(table):
            parts = [_q(column["name"]), _type_source(column["type"], set(enums)), f"nullable={bool(column['nullable'])}"]
            default = _default_source(column.get("default"))
            if default:
                parts.append(f"server_default={default}")
            out.append(f"    sa.Column({', '.join(parts)}),")
        pk = inspector.get_pk_constraint(table)
        out.append(f"    sa.PrimaryKeyConstraint({', '.join(map(_q, pk['constrained_columns']))}, name={_q(pk['name'])}),")
        for fk in sorted(inspector.get_foreign_keys(table), key=lambda fk: fk["name"]):
            options = fk.get("options") or {}
            referred = [f"{fk['referred_table']}.{c}" for c in fk["referred_columns"]]
            out += _wrapped("sa.ForeignKeyConstraint(", [
                _q(fk["constrained_columns"]), _q(referred), f"name={_q(fk['name'])}",
                f"ondelete={_q((options.get('ondelete') or 'NO ACTION').upper())}",
                f"onupdate={_q((options.get('onupdate') or 'NO ACTION').upper())}",
            ], "),")
        out.append(")")
        for index in sorted(inspector.get_indexes(table), key=lambda i: i["name"]):
            sorting = index.get("column_sorting") or {}
            columns = []
            for column in index["column_names"]:
                expression = f"{table}.c.{column}"
                for order in sorting.get(column, ()):
                    if order not in ("desc", "asc", "nulls_first", "nulls_last"):
                        raise ValueError(f"index {index['name']}: unknown sorting {order}")
                    expression += f".{order}()"
                columns.append(expression)
            unique = ["unique=True"] if index["unique"] else []
            out += _wrapped("sa.Index(", [_q(index["name"]), *columns, *unique], ")", indent="")
    out += ["", "", "__all__ = ["]
    out += [f"    {_q(name)}," for name in ("VERSION", "ENUMS", "metadata", *enums, *tables)]
    out += ["]", ""]
    source = "\n".join(out)
    # Import just the portable types the tables use (sorted as the linter sorts them).
    used = sorted((name for name in ("CURRENT_TIMESTAMP", "EMPTY_INT_ARRAY", "EMPTY_TEXT_ARRAY", "Double", "IntArray",
                                     "Jsonb", "TextArray", "Timestamp3", "pg_enum") if re.search(rf"\b{name}\b", source)),
                  key=lambda name: (0 if name.isupper() else 1 if name[0].isupper() else 2, name))
    return source.replace("<imports>", "\n".join(f"    {name}," for name in used), 1)


def _load(source: str, name: str) -> types.ModuleType:
    module = types.ModuleType(name)
    exec(compile(source, name, "exec"), module.__dict__)
    return module


def _snapshot(url: str, metadata: sa.MetaData) -> dict:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return json.loads(json.dumps(schema_snapshot(conn, metadata)))
    finally:
        engine.dispose()


def generate(version: str, ddl_path: Path, server: str) -> dict[str, str]:
    """The generated files of one version: relative path -> content."""
    ddl = ddl_path.read_text()
    with scratch_database(server) as prisma_url:
        engine = sa.create_engine(prisma_url)
        with engine.begin() as conn:
            conn.exec_driver_sql(ddl)
        with engine.connect() as conn:
            source = render_module(version, ddl_path.name, ddl, conn)
        engine.dispose()
        module = _load(source, module_name(version))
        prisma = _snapshot(prisma_url, module.metadata)
    if len(prisma["tables"]) != len(module.metadata.tables):
        raise SystemExit(f"{version}: the generated module has {len(module.metadata.tables)} tables, the DDL {len(prisma['tables'])}")
    with scratch_database(server) as ours_url:
        engine = sa.create_engine(ours_url)
        module.metadata.create_all(engine)
        engine.dispose()
        ours = _snapshot(ours_url, module.metadata)
    if ours != prisma:
        raise SystemExit(f"{version}: the generated tables do not reflect as Prisma's DDL: {schema_diff(prisma, ours)[:10]}")
    with tempfile.TemporaryDirectory() as scratch:
        sqlite_url = f"sqlite+pysqlite:///{Path(scratch) / 'schema.sqlite3'}"
        engine = sa.create_engine(sqlite_url)
        module.metadata.create_all(engine)
        engine.dispose()
        sqlite = _snapshot(sqlite_url, module.metadata)

    def as_json(snapshot: dict) -> str:
        return json.dumps(snapshot, indent=1, sort_keys=True) + "\n"

    return {
        f"{module_name(version)}.py": source,
        f"expected/{version}/postgresql.json": as_json(prisma),
        f"expected/{version}/sqlite.json": as_json(sqlite),
    }


def generate_all(fixtures: Path, server: str) -> dict[str, str]:
    files: dict[str, str] = {}
    for version, ddl in SOURCES.items():
        path = fixtures / ddl
        if not path.is_file():
            raise SystemExit(f"no Prisma DDL at {path}: set MENTARA_FIXTURES or pass --fixtures")
        files.update(generate(version, path, server))
    return files


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m mentara_seed.schema.codegen", description=__doc__.split("\n\n")[0])
    parser.add_argument("--fixtures", type=Path, default=fixtures_dir())
    parser.add_argument("--out", type=Path, default=HERE, help="where to write (default: this package)")
    parser.add_argument("--server", default=os.environ.get("MENTARA_TEST_POSTGRES_URL", DEFAULT_SERVER))
    args = parser.parse_args(argv)
    for relative, content in generate_all(args.fixtures, args.server).items():
        path = args.out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

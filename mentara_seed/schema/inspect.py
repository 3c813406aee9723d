"""Compare a live database's Mentara schema with what it should be.

:func:`schema_snapshot` reflects the Mentara tables (only those named in
:data:`mentara_seed.schema.tables.metadata`) into plain, comparable data;
:func:`schema_diff` lists the differences between two snapshots as readable
lines; :func:`create_schema` creates the schema from the metadata.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

__all__ = ["schema_diff", "schema_snapshot"]


def _normalise_default(default: str | None) -> str | None:
    if default is None:
        return None
    return " ".join(str(default).split())


def _type_string(type_: sa.types.TypeEngine, dialect: sa.Dialect) -> str:
    try:
        rendered = type_.compile(dialect=dialect)
    except Exception:  # a reflected type the dialect cannot render
        rendered = repr(type_)
    return " ".join(rendered.split())


def schema_snapshot(connection: sa.Connection, metadata: sa.MetaData | None = None,
                    ignore: frozenset[str] = frozenset()) -> dict[str, Any]:
    """A normalised description of the tables in ``connection``'s database.

    ``{"dialect": ..., "tables": {table: {"columns": [...], "primary_key":
    {...}, "indexes": {...}, "foreign_keys": {...}}}, "enums": {name:
    [values]}}``; columns keep their database order; ``enums`` is only filled
    on PostgreSQL. With ``metadata``, only its tables and enum types are
    described; without, every table but those in ``ignore``, and every enum.
    """
    inspector = sa.inspect(connection)
    dialect = connection.dialect
    present = set(inspector.get_table_names())
    if metadata is not None:
        present &= set(metadata.tables)
        enum_names = {
            column.type.name for table in metadata.tables.values() for column in table.columns
            if isinstance(column.type, sa.Enum) and column.type.name
        }
    tables: dict[str, Any] = {}
    for name in sorted(present - ignore):
        columns = [
            {
                "name": column["name"],
                "type": _type_string(column["type"], dialect),
                "nullable": bool(column["nullable"]),
                "default": _normalise_default(column.get("default")),
            }
            for column in inspector.get_columns(name)
        ]
        pk = inspector.get_pk_constraint(name)
        indexes = {}
        for index in inspector.get_indexes(name):
            expressions = index.get("expressions") or index["column_names"]
            sorting = {col: list(order) for col, order in (index.get("column_sorting") or {}).items()}
            indexes[index["name"]] = {
                "columns": [str(expr) for expr in expressions],
                "unique": bool(index["unique"]),
                "sorting": sorting,
            }
        foreign_keys = {}
        for fk in inspector.get_foreign_keys(name):
            options = fk.get("options") or {}
            key = fk.get("name") or f"<unnamed {','.join(fk['constrained_columns'])}>"
            foreign_keys[key] = {
                "columns": list(fk["constrained_columns"]),
                "referred_table": fk["referred_table"],
                "referred_columns": list(fk["referred_columns"]),
                "ondelete": (options.get("ondelete") or "NO ACTION").upper(),
                "onupdate": (options.get("onupdate") or "NO ACTION").upper(),
            }
        tables[name] = {
            "columns": columns,
            "primary_key": {"name": pk.get("name"), "columns": list(pk.get("constrained_columns") or [])},
            "indexes": dict(sorted(indexes.items())),
            "foreign_keys": dict(sorted(foreign_keys.items())),
        }
    enums: dict[str, list[str]] = {}
    if dialect.name == "postgresql":
        for enum in inspector.get_enums():
            if enum.get("visible", True) and (metadata is None or enum["name"] in enum_names):
                enums[enum["name"]] = list(enum["labels"])
    return {"dialect": dialect.name, "tables": tables, "enums": dict(sorted(enums.items()))}


def _fmt(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_fmt(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    return str(value)


def _diff_named(what: str, table: str, expected: dict, actual: dict) -> list[str]:
    out = []
    for name in sorted(expected.keys() - actual.keys()):
        out.append(f'{table}: missing {what} "{name}"')
    for name in sorted(actual.keys() - expected.keys()):
        out.append(f'{table}: unexpected {what} "{name}"')
    for name in sorted(expected.keys() & actual.keys()):
        for field, want in expected[name].items():
            got = actual[name].get(field)
            if want != got:
                out.append(f'{table}: {what} "{name}" {field} {_fmt(want)} != {_fmt(got)}')
    return out


def _diff_table(table: str, expected: dict, actual: dict) -> list[str]:
    out = []
    want_cols = {c["name"]: c for c in expected["columns"]}
    got_cols = {c["name"]: c for c in actual["columns"]}
    for name in want_cols:
        if name not in got_cols:
            out.append(f'{table}: missing column "{name}"')
    for name in got_cols:
        if name not in want_cols:
            out.append(f'{table}: unexpected column "{name}"')
    for name, want in want_cols.items():
        got = got_cols.get(name)
        if got is None:
            continue
        for field in ("type", "nullable", "default"):
            if want[field] != got[field]:
                out.append(f"{table}.{name}: {field} {want[field]} != {got[field]}")
    common_want = [n for n in want_cols if n in got_cols]
    common_got = [n for n in got_cols if n in want_cols]
    if common_want != common_got:
        out.append(f"{table}: column order {_fmt(common_want)} != {_fmt(common_got)}")
    if expected["primary_key"] != actual["primary_key"]:
        out.append(f"{table}: primary key {_fmt(expected['primary_key'])} != {_fmt(actual['primary_key'])}")
    out += _diff_named("index", table, expected["indexes"], actual["indexes"])
    out += _diff_named("foreign key", table, expected["foreign_keys"], actual["foreign_keys"])
    return out


def schema_diff(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """Readable one-line differences between two snapshots; ``[]`` when equal.

    Lines read "expected != actual", e.g. ``Post.title: type TEXT != VARCHAR``
    or ``missing table "Review"``.
    """
    out = []
    if expected.get("dialect") != actual.get("dialect"):
        out.append(f"dialect {expected.get('dialect')} != {actual.get('dialect')}")
    want_tables, got_tables = expected.get("tables", {}), actual.get("tables", {})
    for name in sorted(want_tables.keys() - got_tables.keys()):
        out.append(f'missing table "{name}"')
    for name in sorted(got_tables.keys() - want_tables.keys()):
        out.append(f'unexpected table "{name}"')
    for name in sorted(want_tables.keys() & got_tables.keys()):
        out += _diff_table(name, want_tables[name], got_tables[name])
    want_enums, got_enums = expected.get("enums", {}), actual.get("enums", {})
    for name in sorted(want_enums.keys() - got_enums.keys()):
        out.append(f'missing enum "{name}"')
    for name in sorted(got_enums.keys() - want_enums.keys()):
        out.append(f'unexpected enum "{name}"')
    for name in sorted(want_enums.keys() & got_enums.keys()):
        if want_enums[name] != got_enums[name]:
            out.append(f"enum {name} values differ: {_fmt(want_enums[name])} != {_fmt(got_enums[name])}")
    return out

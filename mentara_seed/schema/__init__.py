"""The Mentara database schema as SQLAlchemy Core tables, mirroring Prisma's DDL."""

from . import tables
from .inspect import create_schema, schema_diff, schema_snapshot
from .tables import metadata

__all__ = ["create_schema", "metadata", "schema_diff", "schema_snapshot", "tables"]

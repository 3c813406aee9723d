"""Tables for the UI (markdown metadata) and the log (plain text).

tabulate, which pandas itself uses for ``to_markdown``, directly: a seeding
run prints a handful of small tables, and importing pandas for them would
cost every CLI run half a second (docs/benchmarks.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from tabulate import tabulate


def _cells(rows: Sequence[Mapping], columns: Sequence[str]) -> list[list]:
    return [[row.get(column) for column in columns] for row in rows]


def markdown(rows: Sequence[Mapping], columns: Sequence[str], empty: str = "(none)") -> str:
    """A markdown (pipe) table of ``rows`` (dicts), one column per name in ``columns``."""
    if not rows:
        return empty
    return tabulate(_cells(rows, columns), headers=list(columns), tablefmt="pipe")


def text(rows: Sequence[Mapping], columns: Sequence[str]) -> str:
    """A plain-text table for the log, every column right-aligned."""
    return tabulate(_cells(rows, columns), headers=list(columns), tablefmt="plain", stralign="right", numalign="right")

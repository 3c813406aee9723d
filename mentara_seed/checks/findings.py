"""Evaluating a minimum requirement or an integrity rule against the database.

Both kinds come down to a query of offenders; a finding counts them with one
aggregate query and lists up to ten examples, with a readable label (an
e-mail, a community name, a post title), with another. Never one query per
entity: an audit of thousands of clients takes two queries per rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager as ContextManager
from dataclasses import dataclass, field

import sqlalchemy as sa
from dagster import AssetCheckResult, AssetCheckSeverity, MetadataValue
from sqlalchemy.engine import Connection

from mentara_seed import report_tables
from mentara_seed.checks.rules import IntegrityRule
from mentara_seed.requirements import Requirement

EXAMPLES = 10


@dataclass
class Finding:
    name: str
    kind: str  # "minimum" or "integrity"
    rule: str
    violations: int
    rows_missing: int
    examples: list[dict] = field(default_factory=list)
    applicable: bool = True

    @property
    def passed(self) -> bool:
        return self.violations == 0

    def examples_markdown(self) -> str:
        return report_tables.markdown(self.examples, list(self.examples[0]) if self.examples else [], empty="No offenders.")

    @property
    def check_name(self) -> str:
        """The asset check reporting this finding: ``<requirement>_minimum`` or the rule's name."""
        return f"{self.name}_minimum" if self.kind == "minimum" else self.name

    def to_check_result(self, asset: str | None = None) -> AssetCheckResult:
        summary = (
            f"**{self.rule}**\n\n{self.violations} violating "
            + ("entities" if self.kind == "minimum" else "rows")
            + (f", {self.rows_missing} rows missing" if self.kind == "minimum" else "")
            + (f". First {len(self.examples)}:\n\n" + self.examples_markdown() if self.examples else ".")
        )
        return AssetCheckResult(
            asset_key=asset,
            check_name=self.check_name if asset else None,
            passed=self.passed,
            severity=AssetCheckSeverity.ERROR,
            description=(f"{self.violations} violations" if self.violations else "no violations") if self.applicable
            else self.rule,
            metadata={
                "violations": self.violations,
                "rows_missing": self.rows_missing,
                "examples": MetadataValue.json(self.examples),
                "report": MetadataValue.md(summary),
            },
        )


def not_applicable(name: str, kind: str, missing: list[str], version) -> Finding:
    """A check whose tables the target does not have (an older Mentara version): it passes, and says why."""
    return Finding(name, kind, f"not applicable: Mentara {version} has no {', '.join(missing)} table", 0, 0, [], False)


def evaluate_minimum(conn: Connection, requirement: Requirement, mode: str, anchor: dt.datetime, target) -> Finding:
    missing_tables = sorted(t for t in requirement.tables if not target.has(t))
    if missing_tables:
        return not_applicable(requirement.name, "minimum", missing_tables, target.version)
    short = requirement.shortfall(mode, anchor, target.version).subquery()
    violations, missing = conn.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(short.c.missing), 0))
    ).one()
    if requirement.subject.named_by is None:
        named = sa.select(short.c.subject, short.c.subject, short.c.n, short.c.missing)
    else:
        table, key, label = requirement.subject.named_by
        named = sa.select(short.c.subject, label, short.c.n, short.c.missing).select_from(
            short.outerjoin(table, key == short.c.subject))
    examples = [
        {"id": subject, "name": name, "has": n, "needs": n + gap}
        for subject, name, n, gap in conn.execute(named.order_by(short.c.subject).limit(EXAMPLES))
    ] if violations else []
    return Finding(requirement.name, "minimum", requirement.describe(mode, target.version), violations, int(missing),
                   examples)


def met(requirement: Requirement, mode: str, target) -> Finding:
    """The finding of a requirement an enricher of this run found nobody short of (and wrote nothing after)."""
    return Finding(requirement.name, "minimum", requirement.describe(mode, target.version), 0, 0, [])


def evaluate_rule(conn: Connection, rule: IntegrityRule, anchor: dt.datetime, target) -> Finding:
    missing_tables = sorted(t for t in rule.tables(anchor) if not target.has(t))
    if missing_tables:
        return not_applicable(rule.name, "integrity", missing_tables, target.version)
    if rule.find is not None:
        found = sorted(rule.find(conn, anchor))
        examples = [{"id": row_id, "name": label} for row_id, label in found[:EXAMPLES]]
        return Finding(rule.name, "integrity", rule.description, len(found), 0, examples)
    offenders = rule.offenders(anchor).subquery()
    violations = conn.execute(sa.select(sa.func.count()).select_from(offenders)).scalar_one()
    columns = list(offenders.c)
    examples = [
        {"id": row[0], "name": row[1]}
        for row in conn.execute(sa.select(*columns[:2]).order_by(columns[0]).limit(EXAMPLES))
    ] if violations else []
    return Finding(rule.name, "integrity", rule.description, violations, 0, examples)


# Check queries run on this many read-only connections at once: the database server works on
# each in a process of its own, so two grouped scans take little longer than one.
CONCURRENT_QUERIES = 2


def evaluate_concurrently(names: Sequence[str], evaluate: Callable[[str, Connection], Finding],
                          connect: Callable[[], ContextManager[Connection]]) -> dict[str, Finding]:
    """``{name: evaluate(name, conn)}``, each on its own ``connect()``ion, a few at a time."""

    def one(name: str) -> Finding:
        with connect() as conn:
            return evaluate(name, conn)

    if len(names) > 1:
        with ThreadPoolExecutor(max_workers=CONCURRENT_QUERIES, thread_name_prefix="check") as pool:
            return dict(zip(names, pool.map(one, names), strict=True))
    return {name: one(name) for name in names}


FINDINGS_COLUMNS = ["check", "kind", "status", "violations", "rows_missing", "rule"]


def findings_rows(findings: Sequence[Finding]) -> list[dict]:
    """One row per finding, with the columns of ``FINDINGS_COLUMNS``."""
    return [
        {"check": f.name, "kind": f.kind, "status": ("PASS" if f.passed else "FAIL") if f.applicable else "N/A",
         "violations": f.violations, "rows_missing": f.rows_missing, "rule": f.rule}
        for f in findings
    ]

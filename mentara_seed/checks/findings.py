"""Evaluating a minimum requirement or an integrity rule against the database.

Both kinds come down to a query of offenders; a finding counts them with one
aggregate query and lists up to ten examples, with a readable label (an
e-mail, a community name, a post title), with another. Never one query per
entity: an audit of thousands of clients takes two queries per rule.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable, ContextManager, Sequence

import sqlalchemy as sa
from dagster import AssetCheckResult, AssetCheckSeverity, MetadataValue
from sqlalchemy.engine import Connection

from mentara_seed import report_tables
from mentara_seed.requirements import Requirement
from mentara_seed.schema import tables as T

EXAMPLES = 10

# How a subject of each kind is named in reports.
SUBJECT_LABELS = {
    "client": (T.User, T.User.c.id, T.User.c.email),
    "therapist": (T.User, T.User.c.id, T.User.c.email),
    "approved therapist": (T.User, T.User.c.id, T.User.c.email),
    "client with a therapist": (T.User, T.User.c.id, T.User.c.email),
    "community": (T.Community, T.Community.c.id, T.Community.c.name),
    "post": (T.Post, T.Post.c.id, T.Post.c.title),
    "completed meeting": (T.Meeting, T.Meeting.c.id, T.Meeting.c.title),
    "client conversation": (T.Conversation, T.Conversation.c.id, T.Conversation.c.type),
}


@dataclass(frozen=True)
class IntegrityRule:
    """A rule every row must respect: ``offenders(anchor)`` selects ``(id, label)`` of violating rows."""

    name: str
    asset: str
    table: str
    description: str
    offenders: object  # Callable[[dt.datetime], sa.Select]


@dataclass
class Finding:
    name: str
    kind: str  # "minimum" or "integrity"
    rule: str
    violations: int
    rows_missing: int
    examples: list[dict] = field(default_factory=list)

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
            description=f"{self.violations} violations" if self.violations else "no violations",
            metadata={
                "violations": self.violations,
                "rows_missing": self.rows_missing,
                "examples": MetadataValue.json(self.examples),
                "report": MetadataValue.md(summary),
            },
        )


def evaluate_minimum(conn: Connection, requirement: Requirement, mode: str, anchor: dt.datetime) -> Finding:
    minimum = requirement.minimum(mode)
    counts = requirement.counts(anchor).subquery()
    short = sa.select(counts.c.subject, counts.c.n).where(counts.c.n < minimum).subquery()
    violations, missing = conn.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(minimum - short.c.n), 0))
    ).one()
    table, key, label = SUBJECT_LABELS[requirement.subject]
    examples = [
        {"id": subject, "name": name, "has": n, "needs": minimum}
        for subject, name, n in conn.execute(
            sa.select(short.c.subject, label, short.c.n)
            .select_from(short.outerjoin(table, key == short.c.subject))
            .order_by(short.c.subject)
            .limit(EXAMPLES)
        )
    ] if violations else []
    return Finding(requirement.name, "minimum", requirement.describe(mode), violations, int(missing), examples)


def evaluate_rule(conn: Connection, rule: IntegrityRule, anchor: dt.datetime) -> Finding:
    offenders = rule.offenders(anchor).subquery()
    violations = conn.execute(sa.select(sa.func.count()).select_from(offenders)).scalar_one()
    columns = list(offenders.c)
    examples = [
        {"id": row[0], "name": row[1]}
        for row in conn.execute(sa.select(*columns[:2]).order_by(columns[0]).limit(EXAMPLES))
    ] if violations else []
    return Finding(rule.name, "integrity", rule.description, violations, 0, examples)


# Findings of the current run, by (run id, check name): a check step and the audit summary
# evaluate each rule once per run, whichever runs first (they share the process under the
# in-process executor; elsewhere a miss just evaluates again).
_RUN_FINDINGS: dict[tuple[str, str], Finding] = {}
# Check queries run on this many read-only connections at once: the database server works on
# each in a process of its own, so two grouped scans take little longer than one.
CONCURRENT_QUERIES = 2


def remember_surveys(run_id: str, surveyed: dict[str, int], mode: str) -> None:
    """An enricher found nothing short and wrote nothing: its own surveys are the minimum checks' findings.

    ``surveyed`` maps requirement names to the entities found short (all
    zero here). The checks would ask the very same grouped question moments
    later and get the same answer, so in this run they report it instead of
    asking again: a no-op rerun asks each requirement once. ``audit_job``
    writes nothing and so always asks.
    """
    from mentara_seed.requirements import BY_NAME

    for name, short in surveyed.items():
        if short == 0:
            requirement = BY_NAME[name]
            finding = Finding(name, "minimum", requirement.describe(mode), 0, 0, [])
            _RUN_FINDINGS[(run_id, finding.check_name)] = finding


def findings_for(run_id: str, names: Sequence[str], evaluate: Callable[[str, Connection], Finding],
                 connect: Callable[[], ContextManager[Connection]]) -> list[Finding]:
    """The findings of the checks ``names`` in run ``run_id``, in that order.

    Each is evaluated once per run by ``evaluate(name, conn)``; those not yet
    known are evaluated concurrently, each on its own ``connect()``ion.
    """
    missing = [name for name in names if (run_id, name) not in _RUN_FINDINGS]

    def one(name: str) -> Finding:
        with connect() as conn:
            return evaluate(name, conn)

    if len(missing) > 1:
        with ThreadPoolExecutor(max_workers=CONCURRENT_QUERIES, thread_name_prefix="check") as pool:
            found = list(pool.map(one, missing))
    else:
        found = [one(name) for name in missing]
    if len(_RUN_FINDINGS) > 10_000:  # a long-lived process: forget earlier runs
        _RUN_FINDINGS.clear()
    _RUN_FINDINGS.update({(run_id, name): finding for name, finding in zip(missing, found)})
    return [_RUN_FINDINGS[(run_id, name)] for name in names]


FINDINGS_COLUMNS = ["check", "kind", "status", "violations", "rows_missing", "rule"]


def findings_rows(findings: Sequence[Finding]) -> list[dict]:
    """One row per finding, with the columns of ``FINDINGS_COLUMNS``."""
    return [
        {"check": f.name, "kind": f.kind, "status": "PASS" if f.passed else "FAIL",
         "violations": f.violations, "rows_missing": f.rows_missing, "rule": f.rule}
        for f in findings
    ]

"""Evaluating a minimum requirement or an integrity rule against the database.

Both kinds come down to a query of offenders; a finding counts them with one
aggregate query and lists up to ten examples, with a readable label (an
e-mail, a community name, a post title), with another. Never one query per
entity: an audit of thousands of clients takes a few queries per rule.

Offenders come in two kinds, told apart by their ids (the seeder's are UUID
version 5, see ``generate.keys``): the seeder's own rows, which must be
perfect and fail the check with ERROR (blocking what follows), and rows it
did not write (real people's, on staging), reported with the same detail as
a WARN that blocks nothing.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager as ContextManager
from dataclasses import dataclass, field

import sqlalchemy as sa
from dagster import AssetCheckResult, AssetCheckSeverity, MetadataValue
from sqlalchemy.engine import Connection

from mentara_seed import report_tables
from mentara_seed.checks.rules import IntegrityRule
from mentara_seed.generate.keys import made_by_seeder, seeded
from mentara_seed.requirements import Requirement

EXAMPLES = 10
# Metadata of an evaluation: the key of what it read, and the run of the pass it repeats (``checks.incremental``).
INPUTS_METADATA, REUSED_METADATA = "inputs_fingerprint", "reused_from_run"
# Metadata of an evaluation: its wall seconds, and the seeding process's CPU seconds among them.
SECONDS_METADATA, PYTHON_SECONDS_METADATA = "evaluation_seconds", "evaluation_python_seconds"
# Metadata of an evaluation made while its stage's later assets ran: the asset it came after (``checks.early``).
EARLY_METADATA = "evaluated_after_asset"
# A Python rule reads its rows this many at a time.
STREAM_ROWS = 5_000


@dataclass
class Finding:
    """What a check found, in two kinds: among the seeder's own rows (or, for a minimum, its own
    entities), which fail the check with ERROR and block; among everyone else's, which it reports
    with the same detail as a warning that does not block (real data is messy, and never the
    seeder's to fix)."""

    name: str
    kind: str  # "minimum" or "integrity"
    rule: str
    violations: int  # the seeder's own rows (entities) breaking the rule
    rows_missing: int
    examples: list[dict] = field(default_factory=list)
    applicable: bool = True
    foreign: int = 0  # rows (entities) the seeder did not write breaking it
    foreign_rows_missing: int = 0
    foreign_examples: list[dict] = field(default_factory=list)
    # The key of what the evaluation read (``checks.incremental``), and the run whose passing
    # evaluation this one repeats, the tables it reads being unchanged since.
    inputs: str | None = None
    reused_from: str | None = None
    # How long its evaluation took on its connection (wall seconds), and how much of it was this
    # process's CPU (its thread's: Python building and reading; the rest is the server's work and
    # waiting). None where nothing was evaluated (a passing finding repeated, or a minimum met).
    seconds: float | None = None
    python_seconds: float | None = None
    # The asset of its stage after which it was evaluated, while the stage's later assets ran
    # (``checks.early``); None: in its check step.
    evaluated_after: str | None = None

    @property
    def passed(self) -> bool:
        return self.violations == 0 and self.foreign == 0

    @property
    def blocking(self) -> bool:
        """It fails with ERROR: some of the seeder's own rows break the rule."""
        return self.violations > 0

    @property
    def status(self) -> str:
        if not self.applicable:
            return "N/A"
        return "FAIL" if self.blocking else "WARN" if self.foreign else "PASS"

    def examples_markdown(self, examples: list[dict] | None = None) -> str:
        examples = self.examples if examples is None else examples
        return report_tables.markdown(examples, list(examples[0]) if examples else [], empty="No offenders.")

    @property
    def check_name(self) -> str:
        """The asset check reporting this finding: ``<requirement>_minimum`` or the rule's name."""
        return f"{self.name}_minimum" if self.kind == "minimum" else self.name

    def _summary(self, whose: str, count: int, missing: int, examples: list[dict]) -> str:
        return (
            f"**{self.rule}**: {whose}\n\n{count} violating "
            + ("entities" if self.kind == "minimum" else "rows")
            + (f", {missing} rows missing" if self.kind == "minimum" else "")
            + (f". First {len(examples)}:\n\n" + self.examples_markdown(examples) if examples else ".")
        )

    def describe(self) -> str:
        if not self.applicable:
            return self.rule
        if self.passed:
            return "no violations" + (f" (nothing it reads has changed since it passed in run {self.reused_from})"
                                      if self.reused_from else "")
        return "; ".join(part for part in (
            f"{self.violations} violations among the seeder's rows" if self.violations else "",
            f"{self.foreign} among rows it did not write (a warning: they are not the seeder's to change)"
            if self.foreign else "") if part)

    def to_check_result(self, asset: str | None = None) -> AssetCheckResult:
        return AssetCheckResult(
            asset_key=asset,
            check_name=self.check_name if asset else None,
            passed=self.passed,
            severity=AssetCheckSeverity.ERROR if self.blocking else AssetCheckSeverity.WARN,
            description=self.describe(),
            metadata={
                "violations": self.violations,
                "rows_missing": self.rows_missing,
                "examples": MetadataValue.json(self.examples),
                "report": MetadataValue.md(self._summary("the seeder's own rows", self.violations, self.rows_missing,
                                                         self.examples)),
                "foreign_violations": self.foreign,
                "foreign_rows_missing": self.foreign_rows_missing,
                "foreign_examples": MetadataValue.json(self.foreign_examples),
                "foreign_report": MetadataValue.md(self._summary("rows the seeder did not write", self.foreign,
                                                                 self.foreign_rows_missing, self.foreign_examples)),
                **({INPUTS_METADATA: self.inputs} if self.inputs else {}),
                **({REUSED_METADATA: self.reused_from} if self.reused_from else {}),
                **({SECONDS_METADATA: round(self.seconds, 3), PYTHON_SECONDS_METADATA: round(self.python_seconds, 3)}
                   if self.seconds is not None else {}),
                **({EARLY_METADATA: self.evaluated_after} if self.evaluated_after else {}),
            },
        )


def not_applicable(name: str, kind: str, missing: list[str], version) -> Finding:
    """A check whose tables the target does not have (an older Mentara version): it passes, and says why."""
    return Finding(name, kind, f"not applicable: Mentara {version} has no {', '.join(missing)} table", 0, 0, [], False)


def _own_count(column) -> sa.ColumnElement:
    return sa.func.coalesce(sa.func.sum(sa.case((made_by_seeder(column), 1), else_=0)), 0)


def evaluate_minimum(conn: Connection, requirement: Requirement, mode: str, anchor: dt.datetime, target) -> Finding:
    """Entities short of the minimum, the seeder's own apart from everyone else's (whose rows all count)."""
    missing_tables = sorted(t for t in requirement.tables if not target.has(t))
    if missing_tables:
        return not_applicable(requirement.name, "minimum", missing_tables, target.version)
    short = requirement.shortfall(mode, anchor, target.version).subquery()
    own = made_by_seeder(short.c.subject)
    violations, missing, own_violations, own_missing = conn.execute(sa.select(
        sa.func.count(), sa.func.coalesce(sa.func.sum(short.c.missing), 0), _own_count(short.c.subject),
        sa.func.coalesce(sa.func.sum(sa.case((own, short.c.missing), else_=0)), 0),
    )).one()
    if requirement.subject.named_by is None:
        named = sa.select(short.c.subject, short.c.subject, short.c.n, short.c.missing)
    else:
        table, key, label = requirement.subject.named_by
        named = sa.select(short.c.subject, label, short.c.n, short.c.missing).select_from(
            short.outerjoin(table, key == short.c.subject))

    def examples(whose) -> list[dict]:
        return [{"id": subject, "name": name, "has": n, "needs": n + gap}
                for subject, name, n, gap in conn.execute(named.where(whose).order_by(short.c.subject).limit(EXAMPLES))]

    foreign = violations - own_violations
    return Finding(requirement.name, "minimum", requirement.describe(mode, target.version), own_violations,
                   int(own_missing), examples(own) if own_violations else [], foreign=foreign,
                   foreign_rows_missing=int(missing) - int(own_missing), foreign_examples=examples(~own) if foreign else [])


def met(requirement: Requirement, mode: str, target) -> Finding:
    """The finding of a requirement an enricher of this run found nobody short of (and wrote nothing after)."""
    return Finding(requirement.name, "minimum", requirement.describe(mode, target.version), 0, 0, [])


def evaluate_rule(conn: Connection, rule: IntegrityRule, anchor: dt.datetime, target) -> Finding:
    """Rows breaking the rule, the seeder's own (by their ids) apart from everyone else's."""
    missing_tables = sorted(t for t in rule.tables(anchor) if not target.has(t))
    if missing_tables:
        return not_applicable(rule.name, "integrity", missing_tables, target.version)
    if rule.find is not None:
        # Streamed (a server-side cursor on Postgres): a whole-table read never sits in memory at once.
        found = sorted(rule.find(conn.execution_options(yield_per=STREAM_ROWS), anchor))
        own = [{"id": row_id, "name": label} for row_id, label in found if seeded(row_id)]
        others = [{"id": row_id, "name": label} for row_id, label in found if not seeded(row_id)]
        return Finding(rule.name, "integrity", rule.description, len(own), 0, own[:EXAMPLES], foreign=len(others),
                       foreign_examples=others[:EXAMPLES])
    offenders = rule.offenders(anchor).subquery()
    columns = list(offenders.c)
    violations, own_violations = conn.execute(
        sa.select(sa.func.count(), _own_count(columns[0])).select_from(offenders)).one()
    foreign = violations - own_violations

    def examples(whose) -> list[dict]:
        return [{"id": row[0], "name": row[1]}
                for row in conn.execute(sa.select(*columns[:2]).where(whose).order_by(columns[0]).limit(EXAMPLES))]

    return Finding(rule.name, "integrity", rule.description, own_violations, 0,
                   examples(made_by_seeder(columns[0])) if own_violations else [], foreign=foreign,
                   foreign_examples=examples(~made_by_seeder(columns[0])) if foreign else [])


# Check queries run on this many read-only connections at once: the database server works on
# each in a process of its own, so two grouped scans take little longer than one.
CONCURRENT_QUERIES = 2


def evaluate_concurrently(names: Sequence[str], evaluate: Callable[[str, Connection], Finding],
                          connect: Callable[[], ContextManager[Connection]],
                          at_once: int = CONCURRENT_QUERIES) -> dict[str, Finding]:
    """``{name: evaluate(name, conn)}``, each on its own ``connect()``ion, ``at_once`` at a time, each
    finding with the time its evaluation took (connecting included) and the CPU its thread spent."""

    def one(name: str) -> Finding:
        started, cpu_started = time.perf_counter(), time.thread_time()
        with connect() as conn:
            finding = evaluate(name, conn)
        finding.seconds, finding.python_seconds = time.perf_counter() - started, time.thread_time() - cpu_started
        return finding

    if len(names) > 1 and at_once > 1:
        with ThreadPoolExecutor(max_workers=at_once, thread_name_prefix="check") as pool:
            return dict(zip(names, pool.map(one, names), strict=True))
    return {name: one(name) for name in names}


FINDINGS_COLUMNS = ["check", "kind", "status", "violations", "rows_missing", "others_violations", "others_missing",
                    "rule"]


def findings_rows(findings: Sequence[Finding]) -> list[dict]:
    """One row per finding, with the columns of ``FINDINGS_COLUMNS``: ``violations`` and
    ``rows_missing`` count the seeder's own rows (a FAIL), ``others_*`` the rows it did not write (a WARN)."""
    return [
        {"check": f.name, "kind": f.kind, "status": f.status, "violations": f.violations,
         "rows_missing": f.rows_missing, "others_violations": f.foreign, "others_missing": f.foreign_rows_missing,
         "rule": f.rule}
        for f in findings
    ]

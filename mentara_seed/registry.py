"""The lineage, declared once: every seeding asset with its stage, the table it owns and its inputs.

Each legacy generator and each enricher declares itself with a decorator
(``assets.common.legacy_asset`` / ``assets.common.enricher``), which records a
``Declaration`` here; ``assets.stages`` builds the Dagster assets from them.
Everything else about the lineage is derived from these declarations, never
kept by hand:

- the order of a stage's assets in its step (``in_stage``);
- what each tier's entry asset waits for (``tier_inputs``): the legacy leaves
  for tier 1, every enricher of tier N-1 for tier N;
- the stage each check runs in (``stage_of``) and the asset it belongs to;
- what the closing ``seed_report`` waits for (``report_inputs``);
- which of a stage's checks may be evaluated while its later assets run
  (``checks.early``), from the tables each asset may write (``may_write``).

``load()`` imports every module of the two asset packages, so the
declarations are complete whoever asks first; ``validate()`` refuses a
requirement or rule that names an enricher or asset nobody declared.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

LEGACY = "legacy"
PACKAGES = ("mentara_seed.assets.legacy", "mentara_seed.assets.enrichers")


@dataclass(frozen=True)
class Declaration:
    """One seeding asset: a legacy generator (``tier`` None) or an enricher of tier ``tier``."""

    asset: str
    tier: int | None
    owns: str  # the table it guarantees (its row count is the asset's metadata)
    inputs: tuple[str, ...]  # the seeding assets whose rows it needs
    rule: Callable = None  # the function of a Seeding that does the work
    enricher: str | None = None  # the name requirements use ("posts" for enriched_posts)
    table: Any = field(default=None, compare=False)  # the owned sa.Table
    resettable: bool = False  # empties every Mentara table first in a run tagged mentara/reset
    # What a shard owns when the asset runs as shards ("client", "conversation" ...); None: it runs whole.
    shard_by: str | None = None
    # The other tables it may write (add to, update or delete from). Its checks' early evaluations
    # (``checks.early``) wait for the assets that may write what they read; a write nobody declared
    # costs an evaluation again, never a stale finding (``RunMemo.forget``).
    writes: tuple[str, ...] = ()

    @property
    def may_write(self) -> frozenset[str]:
        """Every table the asset may write: the one it owns and ``writes``."""
        return frozenset({self.owns, *self.writes} - {""})

    @property
    def stage(self) -> str:
        """``legacy`` or ``tierN``: the Dagster group, and the check step of its checks."""
        return LEGACY if self.tier is None else f"tier{self.tier}"


DECLARED: dict[str, Declaration] = {}


def declare(declaration: Declaration) -> None:
    if declaration.asset in DECLARED:
        raise ValueError(f"the seeding asset {declaration.asset} is declared twice")
    DECLARED[declaration.asset] = declaration


_loaded = False


def load() -> dict[str, Declaration]:
    """Every declaration (importing the asset modules on first use), validated."""
    global _loaded
    if not _loaded:
        for package_name in PACKAGES:
            package = importlib.import_module(package_name)
            for module in pkgutil.iter_modules(package.__path__):
                importlib.import_module(f"{package_name}.{module.name}")
        _loaded = True
        validate()
    return DECLARED


def legacy() -> list[Declaration]:
    return [d for d in load().values() if d.tier is None]


def enrichers(tier: int | None = None) -> list[Declaration]:
    return [d for d in load().values() if d.tier is not None and (tier is None or d.tier == tier)]


def by_enricher(name: str) -> Declaration:
    for declaration in enrichers():
        if declaration.enricher == name:
            return declaration
    raise KeyError(f"no enricher named {name!r} is declared")


def tiers() -> list[int]:
    return sorted({d.tier for d in enrichers()})


def stages() -> list[str]:
    return [LEGACY] + [f"tier{t}" for t in tiers()]


def stage_of(asset: str) -> str:
    return load()[asset].stage


def in_stage(stage: str) -> list[Declaration]:
    """The seeding assets of ``stage`` in the order a run materializes them: level by level of their
    inputs within the stage, each level in the order of the names (as Dagster orders steps)."""
    pending = {d.asset: d for d in load().values() if d.stage == stage}
    ordered: list[Declaration] = []
    while pending:
        level = sorted(name for name, d in pending.items() if not any(i in pending for i in d.inputs))
        if not level:
            raise ValueError(f"the inputs of {', '.join(sorted(pending))} form a cycle")
        ordered += [pending.pop(name) for name in level]
    return ordered


def legacy_leaves() -> list[str]:
    """The legacy generators no other legacy generator takes rows from: what tier 1 waits for."""
    generators = legacy()
    used = {i for d in generators for i in d.inputs}
    return sorted(d.asset for d in generators if d.asset not in used)


def tier_inputs(tier: int) -> list[str]:
    """What the entry asset of ``tier`` waits for: the whole stage before it."""
    earlier = [t for t in tiers() if t < tier]
    return legacy_leaves() if not earlier else sorted(d.asset for d in enrichers(max(earlier)))


def report_inputs() -> list[str]:
    """What the closing report waits for: every enricher."""
    return sorted(d.asset for d in enrichers())


def validate() -> None:
    """Refuse requirements, rules and inputs that name nothing declared, and inputs from a later stage."""
    from mentara_seed.checks.rules import RULES
    from mentara_seed.requirements import REQUIREMENTS

    names = {d.enricher for d in enrichers()}
    problems = [f"requirement {r.name} names the enricher {r.enricher!r}, which nobody declares"
                for r in REQUIREMENTS if r.enricher not in names]
    problems += [f"rule {r.name} belongs to {r.asset!r}, which nobody declares" for r in RULES if r.asset not in DECLARED]
    order = {stage: k for k, stage in enumerate(stages())}
    for d in DECLARED.values():
        for upstream in d.inputs:
            if upstream not in DECLARED:
                problems.append(f"{d.asset} takes rows from {upstream!r}, which nobody declares")
            elif order[DECLARED[upstream].stage] > order[d.stage]:
                problems.append(f"{d.asset} ({d.stage}) takes rows from {upstream}, of the later {DECLARED[upstream].stage}")
    if problems:
        raise ValueError("; ".join(problems))

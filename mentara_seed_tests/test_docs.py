"""The README's table of what a seed fills is the requirements table, row for row."""

from __future__ import annotations

import re

from mentara_seed import registry
from mentara_seed.requirements import REQUIREMENTS
from mentara_seed.schema.versions import BY_NAME, Comparison, Target
from mentara_seed_tests.helpers import REPO_ROOT


def test_the_readme_lists_every_requirement_as_the_code_states_it():
    documented = re.findall(r"^\| (\d) \| `(\w+)` \| `(\w+)` \| [^|]+ \| ([^|]+) \| (both|2026-02) \|$",
                            (REPO_ROOT / "README.md").read_text(), re.M)
    old = Target.of(Comparison(BY_NAME["2025-10"]))
    expected = [
        (str(registry.by_enricher(r.enricher).tier), registry.by_enricher(r.enricher).asset, r.name,
         "/".join(map(str, r.minimums)) + "".join(f" ({'/'.join(map(str, m))} from {v})" for v, m in r.from_version),
         "both" if r.applies(old) else "2026-02")
        for r in REQUIREMENTS
    ]
    assert documented == expected

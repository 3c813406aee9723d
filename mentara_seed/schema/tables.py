"""The tables the seeder writes its queries and rows against: those of the newest Mentara schema.

Every older version the seeder supports is a subset of the newest (same
tables, columns, types and enum values, fewer of them; ``test_schema`` checks
it), so a statement built from these tables runs on any supported target as
long as it names only what the target has: generators that need a newer table
or column say so (``Target.has``), and the bulk writer leaves out the columns a
target does not have.
"""

from mentara_seed.schema.v2026_02 import *  # noqa: F403
from mentara_seed.schema.v2026_02 import ENUMS, VERSION, metadata  # noqa: F401

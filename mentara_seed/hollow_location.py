"""The code location of the hollow graph (``mentara_seed.hollow``), for the benchmark's CLI floor:
``dagster job execute -m mentara_seed.hollow_location -j seed_job`` with ``MENTARA_HOLLOW_SHAPE``
naming the description ``hollow.describe`` wrote. Imports only Dagster."""

import json
import os
from pathlib import Path

from mentara_seed.hollow import SHAPE_ENV, build

defs = build(json.loads(Path(os.environ[SHAPE_ENV]).read_text()))

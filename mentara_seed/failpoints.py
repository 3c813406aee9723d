"""Crash injection for the reliability tests: ``MENTARA_SEED_FAILPOINT=<point>`` kills the process.

Points: ``before_commit:<asset>`` (the asset's rows are written, not committed),
``after_commit:<asset>`` (between that asset and the next), ``insert:<table>``
(right after the first bulk insert into that table, mid-asset), ``rebuild:<table>``
(before each index or key of that table the bulk path rebuilds) and
``check:<foreign key>`` (before the bulk path checks a foreign key it kept unchecked). The process
dies by SIGKILL, exactly as under the OOM killer or a pulled plug: no cleanup
runs. Unset (always, outside tests), this does nothing.
"""

import os
import signal

ENV = "MENTARA_SEED_FAILPOINT"


def failpoint(point: str) -> None:
    if os.environ.get(ENV) == point:
        os.kill(os.getpid(), signal.SIGKILL)

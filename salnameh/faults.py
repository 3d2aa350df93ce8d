"""A test hook for fault injection (tests/test_faults.py): pause at a named point so a test
can kill the process exactly there.

With SALNAMEH_FAULT=<point> in its environment, a process reaching that point creates
<home>/fault-<point> (so the test knows it has arrived) and sleeps. Points: staging (a
build copying its inputs), before_commit and after_commit (a load into the raw layer),
receive_archived (a hub's receive, files archived, package not yet recorded).
"""

from __future__ import annotations

import os
import time

from salnameh.settings import Home

FAULT_ENV = "SALNAMEH_FAULT"


def pause_if_fault(point: str, salnameh_home: Home) -> None:
    if os.environ.get(FAULT_ENV) == point:
        (salnameh_home.root / f"fault-{point}").touch()
        time.sleep(120)

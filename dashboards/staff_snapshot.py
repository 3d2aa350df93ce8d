"""The internal snapshot as the expert pages read it: through the portal's cached query,
or not at all before the first build."""

from __future__ import annotations

import pandas as pd

from dashboards.context import query, snapshot_version
from salnameh.snapshots import INTERNAL


def internal_query():
    """A query function on the internal snapshot, or None when no build has published one."""
    if not snapshot_version(INTERNAL):
        return None

    def run(sql: str, params: tuple | list = ()) -> pd.DataFrame:
        return query(sql, params, kind=INTERNAL)

    return run

"""What every page shares, opened once per server process: the home, catalog and reference,
the ledger, and read-only queries on the snapshots.

Queries open the snapshot file for each call: a build swaps in a new file atomically, and
a connection kept open would keep showing the old one. Opening costs about a millisecond;
results are cached by the snapshot file's modification time, so a new build is seen at once.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from salnameh.catalog import Catalog, load_catalog
from salnameh.ledger import Ledger
from salnameh.reference import Reference
from salnameh.settings import NATION_GEO, Home, home
from salnameh.snapshots import PUBLIC, open_snapshot, snapshot_path


def salnameh_home() -> Home:
    # Not cached: SALNAMEH_HOME is read per run (cheap), so one process serves one home
    # and tests can point pages at their own.
    return home()


def catalog() -> Catalog:
    """The catalog in the words of the home's province."""
    return _catalog(salnameh_home().province)


@st.cache_resource
def _catalog(province: str) -> Catalog:
    return load_catalog().in_words_of(_reference(province))


def reference() -> Reference:
    """The reference of the home's province (on a national hub, of none: use
    `province_reference` for one of its provinces)."""
    return _reference(salnameh_home().province)


def province_catalog(province: str) -> Catalog:
    """The catalog in one province's words (a province's own table on the hub)."""
    return _catalog(province)


def province_choice(code: str) -> str:
    """A hub's choice of place as the lists name it: Iran's total, or a province."""
    from dashboards.session import lang, tr  # session imports this module

    if code == NATION_GEO:
        return tr("ایران (همه استان‌ها)", "Iran (every province)")
    names = reference().provinces[code]
    return names.short_fa if lang() == "fa" else names.short_en


def province_reference(province: str) -> Reference:
    """The reference as one province sees it: its counties, lineage and names."""
    return _reference(province)


def is_national() -> bool:
    """Whether the portal serves SCI's national hub (provinces as one more dimension)."""
    return salnameh_home().is_national


@st.cache_resource
def _reference(province: str) -> Reference:
    return Reference(province=province)


def ledger() -> Ledger:
    # Cheap to open (a version read); not cached, so a test or a restore sees the file anew.
    return Ledger(salnameh_home().ledger_url)


def snapshot_version(kind: str = PUBLIC) -> float:
    """The snapshot file's modification time: the cache key of everything read from it."""
    path = snapshot_path(salnameh_home(), kind)
    return path.stat().st_mtime if path.exists() else 0.0


def query(sql: str, params: tuple | list = (), kind: str = PUBLIC) -> pd.DataFrame:
    """A read-only query on a snapshot (public unless told), cached until the next build."""
    where = str(salnameh_home().root)
    return _cached_query(sql, tuple(params), kind, where, snapshot_version(kind)).copy()


@st.cache_data(max_entries=512, show_spinner=False)
def _cached_query(sql: str, params: tuple, kind: str, where: str, version: float) -> pd.DataFrame:
    with open_snapshot(home(where), kind) as con:
        return con.execute(sql, list(params)).df()

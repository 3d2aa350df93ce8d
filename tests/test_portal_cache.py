"""What the public pages compute once per snapshot (`dashboards.public.derived`): shared by
every visitor, never stale after a new snapshot is published, and each caller's own copy."""

from __future__ import annotations

import os
import shutil

import duckdb
import pytest
import streamlit as st

from dashboards import explorer_data, highlights
from dashboards.public import derived
from salnameh.catalog import load_catalog
from salnameh.settings import home
from salnameh.snapshots import PUBLIC, snapshot_path
from tests.conftest import copy_home

pytestmark = pytest.mark.integration

BUILT: list[str] = []  # one entry per time the counted build below really ran


def headline_count(query, level: str) -> int:
    """A build that says when it runs (a module-level function, as `derived` wants)."""
    BUILT.append(level)
    return int(query("SELECT count(*) AS n FROM marts.dim_indicator WHERE is_headline")["n"][0])


def publish_without_headline(where, indicator_id: str) -> None:
    """Publish a new public snapshot as `snapshots.publish` does: written beside its final
    name, swapped in whole (os.replace), here with one headline indicator less."""
    final = snapshot_path(home(where), PUBLIC)
    fresh = final.with_name("public.next.duckdb")
    shutil.copyfile(final, fresh)
    with duckdb.connect(str(fresh)) as con:
        con.execute("DELETE FROM marts.dim_indicator WHERE indicator_id = ?", [indicator_id])
    os.replace(fresh, final)
    later = final.stat().st_mtime + 5  # a new file's time, whatever the clock's resolution
    os.utime(final, (later, later))


@pytest.fixture
def served(demo_home, tmp_path, monkeypatch):
    """A copy of the demo home as the portal's own (a test here publishes into it)."""
    where = copy_home(demo_home.root, tmp_path / "home")
    monkeypatch.setenv("SALNAMEH_HOME", str(where))
    st.cache_data.clear()
    BUILT.clear()
    return where


def test_derived_runs_once_per_snapshot_and_again_after_a_publish(served):
    first = derived(headline_count, "province")
    assert derived(headline_count, "province") == first
    assert BUILT == ["province"]  # the second visitor was served the first one's result
    assert derived(headline_count, "nation") == first and BUILT == ["province", "nation"]

    options = derived(explorer_data.indicator_options)
    gone = options.loc[options["is_headline"], "indicator_id"].iloc[0]
    publish_without_headline(served, gone)

    assert derived(headline_count, "province") == first - 1  # the new snapshot, at once
    assert gone not in set(derived(explorer_data.indicator_options)["indicator_id"])


def test_each_caller_gets_its_own_copy(served):
    options = derived(explorer_data.indicator_options)
    options.loc[:, "label_fa"] = "changed by one visitor"
    again = derived(explorer_data.indicator_options)
    assert "changed by one visitor" not in set(again["label_fa"])


def test_home_headlines_from_the_cache_match_a_direct_build(served):
    catalog = load_catalog()
    order = {t.id: [m.id for m in t.measures] for t in catalog}
    from dashboards.public import query

    direct = highlights.headline_figures(query, 1401, order)
    cached = derived(highlights.headline_figures, 1401, order)
    assert cached.drop(columns="history").equals(direct.drop(columns="history"))
    assert list(cached["history"].map(list)) == list(direct["history"].map(list))

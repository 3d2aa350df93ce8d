"""The catalog compiled at set-up (salnameh.catalog_compiled) is served only while the
declarations, the seeds and the code reading them are those it was compiled from."""

from __future__ import annotations

import shutil

import pytest

from salnameh import catalog_compiled
from salnameh.catalog import load_catalog, load_from_files
from salnameh.settings import CATALOG_DIR, REFERENCE_DIR

pytestmark = pytest.mark.unit
TABLE, TITLE = "post_units_county", "Postal units and letter boxes, by county"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A copy of the project's catalog and seeds standing for the project's own."""
    catalog_dir = shutil.copytree(CATALOG_DIR, tmp_path / "catalog").resolve()
    seeds_dir = shutil.copytree(REFERENCE_DIR, tmp_path / "reference").resolve()
    monkeypatch.setattr(catalog_compiled, "CATALOG_DIR", catalog_dir)
    monkeypatch.setattr(catalog_compiled, "REFERENCE_DIR", seeds_dir)
    monkeypatch.setattr(catalog_compiled, "COMPILED", tmp_path / ".cache" / "catalog.pickle")
    catalog_compiled.write(load_from_files(catalog_dir, seeds_dir))
    return catalog_dir, seeds_dir


def test_the_compiled_catalog_is_the_one_its_files_give(project):
    catalog_dir, seeds_dir = project
    compiled = catalog_compiled.read(catalog_dir, seeds_dir)
    assert compiled is not None
    assert compiled == load_from_files(catalog_dir, seeds_dir)
    assert load_catalog(catalog_dir, seeds_dir) == compiled


def test_a_declaration_edited_since_set_up_is_read_from_its_file(project):
    catalog_dir, seeds_dir = project
    path = catalog_dir / f"{TABLE}.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(TITLE, "Post offices"),
                    encoding="utf-8")  # fmt: skip
    assert catalog_compiled.read(catalog_dir, seeds_dir) is None
    assert load_catalog(catalog_dir, seeds_dir).table(TABLE).title.en == "Post offices"


def test_a_seed_edited_since_set_up_is_read_from_its_file(project):
    catalog_dir, seeds_dir = project
    with (seeds_dir / "units.csv").open("a", encoding="utf-8") as handle:
        handle.write("\n")
    assert catalog_compiled.read(catalog_dir, seeds_dir) is None


def test_another_catalog_folder_is_never_served_the_compiled_one(project, tmp_path):
    catalog_dir, seeds_dir = project
    other = shutil.copytree(catalog_dir, tmp_path / "other")
    assert catalog_compiled.read(other, seeds_dir) is None

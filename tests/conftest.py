from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from salnameh.catalog import Catalog, load_catalog
from salnameh.settings import REFERENCE_DIR


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    """A private copy of the seeds folder that a test may break."""
    target = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, target)
    return target


@pytest.fixture
def salnameh_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "home"
    monkeypatch.setenv("SALNAMEH_HOME", str(root))
    return root


def in_ci() -> bool:
    return bool(os.environ.get("CI"))

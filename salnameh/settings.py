"""Where Salnameh keeps things: the project's seeds and the home folder of one installation.

The home folder (SALNAMEH_HOME, default ./var) holds everything an installation writes:
the ledger, the archive of uploaded files, the warehouse, the read-only snapshots and the
demo agency files. Nothing outside it is written at run time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = PROJECT_ROOT / "seeds"
CATALOG_DIR = SEEDS_DIR / "catalog"  # one YAML declaration per table
REFERENCE_DIR = SEEDS_DIR / "reference"  # CSVs, loaded by dbt as seeds
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"


@dataclass(frozen=True)
class Home:
    """The folders of one installation, all under a single root."""

    root: Path

    @property
    def ledger_path(self) -> Path:
        return self.root / "ledger.sqlite"

    @property
    def archive_dir(self) -> Path:
        return self.root / "archive"

    @property
    def warehouse_path(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def snapshots_dir(self) -> Path:
        return self.root / "snapshots"

    @property
    def demo_dir(self) -> Path:
        return self.root / "demo"

    @property
    def inbox_dir(self) -> Path:
        return self.root / "inbox"

    @property
    def processed_dir(self) -> Path:
        """Inbox files already ingested, by day (their bytes are also in the archive)."""
        return self.root / "processed"

    @property
    def dagster_home(self) -> Path:
        return self.root / "dagster"

    def create(self) -> Home:
        for folder in (self.root, self.archive_dir, self.snapshots_dir, self.inbox_dir):
            folder.mkdir(parents=True, exist_ok=True)
        return self


def home(path: str | os.PathLike[str] | None = None) -> Home:
    """The installation's home: an explicit path, else SALNAMEH_HOME, else ./var."""
    chosen = path or os.environ.get("SALNAMEH_HOME") or "var"
    return Home(Path(chosen).resolve())

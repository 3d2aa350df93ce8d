"""Where Salnameh keeps things: the project's seeds and the home folder of one installation.

The home folder (SALNAMEH_HOME, default ./var) holds everything an installation writes:
the ledger, the archive of uploaded files, the warehouse, the read-only snapshots and the
demo agency files. Nothing outside it is written at run time. One installation serves one
province, recorded in the home's installation.json by `salnameh init --province`.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = PROJECT_ROOT / "seeds"
CATALOG_DIR = SEEDS_DIR / "catalog"  # one YAML declaration per table
REFERENCE_DIR = SEEDS_DIR / "reference"  # CSVs, loaded by dbt as seeds
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"

# The default installation: the province (SCI code) a home serves when `salnameh init` is
# not told another, and the province of every home made before homes recorded theirs
# (Tehran, the province Salnameh was first built for). The one place the code names it.
DEFAULT_PROVINCE = "23"

# What a national hub (SCI's installation, `salnameh init --national`) answers for its
# province: it serves none, and no reference seed holds this code.
NATIONAL = "national"
# The national total's place code in a hub's marts (fct_indicator_series), beside the
# provinces' two-digit codes.
NATION_GEO = "IR"

# A file in an inbox modified this recently may still be being copied in: it waits for the
# next look (agency files in a province's inbox, package folders in the hub's).
SETTLE_SECONDS = 2.0

# The environment variable naming a PostgreSQL ledger in place of the home's SQLite file.
LEDGER_URL_VARIABLE = "SALNAMEH_LEDGER_URL"


@dataclass(frozen=True)
class Home:
    """The folders of one installation, all under a single root."""

    root: Path

    @property
    def ledger_path(self) -> Path:
        """The embedded ledger's SQLite file (unused when SALNAMEH_LEDGER_URL is set)."""
        return self.root / "ledger.sqlite"

    @property
    def ledger_url(self) -> str:
        """Where the ledger is: SALNAMEH_LEDGER_URL (postgresql://user:password@host/db)
        when set, else the home's SQLite file. One database holds one installation's ledger."""
        return os.environ.get(LEDGER_URL_VARIABLE) or f"sqlite:///{self.ledger_path}"

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
    def demo_staff_path(self) -> Path:
        """The demo's sign-ins and their passwords (`salnameh demo` writes it, readable by its
        owner only); the portal mentions it when present. A real installation has none."""
        return self.root / "demo-staff.csv"

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

    @property
    def installation_path(self) -> Path:
        return self.root / "installation.json"

    def _recorded(self) -> dict:
        try:
            return json.loads(self.installation_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}

    @property
    def is_national(self) -> bool:
        """Whether this home is SCI's national hub: it receives provinces' packages and
        takes no agency files."""
        return self._recorded().get("scope") == "national"

    @property
    def province(self) -> str:
        """SCI code of the province this installation serves (a home without
        installation.json is the default installation; a national hub answers NATIONAL)."""
        recorded = self._recorded()
        if recorded.get("scope") == "national":
            return NATIONAL
        return str(recorded.get("province", DEFAULT_PROVINCE))

    @property
    def holds_data(self) -> bool:
        """Whether anything of a province's work is here: a ledger, a warehouse or files."""
        stores = (self.ledger_path, self.warehouse_path)
        folders = (self.archive_dir, self.snapshots_dir, self.demo_dir, self.inbox_dir)
        return any(p.exists() for p in stores) or any(
            folder.is_dir() and any(folder.iterdir()) for folder in folders
        )

    def record_province(self, province: str) -> None:
        self._record({"province": province})

    def record_national(self) -> None:
        self._record({"scope": "national"})

    def _record(self, installation: dict) -> None:
        """Write installation.json whole or not at all (a temporary file, then a rename)."""
        self.root.mkdir(parents=True, exist_ok=True)
        text = json.dumps(installation, indent=2) + "\n"
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=self.root, prefix=".installation-", delete=False
        ) as handle:
            handle.write(text)
        os.replace(handle.name, self.installation_path)

    def create(self) -> Home:
        for folder in (self.root, self.archive_dir, self.snapshots_dir, self.inbox_dir):
            folder.mkdir(parents=True, exist_ok=True)
        return self


def home(path: str | os.PathLike[str] | None = None) -> Home:
    """The installation's home: an explicit path, else SALNAMEH_HOME, else ./var."""
    chosen = path or os.environ.get("SALNAMEH_HOME") or "var"
    return Home(Path(chosen).resolve())

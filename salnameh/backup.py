"""A consistent copy of an installation while it runs, and its restoration into a new home.

`salnameh backup --out DIR` copies what cannot be made again: the ledger (the system of
record), the archive of every file received, the warehouse and its snapshots, and the
folders of files waiting or sent (inbox, outbox, demo, exports). It holds the warehouse's
writer lock meanwhile, so no load or build changes the warehouse or the snapshots under
it; the ledger is read in one transaction (uploads through the portal and reviews may go
on: the copy holds them or not, never half). The ledger is copied before the archive: the
ingestion archives a file before the ledger records it, so every file the copy's ledger
names is in the copy's archive.

The ledger travels as a SQLite file whatever the installation's database, so a backup of
a PostgreSQL ledger restores into SQLite and the other way round. `backup.json` lists every
file with its SHA-256 and every ledger table with its rows and hash; `salnameh restore DIR`
checks them all before it writes anything, into a home that holds no data yet.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from salnameh.ledger_migration import migrate
from salnameh.settings import Home

FORMAT = 1
MANIFEST = "backup.json"
LEDGER_FILE = "ledger.sqlite"
# What is made again from the rest (dbt's target, Dagster's instance) or is a lock.
_NOT_COPIED = {"dbt", "dagster", "warehouse.lock", "ledger.sqlite", "ledger.sqlite-journal",
               "ledger.sqlite-wal", "ledger.sqlite-shm", "warehouse.duckdb",
               "warehouse.duckdb.wal"}  # fmt: skip


class BackupError(Exception):
    """The backup or restore cannot be done as asked; the message says why and what to do."""


@dataclass(frozen=True)
class Backup:
    folder: Path
    files: int
    bytes: int
    ledger_rows: int


def backup(salnameh_home: Home, out: Path) -> Backup:
    """Copy the installation into `out`, a folder that does not exist yet or is empty."""
    from salnameh.warehouse import connect_warehouse, writer_lock

    if out.exists() and any(out.iterdir()):
        raise BackupError(f"{out} is not empty: a backup goes into a new or empty folder")
    if out.resolve().is_relative_to(salnameh_home.root.resolve()):
        raise BackupError(f"{out} is inside the home it would copy; choose a folder outside it")
    out.mkdir(parents=True, exist_ok=True)
    with writer_lock(salnameh_home, "backup"):
        tables = migrate(salnameh_home.ledger_url, f"sqlite:///{out / LEDGER_FILE}")
        if salnameh_home.warehouse_path.exists():
            con = connect_warehouse(salnameh_home)
            try:
                con.execute("CHECKPOINT")  # everything in the file itself, nothing in the WAL
            finally:
                con.close()
            shutil.copyfile(salnameh_home.warehouse_path, out / "warehouse.duckdb")
        for path in sorted(salnameh_home.root.iterdir()):
            if path.name in _NOT_COPIED or path.name.endswith(".tmp"):
                continue
            if path.is_dir():
                shutil.copytree(path, out / path.name, ignore=shutil.ignore_patterns(".*.tmp"))
            elif path.is_file():
                shutil.copy2(path, out / path.name)
    files = _digests(out)
    manifest = {
        "format": FORMAT,
        "made_at_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "home": str(salnameh_home.root),
        "ledger": [{"table": t.table, "rows": t.rows, "sha256": t.sha256} for t in tables],
        "files": files,
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    size = sum((out / name).stat().st_size for name in files)
    return Backup(out, len(files), size, sum(t.rows for t in tables))


def restore(folder: Path, salnameh_home: Home) -> Backup:
    """Restore the backup in `folder` into a home that holds no data yet."""
    manifest_path = folder / MANIFEST
    if not manifest_path.exists():
        raise BackupError(f"{folder} holds no {MANIFEST}: not a Salnameh backup")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{folder} is a backup of format {manifest.get('format')}; "
                          f"this Salnameh restores format {FORMAT}")  # fmt: skip
    if salnameh_home.holds_data:
        raise BackupError(f"{salnameh_home.root} already holds an installation's data; "
                          "restore into a new home (--home or SALNAMEH_HOME)")  # fmt: skip
    found = _digests(folder)
    damaged = sorted(n for n, digest in manifest["files"].items() if found.get(n) != digest)
    if damaged:
        raise BackupError(f"the backup is damaged or incomplete ({len(damaged)} files "
                          f"differ from its {MANIFEST}, e.g. {damaged[0]}); nothing was "
                          "restored")  # fmt: skip
    salnameh_home.root.mkdir(parents=True, exist_ok=True)
    copied = migrate(folder / LEDGER_FILE, salnameh_home.ledger_url)
    expected = {(t["table"], t["rows"], t["sha256"]) for t in manifest["ledger"]}
    if {(t.table, t.rows, t.sha256) for t in copied} != expected:
        raise BackupError("the restored ledger differs from the backup's record of it")
    for name in manifest["files"]:
        if name == LEDGER_FILE:
            continue
        target = salnameh_home.root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(folder / name, target)
    size = sum((folder / name).stat().st_size for name in manifest["files"])
    return Backup(salnameh_home.root, len(manifest["files"]), size, sum(t.rows for t in copied))


def _digests(folder: Path) -> dict[str, str]:
    """Every file under `folder` (but the manifest) -> its SHA-256, by relative path."""
    digests = {}
    for root, _dirs, names in os.walk(folder):
        for name in names:
            path = Path(root) / name
            relative = path.relative_to(folder).as_posix()
            if relative == MANIFEST:
                continue
            digest = hashlib.sha256()
            with path.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
            digests[relative] = digest.hexdigest()
    return digests

"""Backup and restore (issue 21): a consistent copy taken while the installation runs, and
a new home made from it that builds the same warehouse."""

import threading

import pytest

from salnameh.backup import MANIFEST, BackupError, backup, restore
from salnameh.ledger import Ledger
from salnameh.settings import home
from salnameh.snapshots import snapshot_path
from salnameh.warehouse import build_warehouse
from tests.conftest import copy_home, run_salnameh
from tests.test_warehouse_build import _marts

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_a_backup_taken_during_a_build_restores_a_home_that_builds_the_same(demo_home, tmp_path):
    """The backup waits for the running build's writer lock (it copies the warehouse and the
    snapshots whole, never half-way through a build); the home restored from it, rebuilt
    with dbt, has every mart row for row as the original, and the same ledger."""
    original = home(copy_home(demo_home.root, tmp_path / "original"))
    building = threading.Thread(target=build_warehouse, args=(original,), kwargs={"full": True})
    building.start()
    made = run_salnameh("backup", "--out", str(tmp_path / "backup"), home=original.root)
    building.join()
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "backup" / MANIFEST).exists() and "backup in" in made.stdout

    restored = home(tmp_path / "restored")
    back = run_salnameh("restore", str(tmp_path / "backup"), home=restored.root)
    assert back.returncode == 0, back.stderr
    assert restored.province == original.province
    build_warehouse(restored, full=True)
    internal = [_marts(snapshot_path(h, "internal")) for h in (restored, original)]
    assert internal[0] == internal[1]
    ledgers = [Ledger(h.ledger_url).export_tables() for h in (restored, original)]
    assert ledgers[0] == ledgers[1]
    archived = [sorted(p.name for p in h.archive_dir.rglob("*") if p.is_file())
                for h in (restored, original)]  # fmt: skip
    assert archived[1] and archived[0] == archived[1]


def test_a_damaged_backup_restores_nothing_and_a_used_home_is_refused(demo_home, tmp_path):
    source = home(copy_home(demo_home.root, tmp_path / "source"))
    backup(source, tmp_path / "backup")
    # A home that holds data is never overwritten.
    with pytest.raises(BackupError, match="already holds"):
        restore(tmp_path / "backup", source)
    # One byte changed in one archived file: refused before anything is written.
    archived = next(p for p in (tmp_path / "backup" / "archive").rglob("*") if p.is_file())
    data = bytearray(archived.read_bytes())
    data[len(data) // 2] ^= 0xFF
    archived.write_bytes(bytes(data))
    target = home(tmp_path / "target")
    with pytest.raises(BackupError, match="damaged"):
        restore(tmp_path / "backup", target)
    assert not target.holds_data
    # A backup never goes into a folder that holds something, nor inside its own home.
    with pytest.raises(BackupError, match="not empty"):
        backup(source, tmp_path / "backup")
    with pytest.raises(BackupError, match="inside the home"):
        backup(source, source.root / "backups")

"""The inbox: the folder agencies' files are dropped into, and what happens to them.

Files arrive as `<home>/inbox/<year>/<agency>/<table_id>.<ext>` (a shared drive, a script,
or by hand); the path identifies a file that is not one of our forms. The pipeline (the
Dagster sensor, or `salnameh ingest --inbox`) ingests what is waiting and then moves each
file, whatever its verdict, to `<home>/processed/<UTC date>/` under the same relative
path: the archive keeps its bytes and the ledger its verdict, so the inbox holds only what
has not been looked at yet.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from dataclasses import dataclass
from pathlib import Path

from ingestion.ingest import Ingestor, Outcome
from salnameh.catalog import Catalog, load_catalog
from salnameh.reference import Reference
from salnameh.settings import SETTLE_SECONDS, Home


def pending(salnameh_home: Home, now: float | None = None) -> list[Path]:
    """Files waiting in the inbox, oldest first; hidden and office lock files skipped."""
    inbox = salnameh_home.inbox_dir
    if not inbox.is_dir():
        return []
    now = time.time() if now is None else now
    waiting = []
    for path in inbox.rglob("*"):
        name = path.name
        if not path.is_file() or name.startswith((".", "~$")):
            continue
        if now - path.stat().st_mtime < SETTLE_SECONDS:
            continue
        waiting.append(path)
    return sorted(waiting, key=lambda p: (p.stat().st_mtime, str(p)))


@dataclass(frozen=True)
class InboxRun:
    outcomes: list[Outcome]
    resumed: list[Outcome]  # loads a stopped run had left half-way, finished first

    def count(self, verdict: str) -> int:
        return sum(o.verdict == verdict for o in self.outcomes)

    @property
    def values_loaded(self) -> int:
        return sum(o.n_values for o in self.outcomes if o.verdict == "accepted")


def ingest_inbox(
    salnameh_home: Home,
    catalog: Catalog | None = None,
    reference: Reference | None = None,
    uploader: str = "inbox",
) -> InboxRun:
    """Ingest every file waiting in the inbox, then move each out of it."""
    paths = pending(salnameh_home)
    reference = reference or Reference.for_home(salnameh_home)
    ingestor = Ingestor(salnameh_home, catalog or load_catalog().in_words_of(reference), reference)
    with ingestor.batch():
        resumed = ingestor.resume_interrupted()
        outcomes = []
        for path in paths:
            outcomes.append(ingestor.ingest(path, uploader=uploader))
            _move_out(salnameh_home, path)
    return InboxRun(outcomes, resumed)


def _move_out(salnameh_home: Home, path: Path) -> Path:
    relative = path.relative_to(salnameh_home.inbox_dir)
    day = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")
    target = salnameh_home.processed_dir / day / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    n = 1
    while target.exists():  # the same name sent twice in a day keeps both
        target = target.with_name(f"{path.stem}.{n}{path.suffix}")
        n += 1
    os.replace(path, target)
    return target

"""The demo data set: every table, every reference year, as the agencies would send it.

Output (in a folder, default $SALNAMEH_HOME/demo):
  files/<year>/<agency>/<table_id>.xlsx|csv   the agency files
  manifest.csv                                 one row a file: table, year, agency, habits
  anomalies.csv                                what was planted where, for detection tests
The folder is written beside the target and swapped in whole, so a crash never leaves a
half-generated set behind.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from app.demo.agency_files import Habits, write_agency_file
from app.demo.anomalies import choose, kinds_for, plant
from app.demo.figures import (
    REAL_FIGURES,
    Cube,
    CubeBuilder,
    is_leaf,
    recompute_totals,
    rng_for,
)
from salnameh.catalog import Catalog
from salnameh.reference import Reference
from salnameh.settings import DEFAULT_PROVINCE

DEMO_YEARS = tuple(range(1390, 1403))
DEFAULT_SEED = 1402
# Most liaisons send Excel; the rest CSV, some still from Windows-1256 systems.
FORMAT_WEIGHTS = {"xlsx": 70, "csv_utf8_bom": 12, "csv_cp1256": 12, "csv_utf8": 6}


@dataclass(frozen=True)
class DemoSet:
    folder: Path
    files: int
    anomalies: int
    years: tuple[int, ...]
    province: str


def habits_for(agency: str, year: int, seed: int) -> Habits:
    """A liaison's habits, fixed for an agency and a year (people change jobs, not files)."""
    rng = rng_for(seed, "habits", agency, year)
    fmt = rng.choices(list(FORMAT_WEIGHTS), weights=list(FORMAT_WEIGHTS.values()))[0]
    return Habits(
        format=fmt,
        title_rows=rng.random() < 0.7,
        persian_digits=fmt != "csv_cp1256" and rng.random() < 0.25,
        thousands_separators=rng.random() < 0.3,
        arabic_letters=rng.random() < 0.3,
        name_variants=rng.random() < 0.4,
        repeat_row_labels=rng.random() < 0.5,
        source_line=rng.random() < 0.6,
        blank_trailing_rows=rng.random() < 0.3,
    )


def sprinkle_symbols(cube: Cube, reference: Reference, seed: int,
                     spare: str | None = None) -> None:  # fmt: skip
    """A few cells with yearbook symbols instead of numbers, as real tables have; none in
    the `spare` measure, where an error is planted: a part not collected («-») lets a
    total fall short of its parts' sum, and would excuse a planted broken total."""
    rng = rng_for(seed, "symbols", cube.table.id, cube.year)
    if rng.random() > 0.2 or cube.table.id in REAL_FIGURES:
        return  # census-based tables are complete
    if sum(1 for g in cube.geos if g.level == "county") == 1:
        return  # the lone county's symbol would blank the province row too
    for measure in cube.table.measures:
        leaves = [k for k in cube.values if k[2] == measure.id and is_leaf(cube, k)]
        if not leaves:
            continue
        key = rng.choice(sorted(leaves))  # drawn even when spared: the others' draws stay
        if measure.id == spare:
            continue
        additive = reference.units[measure.unit].additive
        cube.flags[key] = "not_collected" if additive else "not_available"
        cube.values.pop(key)
        if additive:
            recompute_totals(cube, measure.id)


def generate_demo(
    catalog: Catalog,
    folder: Path,
    years: Iterable[int] = DEMO_YEARS,
    seed: int = DEFAULT_SEED,
    table_ids: Iterable[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    province: str = DEFAULT_PROVINCE,
) -> DemoSet:
    """The agency files of `province` (SCI code) for `years`, written into `folder`."""
    reference = Reference(province=province)
    builder = CubeBuilder(reference, seed, list(catalog))
    years = tuple(sorted(years))
    tables = [catalog.table(t) for t in table_ids] if table_ids else list(catalog)
    additive = {
        t.id: [m.id for m in t.measures if reference.units[m.unit].additive] for t in tables
    }
    kinds = kinds_for(reference, list(years))
    planned = {
        (t.id, y): (kind, m) for kind, t, y, m in choose(tables, additive, list(years), seed, kinds)
    }
    jobs = [(t, y) for y in years for t in tables if t.published_in(y)]

    folder = folder.resolve()
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".demo-", dir=folder.parent))
    manifest, planted = [], []
    try:
        for done, (table, year) in enumerate(jobs, start=1):
            cube = builder.build(table, year)
            kind, measure = planned.get((table.id, year), (None, None))
            sprinkle_symbols(cube, reference, seed, spare=measure)
            if kind is not None:
                planted.append(plant(kind, cube, measure, rng_for(seed, "plant", table.id, year)))
            habits = habits_for(table.agency, year, seed)
            relative = Path("files", str(year), table.agency, f"{table.id}.{habits.extension}")
            write_agency_file(cube, reference, habits, staging / relative)
            digest = hashlib.sha256((staging / relative).read_bytes()).hexdigest()
            manifest.append(
                {
                    "path": relative.as_posix(),
                    "table_id": table.id,
                    "year": year,
                    "agency": table.agency,
                    "sha256": digest,
                    **dataclasses.asdict(habits),
                }
            )
            if progress:
                progress(done, len(jobs))
        _write_rows(staging / "manifest.csv", manifest)
        _write_rows(
            staging / "anomalies.csv",
            [p.row() for p in planted],
            fields=["kind", "table_id", "year", "geo_code", "measure", "note_en", "note_fa"],
        )
        _swap_in(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return DemoSet(folder, len(manifest), len(planted), years, province)


def _write_rows(path: Path, rows: list[dict], fields: list[str] | None = None) -> None:
    fields = fields or (list(rows[0]) if rows else ["path"])
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def _swap_in(staging: Path, folder: Path) -> None:
    """Replace the folder by the new set; the old set is removed only once the new is in."""
    old = None
    if folder.exists():
        old = folder.with_name(f".{folder.name}-old-{os.getpid()}")
        folder.rename(old)
    staging.rename(folder)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)

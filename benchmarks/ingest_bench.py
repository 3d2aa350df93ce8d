"""Ingestion benchmark: Salnameh's `Ingestor.ingest` against a plain pandas + DuckDB baseline.

    .venv/bin/python -m benchmarks.ingest_bench            # full run, prints the results
    .venv/bin/python -m benchmarks.ingest_bench --quick    # reduced sizes, a smoke check

Three measurements, each with its baseline run in the same process on the same machine,
so the ratios hold even where the absolute figures do not travel:

1. one large .xlsx of about a million values (a benchmark-only table declared in a
   temporary catalog): ingest throughput, the reader alone, a stage breakdown;
2. every demo agency file of one year, ingested in one batch;
3. peak RSS of a child process ingesting a ~50 MB CSV of the same kind of table.

See benchmarks/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import datetime as dt
import io
import json
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from benchmarks.provenance import machine_facts as machine_facts_of
from benchmarks.provenance import mark as _mark
from benchmarks.provenance import number as _n

ROOT = Path(__file__).resolve().parent.parent

YEAR = 1396
AGENCY = "mpo"
BIG_TABLE, BIG_LIST, BIG_NUMBER = "bench_items_county_sex", "bench_item", "24-90"
MEM_TABLE, MEM_LIST, MEM_NUMBER = "bench_items_county_sex_mem", "bench_item_mem", "24-91"
N_MEASURES = 6
SEX_CODES = ("total", "male", "female")  # the order of the sex code list
MAX_VALUE = 10**12
HEADER_ROWS = 3  # one title row, then two header rows (measure, sex)
PROVINCE_LABEL = "کل استان"

GOAL_VALUES_PER_S = 1_000_000
GOAL_RATIO = 10.0
GOAL_DEMO_SECONDS = 10.0


@dataclass(frozen=True)
class Sizes:
    big_values: int  # value cells in the large .xlsx
    mem_mb: float  # size of the CSV whose ingestion's peak RSS is measured
    demo_files: int | None  # None: every demo file of the year
    insert_slice: int  # the baseline's row-by-row inserts are timed on at most this many rows
    repeats: int  # timed ingests of the large file (median reported)
    memory_floor: bool = True  # also measure a child that only imports (the RSS floor)


FULL = Sizes(big_values=1_000_000, mem_mb=50, demo_files=None, insert_slice=50_000, repeats=5)
QUICK = Sizes(big_values=100_000, mem_mb=3, demo_files=6, insert_slice=3_000, repeats=1)
# `python -m benchmarks.run --quick` (inside `make test`): the same code, seconds in all.
TINY = Sizes(big_values=20_000, mem_mb=0.5, demo_files=6, insert_slice=1_000, repeats=1,
             memory_floor=False)  # fmt: skip


class BenchError(RuntimeError):
    """The benchmark could not measure what it meant to (e.g. a file was not accepted)."""


def now() -> float:
    return time.perf_counter()


# --------------------------------------------------------------- benchmark-only catalog


@dataclass(frozen=True)
class BenchCatalog:
    catalog_dir: Path
    seeds_dir: Path


def write_bench_catalog(tmp: Path, big_items: int, mem_items: int) -> BenchCatalog:
    """The project's reference seeds plus two big item lists, and two tables that use them."""
    from salnameh.persian import to_persian_digits

    seeds = tmp / "seeds"
    shutil.copytree(ROOT / "seeds" / "reference", seeds)
    lists = ((BIG_LIST, big_items), (MEM_LIST, mem_items))
    with _append(seeds / "code_lists.csv") as out:
        for list_id, _n in lists:
            out.writerow([list_id, "قلم (بنچمارک)", "Item (benchmark)"])
    with _append(seeds / "codes.csv") as out:
        for list_id, n in lists:
            out.writerow([list_id, "total", 0, "جمع اقلام", "All items", "true"])
            for i in range(1, n + 1):
                fa = f"کالای {to_persian_digits(str(i))}"
                out.writerow([list_id, f"i{i:05d}", i, fa, f"Item {i}", "false"])
    catalog = tmp / "catalog"
    catalog.mkdir()
    for table_id, list_id, number in (
        (BIG_TABLE, BIG_LIST, BIG_NUMBER),
        (MEM_TABLE, MEM_LIST, MEM_NUMBER),
    ):
        (catalog / f"{table_id}.yaml").write_text(
            _declaration(table_id, list_id, number), encoding="utf-8"
        )
    return BenchCatalog(catalog, seeds)


class _append:
    """A csv writer appending to a seed, after making sure the seed ends with a newline."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self):
        text = self.path.read_bytes()
        self.handle = self.path.open("a", encoding="utf-8", newline="")
        if text and not text.endswith(b"\n"):
            self.handle.write("\n")
        return csv.writer(self.handle, lineterminator="\n")

    def __exit__(self, *exc) -> None:
        self.handle.close()


def _measure_title(k: int) -> tuple[str, str]:
    from salnameh.persian import to_persian_digits

    return f"شاخص {to_persian_digits(str(k))}", f"Measure {k}"


def _declaration(table_id: str, list_id: str, number: str) -> str:
    measures = []
    for k in range(1, N_MEASURES + 1):
        fa, en = _measure_title(k)
        measures.append(
            f"  - id: m{k}\n    title: {{fa: {fa}, en: {en}}}\n    type: integer\n"
            f"    min: 0\n    max: {MAX_VALUE}\n"
        )
    return (
        f'id: {table_id}\nchapter: 24\nnumber: "{number}"\n'
        "title:\n  fa: جدول بنچمارک اقلام برحسب جنس به تفکیک شهرستان\n"
        "  en: Benchmark table of items by sex, by county\n"
        f"agency: {AGENCY}\nsource: records\nfollows: proposed\nperiod: year\ngeography: county\n"
        "unit: number\n"
        f"dimensions:\n  - code_list: {list_id}\n    axis: row\n"
        "  - code_list: sex\n    axis: column\n"
        "measures:\n" + "".join(measures) + "rules:\n"
        f"  - rule: parts_sum_to_total\n    dimension: {list_id}\n"
        "  - rule: parts_sum_to_total\n    dimension: sex\n"
        "  - rule: counties_sum_to_province\n"
    )


# ------------------------------------------------------------------- benchmark files


def make_cube(n_places: int, n_items: int, seed: int = YEAR) -> np.ndarray:
    """Whole numbers [place, item, measure, sex] whose totals add up exactly.

    Index 0 is the total on every axis but the measure: the province on places, 'all
    items' on items, 'total' on sex.
    """
    rng = np.random.default_rng(seed)
    cube = np.zeros((n_places, n_items + 1, N_MEASURES, len(SEX_CODES)), dtype=np.int64)
    cube[1:, 1:, :, 1:] = rng.integers(0, 5_000, size=(n_places - 1, n_items, N_MEASURES, 2))
    cube[..., 0] = cube[..., 1:].sum(axis=-1)
    cube[:, 0] = cube[:, 1:].sum(axis=1)
    cube[0] = cube[1:].sum(axis=0)
    return cube


@dataclass(frozen=True)
class Labels:
    places: list[str]  # province first, then counties by SCI code
    items: list[str]  # 'all items' first
    measures: list[str]
    sexes: list[str]


def labels_for(reference, list_id: str) -> Labels:
    geos = reference.table_geos("county", YEAR)
    places = [PROVINCE_LABEL if g.level == "province" else g.name_fa for g in geos]
    sexes = {c.code: c.label_fa for c in reference.members("sex")}
    return Labels(
        places,
        [c.label_fa for c in reference.members(list_id)],
        [_measure_title(k)[0] for k in range(1, N_MEASURES + 1)],
        [sexes[code] for code in SEX_CODES],
    )


def table_rows(cube: np.ndarray, labels: Labels, number: str):
    """The sheet as a liaison would lay it out: a title, two header rows, the data rows."""
    yield [f"جدول {number} - اقلام برحسب جنس به تفکیک شهرستان - سال {YEAR}"]
    yield ["شهرستان", "قلم", *[m for m in labels.measures for _s in labels.sexes]]
    yield ["", "", *[s for _m in labels.measures for s in labels.sexes]]
    flat = cube.reshape(cube.shape[0], cube.shape[1], -1)  # measure outer, sex inner
    for p, place in enumerate(labels.places):
        block = flat[p].tolist()
        for i, item in enumerate(labels.items):
            yield [place, item, *block[i]]


def write_xlsx(path: Path, rows) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(str(YEAR))
    for row in rows:
        sheet.append(row)
    book.save(path)


def write_csv(path: Path, rows) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)


def items_for_values(values: int, n_places: int) -> int:
    """Items (besides 'all items') so that the table holds about `values` value cells."""
    per_row = N_MEASURES * len(SEX_CODES)
    return max(1, round(values / (n_places * per_row)) - 1)


def items_for_csv_bytes(target: float, reference, n_places: int) -> int:
    """Items so that the CSV of the table is about `target` bytes, from a rendered sample."""
    sample_items = 400
    labels = labels_for_sample(reference, sample_items)
    cube = make_cube(n_places, sample_items)
    buffer = io.StringIO()
    csv.writer(buffer).writerows(table_rows(cube, labels, MEM_NUMBER))
    per_item = len(buffer.getvalue().encode("utf-8")) / (sample_items + 1)
    return max(1, round(target / per_item) - 1)


def labels_for_sample(reference, n_items: int) -> Labels:
    from salnameh.persian import to_persian_digits

    base = labels_for(reference, "sex")  # places, measures and sexes only
    items = ["جمع اقلام"] + [f"کالای {to_persian_digits(str(i))}" for i in range(1, n_items + 1)]
    return Labels(base.places, items, base.measures, base.sexes)


# ------------------------------------------------------------- Salnameh's ingestion


def ingest_once(home_dir: Path, catalog, reference, path: Path, table_id: str):
    """One timed ingest with a fresh installation (a re-sent file would be 'unchanged')."""
    from ingestion.ingest import Ingestor
    from salnameh.settings import home

    ingestor = Ingestor(home(home_dir), catalog, reference)
    with ingestor.batch():
        start = now()
        outcome = ingestor.ingest(path, table_id=table_id, year=YEAR, agency=AGENCY)
        seconds = now() - start
    if outcome.verdict != "accepted":
        raise BenchError(f"{path.name} was {outcome.verdict}: {_problems(outcome)}")
    return seconds, outcome


def _problems(outcome) -> str:
    return "; ".join(f"{p.code}: {p.en}" for p in outcome.errors[:5]) or outcome.message_en


def stage_breakdown(tmp: Path, catalog, reference, path: Path, table_id: str):
    """The steps of `Ingestor.ingest`, each timed on its own (the internals, called in turn)."""
    from ingestion.identify import identify
    from ingestion.ingest import cycle_collector_paused
    from ingestion.large_sheets import HEAD_ROWS
    from ingestion.layout import TableShape, find_layout
    from ingestion.readers import read_book
    from ingestion.validate import rule_problems, schema_problems
    from ingestion.values import LONG_COLUMNS, long_values
    from salnameh import archive
    from salnameh.settings import home
    from salnameh.warehouse import RawLoader

    stages: list[tuple[str, float]] = []

    def timed(name, function, *args):
        start = now()
        with cycle_collector_paused():  # as Ingestor.check runs the steps
            result = function(*args)
        stages.append((name, now() - start))
        return result

    salnameh_home = home(tmp / "home-stages").create()
    data = timed("read the file's bytes", path.read_bytes)
    sha256, _ = timed(
        "archive.store (SHA-256, write, fsync)", archive.store, salnameh_home.archive_dir, data
    )

    def read_whole_book(data: bytes, name: str):
        """read_book, and the bodies of its long sheets (read on a thread meanwhile)."""
        book = read_book(data, name, HEAD_ROWS)
        for sheet in book.sheets:
            _ = sheet.body
        return book

    book = timed(
        "readers.read_book (head cells, typed body, hidden rows)", read_whole_book, data, path.name
    )
    identity = timed(
        "identify.identify", identify, book, path, catalog, reference, table_id, YEAR, AGENCY
    )
    shape = timed(
        "layout.TableShape (declaration index)",
        TableShape,
        catalog.table(table_id),
        reference,
        YEAR,
    )
    layout = timed("layout.find_layout", find_layout, book.sheets[0], shape)
    values, problems = timed("values.long_values (normalize)", long_values, layout, shape)
    problems = list(problems) + timed(
        "validate.schema_problems (pandera)", schema_problems, values, shape, reference
    )
    for rule in shape.table.rules:
        name = f"validate.rule_problems ({rule.kind} {rule.dimension or ''})".replace(" )", ")")
        problems += timed(name, rule_problems, values, rule, shape, reference)
    if problems:
        raise BenchError(f"stage breakdown found problems: {problems[:3]}")
    frame = timed("values[LONG_COLUMNS]", values.__getitem__, LONG_COLUMNS)
    meta = {
        "submission_id": 1,
        "sha256": sha256,
        "filename": path.name,
        "table_id": identity.table_id,
        "year": identity.year,
        "agency": identity.agency,
        "uploader": "bench",
        "catalog_version": catalog.version,
        "received_at": dt.datetime.now(dt.UTC).isoformat(),
    }
    with RawLoader(salnameh_home) as loader:
        timed("warehouse.RawLoader.load (DuckDB)", loader.load, meta, frame)
    return stages


def fastexcel_read(data: bytes) -> float:
    """The reader ingestion uses for a long sheet, alone: fastexcel from the bytes in memory
    to typed Arrow columns, the rows below the header (what `large_sheets` reads typed)."""
    import fastexcel

    start = now()
    sheet = fastexcel.read_excel(data).load_sheet(0, header_row=None, skip_rows=HEADER_ROWS)
    sheet.to_arrow()
    return now() - start


def calamine_read(data: bytes) -> tuple[float, int]:
    """The reader alone: calamine from bytes in memory to Python rows."""
    import python_calamine as calamine

    start = now()
    book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    seconds = now() - start
    return seconds, sum(len(row) for row in rows)


def profile_ingest(tmp: Path, catalog, reference, path: Path, table_id: str, top: int = 15):
    """cProfile of one ingest: the top functions by own time and by cumulative time."""
    from ingestion.ingest import Ingestor
    from salnameh.settings import home

    ingestor = Ingestor(home(tmp / "home-profile"), catalog, reference)
    profiler = cProfile.Profile()
    with ingestor.batch():
        profiler.enable()
        outcome = ingestor.ingest(path, table_id=table_id, year=YEAR, agency=AGENCY)
        profiler.disable()
    if outcome.verdict != "accepted":
        raise BenchError(f"profiled ingest was {outcome.verdict}")
    stats = pstats.Stats(profiler).stats  # (file, line, function) -> (cc, nc, tt, ct, callers)
    total = sum(tt for _cc, _nc, tt, _ct, _callers in stats.values())
    rows = [(_where(key), nc, tt, ct) for key, (_cc, nc, tt, ct, _callers) in stats.items()]
    own = sorted(rows, key=lambda r: -r[2])[:top]
    ours = [r for r in rows if r[0].startswith(("ingestion/", "salnameh/"))]
    cumulative = sorted(ours, key=lambda r: -r[3])[:top]
    return {"total": total, "own": own, "cumulative": cumulative}


def _where(key: tuple[str, int, str]) -> str:
    filename, line, function = key
    if filename == "~":
        return f"{function} (built-in)"
    path = Path(filename)
    try:
        short = str(path.resolve().relative_to(ROOT))
    except ValueError:
        parts = path.parts
        short = (
            "/".join(parts[parts.index("site-packages") + 1 :])
            if ("site-packages" in parts)
            else path.name
        )
    if short.startswith(".venv/"):
        short = short.split("site-packages/", 1)[-1]
    return f"{short}:{line}({function})"


# ------------------------------------------------------------------ plain baseline


def _insert_rows(con, sql: str, rows) -> int:
    con.execute("BEGIN TRANSACTION")
    n = 0
    for row in rows:
        con.execute(sql, row)
        n += 1
    con.execute("COMMIT")
    return n


def baseline_table(path: Path, db_path: Path, insert_slice: int) -> dict:
    """pandas + openpyxl (or read_csv), melt, bounds check, row-by-row DuckDB inserts."""
    import duckdb
    import pandas as pd

    start = now()
    if path.suffix == ".xlsx":
        frame = pd.read_excel(path, engine="openpyxl", header=None, skiprows=HEADER_ROWS)
    else:
        frame = pd.read_csv(path, header=None, skiprows=HEADER_ROWS)
    read = now()
    value_cols = list(frame.columns[2:])
    frame = frame.rename(columns={frame.columns[0]: "geo", frame.columns[1]: "item"})
    long = frame.melt(id_vars=["geo", "item"], var_name="col", value_name="value")
    n_sex = len(SEX_CODES)
    long["measure"] = long["col"].map({c: f"m{k // n_sex + 1}" for k, c in enumerate(value_cols)})
    long["sex"] = long["col"].map({c: SEX_CODES[k % n_sex] for k, c in enumerate(value_cols)})
    long = long[["geo", "item", "measure", "sex", "value"]]
    melted = now()
    values = long["value"]
    out_of_bounds = int((values.isna() | (values < 0) | (values > MAX_VALUE)).sum())
    checked = now()
    con = duckdb.connect(str(db_path))
    con.execute(
        "CREATE OR REPLACE TABLE long_values (geo VARCHAR, item VARCHAR,"
        " measure VARCHAR, sex VARCHAR, value DOUBLE)"
    )
    n_rows = len(long)
    n_inserted = min(n_rows, insert_slice)
    insert_start = now()
    _insert_rows(
        con,
        "INSERT INTO long_values VALUES (?, ?, ?, ?, ?)",
        long.iloc[:n_inserted].itertuples(index=False, name=None),
    )
    insert_seconds = now() - insert_start
    con.close()
    insert_total = insert_seconds * n_rows / n_inserted
    return {
        "read": read - start,
        "melt": melted - read,
        "check": checked - melted,
        "insert_measured": insert_seconds,
        "inserted_rows": n_inserted,
        "insert_total": insert_total,
        "rows": n_rows,
        "out_of_bounds": out_of_bounds,
        "extrapolated": n_inserted < n_rows,
        "total": (read - start) + (melted - read) + (checked - melted) + insert_total,
    }


MAX_CSV_COLUMNS = 256


def _read_csv_plain(path: Path):
    """A CSV with title rows as pandas reads it without help: ragged rows, unknown encoding."""
    import pandas as pd

    for encoding in ("utf-8-sig", "cp1256"):
        try:
            frame = pd.read_csv(
                path, header=None, names=range(MAX_CSV_COLUMNS), dtype=str, encoding=encoding
            )
        except UnicodeDecodeError:
            continue
        return frame.dropna(axis=1, how="all")
    raise BenchError(f"baseline cannot decode {path}")


def baseline_files(paths: list[Path], db_path: Path) -> dict:
    """Each file read with pandas and every non-empty cell inserted as a row, one by one."""
    import duckdb
    import pandas as pd

    start = now()
    con = duckdb.connect(str(db_path))
    con.execute(
        "CREATE OR REPLACE TABLE cells (file VARCHAR, row_no INTEGER, col_no INTEGER,"
        " value VARCHAR)"
    )
    n_cells, per_file = 0, []
    for path in paths:
        file_start = now()
        if path.suffix == ".xlsx":
            frame = pd.read_excel(path, engine="openpyxl", header=None)
        else:
            frame = _read_csv_plain(path)
        cells = frame.stack()  # drops empty cells
        rows = ((path.name, int(r), int(c), str(v)) for (r, c), v in cells.items())
        n_cells += _insert_rows(con, "INSERT INTO cells VALUES (?, ?, ?, ?)", rows)
        per_file.append(now() - file_start)
    con.close()
    return {"seconds": now() - start, "cells": n_cells, "per_file": per_file}


# ---------------------------------------------------------------------- demo year


def demo_paths(tmp: Path, limit: int | None) -> list[Path]:
    """The demo agency files of YEAR, generated by `salnameh demo`, in manifest order."""
    demo_home = tmp / "demo-home"
    command = [
        sys.executable,
        "-m",
        "app.cli",
        "--home",
        str(demo_home),
        "demo",
        "--years",
        f"{YEAR}-{YEAR}",
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BenchError(f"salnameh demo failed:\n{done.stdout}\n{done.stderr}")
    demo_dir = demo_home / "demo"
    with (demo_dir / "manifest.csv").open(encoding="utf-8") as handle:
        paths = [
            demo_dir / row["path"] for row in csv.DictReader(handle) if int(row["year"]) == YEAR
        ]
    if limit is None:
        return paths
    xlsx = [p for p in paths if p.suffix == ".xlsx"]
    other = [p for p in paths if p.suffix != ".xlsx"]
    return xlsx[: limit - limit // 3] + other[: limit // 3]


def ingest_files(tmp: Path, paths: list[Path]) -> dict:
    from ingestion.ingest import Ingestor
    from salnameh.catalog import load_catalog
    from salnameh.reference import Reference
    from salnameh.settings import home

    start = now()
    catalog, reference = load_catalog(), Reference()
    loaded = now()
    ingestor = Ingestor(home(tmp / "home-demo"), catalog, reference)
    built = now()
    per_file, verdicts, n_values = [], {}, 0
    with ingestor.batch():
        for path in paths:
            file_start = now()
            outcome = ingestor.ingest(path)
            per_file.append((now() - file_start, path))
            verdicts[outcome.verdict] = verdicts.get(outcome.verdict, 0) + 1
            n_values += outcome.n_values
    done = now()
    return {
        "catalog_seconds": loaded - start,
        "ingestor_seconds": built - loaded,
        "batch_seconds": done - built,
        "per_file": per_file,
        "verdicts": verdicts,
        "values": n_values,
    }


# ------------------------------------------------------------ national agency files


def national_sample(made, year: int, limit: int | None) -> list[dict[str, str]]:
    """Manifest rows of one year of every province; with a limit, the first files of the
    last province (a synthetic one when there are several)."""
    rows = [r for r in made.manifest() if int(r["year"]) == year]
    if limit is not None:
        last = made.codes[-1]
        rows = [r for r in rows if r["province"] == last][:limit]
    return rows


def ingest_national(made, rows: list[dict[str, str]], tmp: Path) -> dict:
    """Salnameh's ingestion of national agency files against the plain baseline.

    Each province's files go to a home of their own with that province's seeds (see
    benchmarks/national.py for why); the baseline reads the same files in the same order.
    """
    from ingestion.ingest import Ingestor
    from salnameh.catalog import load_catalog
    from salnameh.reference import Reference
    from salnameh.settings import home

    catalog = load_catalog()
    anomalies = _csv_rows(made.folder / "anomalies.csv")
    # Collapses are plausible figures that pass by design; every other planted kind should
    # be rejected, and nothing else (a rejection elsewhere means a place was not known).
    planted = {(a["province"], a["table_id"], int(a["year"])) for a in anomalies
               if a["kind"] != "collapse"}  # fmt: skip
    seconds = set_up = 0.0
    verdicts: dict[str, int] = {}
    n_values, rejected_unplanted, planted_accepted = 0, [], []
    for province in dict.fromkeys(r["province"] for r in rows):
        start = now()
        ingestor = Ingestor(home(tmp / f"home-{province}"), catalog,
                            Reference(made.province_seeds(province)))  # fmt: skip
        set_up += now() - start
        with ingestor.batch():
            start = now()
            for row in (r for r in rows if r["province"] == province):
                outcome = ingestor.ingest(made.folder / row["path"])
                verdicts[outcome.verdict] = verdicts.get(outcome.verdict, 0) + 1
                n_values += outcome.n_values if outcome.verdict == "accepted" else 0
                key = (province, row["table_id"], int(row["year"]))
                if outcome.verdict == "rejected" and key not in planted:
                    rejected_unplanted.append(f"{row['path']}: {_problems(outcome)}")
                elif outcome.verdict != "rejected" and key in planted:
                    planted_accepted.append(row["path"])
            seconds += now() - start
    paths = [made.folder / r["path"] for r in rows]
    from benchmarks.plain_ingest import load as plain_load

    start = now()
    cells = plain_load(tmp / "plain-national.duckdb", paths)
    base = {"seconds": now() - start, "cells": cells}
    return {
        "files": len(rows),
        "provinces": len({r["province"] for r in rows}),
        "bytes": sum(p.stat().st_size for p in paths),
        "values": n_values,
        "verdicts": verdicts,
        "rejected_unplanted": rejected_unplanted,
        "planted_accepted": planted_accepted,
        "seconds": seconds,
        "set_up_seconds": set_up,
        "baseline_seconds": base["seconds"],
        "baseline_cells": base["cells"],
    }


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# ------------------------------------------------------------------ peak memory


# Runs the command given after it and reports getrusage(RUSAGE_CHILDREN) for it alone. A
# fresh, small launcher matters: Linux counts the RSS of the process a child was forked
# (or vforked) from into the child's ru_maxrss up to its exec, so children started straight
# from this benchmark process (hundreds of MB by then) would all report at least its size.
LAUNCHER = """
import json, resource, subprocess, sys
done = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
sys.stdout.buffer.write(done.stdout)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"returncode": done.returncode, "children_maxrss_kb": usage.ru_maxrss}))
"""


def run_child(args: list[str]) -> dict:
    """Run this module as a child (through LAUNCHER); its result, with its peak RSS."""
    command = [sys.executable, "-m", "benchmarks.ingest_bench", "--child", *args]
    done = subprocess.run(
        [sys.executable, "-c", LAUNCHER, *command],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    launcher = json.loads(lines[-1]) if lines else {"returncode": None}
    if done.returncode != 0 or launcher["returncode"] != 0 or len(lines) < 2:
        raise BenchError(
            f"child {' '.join(args)} failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
        )
    result = json.loads(lines[-2])
    result["maxrss_mb"] = launcher["children_maxrss_kb"] / 1024  # Linux reports KiB
    return result


def _vm_hwm_mb() -> float:
    """This process's own peak RSS since its exec (VmHWM), as a cross-check."""
    with open("/proc/self/status", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def child_main(args: argparse.Namespace) -> None:
    start = now()
    result: dict[str, object] = {"kind": args.child}
    if args.child == "imports":
        import duckdb  # noqa: F401
        import pandas  # noqa: F401
        import python_calamine  # noqa: F401

        import ingestion.ingest  # noqa: F401
    elif args.child == "ingest":
        from salnameh.catalog import load_catalog
        from salnameh.reference import Reference

        catalog = load_catalog(catalog_dir=Path(args.catalog), seeds_dir=Path(args.seeds))
        seconds, outcome = ingest_once(
            Path(args.work), catalog, Reference(Path(args.seeds)), Path(args.file), args.table
        )
        result |= {"ingest_seconds": seconds, "values": outcome.n_values}
    elif args.child == "baseline":
        result |= baseline_table(
            Path(args.file), Path(args.work) / "baseline.duckdb", args.insert_slice
        )
    result["seconds"] = now() - start
    result["vm_hwm_mb"] = _vm_hwm_mb()
    print(json.dumps(result), flush=True)


# --------------------------------------------------------------------------- run


@dataclass
class Results:
    sizes: Sizes
    quick: bool
    started: dt.datetime
    figures: dict = field(default_factory=dict)
    facts: dict = field(default_factory=dict)
    log: list[str] = field(default_factory=list)
    files: dict = field(default_factory=dict)  # the inputs made, for the whole-process cases

    def say(self, message: str) -> None:
        print(message, flush=True)
        self.log.append(message)


def run(sizes: Sizes, quick: bool, tmp: Path, profile: bool) -> Results:
    from salnameh.catalog import load_catalog
    from salnameh.reference import Reference

    results = Results(sizes, quick, dt.datetime.now(dt.UTC), facts=machine_facts())
    say, fig = results.say, results.figures
    wall = now()

    # 2 first, so it runs in a fresh process as the CLI would (warm-up costs included).
    say("== 2. demo year: generating the files")
    paths = demo_paths(tmp, sizes.demo_files)
    say(f"   {len(paths)} files; ingesting in one batch")
    ours = ingest_files(tmp, paths)
    say(f"   ingest: {ours['batch_seconds']:.2f} s, verdicts {ours['verdicts']}")
    base = baseline_files(paths, tmp / "baseline-demo.duckdb")
    say(f"   baseline: {base['seconds']:.2f} s, {base['cells']} cells")
    fig["demo"] = {
        "files": len(paths),
        "ours": ours,
        "base": base,
        "bytes": sum(p.stat().st_size for p in paths),
    }

    # 1. the large .xlsx
    reference = Reference()
    n_places = len(reference.table_geos("county", YEAR))
    big_items = items_for_values(sizes.big_values, n_places)
    mem_items = items_for_csv_bytes(sizes.mem_mb * 2**20, reference, n_places)
    bench = write_bench_catalog(tmp, big_items, mem_items)
    start = now()
    catalog = load_catalog(catalog_dir=bench.catalog_dir, seeds_dir=bench.seeds_dir)
    reference = Reference(bench.seeds_dir)
    catalog_seconds = now() - start
    say(
        f"== 1. large .xlsx: {n_places} places x {big_items + 1} items x "
        f"{N_MEASURES * len(SEX_CODES)} columns"
    )
    cube = make_cube(n_places, big_items)
    big_path = tmp / f"{BIG_TABLE}.xlsx"
    start = now()
    write_xlsx(big_path, table_rows(cube, labels_for(reference, BIG_LIST), BIG_NUMBER))
    write_seconds = now() - start
    say(
        f"   written with openpyxl write_only in {write_seconds:.1f} s, "
        f"{big_path.stat().st_size / 2**20:.1f} MB"
    )
    runs = []
    for rep in range(sizes.repeats):
        seconds, outcome = ingest_once(
            tmp / f"home-big-{rep}", catalog, reference, big_path, BIG_TABLE
        )
        runs.append(seconds)
        say(f"   ingest run {rep + 1}: {seconds:.2f} s, {outcome.n_values:,} values accepted")
    n_values = outcome.n_values
    from benchmarks.plain_ingest import load as plain_load

    plain_runs = []
    for rep in range(sizes.repeats):
        warehouse = tmp / f"plain-big-{rep}.duckdb"
        start = now()
        plain_load(warehouse, [big_path])
        plain_runs.append(now() - start)
        warehouse.unlink()
    say(f"   plain alternative (calamine, melt, CREATE TABLE AS): {min(plain_runs):.2f} s")
    data = big_path.read_bytes()
    reader_seconds, n_cells = calamine_read(data)
    say(f"   calamine alone: {reader_seconds:.2f} s for {n_cells:,} cells")
    typed_seconds = fastexcel_read(data)
    say(f"   fastexcel alone (typed columns): {typed_seconds:.2f} s")
    try:
        stages = stage_breakdown(tmp, catalog, reference, big_path, BIG_TABLE)
    except Exception as exc:  # the internals moved: the headline figures still stand
        stages = [(f"(breakdown unavailable: {type(exc).__name__}: {exc})", float("nan"))]
    say("   baseline: pandas.read_excel(openpyxl) + melt + bounds + row inserts")
    base_big = baseline_table(big_path, tmp / "baseline-big.duckdb", sizes.insert_slice)
    say(
        f"   baseline: {base_big['total']:.1f} s (inserts {base_big['inserted_rows']:,} "
        f"rows measured of {base_big['rows']:,})"
    )
    fig["big"] = {
        "places": n_places,
        "items": big_items + 1,
        "columns": N_MEASURES * len(SEX_CODES),
        "values": n_values,
        "bytes": big_path.stat().st_size,
        "write_seconds": write_seconds,
        "catalog_seconds": catalog_seconds,
        "runs": runs,
        "reader_seconds": reader_seconds,
        "typed_reader_seconds": typed_seconds,
        "cells": n_cells,
        "stages": stages,
        "base": base_big,
        "plain_runs": plain_runs,
    }
    results.files = {"big": big_path, "catalog": bench.catalog_dir, "seeds": bench.seeds_dir,
                     "table": BIG_TABLE, "demo": paths,
                     "demo_dir": tmp / "demo-home" / "demo"}  # fmt: skip
    del cube, data

    # 3. peak memory on a ~50 MB CSV, in child processes
    say(f"== 3. peak memory: writing a ~{sizes.mem_mb:g} MB CSV ({mem_items + 1} items)")
    mem_path = tmp / f"{MEM_TABLE}.csv"
    cube = make_cube(n_places, mem_items)
    write_csv(mem_path, table_rows(cube, labels_for(reference, MEM_LIST), MEM_NUMBER))
    del cube
    common = [
        "--file",
        str(mem_path),
        "--catalog",
        str(bench.catalog_dir),
        "--seeds",
        str(bench.seeds_dir),
        "--insert-slice",
        str(sizes.insert_slice),
    ]
    floor = None
    if sizes.memory_floor:
        floor = run_child(["imports", "--work", str(tmp), *common])
        say(f"   imports only: {floor['maxrss_mb']:.0f} MB")
    mem_ours = run_child(["ingest", "--work", str(tmp / "home-mem"), *common])
    say(f"   ingest: {mem_ours['maxrss_mb']:.0f} MB peak, {mem_ours['ingest_seconds']:.1f} s")
    mem_base = run_child(["baseline", "--work", str(tmp), *common])
    say(f"   baseline: {mem_base['maxrss_mb']:.0f} MB peak")
    fig["mem"] = {
        "bytes": mem_path.stat().st_size,
        "items": mem_items + 1,
        "floor": floor,
        "ours": mem_ours,
        "base": mem_base,
    }

    values_per_s = n_values / statistics.median(runs)
    if profile or (not quick and values_per_s < GOAL_VALUES_PER_S):
        say("== profile of one large-file ingest (cProfile)")
        fig["profile"] = profile_ingest(tmp, catalog, reference, big_path, BIG_TABLE)
    fig["wall"] = now() - wall
    results.facts["load average (1 min)"] += f" at start, {os.getloadavg()[0]:.2f} at the end"
    return results


# ------------------------------------------------------------------------ report


def machine_facts() -> dict[str, str]:
    return machine_facts_of(
        ("pandas", "numpy", "duckdb", "pandera", "python-calamine", "openpyxl"),
        ("ingestion", "salnameh", "app"),
        ("ingestion/**/*.py", "salnameh/**/*.py", "app/**/*.py"),
        "ingestion/, salnameh/ and app/ *.py",
    ) | {"load average (1 min)": f"{os.getloadavg()[0]:.2f}"}


def report(results: Results, command: str) -> str:
    fig, sizes = results.figures, results.sizes
    big, demo, mem = fig["big"], fig["demo"], fig["mem"]
    median = statistics.median(big["runs"])
    ours_vps = big["values"] / median
    base = big["base"]
    base_vps = base["rows"] / base["total"]
    ratio = base["total"] / median
    demo_ours, demo_base = demo["ours"], demo["base"]
    per_file = [s for s, _p in demo_ours["per_file"]]
    slowest = max(demo_ours["per_file"], key=lambda item: item[0]) if per_file else (0, Path("-"))
    demo_total = demo_ours["batch_seconds"]
    demo_ratio = demo_base["seconds"] / demo_total

    lines = [
        "# Ingestion benchmark" + (" (quick, reduced sizes)" if results.quick else ""),
        "",
        f"`{command}`, started {results.started:%Y-%m-%d %H:%M} UTC; the whole run took "
        f"{fig['wall']:.0f} s. Every ratio compares two measurements taken in this same run. "
        "See `benchmarks/README.md` for what each figure means.",
        "",
        "## Machine",
        "",
        "| fact | value |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in results.facts.items()],
        f"| date | {results.started:%Y-%m-%d} |",
        "",
        "## Figures",
        "",
        "| # | figure | Salnameh | plain baseline | ratio | goal | met |",
        "|---|---|---|---|---|---|---|",
        f"| 1 | large .xlsx ({_n(big['values'])} values, {big['bytes'] / 2**20:.1f} MB): "
        f"values/s, `Ingestor.ingest` | {_n(ours_vps)} | {_n(base_vps)}"
        f"{' (inserts extrapolated)' if base['extrapolated'] else ''} | {ratio:.1f}x | "
        f">= {_n(GOAL_VALUES_PER_S)}/s and >= {GOAL_RATIO:g}x | "
        f"{_mark(ours_vps >= GOAL_VALUES_PER_S)} / {_mark(ratio >= GOAL_RATIO)} |",
        f"| 1 | large .xlsx: seconds per file (median of {len(big['runs'])}) | {median:.2f} s "
        f"| {base['total']:.1f} s | {ratio:.1f}x | | |",
        f"| 1 | reader alone (calamine `to_python`), cells/s | "
        f"{_n(big['cells'] / big['reader_seconds'])} | {_n(big['cells'] / base['read'])} "
        f"(`read_excel` openpyxl) | {base['read'] / big['reader_seconds']:.1f}x | | |",
        f"| 1 | reader alone (fastexcel, typed columns below the header), cells/s | "
        f"{_n(big['cells'] / big['typed_reader_seconds'])} | {_n(big['cells'] / base['read'])} "
        f"(`read_excel` openpyxl) | {base['read'] / big['typed_reader_seconds']:.1f}x | | |",
        f"| 2 | demo year {YEAR}: {demo['files']} files, wall time of one batch | "
        f"{demo_total:.2f} s | {demo_base['seconds']:.2f} s | {demo_ratio:.1f}x | "
        f"< {GOAL_DEMO_SECONDS:g} s | {_mark(demo_total < GOAL_DEMO_SECONDS)} |",
        f"| 2 | demo year: mean per file | {1000 * statistics.mean(per_file):.0f} ms | "
        f"{1000 * statistics.mean(demo_base['per_file']):.0f} ms | | | |",
        f"| 3 | peak RSS, ~{sizes.mem_mb:g} MB CSV ({mem['bytes'] / 2**20:.1f} MB, "
        f"{_n(mem['ours']['values'])} values) | {mem['ours']['maxrss_mb']:,.0f} MB | "
        f"{mem['base']['maxrss_mb']:,.0f} MB | "
        f"{mem['ours']['maxrss_mb'] / mem['base']['maxrss_mb']:.1f}x as much | | |",
        "",
        "## 1. One large .xlsx",
        "",
        f"A benchmark-only table (`{BIG_TABLE}`, declared in a temporary catalog beside a copy "
        f"of the reference seeds with an added code list `{BIG_LIST}`): {big['places']} places "
        f"of {YEAR} x {_n(big['items'])} items (one of them 'all items') on rows, "
        f"{N_MEASURES} integer measures x sex (total, male, female) = {big['columns']} value "
        f"columns: {_n(big['values'])} value cells, all totals exact, so the file is accepted. "
        f"Written with openpyxl write_only (numbers as numbers) in {big['write_seconds']:.1f} s; "
        f"{big['bytes'] / 2**20:.1f} MB; a title row and two header rows.",
        "",
        "Timed ingests, each with a fresh home (the same bytes sent again would be "
        "'unchanged'), inside `Ingestor.batch()`: "
        + ", ".join(f"{s:.2f} s" for s in big["runs"])
        + f" (median {median:.2f} s = {_n(ours_vps)} values/s; fastest "
        f"{min(big['runs']):.2f} s = {_n(big['values'] / min(big['runs']))} values/s).",
        "",
        "Stage breakdown (the steps of `Ingestor.ingest` called one by one, one more run):",
        "",
        "| stage | seconds | share |",
        "|---|---|---|",
    ]
    stage_total = sum(s for _n_, s in big["stages"] if s == s)
    for name, seconds in big["stages"]:
        share = f"{100 * seconds / stage_total:.0f}%" if stage_total and seconds == seconds else ""
        lines.append(f"| {name} | {seconds:.3f} | {share} |")
    lines += [
        f"| **sum of stages** | **{stage_total:.3f}** | |",
        "",
        f"Reader alone: calamine from the bytes in memory to Python rows, "
        f"{big['reader_seconds']:.2f} s for {_n(big['cells'])} cells "
        f"({_n(big['cells'] / big['reader_seconds'])} cells/s); fastexcel into typed Arrow "
        f"columns, the rows below the header, {big['typed_reader_seconds']:.2f} s "
        f"({_n(big['cells'] / big['typed_reader_seconds'])} cells/s). Ingestion reads a "
        "sheet this long in two parts: its first 500 rows with calamine, the rest with "
        "fastexcel (`ingestion/large_sheets.py`).",
        "",
        "Baseline (plain pandas): `pd.read_excel(engine='openpyxl', header=None, "
        "skiprows=3)`, `melt` to long, a vectorized bounds check on every row, then one "
        "`con.execute('INSERT INTO ... VALUES (?, ?, ?, ?, ?)', row)` per row inside one "
        "transaction into a DuckDB file:",
        "",
        "| step | seconds |",
        "|---|---|",
        f"| read_excel (openpyxl) | {base['read']:.2f} |",
        f"| melt | {base['melt']:.2f} |",
        f"| bounds check | {base['check']:.3f} |",
        f"| row inserts, measured on {_n(base['inserted_rows'])} rows | "
        f"{base['insert_measured']:.2f} ({_n(base['inserted_rows'] / base['insert_measured'])}"
        " rows/s) |",
        f"| row inserts, all {_n(base['rows'])} rows"
        + (" (extrapolated linearly from the slice)" if base["extrapolated"] else "")
        + f" | {base['insert_total']:.1f} |",
        f"| **total** | **{base['total']:.1f}** |",
        "",
        f"Without the inserts (read + melt + check only) the baseline takes "
        f"{base['read'] + base['melt'] + base['check']:.1f} s, "
        f"{(base['read'] + base['melt'] + base['check']) / median:.1f}x Salnameh's whole "
        "ingest: most of that is openpyxl against calamine.",
        "",
        f"## 2. A demo year of small files ({YEAR})",
        "",
        f"`salnameh demo --years {YEAR}-{YEAR}`: {demo['files']} files "
        f"({demo['bytes'] / 1024:.0f} KB), ingested in manifest order by one `Ingestor` in "
        f"one `batch()`. Verdicts: "
        + ", ".join(f"{k} {v}" for k, v in sorted(demo_ours["verdicts"].items()))
        + f" (the rejections are the demo's planted anomalies); {_n(demo_ours['values'])} "
        "values loaded.",
        "",
        "| | Salnameh | baseline |",
        "|---|---|---|",
        f"| wall time, all files | {demo_total:.2f} s | {demo_base['seconds']:.2f} s |",
        f"| mean per file | {1000 * statistics.mean(per_file):.0f} ms | "
        f"{1000 * statistics.mean(demo_base['per_file']):.0f} ms |",
        f"| median per file | {1000 * statistics.median(per_file):.0f} ms | "
        f"{1000 * statistics.median(demo_base['per_file']):.0f} ms |",
        f"| slowest file | {1000 * slowest[0]:.0f} ms ({slowest[1].name}) | "
        f"{1000 * max(demo_base['per_file']):.0f} ms |",
        f"| outside the batch | catalog load {demo_ours['catalog_seconds']:.2f} s, "
        f"Ingestor() {demo_ours['ingestor_seconds']:.2f} s | |",
        "",
        "The demo year runs first, in a fresh process, so its first file carries the one-off "
        "costs a CLI run would (lazy imports, first pandera schema). The baseline reads each "
        "file with `pd.read_excel(engine='openpyxl', header=None)` or `pd.read_csv` "
        "(UTF-8, falling back to Windows-1256) and inserts every non-empty cell as a row "
        f"(file, row, column, text), one `execute` per row, one transaction per file: "
        f"{_n(demo_base['cells'])} cells. It understands nothing (titles, headers, symbols, "
        "names): it is the cost of merely reading the files and storing their cells.",
        "",
        f"## 3. Peak memory for a ~{sizes.mem_mb:g} MB file",
        "",
        f"A CSV (UTF-8, comma) of the same kind of table (`{MEM_TABLE}`, {_n(mem['items'])} "
        f"items, so {_n(mem['ours']['values'])} values), {mem['bytes'] / 2**20:.1f} MB. Each "
        "run is a child process (`python -m benchmarks.ingest_bench --child ...`) started by "
        "a small launcher (`python -c`, standard library only) that reports "
        "`resource.getrusage(RUSAGE_CHILDREN).ru_maxrss` once its only child has exited. The "
        "launcher matters: Linux counts the RSS of the process a child is (v)forked from into "
        "the child's ru_maxrss, so a child started from the benchmark process itself would "
        "report at least the benchmark's own size. VmHWM is the child's own high-water mark "
        "from /proc/self/status at its exit, as a cross-check.",
        "",
        "| child | peak RSS (ru_maxrss) | VmHWM | time |",
        "|---|---|---|---|",
        "| imports only (ingestion, pandas, duckdb, calamine) | "
        + (
            f"{mem['floor']['maxrss_mb']:,.0f} MB | {mem['floor']['vm_hwm_mb']:,.0f} MB | "
            f"{mem['floor']['seconds']:.1f} s |"
            if mem["floor"]
            else "not measured | | |"
        ),
        f"| Salnameh ingest (catalog load + `Ingestor.ingest`) | "
        f"{mem['ours']['maxrss_mb']:,.0f} MB | {mem['ours']['vm_hwm_mb']:,.0f} MB | "
        f"ingest {mem['ours']['ingest_seconds']:.1f} s "
        f"({_n(mem['ours']['values'] / mem['ours']['ingest_seconds'])} values/s) |",
        f"| baseline (read_csv + melt + bounds + {_n(mem['base']['inserted_rows'])} row "
        f"inserts) | {mem['base']['maxrss_mb']:,.0f} MB | {mem['base']['vm_hwm_mb']:,.0f} MB | "
        f"{mem['base']['seconds']:.1f} s (inserts not extrapolated here) |",
        "",
        f"Peak RSS over file size: Salnameh {mem['ours']['maxrss_mb'] * 2**20 / mem['bytes']:.0f}"
        f"x, baseline {mem['base']['maxrss_mb'] * 2**20 / mem['bytes']:.0f}x. The baseline "
        "child inserts only a slice row by row (all of them would take "
        f"~{mem['base']['insert_total'] / 60:.0f} min); its peak comes from read_csv and melt.",
    ]
    if "profile" in fig:
        prof = fig["profile"]
        ours = prof["cumulative"]
        lines += [
            "",
            "## Profile of one large-file ingest (cProfile)",
            "",
            f"Profiled run: {prof['total']:.1f} s of own time under the profiler (which slows "
            "Python-level calls down more than vectorized ones).",
            "",
            "Top functions by own time:",
            "",
            "| function (file:line) | calls | own s | cumulative s |",
            "|---|---|---|---|",
            *[f"| `{w}` | {_n(nc)} | {tt:.2f} | {ct:.2f} |" for w, nc, tt, ct in prof["own"]],
            "",
            "Project functions by cumulative time:",
            "",
            "| function (file:line) | calls | own s | cumulative s |",
            "|---|---|---|---|",
            *[f"| `{w}` | {_n(nc)} | {tt:.2f} | {ct:.2f} |" for w, nc, tt, ct in ours],
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.ingest_bench", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="reduced sizes (100k values, 3 MB CSV, 6 demo files): a smoke check",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also cProfile one large-file ingest (always done in a full run "
        "that misses the throughput goal)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="also write the Markdown results here (they are always printed)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    # Child-process modes (peak memory); not for direct use.
    parser.add_argument(
        "--child", choices=("imports", "ingest", "baseline"), help=argparse.SUPPRESS
    )
    for name in ("--file", "--catalog", "--seeds", "--work"):
        parser.add_argument(name, help=argparse.SUPPRESS)
    parser.add_argument("--insert-slice", type=int, default=50_000, help=argparse.SUPPRESS)
    parser.add_argument("--table", default=MEM_TABLE, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child_main(args)
        return

    sizes = QUICK if args.quick else FULL
    command = "python -m benchmarks.ingest_bench" + "".join(
        f" {flag}" for flag, on in (("--quick", args.quick), ("--profile", args.profile)) if on
    )
    tmp = Path(tempfile.mkdtemp(prefix="salnameh-bench-"))
    try:
        results = run(sizes, args.quick, tmp, args.profile)
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    text = report(results, command)
    print()
    print(text)
    out = args.out
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        print(f"written to {out}")


if __name__ == "__main__":
    main()

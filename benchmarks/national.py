"""National-scale agency files: every catalog table for up to 31 provinces x 20 years.

    .venv/bin/python -m benchmarks.national --out DIR [--provinces 31] [--years 1390-1409]

Province k = 0 is Tehran (23), as the demo makes it; province k >= 1 takes a
two-digit code no real province has (31, 32, ...) and a copy of Tehran's counties, boundaries and
splits under that code, named after Tehran's with the province's number («دماوند ۵»,
"Damavand 5"). Each province's figures come from the demo's generator with its own seed
(seed + k): other figures, other liaison habits (xlsx, CSV in UTF-8 or Windows-1256,
Persian digits, titles...), its own planted anomalies. Deterministic: the same arguments
give the same bytes.

Written under DIR:

    files/<province>/<year>/<agency>/<table_id>.xlsx|csv   the agency files
    manifest.csv     one row a file: province, path, table, year, agency, sha256, habits
    anomalies.csv    what was planted where (national geography codes)
    seeds/national/  the reference seeds with every province, for the warehouse (dbt)
    seeds/<code>/    the reference seeds to ingest that province's files with

Why two kinds of seeds: the demo's generator writes Tehran's codes (23, 23xx), so a
province's files are checked against seeds in which that province keeps Tehran's codes
under its own names (a Reference for province 23 of that seeds folder); the national seeds
give the same names their national codes (kk, kkxx). A home's Reference and dbt models see
one province (its `province`): a build over the national seeds keeps province 23's
geography unless told another.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import hashlib
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

SOURCE_PROVINCE = "23"  # the demo's province (Tehran); its counties are 23xx
MAX_PROVINCES = 31
YEARS = tuple(range(1390, 1410))  # 20 years; the demo's are 1390-1402
GEOGRAPHY_SEEDS = ("geography.csv", "geography_lineage.csv", "geography_aliases.csv")


def province_codes(n: int) -> list[str]:
    """Two-digit codes for n provinces: the demo's own first, then codes no real province
    has (31 up: the reference seeds hold all 31 real ones, 00-30, and a copy of Tehran
    under a real code would clash with that province's places and boundary changes)."""
    others = [f"{i:02d}" for i in range(31, 100)]
    return [SOURCE_PROVINCE, *others[: n - 1]]


def recode(code: str, province: str) -> str:
    """A Tehran code ('23' or '23xx') under another province's code."""
    return province + code[len(SOURCE_PROVINCE) :] if code else code


def synthetic_names(name_fa: str, name_en: str, k: int) -> tuple[str, str]:
    """Province k's name for one of Tehran's places (Tehran's own for k = 0)."""
    if k == 0:
        return name_fa, name_en
    from salnameh.persian import to_persian_digits

    return f"{name_fa} {to_persian_digits(str(k))}", f"{name_en} {k}"


# ------------------------------------------------------------------------ reference


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _write_csv(path: Path, rows: list[dict[str, str]], fields: list[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _fields(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


def write_national_seeds(seeds_dir: Path, source: Path, codes: list[str]) -> None:
    """The reference seeds from source, with Tehran's places and lineage once per province.

    Every copy keeps Tehran's counties, boundaries and splits under the province's own code,
    so a copied value (whose geography code is recoded the same way) is valid in every year
    it is valid for Tehran.
    """
    shutil.rmtree(seeds_dir, ignore_errors=True)
    shutil.copytree(source, seeds_dir)
    geography = _read_csv(source / "geography.csv")
    rows = list(geography)  # every real province stays; Tehran's places are copied
    for k, province in enumerate(codes):
        if province == SOURCE_PROVINCE:
            continue
        for row in (r for r in geography if _is_tehrans(r["code"])):
            fa, en = synthetic_names(row["name_fa"], row["name_en"], k)
            rows.append({**row, "code": recode(row["code"], province),
                         "parent_code": recode(row["parent_code"], province),
                         "name_fa": fa, "name_en": en})  # fmt: skip
    _write_csv(seeds_dir / "geography.csv", rows, _fields(source / "geography.csv"))
    lineage = _read_csv(source / "geography_lineage.csv")
    rows = list(lineage)
    for province in codes:
        if province == SOURCE_PROVINCE:
            continue
        # Tehran's own changes; a county leaving it goes to the real province it went to.
        for row in (r for r in lineage if _is_tehrans(r["from_code"])):
            to_code = row["to_code"]
            rows.append({**row, "from_code": recode(row["from_code"], province),
                         "to_code": recode(to_code, province) if _is_tehrans(to_code)
                         else to_code})  # fmt: skip
    _write_csv(seeds_dir / "geography_lineage.csv", rows, _fields(source / "geography_lineage.csv"))
    aliases = _read_csv(source / "geography_aliases.csv")
    rows = list(aliases)
    for k, province in enumerate(codes):
        if province == SOURCE_PROVINCE:
            continue
        for row in (r for r in aliases if _is_tehrans(r["code"])):
            fa, _en = synthetic_names(row["alias"], "", k)
            rows.append({**row, "alias": fa, "code": recode(row["code"], province)})
    _write_csv(seeds_dir / "geography_aliases.csv", rows, _fields(source / "geography_aliases.csv"))


def _is_tehrans(code: str) -> bool:
    return code[: len(SOURCE_PROVINCE)] == SOURCE_PROVINCE


def write_province_seeds(seeds_dir: Path, source: Path, k: int) -> None:
    """The seeds to ingest province k's files with: Tehran's codes, province k's names."""
    shutil.rmtree(seeds_dir, ignore_errors=True)
    shutil.copytree(source, seeds_dir)
    if k == 0:
        return
    rows = []
    for row in _read_csv(source / "geography.csv"):
        fa, en = synthetic_names(row["name_fa"], row["name_en"], k)
        rows.append({**row, "name_fa": fa, "name_en": en})
    _write_csv(seeds_dir / "geography.csv", rows, _fields(source / "geography.csv"))
    rows = []
    for row in _read_csv(source / "geography_aliases.csv"):
        rows.append({**row, "alias": synthetic_names(row["alias"], "", k)[0]})
    _write_csv(seeds_dir / "geography_aliases.csv", rows, _fields(source / "geography_aliases.csv"))


# -------------------------------------------------------------------------- files


def as_province(cube, province: str, k: int) -> None:
    """Move a cube of Tehran's figures to province k: codes recoded, places renamed.

    The cube keeps national codes (so `anomalies.csv` names real places of the national
    seeds); an agency file carries only names, which the province's seeds know.
    """
    if k == 0:
        return

    def moved(geo):
        fa, en = synthetic_names(geo.name_fa, geo.name_en, k)
        return dataclasses.replace(geo, code=recode(geo.code, province), name_fa=fa, name_en=en,
                                   parent_code=recode(geo.parent_code, province))  # fmt: skip

    cube.geos = [moved(geo) for geo in cube.geos]
    cube.values = {(recode(g, province), m, ms): v for (g, m, ms), v in cube.values.items()}
    cube.flags = {(recode(g, province), m, ms): f for (g, m, ms), f in cube.flags.items()}


@dataclass(frozen=True)
class NationalSet:
    folder: Path
    codes: list[str]
    years: tuple[int, ...]
    files: int
    bytes: int
    anomalies: int
    seconds: float

    def manifest(self) -> list[dict[str, str]]:
        return _read_csv(self.folder / "manifest.csv")

    def province_seeds(self, code: str) -> Path:
        return self.folder / "seeds" / code

    @property
    def national_seeds(self) -> Path:
        return self.folder / "seeds" / "national"


def generate_national(
    folder: Path,
    provinces: int = MAX_PROVINCES,
    years: Iterable[int] = YEARS,
    seed: int | None = None,
    catalog=None,
    progress: Callable[[str], None] | None = None,
    table_ids: Iterable[str] | None = None,
) -> NationalSet:
    """Write the agency files of `provinces` provinces x `years`, their manifest and seeds.

    `table_ids` limits the tables (every table of the catalog by default).
    """
    from app.demo.agency_files import write_agency_file
    from app.demo.anomalies import choose, plant
    from app.demo.figures import CubeBuilder, rng_for
    from app.demo.generate import DEFAULT_SEED, habits_for, sprinkle_symbols
    from salnameh.catalog import load_catalog
    from salnameh.reference import Reference
    from salnameh.settings import REFERENCE_DIR

    if not 1 <= provinces <= MAX_PROVINCES:
        raise ValueError(f"provinces must be 1 to {MAX_PROVINCES}, not {provinces}")
    start = time.perf_counter()
    seed = DEFAULT_SEED if seed is None else seed
    catalog = catalog or load_catalog()
    reference = Reference()
    years = tuple(sorted(years))
    codes = province_codes(provinces)
    folder.mkdir(parents=True, exist_ok=True)
    write_national_seeds(folder / "seeds" / "national", REFERENCE_DIR, codes)
    tables = [catalog.table(t) for t in table_ids] if table_ids else list(catalog)
    additive = {
        t.id: [m.id for m in t.measures if reference.units[m.unit].additive] for t in tables
    }
    manifest, planted, total_bytes = [], [], 0
    for k, province in enumerate(codes):
        write_province_seeds(folder / "seeds" / province, REFERENCE_DIR, k)
        own_seed = seed + k
        builder = CubeBuilder(reference, own_seed, tables)
        chosen = choose(tables, additive, list(years), own_seed)
        planned = {(t.id, y): (kind, m) for kind, t, y, m in chosen}
        for year in years:
            for table in (t for t in tables if t.published_in(year)):
                cube = builder.build(table, year)
                sprinkle_symbols(cube, reference, own_seed)
                if (table.id, year) in planned:
                    kind, measure = planned[(table.id, year)]
                    rng = rng_for(own_seed, "plant", table.id, year)
                    done = plant(kind, cube, measure, rng)
                    planted.append({"province": province, **done.row(),
                                    "geo_code": recode(done.geo_code, province)})  # fmt: skip
                as_province(cube, province, k)
                habits = habits_for(table.agency, year, own_seed)
                relative = Path("files", province, str(year), table.agency,
                                f"{table.id}.{habits.extension}")  # fmt: skip
                write_agency_file(cube, reference, habits, folder / relative)
                data = (folder / relative).read_bytes()
                total_bytes += len(data)
                manifest.append({
                    "province": province, "path": relative.as_posix(), "table_id": table.id,
                    "year": year, "agency": table.agency,
                    "sha256": hashlib.sha256(data).hexdigest(), **dataclasses.asdict(habits),
                })  # fmt: skip
        if progress:
            progress(f"province {province} ({k + 1} of {len(codes)}): {len(manifest)} files")
    _write_csv(folder / "manifest.csv", manifest, list(manifest[0]))
    fields = ["province", "kind", "table_id", "year", "geo_code", "measure", "note_en", "note_fa"]
    _write_csv(folder / "anomalies.csv", planted, fields)
    seconds = time.perf_counter() - start
    return NationalSet(folder, codes, years, len(manifest), total_bytes, len(planted), seconds)


def parse_years(text: str) -> tuple[int, ...]:
    first, _, last = text.partition("-")
    return tuple(range(int(first), int(last or first) + 1))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.national", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--out", type=Path, required=True, help="folder to write into")
    parser.add_argument("--provinces", type=int, default=MAX_PROVINCES)
    parser.add_argument("--years", type=parse_years, default=YEARS, help="e.g. 1390-1409")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    made = generate_national(args.out, args.provinces, args.years, args.seed, progress=print)
    print(
        f"{made.files:,} files ({made.bytes / 2**20:.0f} MB) for {len(made.codes)} provinces x "
        f"{len(made.years)} years, {made.anomalies} planted anomalies, in {made.seconds:.0f} s: "
        f"{made.folder}"
    )


if __name__ == "__main__":
    main()

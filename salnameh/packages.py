"""A province's package as the national hub reads it: checked whole before anything is kept.

A province hands SCI a released edition as a folder `salnameh-package-<PP>-<YEAR>-edition-<N>/`
(written by `salnameh export --format package`): `manifest.json` (province, year, edition,
catalog and reference versions, each file's SHA-256, size and rows, counts) beside
`observations.parquet` (one row per released observation), the same rows as SDMX-CSV in
`observations.csv`, `footnotes.csv` and `revisions.csv`. Reading one checks every file against
the manifest and the manifest against itself and the observations; the first thing wrong is
refused with its reason in Persian and English. Nothing here writes anything.
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from salnameh.reference import Reference

FORMAT = "salnameh-package"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
OBSERVATIONS = "observations.parquet"
# The files every package holds, and the columns of the tabular ones.
FILES = ("observations.parquet", "observations.csv", "footnotes.csv", "revisions.csv")
OBSERVATION_COLUMNS = (
    "province",
    "table_id",
    "year",
    "geo",
    "dim_key",
    "measure",
    "value",
    "flag",
    "unit",
    "edition",
    "submission_id",
)
CSV_COLUMNS = {
    "footnotes.csv": ("table_id", "year", "fa", "en"),
    "revisions.csv": (
        "table_id",
        "geo",
        "dim_key",
        "measure",
        "previous_edition",
        "previous_value",
        "value",
        "previous_flag",
        "flag",
    ),
}


class PackageRefused(Exception):
    """A package the hub does not take, with why in Persian and English."""

    def __init__(self, path: Path, fa: str, en: str) -> None:
        super().__init__(f"{path.name}: {en}")
        self.path = path
        self.fa = fa
        self.en = en


@dataclass(frozen=True)
class PackageFile:
    name: str
    sha256: str
    size_bytes: int
    path: Path


@dataclass(frozen=True)
class Package:
    """A package whose every file and count agrees with its manifest."""

    path: Path
    manifest: dict
    manifest_sha256: str
    province: str
    year: int
    edition: int
    catalog_version: str
    released_at: str
    files: dict[str, PackageFile]
    n_tables: int
    n_observations: int

    @property
    def content(self) -> frozenset[tuple[str, str]]:
        """What the package holds, apart from when and by whom its manifest was written."""
        return frozenset((f.name, f.sha256) for f in self.files.values())

    @property
    def label(self) -> str:
        return f"province {self.province}, {self.year}, edition {self.edition}"


def folder_name(province: str, year: int, edition: int) -> str:
    return f"salnameh-package-{province}-{year}-edition-{edition}"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_package(
    path: Path, reference: Reference, known_catalogs: set[str], own_catalog=None
) -> Package:
    """The package at `path`, verified; raises PackageRefused naming the first problem.

    `known_catalogs` are the catalog versions the hub can read; `own_catalog` (the hub's
    Catalog), when the package was made with it, lets the tables be checked by id too.
    """
    path = Path(path)

    def refuse(fa: str, en: str):
        raise PackageRefused(path, fa, en)

    manifest_path = path / MANIFEST
    if not path.is_dir() or not manifest_path.is_file():
        refuse(
            f"«{path}» بسته انتشار نیست: پوشه‌ای با {MANIFEST} لازم است.",
            f"{path} is not a package: a folder holding {MANIFEST} is expected.",
        )
    raw = manifest_path.read_bytes()
    try:
        manifest = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        refuse(f"{MANIFEST} خوانا نیست ({error}).", f"{MANIFEST} is not valid JSON ({error}).")
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        refuse(f"{MANIFEST} از قالب {FORMAT} نیست.", f"{MANIFEST} is not a {FORMAT} manifest.")
    if manifest.get("format_version") != FORMAT_VERSION:
        refuse(
            f"نسخه قالب بسته ({manifest.get('format_version')}) شناخته نیست؛ این مرکز نسخه "
            f"{FORMAT_VERSION} را می‌خواند.",
            f"Package format version {manifest.get('format_version')!r} is not known; this "
            f"hub reads version {FORMAT_VERSION}.",
        )
    province, year, edition, catalog_version, released_at = _identity(manifest, refuse)
    if province not in reference.provinces:
        refuse(
            f"استان «{province}» در داده‌های مرجع (geography.csv) نیست؛ بسته پذیرفته نشد.",
            f"The manifest names province {province!r}, which is not in the reference seeds "
            "(geography.csv); the package is refused.",
        )
    expected_name = folder_name(province, year, edition)
    if path.name.startswith("salnameh-package-") and path.name != expected_name:
        refuse(
            f"نام پوشه ({path.name}) با مانیفست ({expected_name}) نمی‌خواند.",
            f"The folder's name ({path.name}) disagrees with its manifest ({expected_name}).",
        )
    if catalog_version not in known_catalogs:
        refuse(
            f"نسخه فهرست جدول‌ها ({catalog_version}) برای این مرکز شناخته نیست؛ نخست آن فهرست را "
            "به مرکز بدهید (salnameh national know-catalog).",
            f"Catalog version {catalog_version} is not known to this hub (it knows "
            f"{', '.join(sorted(known_catalogs))}); give the hub that catalog first "
            "(`salnameh national know-catalog`).",
        )
    files = _checked_files(path, manifest, refuse)
    counts = manifest.get("counts")
    if not isinstance(counts, dict) or not all(
        isinstance(counts.get(k), int) for k in ("tables", "observations")
    ):
        refuse(
            f"شمارش‌های {MANIFEST} (counts.tables، counts.observations) نیست.",
            f"{MANIFEST} lacks counts.tables and counts.observations.",
        )
    _check_observations(
        files[OBSERVATIONS].path,
        manifest,
        province,
        year,
        edition,
        reference,
        own_catalog if catalog_version == getattr(own_catalog, "version", None) else None,
        refuse,
    )
    for name, columns in CSV_COLUMNS.items():
        _check_csv(files[name].path, columns, manifest["files"][name].get("rows"), refuse)
    if edition == 1 and _csv_rows(files["revisions.csv"].path):
        refuse(
            "ویرایش ۱ تجدیدنظری ندارد، اما revisions.csv ردیف دارد.",
            "Edition 1 revises nothing, yet revisions.csv holds rows.",
        )
    csv_rows = manifest["files"]["observations.csv"].get("rows")
    if csv_rows is not None and csv_rows != counts["observations"]:
        refuse(
            "شمار ردیف‌های observations.csv با شمار مشاهدات نمی‌خواند.",
            f"observations.csv is said to hold {csv_rows} rows, the package "
            f"{counts['observations']} observations.",
        )
    return Package(
        path=path,
        manifest=manifest,
        manifest_sha256=hashlib.sha256(raw).hexdigest(),
        province=province,
        year=year,
        edition=edition,
        catalog_version=catalog_version,
        released_at=released_at,
        files=files,
        n_tables=counts["tables"],
        n_observations=counts["observations"],
    )


def _identity(manifest: dict, refuse) -> tuple[str, int, int, str, str]:
    province = manifest.get("province")
    code = province.get("code") if isinstance(province, dict) else None
    year, edition = manifest.get("year"), manifest.get("edition")
    catalog_version, released_at = manifest.get("catalog_version"), manifest.get("released_at")
    if not isinstance(code, str) or not code:
        refuse(
            f"{MANIFEST} کد استان (province.code) ندارد.",
            f"{MANIFEST} names no province (province.code).",
        )
    if not isinstance(year, int) or not isinstance(edition, int) or edition < 1:
        refuse(
            f"سال یا شماره ویرایش در {MANIFEST} درست نیست.",
            f"{MANIFEST}: year and edition must be whole numbers, the edition from 1.",
        )
    if not isinstance(catalog_version, str) or not isinstance(released_at, str):
        refuse(
            f"{MANIFEST} نسخه فهرست جدول‌ها یا تاریخ انتشار ندارد.",
            f"{MANIFEST} lacks catalog_version or released_at.",
        )
    return code, year, edition, catalog_version, released_at


def _checked_files(path: Path, manifest: dict, refuse) -> dict[str, PackageFile]:
    """Every file the manifest lists, present with its size and SHA-256, and no other."""
    listed = manifest.get("files")
    if not isinstance(listed, dict):
        refuse(f"{MANIFEST} فهرست پرونده‌ها (files) ندارد.", f"{MANIFEST} lists no files.")
    for name in FILES:
        if name not in listed:
            refuse(
                f"{MANIFEST} پرونده {name} را نام نمی‌برد.",
                f"{MANIFEST} does not list {name}, which every package holds.",
            )
    present = {p.name for p in path.iterdir()} - {MANIFEST}
    for name in sorted(present - set(listed)):
        refuse(
            f"پرونده {name} در بسته هست اما در {MANIFEST} نیست.",
            f"{name} is in the package folder but not in {MANIFEST}.",
        )
    files = {}
    for name, stated in listed.items():
        file = path / name
        if "/" in name or name.startswith(".") or not file.is_file():
            refuse(
                f"پرونده {name} که {MANIFEST} نام برده در بسته نیست.",
                f"{name}, listed in {MANIFEST}, is not in the package.",
            )
        if not isinstance(stated, dict) or not isinstance(stated.get("sha256"), str):
            refuse(
                f"{MANIFEST}: برای {name} چکیده SHA-256 نیامده است.",
                f"{MANIFEST} gives no SHA-256 for {name}.",
            )
        size = file.stat().st_size
        if stated.get("bytes") != size:
            refuse(
                f"اندازه {name} ({size} بایت) با {MANIFEST} ({stated.get('bytes')}) نمی‌خواند.",
                f"{name} is {size} bytes; {MANIFEST} says {stated.get('bytes')}.",
            )
        digest = sha256_of(file)
        if digest != stated["sha256"]:
            refuse(
                f"چکیده SHA-256 پرونده {name} با {MANIFEST} نمی‌خواند: پرونده دستکاری یا "
                "ناقص منتقل شده است.",
                f"{name}'s SHA-256 ({digest[:12]}...) is not the one {MANIFEST} states "
                f"({stated['sha256'][:12]}...): the file was changed or damaged in transit.",
            )
        files[name] = PackageFile(name, digest, size, file)
    return files


def _check_observations(
    path: Path,
    manifest: dict,
    province: str,
    year: int,
    edition: int,
    reference: Reference,
    catalog,
    refuse,
) -> None:
    """The observations agree with the manifest: columns, rows, province, year, edition,
    tables, places of the province that year, one row per cell."""
    import duckdb

    con = duckdb.connect()
    try:
        try:
            con.execute("CREATE TABLE obs AS SELECT * FROM read_parquet(?)", [str(path)])
            columns = tuple(r[0] for r in con.execute("DESCRIBE obs").fetchall())
        except duckdb.Error as error:
            refuse(
                f"{OBSERVATIONS} خوانا نیست ({error}).", f"{OBSERVATIONS} cannot be read ({error})."
            )
        if set(columns) != set(OBSERVATION_COLUMNS):
            refuse(
                f"ستون‌های {OBSERVATIONS} با قالب بسته نمی‌خواند: {', '.join(columns)}",
                f"{OBSERVATIONS} has columns {', '.join(columns)}; the format has "
                f"{', '.join(OBSERVATION_COLUMNS)}.",
            )
        rows, tables, provinces, years, editions, cells, blank = con.execute(
            "SELECT count(*), count(DISTINCT table_id), list(DISTINCT province),"
            " list(DISTINCT year), list(DISTINCT edition),"
            " count(DISTINCT (table_id, geo, dim_key, measure)),"
            " count(*) FILTER (WHERE value IS NULL AND flag IS NULL) FROM obs"
        ).fetchone()
        stated = manifest["files"][OBSERVATIONS].get("rows")
        counts = manifest.get("counts", {})
        if rows != counts.get("observations") or (stated is not None and stated != rows):
            refuse(
                f"{OBSERVATIONS} {rows} ردیف دارد؛ {MANIFEST} {counts.get('observations')} "
                "مشاهده گفته است.",
                f"{OBSERVATIONS} holds {rows} rows; {MANIFEST} states "
                f"{counts.get('observations')} observations ({stated} rows for the file).",
            )
        if tables != counts.get("tables"):
            refuse(
                f"بسته {tables} جدول دارد؛ {MANIFEST} {counts.get('tables')} گفته است.",
                f"The observations cover {tables} tables; {MANIFEST} states "
                f"{counts.get('tables')}.",
            )
        for what, found, wanted in (
            ("province", provinces, province),
            ("year", years, year),
            ("edition", editions, edition),
        ):
            if rows and [str(v) for v in found] != [str(wanted)]:
                refuse(
                    f"ستون {what} مشاهدات ({found}) با {MANIFEST} ({wanted}) نمی‌خواند.",
                    f"The observations' {what} ({', '.join(map(str, found))}) is not the "
                    f"manifest's ({wanted}).",
                )
        if cells != rows:
            refuse(
                "یک خانه جدول بیش از یک بار در مشاهدات آمده است.",
                "A cell (table, place, members, measure) appears more than once.",
            )
        if blank:
            refuse(
                f"{blank} مشاهده نه رقم دارند نه نماد.",
                f"{blank} observations have neither a value nor a symbol (flag).",
            )
        places = {g.code for g in Reference(reference.seeds_dir, province).geography_in(year)}
        geos = [r[0] for r in con.execute("SELECT DISTINCT geo FROM obs ORDER BY 1").fetchall()]
        foreign = [g for g in geos if g not in places]
        if foreign:
            refuse(
                f"مکان‌های {', '.join(foreign[:5])} در سال {year} از استان {province} نیستند.",
                f"Places {', '.join(foreign[:5])} are not province {province}'s in {year}.",
            )
        if catalog is not None:
            ids = [r[0] for r in con.execute("SELECT DISTINCT table_id FROM obs").fetchall()]
            unknown = sorted(t for t in ids if t not in catalog.tables)
            if unknown:
                refuse(
                    f"جدول‌های {', '.join(unknown[:5])} در فهرست جدول‌ها نیستند.",
                    f"Tables {', '.join(unknown[:5])} are not in the catalog.",
                )
    finally:
        con.close()


def _csv_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _check_csv(path: Path, columns: tuple[str, ...], stated_rows, refuse) -> None:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        rows = sum(1 for _ in reader)
    if header is None or tuple(header) != columns:
        refuse(
            f"سرستون‌های {path.name} با قالب بسته نمی‌خواند.",
            f"{path.name} has columns {header}; the format has {list(columns)}.",
        )
    if stated_rows is not None and stated_rows != rows:
        refuse(
            f"{path.name} {rows} ردیف دارد؛ {MANIFEST} {stated_rows} گفته است.",
            f"{path.name} holds {rows} rows; {MANIFEST} says {stated_rows}.",
        )

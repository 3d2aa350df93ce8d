"""SCI's national hub: receiving provinces' packages, and what its build reads from them.

A hub is an installation of the same product (`salnameh init --national`) whose inputs are
the released editions provinces send as packages (salnameh.packages), not agency files.
Receiving verifies a package whole, copies its files into the archive by SHA-256 and
records it in the ledger in one transaction; a refused package leaves no record. The
build then loads every received package into the raw layer, each table of a package as one
submission carrying its province, and presents the packages to dbt as the ledger's tables
(every edition approved and released), so the one dbt project builds the national marts
with the province as a column.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from salnameh import archive
from salnameh.catalog import Catalog, catalog_version
from salnameh.faults import pause_if_fault
from salnameh.ledger import Ledger
from salnameh.packages import FORMAT, OBSERVATIONS, Package, PackageRefused, read_package
from salnameh.receipts import Receipt, Receipts
from salnameh.reference import Reference
from salnameh.settings import SETTLE_SECONDS, Home


@dataclass(frozen=True)
class Received:
    """What became of one package: received, unchanged or refused (with why)."""

    path: Path
    verdict: str
    package: Package | None = None
    fa: str = ""
    en: str = ""
    superseded: list[int] = field(default_factory=list)  # editions it supersedes
    revisions: int = 0


def known_catalogs(receipts: Receipts) -> set[str]:
    """The hub's own catalog version and every one it was given."""
    return {catalog_version(), *receipts.known_catalogs()}


def receive(
    home: Home,
    paths: list[Path],
    actor: str,
    catalog: Catalog | None = None,
    reference: Reference | None = None,
) -> list[Received]:
    """Verify and record each package; each is taken whole or not at all."""
    receipts = Receipts(Ledger(home.ledger_url))
    reference = reference or Reference()
    outcomes = []
    for path in paths:
        try:
            outcomes.append(_receive_one(home, receipts, Path(path), actor, catalog, reference))
        except PackageRefused as refused:
            outcomes.append(Received(Path(path), "refused", fa=refused.fa, en=refused.en))
    return outcomes


def waiting_packages(home: Home, now: float | None = None) -> list[Path]:
    """Package folders dropped in the hub's inbox (`<hub>/inbox/salnameh-package-*/`),
    oldest first; one whose newest file is still settling waits for the next look."""
    if not home.inbox_dir.is_dir():
        return []
    now = time.time() if now is None else now
    waiting = []
    for folder in home.inbox_dir.glob(f"{FORMAT}-*"):
        files = [f for f in folder.rglob("*") if f.is_file()] if folder.is_dir() else []
        newest = max((f.stat().st_mtime for f in files), default=now)
        if files and now - newest >= SETTLE_SECONDS:
            waiting.append((newest, folder))
    return [folder for _newest, folder in sorted(waiting)]


def receive_inbox(home: Home, actor: str, catalog: Catalog | None = None) -> list[Received]:
    """Receive every package waiting in the hub's inbox, as `national receive` does; each
    then leaves the inbox: to `<hub>/processed/<UTC date>/` when received or unchanged, to
    `<hub>/refused/<UTC date>/` with a REFUSED.txt saying why (Persian and English)."""
    outcomes = receive(home, waiting_packages(home), actor, catalog)
    day = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")
    for outcome in outcomes:
        refused = outcome.verdict == "refused"
        target = (home.root / "refused" if refused else home.processed_dir) / day
        target.mkdir(parents=True, exist_ok=True)
        moved = target / outcome.path.name
        if moved.exists():  # the same folder name delivered twice in a day
            moved = target / f"{outcome.path.name}-{time.time_ns()}"
        shutil.move(str(outcome.path), moved)
        if refused:
            (moved / "REFUSED.txt").write_text(f"{outcome.fa}\n{outcome.en}\n", encoding="utf-8")
    return outcomes


def _receive_one(home, receipts, path, actor, catalog, reference) -> Received:
    package = read_package(path, reference, known_catalogs(receipts), catalog)
    held = [r for r in receipts.all() if (r.province, r.year) == (package.province, package.year)]
    same = next((r for r in held if r.edition == package.edition), None)
    if same is not None:
        if frozenset(same.files.items()) == package.content:
            receipts.mark_unchanged(same.package_id, actor, f"the same package again: {path}")
            return Received(path, "unchanged", package)
        raise PackageRefused(
            path,
            f"ویرایش {package.edition} سال {package.year} استان {package.province} پیش‌تر با "
            "محتوای دیگری دریافت شده است؛ تغییر ارقام ویرایش تازه‌ای می‌خواهد.",
            f"Edition {package.edition} of {package.year} from province {package.province} was "
            f"received before ({same.received_at}) with other content; changed figures need "
            "a new edition.",
        )
    previous = max(
        (r for r in held if r.edition < package.edition), default=None, key=lambda r: r.edition
    )
    revisions = _revisions(home, previous, package) if previous else []
    for f in package.files.values():  # content-addressed: storing twice is a no-op
        archive.store(home.archive_dir, f.path.read_bytes())
    pause_if_fault("receive_archived", home)
    newer = max((r.edition for r in held if r.edition > package.edition), default=None)
    supersedes = [r for r in held if r.edition < package.edition and r.state != "superseded"]
    receipts.record(
        package=package,
        actor=actor,
        revisions=revisions,
        newer_held=newer,
        supersedes=[] if newer else [r.package_id for r in supersedes],
    )
    return Received(
        path,
        "received",
        package,
        superseded=[] if newer else [r.edition for r in supersedes],
        revisions=len(revisions),
    )


def _revisions(home: Home, previous: Receipt, package: Package) -> list[tuple]:
    """The cells whose value or symbol differ from the previous edition the hub holds."""
    import duckdb

    old = archive.archived_path(home.archive_dir, previous.files[OBSERVATIONS])
    with duckdb.connect() as con:
        return con.execute(
            "SELECT coalesce(n.table_id, o.table_id), coalesce(n.geo, o.geo),"
            " coalesce(n.dim_key, o.dim_key), coalesce(n.measure, o.measure), ?,"
            " o.value, n.value, o.flag, n.flag"
            " FROM read_parquet(?) AS n FULL OUTER JOIN read_parquet(?) AS o"
            " USING (table_id, geo, dim_key, measure)"
            " WHERE n.value IS DISTINCT FROM o.value OR n.flag IS DISTINCT FROM o.flag"
            " ORDER BY 1, 2, 3, 4",
            [previous.edition, str(package.files[OBSERVATIONS].path), str(old)],
        ).fetchall()


def status(home: Home, reference: Reference | None = None) -> list[dict]:
    """Every package received: which province delivered which edition of which year, when."""
    provinces = (reference or Reference()).provinces
    rows = []
    for r in Receipts(Ledger(home.ledger_url)).all():
        names = provinces.get(r.province)
        rows.append(
            {
                "province": r.province,
                "province_fa": names.short_fa if names else "",
                "province_en": names.short_en if names else "",
                "year": r.year,
                "edition": r.edition,
                "state": r.state,
                "released_at": r.released_at,
                "received_at": r.received_at,
                "tables": r.n_tables,
                "observations": r.n_observations,
                "manifest_sha256": r.manifest_sha256,
                "catalog_version": r.catalog_version,
            }
        )
    return rows


# ------------------------------------------------------------------------- the build


def _utc(text: str) -> str:
    """An ISO 8601 time as the ledger writes it (UTC, '+00:00'), whatever zone it came in."""
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds")


def package_frame(home: Home, receipts: list[Receipt]) -> pd.DataFrame:
    """One row per received package, with its edition id (ordered by province, year and
    edition, so a later edition always has the larger id) and whether it is the one that
    counts: the latest edition of its province and year."""
    rows = sorted(receipts, key=lambda r: (r.province, r.year, r.edition))
    latest = {}
    for r in rows:
        latest[(r.province, r.year)] = r.edition
    return pd.DataFrame(
        [
            {
                "package_id": r.package_id,
                "edition_id": i,
                "province": r.province,
                "year": r.year,
                "edition": r.edition,
                "catalog_version": r.catalog_version,
                "released_at": _utc(r.released_at),
                "received_at": _utc(r.received_at),
                "sha256": r.files[OBSERVATIONS],
                "path": str(archive.archived_path(home.archive_dir, r.files[OBSERVATIONS])),
                "is_latest": latest[(r.province, r.year)] == r.edition,
            }
            for i, r in enumerate(rows, start=1)
        ],
        columns=[
            "package_id",
            "edition_id",
            "province",
            "year",
            "edition",
            "catalog_version",
            "released_at",
            "received_at",
            "sha256",
            "path",
            "is_latest",
        ],
    )


# Each table of a package is one submission of the hub's raw layer; its values keep the
# row of observations.parquet they came from.
_READ_PACKAGES = """
CREATE OR REPLACE TEMP TABLE package_values AS
SELECT p.package_id, o.*, o.file_row_number + 1 AS source_row
FROM read_parquet(?, filename = true, file_row_number = true) AS o
INNER JOIN packages AS p ON p.path = o.filename
"""
_LOAD_RAW = """
CREATE OR REPLACE TEMP TABLE package_submissions AS
SELECT row_number() OVER (ORDER BY package_id, table_id, submission_id) AS hub_submission_id,
       package_id, table_id, submission_id, n_values
FROM (SELECT package_id, table_id, submission_id, count(*) AS n_values
      FROM package_values GROUP BY package_id, table_id, submission_id);
DELETE FROM raw.submission_values;
DELETE FROM raw.submissions;
INSERT INTO raw.submissions (submission_id, sha256, filename, table_id, period, sheet, agency,
                             uploader, catalog_version, received_at, n_values, province)
SELECT s.hub_submission_id, p.sha256,
       'salnameh-package-' || p.province || '-' || p.year || '-edition-' || p.edition
           || '/observations.parquet',
       s.table_id, p.year, 'observations.parquet', coalesce(t.agency, ''),
       'province ' || p.province, p.catalog_version, p.received_at, s.n_values, p.province
FROM package_submissions AS s
INNER JOIN packages AS p USING (package_id)
LEFT JOIN table_agencies AS t USING (table_id);
INSERT INTO raw.submission_values (submission_id, geo, dim_key, measure, value, flag,
                                   source_row, source_column, source_sheet)
SELECT s.hub_submission_id, v.geo, v.dim_key, v.measure, v.value, v.flag, v.source_row,
       'value', NULL
FROM package_values AS v
INNER JOIN package_submissions AS s USING (package_id, table_id, submission_id);
"""


def stage_packages(con, home: Home, catalog: Catalog, reference: Reference) -> dict[str, int]:
    """Load every received package into the raw layer, then copy the catalog and the
    packages (as the ledger's tables) in: what stage_inputs does for a province."""
    from salnameh.build_inputs import copy_inputs

    ledger = Ledger(home.ledger_url)
    packages = package_frame(home, Receipts(ledger).all())
    agencies = pd.DataFrame(
        {"table_id": [t.id for t in catalog], "agency": [t.agency for t in catalog]}
    )
    con.register("packages", packages)
    con.register("table_agencies", agencies)
    con.execute("BEGIN TRANSACTION")
    try:
        if packages.empty:
            con.execute("DELETE FROM raw.submission_values; DELETE FROM raw.submissions;")
        else:
            con.execute(_READ_PACKAGES, [packages["path"].tolist()])
            con.execute(_LOAD_RAW)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    tables = _ledger_tables(con)
    con.unregister("packages")
    con.unregister("table_agencies")
    copied = copy_inputs(con, catalog, reference, ledger, ledger_tables=tables)
    return {**copied, "raw.submissions": len(tables["submissions"])}


def _ledger_tables(con) -> dict[str, pd.DataFrame]:
    """The packages as the ledger's tables: each package an edition of its province's year,
    each of its tables a submission, approved by the province and loaded while it is the
    latest edition (superseded after)."""
    submissions = con.execute(
        "SELECT s.submission_id, s.sha256, s.filename, 0 AS size_bytes, s.table_id,"
        " s.period AS year, s.agency, 'package' AS identified_by, s.uploader,"
        " s.catalog_version, s.received_at, 'accepted' AS verdict, s.n_values,"
        " 0 AS n_errors, 0 AS n_warnings,"
        " CASE WHEN p.is_latest THEN 'loaded' ELSE 'superseded' END AS state,"
        " s.received_at AS state_at, s.province, p.edition_id, p.released_at"
        " FROM raw.submissions AS s"
        " INNER JOIN packages AS p ON p.province = s.province AND p.year = s.period"
        "   AND p.sha256 = s.sha256"
        " ORDER BY s.submission_id"
    ).df()
    editions = con.execute(
        "SELECT edition_id, year, edition AS number, released_at,"
        " 'province ' || province AS released_by, '' AS note, province FROM packages"
    ).df()
    reviews = pd.DataFrame(
        {
            "review_id": submissions["submission_id"],
            "submission_id": submissions["submission_id"],
            "decision": "approved",
            "reviewer": submissions["uploader"],
            "at": submissions["released_at"],
            "comment": "",
        }
    )
    held = submissions[["edition_id", "submission_id"]]
    return {
        "submissions": submissions.drop(columns=["edition_id", "released_at"]),
        "reviews": reviews,
        "editions": editions,
        "edition_submissions": held,
    }

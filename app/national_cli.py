"""`salnameh national`: SCI's hub receiving provinces' packages, and what it holds.

Exit codes as the rest of the CLI: 0 done, 1 a package was refused, 2 bad usage (a home
that is not a national hub).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click


@click.group()
def national() -> None:
    """SCI's national hub: receive provinces' packages, see who delivered what."""


def _hub_or_exit(salnameh_home) -> None:
    if not salnameh_home.is_national:
        click.echo(
            f"{salnameh_home.root} is province {salnameh_home.province}'s home, not a national "
            "hub (make one with `salnameh init --national`).\nاین پوشه از آن یک استان است، نه "
            "مرکز ملی (با «salnameh init --national» بسازید).",
            err=True,
        )
        sys.exit(2)


@national.command()
@click.argument(
    "packages",
    nargs=-1,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
)
@click.option(
    "--inbox", "from_inbox", is_flag=True,
    help="The packages waiting in <hub>/inbox (then in processed/ or refused/).",
)  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="One JSON report for scripts.")
@click.pass_obj
def receive(salnameh_home, packages: tuple[Path, ...], from_inbox: bool, as_json: bool) -> None:
    """Verify and record provinces' packages (folders salnameh-package-PP-YEAR-edition-N).

    Each package is taken whole or not at all. Exit 0 when every one was received (or had
    been already), 1 when any was refused.
    """
    import getpass

    from salnameh.catalog import CatalogError, load_catalog
    from salnameh.national import receive as receive_packages
    from salnameh.national import receive_inbox

    _hub_or_exit(salnameh_home)
    if bool(packages) == from_inbox:
        click.echo("Name the package folders, or --inbox for those waiting in the hub's inbox.",
                   err=True)  # fmt: skip
        sys.exit(2)
    try:
        catalog = load_catalog()
    except CatalogError as error:
        click.echo(str(error), err=True)
        sys.exit(2)
    if from_inbox:
        outcomes = receive_inbox(salnameh_home, getpass.getuser(), catalog)
    else:
        outcomes = receive_packages(salnameh_home, list(packages), getpass.getuser(), catalog)
    if as_json:
        click.echo(json.dumps([_outcome_json(o) for o in outcomes], ensure_ascii=False, indent=2))
    for o in outcomes if not as_json else ():
        if o.verdict == "refused":
            click.echo(
                f"{o.path.name}: refused: {o.en}\n{o.path.name}: پذیرفته نشد: {o.fa}", err=True
            )
            continue
        p = o.package
        line = (
            f"{o.path.name}: {o.verdict}: {p.label}, {p.n_tables} tables, "
            f"{p.n_observations} observations"
        )
        if o.superseded:
            line += (
                f"; supersedes edition {', '.join(map(str, o.superseded))}"
                f" ({o.revisions} observations revised)"
            )
        click.echo(line)
    sys.exit(1 if any(o.verdict == "refused" for o in outcomes) else 0)


def _outcome_json(o) -> dict:
    found = {"package": str(o.path), "verdict": o.verdict}
    if o.package is not None:
        found.update(
            province=o.package.province,
            year=o.package.year,
            edition=o.package.edition,
            manifest_sha256=o.package.manifest_sha256,
            supersedes=o.superseded,
            revisions=o.revisions,
        )
    if o.verdict == "refused":
        found.update(reason_en=o.en, reason_fa=o.fa)
    return found


@national.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON list for scripts.")
@click.pass_obj
def status(salnameh_home, as_json: bool) -> None:
    """Which province delivered which edition of which year, and when."""
    from salnameh.national import status as hub_status

    _hub_or_exit(salnameh_home)
    rows = hub_status(salnameh_home)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("no package received yet")
        return
    click.echo(
        f"{'province':24} {'year':>5} {'edition':>7} {'state':10} {'observations':>12}"
        "  received (UTC)"
    )
    for r in rows:
        who = f"{r['province']} {r['province_en']}"
        click.echo(
            f"{who:24} {r['year']:>5} {r['edition']:>7} {r['state']:10} "
            f"{r['observations']:>12}  {r['received_at'][:19]}"
        )
    provinces = {r["province"] for r in rows}
    click.echo(f"{len(provinces)} provinces delivered")


@national.command("know-catalog")
@click.argument("catalog_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.pass_obj
def know_catalog(salnameh_home, catalog_dir: Path) -> None:
    """Let the hub receive packages made with the catalog in CATALOG_DIR (its YAML files)."""
    from salnameh.catalog import catalog_version
    from salnameh.ledger import Ledger
    from salnameh.receipts import Receipts

    _hub_or_exit(salnameh_home)
    if not any(catalog_dir.glob("*.yaml")):
        raise click.UsageError(f"{catalog_dir} holds no catalog declarations (*.yaml)")
    version = catalog_version(catalog_dir)
    added = Receipts(Ledger(salnameh_home.ledger_url)).know_catalog(
        version, str(catalog_dir.resolve())
    )
    click.echo(f"catalog {version} {'known now' if added else 'was known already'}")

"""The assets, from agency file to published snapshot.

raw.values (the inbox, ingested) -> catalog.* and ledger.* (copied into the warehouse)
-> the dbt models, whose tests are their asset checks -> internal_snapshot, public_snapshot.

Every step calls the same function as the CLI (`salnameh ingest --inbox`, `salnameh build`),
so there is one pipeline. Every step that writes the warehouse is in the `warehouse` pool
and takes the writer lock, so a sensor firing during a nightly build waits for it.
"""

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from ingestion.inbox import ingest_inbox
from orchestration.dbt_project import dbt_project
from orchestration.resources import SalnamehHome
from publishing.export import export_edition
from salnameh.build_inputs import CATALOG_TABLES, LEDGER_TABLES
from salnameh.catalog import load_catalog
from salnameh.collection import PIPELINE, open_years, refer_added_tables, remind
from salnameh.ledger import Ledger
from salnameh.national import receive_inbox
from salnameh.reference import Reference
from salnameh.warehouse import (
    PRODUCTION_BUILD,
    dbt_vars,
    publish_snapshots,
    stage_inputs,
    writer_lock,
)

WAREHOUSE_POOL = "warehouse"


RAW_KEYS = [dg.AssetKey(["raw", "values"]), dg.AssetKey(["raw", "submissions"])]
INPUT_KEYS = [dg.AssetKey(["catalog", t]) for t in CATALOG_TABLES] + [
    dg.AssetKey(["ledger", t]) for t in LEDGER_TABLES
] + [dg.AssetKey(["build", "scope"])]  # every table: Dagster's builds are dbt's, whole


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            RAW_KEYS[0],
            group_name="ingestion",
            description='raw."values": one row per value of every accepted file (a view of'
            " raw.submission_values and raw.submissions).",
        ),
        dg.AssetSpec(
            RAW_KEYS[1],
            group_name="ingestion",
            description="raw.submissions: the files whose values are loaded.",
        ),
    ],
    pool=WAREHOUSE_POOL,
)
def inbox_ingestion(context: dg.AssetExecutionContext, salnameh: SalnamehHome):
    """Agency files waiting in <home>/inbox, validated and their values loaded; each file
    then moves to <home>/processed (the archive keeps its bytes, the ledger its verdict).
    On SCI's hub the inbox holds provinces' packages: received as `national receive` does,
    their observations reach raw in the build."""
    if salnameh.home().is_national:
        yield from _receive_packages(context, salnameh.home())
        return
    run = ingest_inbox(salnameh.home(), uploader="dagster:inbox")
    rejected = [o for o in run.outcomes if o.verdict == "rejected"]
    for outcome in rejected:
        first = outcome.errors[0] if outcome.errors else None
        context.log.warning(f"rejected {outcome.path}: {first.en if first else outcome.message_en}")
    yield dg.MaterializeResult(
        asset_key=RAW_KEYS[0],
        metadata={
            "files": len(run.outcomes),
            "accepted": run.count("accepted"),
            "rejected": run.count("rejected"),
            "unchanged": run.count("unchanged"),
            "values_loaded": run.values_loaded,
            "resumed_loads": len(run.resumed),
            "rejected_files": dg.MetadataValue.md(
                "\n".join(f"- {o.path}: {o.errors[0].en if o.errors else ''}" for o in rejected)
                or "none"
            ),
        },
    )
    yield dg.MaterializeResult(asset_key=RAW_KEYS[1], metadata={"loaded": run.count("accepted")})


def _receive_packages(context: dg.AssetExecutionContext, hub):
    outcomes = receive_inbox(hub, "dagster:inbox")
    refused = [o for o in outcomes if o.verdict == "refused"]
    for outcome in refused:
        context.log.warning(f"refused {outcome.path.name}: {outcome.en}")
    verdicts = ("received", "unchanged", "refused")
    counts = {v: sum(o.verdict == v for o in outcomes) for v in verdicts}
    yield dg.MaterializeResult(
        asset_key=RAW_KEYS[0],
        metadata={
            "packages": len(outcomes),
            **counts,
            "refused_packages": dg.MetadataValue.md(
                "\n".join(f"- {o.path.name}: {o.en}" for o in refused) or "none"
            ),
        },
    )
    yield dg.MaterializeResult(asset_key=RAW_KEYS[1], metadata={"received": counts["received"]})


@dg.multi_asset(
    specs=[dg.AssetSpec(key, group_name="warehouse_inputs", deps=RAW_KEYS) for key in INPUT_KEYS],
    pool=WAREHOUSE_POOL,
)
def warehouse_inputs(salnameh: SalnamehHome):
    """The catalog (flattened from its YAML) and the ledger's state, copied into the
    warehouse's catalog and ledger schemas for dbt, in one transaction."""
    copied = stage_inputs(salnameh.home())
    for key in INPUT_KEYS:
        yield dg.MaterializeResult(
            asset_key=key, metadata={"rows": copied.get(".".join(key.path), 0)}
        )


class Translator(DagsterDbtTranslator):
    """dbt nodes keep their names; models group by layer (staging, intermediate, marts)."""

    def get_group_name(self, dbt_resource_props) -> str:
        fqn = dbt_resource_props.get("fqn", [])
        return (
            fqn[1]
            if dbt_resource_props["resource_type"] == "model" and len(fqn) > 2
            else ("reference")
        )


@contextmanager
def _dbt_home(root: str) -> Iterator[None]:
    """dbt's profile reads SALNAMEH_HOME from the environment of its process."""
    before = os.environ.get("SALNAMEH_HOME")
    os.environ["SALNAMEH_HOME"] = root
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("SALNAMEH_HOME", None)
        else:
            os.environ["SALNAMEH_HOME"] = before


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=Translator(),
    pool=WAREHOUSE_POOL,
)
def warehouse_models(context: dg.AssetExecutionContext, dbt: DbtCliResource,
                     salnameh: SalnamehHome):  # fmt: skip
    """`dbt build`: seeds, models and every test, which report as asset checks."""
    home = salnameh.home()
    target = home.root / "dbt" / "dagster"  # one folder, reused: not one per run
    with _dbt_home(str(home.root)), writer_lock(home):
        # The home's province, whose geography the models keep (as run_dbt passes it).
        args = [*PRODUCTION_BUILD, "--vars", json.dumps(dbt_vars(home))]
        yield from dbt.cli(args, context=context, target_path=target).stream()


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            "internal_snapshot",
            deps=warehouse_models.keys,
            group_name="snapshots",
            description="snapshots/internal.duckdb: the whole warehouse, for staff.",
        ),
        dg.AssetSpec(
            "public_snapshot",
            deps=warehouse_models.keys,
            group_name="snapshots",
            description="snapshots/public.duckdb: released figures and reference only.",
        ),
    ],
    pool=WAREHOUSE_POOL,
)
def snapshots(salnameh: SalnamehHome):
    """Both snapshots, swapped in atomically; readers never see a half-written file."""
    counts = publish_snapshots(salnameh.home(), dbt_project.manifest_path)
    yield dg.MaterializeResult(asset_key="internal_snapshot")
    yield dg.MaterializeResult(
        asset_key="public_snapshot",
        metadata={
            "released_values": counts.get("marts.fct_observations", 0),
            "tables": len(counts),
        },
    )


@dg.asset(
    group_name="collection",
    description="Referrals of tables added to the catalog while their year is open, then "
    "Persian reminders to agencies with overdue tables (returned ones too), "
    "their forms attached, for every collection year still open; an agency gets at most "
    "one a day (SMTP or <home>/outbox, each letter numbered and printed as PDF).",
)
def reminders(salnameh: SalnamehHome) -> dg.MaterializeResult:
    home = salnameh.home()
    ledger = Ledger(home.ledger_url)
    reference = Reference.for_home(home)
    catalog = load_catalog().in_words_of(reference)
    referred = refer_added_tables(home, ledger, catalog, reference, PIPELINE)
    sent = {
        year: remind(home, ledger, catalog, reference, year, PIPELINE)
        for year in open_years(ledger)
    }
    return dg.MaterializeResult(
        metadata={
            "open_years": dg.MetadataValue.text(", ".join(map(str, sent)) or "none"),
            "reminders_sent": sum(len(v) for v in sent.values()),
            "referrals_of_added_tables": len(referred),
        }
    )


# Reference years an edition can be exported for; a partition is one year's yearbook.
YEARS = dg.StaticPartitionsDefinition([str(year) for year in range(1385, 1416)])


@dg.asset(
    group_name="publication",
    partitions_def=YEARS,
    deps=["public_snapshot"],
    description="The newest edition of the year as xlsx, the print edition in Persian and "
    "English, csv, parquet, JSON-stat and SDMX-CSV, in <home>/exports/<year>/edition-<n>/.",
)
def yearbook_exports(context: dg.AssetExecutionContext, salnameh: SalnamehHome):
    year = int(context.partition_key)
    written = export_edition(salnameh.home(), year)
    # The print edition in English too, from the same edition (`export --lang en`).
    written["pdf_en"] = export_edition(salnameh.home(), year, ("pdf",), lang="en")["pdf"]
    return dg.MaterializeResult(
        metadata={kind: len(paths) for kind, paths in written.items()}
        | {"folder": dg.MetadataValue.path(str(next(iter(written.values()))[0].parent))}
    )

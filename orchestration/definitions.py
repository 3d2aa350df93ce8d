"""What `dagster dev -m orchestration.definitions` loads: the instances in defs/, wired to
one installation (SALNAMEH_HOME).

Runs use the in-process executor: on 2 cores a subprocess per step costs about 3 s of
imports, more than most steps.
"""

import dagster as dg

from orchestration.defs.assets import (
    inbox_ingestion,
    reminders,
    snapshots,
    warehouse_inputs,
    warehouse_models,
    yearbook_exports,
)
from orchestration.defs.automation import (
    build_and_publish,
    daily_reminders,
    edition_sensor,
    inbox_sensor,
    inbox_to_snapshots,
    ledger_sensor,
    nightly_build,
    publish_yearbook,
    send_reminders,
)
from orchestration.resources import resources_for
from salnameh.settings import Home, home


def definitions_for(salnameh_home: Home) -> dg.Definitions:
    return dg.Definitions(
        assets=[
            inbox_ingestion,
            warehouse_inputs,
            warehouse_models,
            snapshots,
            reminders,
            yearbook_exports,
        ],
        jobs=[inbox_to_snapshots, build_and_publish, send_reminders, publish_yearbook],
        sensors=[inbox_sensor, ledger_sensor, edition_sensor],
        schedules=[nightly_build, daily_reminders],
        resources=resources_for(salnameh_home),
        executor=dg.in_process_executor,
    )


defs = definitions_for(home())

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
)
from orchestration.defs.automation import (
    build_and_publish,
    daily_reminders,
    inbox_sensor,
    inbox_to_snapshots,
    ledger_sensor,
    nightly_build,
    send_reminders,
)
from orchestration.resources import resources_for
from salnameh.settings import Home, home


def definitions_for(salnameh_home: Home) -> dg.Definitions:
    return dg.Definitions(
        assets=[inbox_ingestion, warehouse_inputs, warehouse_models, snapshots, reminders],
        jobs=[inbox_to_snapshots, build_and_publish, send_reminders],
        sensors=[inbox_sensor, ledger_sensor],
        schedules=[nightly_build, daily_reminders],
        resources=resources_for(salnameh_home),
        executor=dg.in_process_executor,
    )


defs = definitions_for(home())

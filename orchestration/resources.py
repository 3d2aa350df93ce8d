"""Resources: which installation the pipeline works on, and the dbt CLI."""

from __future__ import annotations

import sys
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration.dbt_project import dbt_project
from salnameh.settings import Home, home


class SalnamehHome(dg.ConfigurableResource):
    """The installation's home folder (SALNAMEH_HOME): ledger, archive, warehouse, inbox."""

    root: str

    def home(self) -> Home:
        return home(self.root)


def resources_for(salnameh_home: Home) -> dict:
    return {
        "salnameh": SalnamehHome(root=str(salnameh_home.root)),
        # The venv's dbt, whether or not the venv is on PATH (make, dagster dev, tests).
        "dbt": DbtCliResource(
            project_dir=dbt_project, dbt_executable=str(Path(sys.executable).with_name("dbt"))
        ),
    }

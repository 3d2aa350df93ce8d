"""The one dbt project, shared by the dbt assets and the dbt resource.

The manifest is prepared before Dagster loads (`make dagster` runs `dbt parse`; under
`dagster dev` prepare_if_dev does it too): without it the definitions cannot load.
"""

from dagster_dbt import DbtProject

from salnameh.settings import DBT_PROJECT_DIR

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()

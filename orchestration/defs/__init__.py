"""The instances Dagster runs: assets, jobs, schedules, sensors. Logic lives in the
importable packages (salnameh, ingestion); these modules only wire it."""

"""Dagster definitions over the plain code of salnameh, ingestion and publishing (issue 6)."""

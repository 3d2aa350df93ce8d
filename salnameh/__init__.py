"""Salnameh core: settings, the catalog, reference data, Persian text, the Jalali calendar,
the ledger and the warehouse writer. It imports nothing of the folders that build on it
(ingestion, publishing, dashboards, orchestration, app)."""

"""Salnameh core: settings, the catalog, reference data, Persian text, the Jalali calendar,
the warehouse writer and the CLI."""

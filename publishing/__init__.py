"""Editions, exports (xlsx, pdf, csv, parquet, json-stat, sdmx), print layout, revisions.

Built in issue 8.
"""

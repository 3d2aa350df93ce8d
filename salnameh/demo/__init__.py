"""Demo data: the files agencies would send for reference years 1390-1402.

Generated at run time from the catalog, deterministically from a seed, and never committed.
Population figures are SCI's real census results for 1390 and 1395 (see census/SOURCES.md).
"""

"""Demo data: the files agencies would send for reference years 1390-1402, for any province.

Generated at run time from the catalog, deterministically from a seed, and never committed.
Population figures are SCI's real census results for 1390 and 1395: every province's from
data/census/national and SCI's 1390 workbooks, a province's own files where provinces.yaml
lists them (Tehran's, in census/; see census/SOURCES.md). Everything else is generated,
sized to the province by its census population.
"""

"""Demo data: the files agencies would send for reference years 1390-1402.

Generated at run time from the catalog, deterministically from a seed, and never committed.
Population figures are SCI's real census results for 1390 and 1395 (see census/SOURCES.md).

The shipped census files are Tehran's, the default installation's province, so the demo
is Tehran's (DEMO_PROVINCE) and runs in a home of that province only; a demo for any
province is a later step (it needs that province's census files and county weights).
"""

from salnameh.settings import DEFAULT_PROVINCE

DEMO_PROVINCE = DEFAULT_PROVINCE  # the province of the census files in census/

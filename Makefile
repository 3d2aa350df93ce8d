# Two commands for a newcomer: `make demo` and `make test` (see README.md).
SHELL := /bin/bash
SERVE ?= 1
PORT ?= 8501
export SALNAMEH_HOME ?= $(CURDIR)/var

# uv from PATH, else a private copy in .tools/ (a fresh machine has only Python and make).
UV := $(or $(shell command -v uv 2>/dev/null),$(CURDIR)/.tools/bin/uv)
SALNAMEH := .venv/bin/salnameh

.PHONY: setup compile demo dagster test bench lint format clean

$(CURDIR)/.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet uv

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	@touch $@

# Every module compiled once, here. Where PYTHONDONTWRITEBYTECODE is set (as on the shared
# machine) Python never caches what it compiles, and each command compiled pandas, pandera,
# DuckDB and dbt from source: 2.5 s of CPU in every `salnameh ingest`. The project's own
# modules are compiled at each setup (quick when up to date; one edited since is compiled
# in memory at each import until the next `make setup`), and so is the checked catalog
# (salnameh/catalog_compiled.py: used only while the files are those it was made from).
PROJECT_CODE := app ingestion salnameh publishing dashboards orchestration benchmarks
.venv/.compiled: .venv/.synced
	$(UV) sync --frozen --compile-bytecode
	@touch $@

compile: .venv/.compiled
	@.venv/bin/python -m compileall -q -j 0 $(PROJECT_CODE)
	@.venv/bin/python -m salnameh.catalog

# The portal's Persian web font, from the npm registry (optional: Noto/DejaVu otherwise).
dashboards/static/fonts/Vazirmatn-Regular.woff2: | .venv/.synced
	-.venv/bin/python -m dashboards.fonts

setup: .venv/.synced compile dashboards/static/fonts/Vazirmatn-Regular.woff2

# Everything the project has, on the demo data; SERVE=0 stops before serving the portal.
# PROVINCE=NN (SCI code, 00-30) makes a new home that province's: `make demo PROVINCE=01`
# is Gilan's yearbook (use another SALNAMEH_HOME than a home of another province).
PROVINCE ?=
PROVINCE_OPTION := $(if $(PROVINCE),--province $(PROVINCE))
demo: setup
	$(SALNAMEH) init $(PROVINCE_OPTION)
	$(SALNAMEH) catalog check
	$(SALNAMEH) demo --ingest $(PROVINCE_OPTION)
	$(SALNAMEH) build
	$(SALNAMEH) export
	$(SALNAMEH) export --format pdf --lang en
ifeq ($(SERVE),1)
	$(SALNAMEH) serve --port $(PORT)
endif

# The Dagster UI and daemon (sensors, schedules) on this installation, on DAGSTER_PORT.
DAGSTER_PORT ?= 3000
dagster: setup
	mkdir -p "$(SALNAMEH_HOME)/dagster" "$(SALNAMEH_HOME)/inbox"
	cp orchestration/dagster.yaml "$(SALNAMEH_HOME)/dagster/dagster.yaml"
	.venv/bin/dbt parse --project-dir dbt_project --profiles-dir dbt_project --quiet
	# dagster-dbt looks for `dbt` on PATH when it prepares the manifest under dagster dev.
	PATH="$(CURDIR)/.venv/bin:$$PATH" DAGSTER_HOME="$(SALNAMEH_HOME)/dagster" \
		.venv/bin/dagster dev -m orchestration.definitions \
		--port $(DAGSTER_PORT)

# One pytest worker per core (pytest-xdist). Each test file runs on one worker (its module's
# fixtures are made once). The homes many files read (the demo's, the national hub) are
# made once per run in the background from the start (tests/shared_homes.py), while the
# files that need none run first: the order tests/conftest.py gives, which xdist keeps.
TEST_WORKERS ?= auto
test: setup
	.venv/bin/ruff check .
	.venv/bin/pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder --durations=30

# Every benchmark in one run (about 25 min here; see benchmarks/README.md): writes
# benchmarks/results/<date>.json and the table in benchmarks/README.md. `make test` runs
# the same code on a tiny set (tests/test_benchmarks.py).
BENCH_ARGS ?=
bench: setup
	.venv/bin/python -m benchmarks.run $(BENCH_ARGS)

lint: setup
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

format: setup
	.venv/bin/ruff format . && .venv/bin/ruff check --fix .

clean:
	rm -rf var .pytest_cache dbt_project/target dbt_project/logs

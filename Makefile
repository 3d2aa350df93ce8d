# Two commands for a newcomer: `make demo` and `make test` (see README.md).
SHELL := /bin/bash
SERVE ?= 1
PORT ?= 8501
export SALNAMEH_HOME ?= $(CURDIR)/var

# uv from PATH, else a private copy in .tools/ (a fresh machine has only Python and make).
UV := $(or $(shell command -v uv 2>/dev/null),$(CURDIR)/.tools/bin/uv)
SALNAMEH := .venv/bin/salnameh

.PHONY: setup demo test lint format clean

$(CURDIR)/.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet uv

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	@touch $@

setup: .venv/.synced

# Everything the project has, on the demo data; SERVE=0 stops before serving the portal.
demo: setup
	$(SALNAMEH) init
	$(SALNAMEH) catalog check
	$(SALNAMEH) demo --ingest
	$(SALNAMEH) build
ifeq ($(SERVE),1)
	$(SALNAMEH) serve --port $(PORT)
endif

test: setup
	.venv/bin/ruff check .
	.venv/bin/pytest

lint: setup
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

format: setup
	.venv/bin/ruff format . && .venv/bin/ruff check --fix .

clean:
	rm -rf var .pytest_cache dbt_project/target dbt_project/logs

# The README's two commands are `make demo` and `make test`; .ci/run calls `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/stabforce

.PHONY: demo test test-sqlite test-postgres lint bench docs install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## Build the Gaza ISF demo into SQLite and serve it on http://127.0.0.1:8000
demo: $(STAMP)
	$(BIN)/stabforce demo

## The whole test suite: lint, then every test on SQLite and on PostgreSQL
test: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/python scripts/run_tests.py

test-sqlite: $(STAMP)
	$(BIN)/python scripts/run_tests.py --only sqlite

test-postgres: $(STAMP)
	$(BIN)/python scripts/run_tests.py --only postgres

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts

## Benchmarks: tables on stdout, JSON under benchmarks/results/
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

## Regenerate docs/cli.md from the commands' --help
docs: $(STAMP)
	$(BIN)/python scripts/generate_cli_docs.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

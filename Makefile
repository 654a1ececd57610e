# The two commands of the README: `make demo` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup demo test lint compile-check clean

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

demo: setup
	$(BIN)/gzchain demo

lint: setup
	$(BIN)/ruff check .

test: lint
	@echo "== lane 1 of 3: embedded chain, SQLite store (unit, contracts, API, persistence, real-node, CLI) =="
	$(BIN)/pytest
	@echo "== lane 2 of 3: contract, service and API suites again, on a real anvil node set up like Besu (zero fee) =="
	$(BIN)/pytest tests/contracts tests/services tests/api --lane anvil
	@echo "== lane 3 of 3: the store and API suites again, on PostgreSQL at 127.0.0.1:5432 =="
	$(BIN)/pytest tests/store tests/api --store postgres

compile-check: setup
	$(BIN)/gzchain compile --check

clean:
	rm -rf $(VENV) node_modules .pytest_cache

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
	@echo "== lane 1 of 2: embedded chain (unit, contracts, persistence, real-node, CLI) =="
	$(BIN)/pytest
	@echo "== lane 2 of 2: the contract suites again, against a real anvil node =="
	$(BIN)/pytest tests/contracts --lane anvil

compile-check: setup
	$(BIN)/gzchain compile --check

clean:
	rm -rf $(VENV) node_modules .pytest_cache

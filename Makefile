# The two commands of the README: `make demo` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup demo test lint compile-check clean bench

setup: $(VENV)/.installed node_modules/.installed /usr/bin/chromium

# The portal's browser tests drive Debian's chromium: Playwright's own browser download cannot be reached.
# A CJK font so the Chinese pages render in screenshots. Runs only when chromium is missing.
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
/usr/bin/chromium:
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium fonts-wqy-zenhei

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

# ruff, then the layers' import rules (import-linter contracts in pyproject.toml).
lint: setup
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# Each lane runs on one pytest-xdist worker per core; every worker gets its own chain, node and database.
# With CI=true (.ci/run sets it) a test skipped for a missing service (PostgreSQL, anvil, chromium, node)
# fails instead (tests/support/no_hidden_lanes.py).
test: lint
	@echo "== lane 1 of 3: embedded chain, SQLite store (unit, contracts, API, persistence, real-node, CLI) =="
	$(BIN)/pytest -n auto --dist loadgroup
	@echo "== lane 2 of 3: contract, service and API suites again, on a real anvil node set up like Besu (zero fee) =="
	$(BIN)/pytest -n auto tests/contracts tests/services tests/api --lane anvil
	@echo "== lane 3 of 3: every suite that touches the store (store, services, API) again, on PostgreSQL at 127.0.0.1:5432 =="
	$(BIN)/pytest -n auto tests/store tests/services tests/api --store postgres

# Every benchmark at full size, each printing its table and writing bench/results/<name>.json.
bench: setup
	$(BIN)/python bench/certificates.py
	$(BIN)/python bench/registrations.py
	$(BIN)/python bench/coldchain.py
	$(BIN)/python bench/petitions.py
	$(BIN)/python bench/api_load.py --duration 600

compile-check: setup
	$(BIN)/gzchain compile --check

clean:
	rm -rf $(VENV) node_modules .pytest_cache

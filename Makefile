# Accord: `make run` shows the agreement network and the April 2015 question; `make test` runs
# the whole suite with lint and types. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/accord agreements network --on 2015-04-13
	$(BIN)/accord check support --from JPN --to KOR --category fuel --situation exercise --on 2015-04-13
	$(BIN)/accord check support --from JPN --to USA --category fuel --situation exercise --on 2015-04-13
	$(BIN)/accord check support --from JPN --to USA --category ammunition --situation exercise --on 2015-04-13

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Starts a throwaway PostgreSQL server when one is installed and none is given, so that the
# suite runs on both databases (.ci/postgres.sh).
test: lint
	bash -c 'source .ci/postgres.sh; \
	  if [ -z "$${ACCORD_TEST_POSTGRES_URL:-}" ] && [ -n "$$(pg_bin)" ]; then \
	    start_test_postgres; trap stop_test_postgres EXIT; fi; \
	  $(BIN)/pytest -n 2'

bench: $(STAMP)
	$(BIN)/python bench/decisions.py
	$(BIN)/python bench/cold_start.py
	$(BIN)/python bench/sharing.py
	$(BIN)/python bench/import_orders.py
	$(BIN)/python bench/reports.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

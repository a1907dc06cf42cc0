# Accord: `make run` shows the agreement network and the April 2015 question; `make test` runs
# the whole suite with lint and types. Both create .venv on first use.
# .venv's interpreter: the system's Python when it is 3.11 or newer, as Debian builds its
# python3 with profile-guided and link-time optimization, on which an import of a million
# order lines runs about 8% faster than on a plain build of CPython (docs/benchmarks.md);
# else python3 from PATH. `make PYTHON=...` chooses another.
PYTHON ?= $(shell /usr/bin/python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	2>/dev/null && echo /usr/bin/python3 || echo python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean python

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

# the interpreter .venv is made with (for .ci/run, which installs its venv module if missing)
python:
	@echo $(PYTHON)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

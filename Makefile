# Developer tasks. `make check` is what CI runs (.ci/run) and what the README shows.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: dev lint test check golden bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

dev: $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'

lint: dev
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/mypy src
	$(BIN)/lint-imports

test: dev
	$(BIN)/python -m pytest -q

# Everything CI checks: lint, types, import layering and the test suite.
check: lint test

golden: dev
	$(BIN)/python scripts/update_golden.py

bench: dev
	$(BIN)/python benchmarks/startup.py
	$(BIN)/python benchmarks/matching.py
	$(BIN)/python benchmarks/import_lists.py
	$(BIN)/python benchmarks/batch.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache dist build

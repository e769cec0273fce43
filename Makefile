# consultdesk — one command each. Run `make help` for the list.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: help demo serve test test-faults lint format check bench bench-load clean

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP) ## Install, migrate an SQLite file, load the demo bank, serve http://127.0.0.1:8000
	$(BIN)/consultdesk demo

serve: $(STAMP) ## Serve the console without reloading demo data
	$(BIN)/consultdesk serve

test: $(STAMP) ## Run the whole suite (SQLite and, when reachable, PostgreSQL)
	$(BIN)/python -m pytest $(PYTEST_ARGS); rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; exit 1; fi; exit $$rc

test-faults: $(STAMP) ## Fault tests only: killed worker and web process, PostgreSQL restarted, core bank stalling (~1 min)
	$(BIN)/python -m pytest tests/faults $(PYTEST_ARGS)

lint: $(STAMP) ## ruff, formatting, mypy strict, import contracts
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(STAMP) ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

check: lint test ## lint, then the suite

bench: $(STAMP) ## Benchmarks that print figures beside their targets (not part of the suite)
	@for f in bench/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

bench-load: $(STAMP) ## Load harness on PostgreSQL: 500 customers on one process, 150 agents on another, 3 min (ARGS=--quick)
	$(BIN)/python bench/load_harness.py $(ARGS)

clean: ## Remove the virtualenv, caches and the demo database
	rm -rf $(VENV) data .mypy_cache .ruff_cache .pytest_cache build *.egg-info src/*.egg-info

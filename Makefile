# The two commands of the README: `make run` (the main job) and `make test` (all tests).
# Both create the virtual environment and install the project on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

# Nothing leaves the machine: Prefect telemetry off.
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1

.PHONY: run test lint clean bench

$(BIN)/prosecutor: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

# make run ARGS="--postgres postgresql://postgres@127.0.0.1/office --port 4300"
run: $(BIN)/prosecutor
	$(BIN)/prosecutor start $(ARGS)

lint: $(BIN)/prosecutor
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache

# Benchmarks (not part of `make test`): tables with the targets beside the measurements.
bench: $(BIN)/prosecutor
	$(BIN)/python -m bench.sweep
	$(BIN)/python -m bench.intake
	$(BIN)/python -m bench.orchestration
	$(BIN)/python -m bench.events

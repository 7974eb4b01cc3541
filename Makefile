# Two commands: `make run` serves the app, `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test install install-dev lint bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'

## make run: install, apply migrations, serve on http://127.0.0.1:5000 (SQLite in instance/)
run: install
	$(BIN)/flask --app app db upgrade
	$(BIN)/flask --app app serve --host $(HOST) --port $(PORT)

## make test: install, start Chromium and PostgreSQL as needed, lint, run the suite twice
test: install-dev
	bash tests/run.sh

## make bench: time every page at 50,000 contacts against its budget (README, Benchmarks);
## BENCH_ARGS="--database-url postgresql+psycopg://... --scale 500000" for PostgreSQL
bench: install-dev
	$(BIN)/python -m tests.benchmarks.bench $(BENCH_ARGS)

lint: install-dev
	$(BIN)/ruff check .

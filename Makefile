# Passage — the two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export UV_PYTHON_DOWNLOADS := never
export UV_LINK_MODE := copy
UV := $(shell command -v uv 2>/dev/null || echo python3 -m uv)
PY := .venv/bin/python
PG_URL ?= postgres://postgres@127.0.0.1:5432/passage
# Two processes (pytest-xdist; the machines have two cores), each test file whole in one of them: the browser
# tests of a file share one server and build on each other's steps.
PYTEST_ARGS ?= -n 2 --dist loadfile

.PHONY: help install uv python-deps assets browser run demo test lint typecheck migrations-check \
        test-sqlite test-postgres bench clean

help:
	@echo "make run    install what is missing, migrate, load the demo on first run, serve http://127.0.0.1:8000"
	@echo "make test   lint, type-check, migration check, tests on SQLite (and PostgreSQL when reachable)"
	@echo "make bench  benchmarks; figures written to var/bench/results.json"

install: python-deps assets

uv:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || { \
	  echo "Installing uv…"; python3 -m pip install --quiet uv; }

python-deps: uv
	@$(UV) sync --frozen --quiet

assets:
	@command -v npm >/dev/null 2>&1 || { echo "Installing Node.js and npm from Debian…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; }
	@if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then \
	  echo "Installing front-end assets from npm…"; npm ci --no-audit --no-fund --loglevel=error; fi

browser:
	@command -v chromium >/dev/null 2>&1 || { echo "Installing Debian's chromium for browser tests…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

run: install
	@.venv/bin/passage run

demo: install
	@.venv/bin/passage demo

lint: python-deps
	@echo "== ruff"
	@.venv/bin/ruff check src tests
	@.venv/bin/ruff format --check src tests >/dev/null || { echo "(ruff format would reformat some files: run .venv/bin/ruff format)"; }

typecheck: python-deps
	@echo "== mypy"
	@.venv/bin/mypy

migrations-check: python-deps
	@echo "== makemigrations --check"
	@PASSAGE_DATA_DIR=var/check $(PY) -m django makemigrations --check --dry-run --settings=passage.config.test_settings >/dev/null \
	  || { echo "Models changed without a migration: run passage manage makemigrations"; exit 1; }

test-sqlite: install browser
	@echo "== tests on SQLite"
	@.venv/bin/pytest $(PYTEST_ARGS)

test-postgres: install browser
	@if $(PY) -c "import psycopg,sys; psycopg.connect('$(PG_URL)'.replace('/passage','/postgres'), connect_timeout=3).close()" 2>/dev/null; then \
	  echo "== tests on PostgreSQL ($(PG_URL))"; \
	  DATABASE_URL=$(PG_URL) .venv/bin/pytest -m "not browser" $(PYTEST_ARGS) && echo "DATABASES: sqlite postgresql" > var/test-databases; \
	else echo "== PostgreSQL not reachable at $(PG_URL): skipped (tests ran on SQLite only)"; echo "DATABASES: sqlite" > var/test-databases; fi

test: install browser lint typecheck migrations-check
	@mkdir -p var
	@$(MAKE) --no-print-directory test-sqlite
	@$(MAKE) --no-print-directory test-postgres
	@echo "== done: tests ran on $$(cut -d' ' -f2- var/test-databases)"

bench: install
	@$(UV) sync --frozen --quiet --group bench
	@$(PY) -m passage.bench

clean:
	rm -rf var/test var/check .pytest_cache .mypy_cache .ruff_cache

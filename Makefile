# The two README commands: `make run` (site on SQLite with demo data, and the
# task worker) and `make test` (install and run the tests). Only python3 (3.11+)
# is needed.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEV_ENV := DJANGO_DEBUG=true
HOST ?= 127.0.0.1:8000

# Written after a complete install: `make install` does nothing more until
# requirements.lock or pyproject.toml changes.
INSTALLED := $(VENV)/.installed-from-lock
# Options for `make lock`, e.g. LOCK_ARGS=--upgrade or LOCK_ARGS="--upgrade-package reportlab".
LOCK_ARGS ?=

.PHONY: install lock run test test-postgres lint bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Exactly the versions and files (by hash) that requirements.lock pins, the build
# backend included; then the project itself, resolving nothing, downloading nothing.
$(INSTALLED): requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

install: $(INSTALLED)

# Regenerate requirements.lock from pyproject.toml (the runtime dependencies, the
# test extra and the build backend), keeping the pins it has unless LOCK_ARGS
# says otherwise. Needs PyPI; run it with the Python 3.11 the project runs on.
lock: $(BIN)/python
	$(BIN)/python -m pip install --quiet "pip-tools>=7.4,<8"
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet \
		--extra test --build-deps-for editable --generate-hashes --allow-unsafe \
		--strip-extras --no-emit-index-url --no-emit-find-links \
		--output-file requirements.lock $(LOCK_ARGS) pyproject.toml

# The task worker runs in the background (mail, reminders, grading at the
# deadline), as in production: the same database backend, mail printed to the
# console by the worker. It stops with the server.
run: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py seed_demo
	$(DEV_ENV) $(BIN)/python manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEV_ENV) $(BIN)/python manage.py runserver $(HOST)

test: install
	$(BIN)/pytest

test-postgres: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/rulewise} $(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Biaozhun — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
# Links in the mails the demo sends point at where `make run` serves.
SITE_URL ?= http://$(HOST):$(PORT)

.PHONY: run test lint bench install install-test serve clean help

help:
	@echo "make run    — install, migrate, load the sample catalogue, serve on http://$(HOST):$(PORT)"
	@echo "make test   — install test tools and run the whole suite (SQLite, and PostgreSQL if reachable)"
	@echo "make lint   — ruff and import-linter"
	@echo "make bench  — benchmarks (figures go to docs/benchmarks.md)"

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("Python >= 3.11 is required") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

run: export SITE_URL := $(SITE_URL)
# A random signing key for this machine, kept in var/ (never committed); the settings read it
# when SECRET_KEY is not set, so the README's commands work without DEBUG=1.
var/secret_key: | $(BIN)/python
	@mkdir -p var
	@umask 077 && $(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))' > $@.tmp && mv $@.tmp $@

run: install var/secret_key
	DEBUG=1 $(BIN)/biaozhun migrate --noinput
	DEBUG=1 $(BIN)/biaozhun collectstatic --noinput --verbosity 0
	DEBUG=1 $(BIN)/biaozhun load_sample
	DEBUG=1 $(BIN)/biaozhun load_demo_projects
	DEBUG=1 $(BIN)/biaozhun load_demo_participation
	DEBUG=1 BIAOZHUN_SAMPLE_DATA=1 $(BIN)/biaozhun serve --host $(HOST) --port $(PORT)

test: install-test
	bash scripts/test.sh

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check biaozhun/codes
	$(BIN)/lint-imports

bench: install-test
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) var/static

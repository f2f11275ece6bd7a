# The two commands: `make run` and `make test`. Needs only Python >= 3.11 and make.
#
# Installs come from the lock: requirements/run.txt (the app) and requirements/dev.txt (app + test
# and lint tools), exact versions with hashes, installed by plain pip. The project itself is then
# installed editable on top. `make lock` updates the lock on purpose (README: "Dependencies and the lock").
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
DEV_ENV := CRM_ENV=development

# Only what the lock names, each file checked against its hash; pip refuses anything unpinned.
PIP_INSTALL := $(BIN)/python -m pip install --quiet --require-hashes
# The project, editable, without touching the locked dependencies; built by the locked setuptools.
EDITABLE_INSTALL := $(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
# One lock for every Python >= 3.11 on every platform (markers where they differ).
LOCK := $(BIN)/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes \
	--custom-compile-command "make lock"
# `make lock` keeps every pin that still fits; `make lock UPGRADE="flask jinja2"` moves those
# packages to their newest fitting release; `make lock-upgrade` moves everything.
LOCK_FLAGS := $(foreach package,$(UPGRADE),--upgrade-package $(package))

.PHONY: run test test-fast check lint check-lock check-migrations lock lock-upgrade \
	pre-commit translations translations-update clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
		|| { echo "Python >= 3.11 wird benötigt ($(PYTHON) ist älter)."; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-run: pyproject.toml requirements/run.txt | $(BIN)/python
	$(PIP_INSTALL) -r requirements/run.txt
	$(EDITABLE_INSTALL)
	@touch $@

$(VENV)/.installed-dev: pyproject.toml requirements/dev.txt | $(BIN)/python
	$(PIP_INSTALL) -r requirements/dev.txt
	$(EDITABLE_INSTALL)
	@touch $@ $(VENV)/.installed-run

instance/secret_key: | $(BIN)/python
	@mkdir -p instance
	@$(BIN)/python -c 'import secrets; print(secrets.token_hex(32))' > $@
	@chmod 600 $@

translations: $(VENV)/.installed-run
	@$(BIN)/pybabel compile -d crm/translations 2>/dev/null

translations-update: $(VENV)/.installed-run
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs=".* .venv node_modules" -o crm/translations/messages.pot .
	$(BIN)/pybabel update -i crm/translations/messages.pot -d crm/translations

run: $(VENV)/.installed-run translations instance/secret_key
	$(DEV_ENV) $(FLASK) db upgrade
	$(DEV_ENV) $(FLASK) crm seed-demo --if-empty
	$(DEV_ENV) $(FLASK) run --host 127.0.0.1 --port 5000

# Everything before the test suite: lock in step with pyproject.toml, lint, format, migrations.
check: $(VENV)/.installed-dev translations
	$(BIN)/python requirements/check.py
	$(BIN)/ruff check .
	$(BIN)/ruff format --check --quiet .
	$(MAKE) --no-print-directory check-migrations

test: check
	$(BIN)/pytest

# The same without the browser journeys in tests/e2e (the slow part; they need Chromium).
test-fast: check
	$(BIN)/pytest --ignore=tests/e2e -m "not e2e"

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check-lock: $(VENV)/.installed-dev
	$(BIN)/python requirements/check.py

# Alembic's drift check: a fresh database migrated to head must match the models.
check-migrations: $(VENV)/.installed-dev
	@tmp=$$(mktemp -d); \
	export DATABASE_URL="sqlite:///$$tmp/check.sqlite3" SECRET_KEY=migration-check; \
	$(FLASK) db upgrade >/dev/null && $(FLASK) db check; rc=$$?; rm -rf "$$tmp"; exit $$rc

# Re-resolve the lock from pyproject.toml (+ requirements/tooling.in): dev.txt over everything,
# then run.txt as the app's part of it (same versions). Needs the package index; commit the result.
lock: $(VENV)/.installed-dev
	$(LOCK) $(LOCK_FLAGS) pyproject.toml requirements/tooling.in --extra dev -o requirements/dev.txt
	$(LOCK) pyproject.toml requirements/tooling.in -c requirements/dev.txt -o requirements/run.txt
	$(BIN)/python requirements/check.py

lock-upgrade: $(VENV)/.installed-dev
	$(MAKE) --no-print-directory lock LOCK_FLAGS=--upgrade

# Install the git hook of .pre-commit-config.yaml in this clone (ruff from the lock on each commit).
pre-commit: $(VENV)/.installed-dev
	$(BIN)/pre-commit install

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

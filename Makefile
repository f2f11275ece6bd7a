# The two commands: `make run` and `make test`. Needs only Python >= 3.11 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
DEV_ENV := CRM_ENV=development

.PHONY: run test lint check-migrations translations translations-update clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
		|| { echo "Python >= 3.11 wird benötigt ($(PYTHON) ist älter)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
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

test: $(VENV)/.installed-dev translations
	$(BIN)/ruff check .
	$(BIN)/ruff format --check --quiet .
	$(MAKE) --no-print-directory check-migrations
	$(BIN)/pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Alembic's drift check: a fresh database migrated to head must match the models.
check-migrations: $(VENV)/.installed-dev
	@tmp=$$(mktemp -d); \
	export DATABASE_URL="sqlite:///$$tmp/check.sqlite3" SECRET_KEY=migration-check; \
	$(FLASK) db upgrade >/dev/null && $(FLASK) db check; rc=$$?; rm -rf "$$tmp"; exit $$rc

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

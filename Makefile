# Two commands: `make run` serves the app, `make test` runs the whole suite.
# Both install what is missing first (see README "Set-up").

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
PG_PACKAGES := postgresql-15 postgresql-client-15 postgresql-15-postgis-3
TEST_PACKAGES := chromium gdal-bin fonts-thai-tlwg qgis python3-qgis
export FLASK_APP := app

.PHONY: run test system system-test venv db translations lint bench clean-db help

help:
	@echo "make run   - install what is missing, start the database, serve on http://127.0.0.1:$(PORT)"
	@echo "make test  - the same set-up, then the whole test suite against PostGIS"

run: system venv translations db
	$(BIN)/gunicorn --config gunicorn.conf.py --bind 127.0.0.1:$(PORT) "app:create_app()"

test: system system-test venv translations
	@if [ -z "$$DATABASE_URL" ]; then bash scripts/localdb.sh start; fi
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# System packages: installed when root, otherwise named in a clear message.
system:
	@bash scripts/system-packages.sh $(PG_PACKAGES)

system-test:
	@bash scripts/system-packages.sh $(TEST_PACKAGES)

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@$(PYTHON) -m venv --help >/dev/null 2>&1 || bash scripts/system-packages.sh python3-venv
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

translations: venv
	@$(BIN)/pybabel compile -d app/translations >/dev/null

db: venv
	@if [ -z "$$DATABASE_URL" ]; then bash scripts/localdb.sh start; fi
	$(BIN)/flask db upgrade heads
	$(BIN)/flask setup

lint: venv
	$(BIN)/ruff check app gis tests bench

bench: venv db
	@echo "see bench/README.md"

clean-db:
	bash scripts/localdb.sh stop

# Two commands: `make run` serves the app, `make test` runs the whole suite.
# Both install what is missing first (see README "Set-up").

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
PG_PACKAGES := postgresql-15 postgresql-client-15 postgresql-15-postgis-3
WEB_PACKAGES := nginx
# PDF prints (WeasyPrint from PyPI needs Pango and HarfBuzz's subsetter; Thai fonts, GPL-2+ with font exception)
PRINT_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-thai-tlwg
TEST_PACKAGES := chromium gdal-bin fonts-thai-tlwg poppler-utils qgis python3-qgis
export FLASK_APP := app

.PHONY: run port-free test system system-test venv db translations lint bench clean-db help

help:
	@echo "make run   - install what is missing, start the database, serve on http://127.0.0.1:$(PORT)"
	@echo "make test  - the same set-up, then the whole test suite against PostGIS"

# scripts/serve.sh starts nginx (on $(PORT)) and gunicorn (on a Unix socket in instance/run/)
# and the job worker (flask jobs worker), and stops them together; a taken port is refused
# before anything else is done
run: port-free system venv translations db
	@PORT=$(PORT) bash scripts/serve.sh

port-free:
	@PORT=$(PORT) bash scripts/serve.sh check

# Without DATABASE_URL the suite runs on the private cluster; a cluster this run started is
# stopped afterwards (KEEP_DB=1 keeps it), one that was already running is left running.
test: system system-test venv translations
	@if [ -n "$$DATABASE_URL" ]; then exec $(BIN)/python -m pytest $(PYTEST_ARGS); fi; \
	started=0; bash scripts/localdb.sh running || started=1; \
	bash scripts/localdb.sh start; \
	stop() { if [ $$started = 1 ] && [ -z "$(KEEP_DB)" ]; then bash scripts/localdb.sh stop; echo "make test: stopped the database cluster it started"; fi; }; \
	trap 'stop; exit 130' INT TERM; \
	rc=0; $(BIN)/python -m pytest $(PYTEST_ARGS) || rc=$$?; stop; exit $$rc

# System packages: installed when root, otherwise named in a clear message.
system:
	@bash scripts/system-packages.sh $(PG_PACKAGES) $(WEB_PACKAGES) $(PRINT_PACKAGES)

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

# The two commands of the README, and a few helpers.
#   make run   the whole product, embedded: SQLite and a filesystem broker under var/
#   make test  the whole suite against real PostgreSQL and Redis (and a real Chromium)

SHELL := /bin/bash
.DEFAULT_GOAL := run

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000

# make test talks to these unless told otherwise.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/observatoire
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: run test lint bench venv install install-test services-check browser-deps demo migrate clean messages pdf-deps

$(BIN)/activate:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"' \
		|| { echo "Python 3.11+ is required (found: $$($(PYTHON) --version 2>&1))."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

venv: $(BIN)/activate

# The stamp files reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# ---- make run ---------------------------------------------------------------------------
# The embedded default: no DATABASE_URL and no REDIS_URL, so SQLite and Kombu's filesystem
# broker under var/. DEBUG comes from .env, written on the first run.
RUN_ENV := env -u DATABASE_URL -u REDIS_URL

# The first run writes a local .env: DEBUG on and a fresh random SECRET_KEY, so manage.py
# works afterwards without exporting anything. An existing .env is left alone.
.env:
	@{ echo "# Written by 'make run' for local development; see .env.example."; \
	   echo "DEBUG=1"; \
	   echo "SECRET_KEY=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')"; } > $@

# The mission sheet's PDF (WeasyPrint) needs Pango from Debian; the tests also need
# poppler-utils (pdftotext, pdftoppm). Installed like the browser: apt-get as root, sudo
# otherwise, else a clear message.
PDF_LIBS := libpango-1.0-0 libpangoft2-1.0-0
pdf-deps:
	@missing=; for lib in $(PDF_LIBS) $(PDF_EXTRA); do \
		dpkg -s $$lib >/dev/null 2>&1 || missing="$$missing $$lib"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "Installing$$missing for the mission sheet's PDF…"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		elif command -v sudo >/dev/null 2>&1; then \
			sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else \
			echo "MISSING: Debian packages$$missing are needed for the mission sheet's PDF."; exit 1; \
		fi; \
	fi

demo: install .env
	@# The PDF of the mission sheet needs Pango; without it the rest of the site works.
	@$(MAKE) --no-print-directory pdf-deps PDF_EXTRA= || echo "Note: without Pango the mission sheets have no PDF; every page works."
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py import_initiatives fixtures/
	@$(RUN_ENV) $(PY) manage.py seed_demo_users
	@# One sweep now rather than at beat's first tick (15 min): the worker sends its alerts
	@# as soon as it starts. Running it again on the next `make run` sends nothing twice.
	@$(RUN_ENV) $(PY) manage.py check_deadlines | head -1

run: demo
	@echo
	@echo "  Observatoire de la souveraineté numérique"
	@echo "  http://$(HOST):$(PORT)/   (administration: http://$(HOST):$(PORT)/admin/)"
	@echo "  Web server, Celery worker and beat are starting; Ctrl-C stops all three."
	@echo
	@$(RUN_ENV) HOST=$(HOST) SITE_URL=http://$(HOST):$(PORT) PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho -f Procfile.dev start --port $(PORT)

# ---- make test --------------------------------------------------------------------------
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "Installing Debian's chromium for the browser tests…"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		elif command -v sudo >/dev/null 2>&1; then \
			sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else \
			echo "MISSING: chromium (Debian package 'chromium') is needed for the browser tests."; exit 1; \
		fi; \
	fi
	@command -v msgfmt >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then apt-get install -y -qq gettext >/dev/null; \
		else sudo apt-get install -y -qq gettext >/dev/null; fi; }

services-check: install-test
	@DATABASE_URL='$(TEST_DATABASE_URL)' REDIS_URL='$(TEST_REDIS_URL)' $(PY) -m tests.services_check

# The tests set their own DEBUG and SECRET_KEY: a developer's .env must not change them.
# ProConnect is on in the tests, pointed at the small OIDC provider they start on this port.
OIDC_TEST_PORT ?= 8765
OIDC_TEST_BASE := http://127.0.0.1:$(OIDC_TEST_PORT)
TEST_ENV := DATABASE_URL='$(TEST_DATABASE_URL)' REDIS_URL='$(TEST_REDIS_URL)' DEBUG=0 \
	SECRET_KEY=test-only-secret-key-not-used-anywhere-else SECURE_COOKIES=0 \
	OIDC_TEST_PORT=$(OIDC_TEST_PORT) OIDC_RP_CLIENT_ID=observatoire-test \
	OIDC_RP_CLIENT_SECRET=observatoire-test-secret-0123456789 \
	OIDC_OP_AUTHORIZATION_ENDPOINT=$(OIDC_TEST_BASE)/authorize \
	OIDC_OP_TOKEN_ENDPOINT=$(OIDC_TEST_BASE)/token OIDC_OP_USER_ENDPOINT=$(OIDC_TEST_BASE)/userinfo \
	OIDC_OP_JWKS_ENDPOINT=$(OIDC_TEST_BASE)/jwks

# pytest-xdist: one worker per core on this 2-core machine, each with its own test database,
# Redis database and ports (tests/workers.py). Work stealing evens out the long browser tests.
PYTEST_WORKERS ?= 2

# The tests read the PDF's text (pdftotext) and picture its pages (pdftoppm).
test: PDF_EXTRA := poppler-utils
test: install-test browser-deps pdf-deps services-check lint
	$(TEST_ENV) CHROMIUM=$$(command -v chromium) $(PY) -m pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# Lint and format (ruff) and types (mypy with django-stubs): any finding fails `make test`.
LINTED := initiatives sovereignty tests
lint: install-test
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	DEBUG=1 $(BIN)/mypy initiatives sovereignty

# ---- make bench -------------------------------------------------------------------------
# PostgreSQL with 100,000 synthetic milestones, gunicorn (2 workers), loaded by wrk (warm,
# cold, and with a cache server that never answers); the deadline sweep over 1,000,000
# milestones against SELECT count(*); a 10,000-row spreadsheet import against 30 s.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/observatoire_bench

bench: install-test
	@command -v wrk >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then apt-get install -y -qq wrk >/dev/null; \
		else sudo apt-get install -y -qq wrk >/dev/null; fi; }
	@# Every part runs and reports; the target fails afterwards if any part missed.
	@failed=; \
	BENCH_DATABASE_URL='$(BENCH_DATABASE_URL)' $(PY) -m tests.bench || failed="$$failed pages"; \
	$(PY) -m tests.bench_sweep || failed="$$failed sweep"; \
	$(PY) -m tests.bench_spreadsheet || failed="$$failed spreadsheet"; \
	BENCH_DATABASE_URL='$(BENCH_DATABASE_URL)' $(PY) -m tests.bench_api || failed="$$failed api"; \
	if [ -n "$$failed" ]; then echo "make bench: missed in:$$failed"; exit 1; fi

# ---- helpers ----------------------------------------------------------------------------
migrate: install
	$(RUN_ENV) $(PY) manage.py migrate --noinput

messages: install
	$(RUN_ENV) $(PY) manage.py makemessages --locale fr --no-obsolete --ignore '.venv/*' --ignore 'var/*' --ignore 'tests/*'
	$(RUN_ENV) $(PY) manage.py compilemessages --ignore '.venv/*'
	@# Fuzzy guesses by msgmerge are often wrong: list them (and untranslated ones) to review.
	@msgfmt --statistics -o /dev/null locale/fr/LC_MESSAGES/django.po
	@msgattrib --only-fuzzy --no-wrap locale/fr/LC_MESSAGES/django.po | grep '^msgid "[^"]' || true

clean:
	rm -rf var/

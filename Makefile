# Run `make` for the list of targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install translations messages run test lint bench clean

help: ## this list
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	mkdir -p $(VENV)/mypy-path && ln -sfn ../../src $(VENV)/mypy-path/wcr
	$(MAKE) --no-print-directory translations
	touch $(STAMP)

translations: ## compile the pages' message catalogs (src/web/locales/*/LC_MESSAGES/*.mo)
	$(BIN)/pybabel compile --use-fuzzy -d src/web/locales -D messages

messages: ## extract new texts into messages.pot and merge them into each language's .po
	$(BIN)/pybabel extract -F babel.cfg -o src/web/locales/messages.pot --no-wrap --no-location .
	$(BIN)/pybabel update -i src/web/locales/messages.pot -d src/web/locales -D messages --no-wrap

install: $(STAMP) ## create .venv and install everything

run: $(STAMP) translations ## migrate, seed the demo and serve on http://127.0.0.1:8000
	$(BIN)/wcr migrate
	$(BIN)/wcr seed-demo
	$(BIN)/wcr serve

test: $(STAMP) translations ## the whole suite (SQLite; also PostgreSQL when WCR_TEST_POSTGRES_URL is set)
	$(BIN)/pytest

lint: $(STAMP) ## ruff and mypy
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

bench: $(STAMP) ## the booking race benchmark on PostgreSQL (see bench/README.md)
	$(BIN)/python -m bench.booking_race

clean: ## remove .venv and var/
	rm -rf $(VENV) var

# Run `make` for the list of targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help hooks install translations messages widget docs-ui charts run test lint bench bench-race bench-rate bench-race-sqlite bench-search bench-outbox bench-live bench-protection bench-day bench-stats bench-pages bench-purge bench-waitlist bench-growth clean

help: ## this list
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

# Debian and Ubuntu ship venv (and the pip it installs) apart from Python itself.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || \
	  { echo "make: Python 3.11 or newer is needed; $(PYTHON) is older or missing (make PYTHON=python3.12 ...)" >&2; exit 1; }
	@$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
	  package=$$($(PYTHON) -c 'import sys; print("python3.%d-venv" % sys.version_info[1])'); \
	  echo "make: $(PYTHON) -m venv failed: install venv for this Python, on Debian or Ubuntu:" >&2; \
	  echo "  apt-get install python3-venv $$package" >&2; exit 1; }
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	mkdir -p $(VENV)/mypy-path && ln -sfn ../../src $(VENV)/mypy-path/wcr
	$(MAKE) --no-print-directory translations
	touch $(STAMP)

translations: ## compile the pages' message catalogs (src/locales/*/LC_MESSAGES/*.mo)
	$(BIN)/pybabel compile --use-fuzzy -d src/locales -D messages

messages: ## extract new texts into messages.pot and merge them into each language's .po
	$(BIN)/pybabel extract -F babel.cfg -o src/locales/messages.pot --no-wrap --no-location --add-comments=TRANSLATORS: .
	$(BIN)/pybabel update -i src/locales/messages.pot -d src/locales -D messages --no-wrap

install: $(STAMP) ## create .venv and install everything

# The ALTCHA widget is served from src/challenge/static/, committed there: `make run`
# needs no npm. This refreshes those copies from the npm package (version pinned in
# package.json); tests/challenge/test_widget_files.py checks that they match it.
WIDGET := node_modules/altcha
WIDGET_FILES := external/altcha.min.js:altcha.min.js external/altcha.css:altcha.css workers/sha.js:altcha-sha.js
widget: ## copy the ALTCHA widget from npm (node_modules) into src/challenge/static/
	npm install --no-audit --no-fund --silent
	@version=$$(node -p 'require("./$(WIDGET)/package.json").version'); \
	for pair in $(WIDGET_FILES); do \
	  from=$${pair%%:*}; to=src/challenge/static/$${pair##*:}; \
	  { printf '/*! ALTCHA %s (npm "altcha", dist/%s), copied by `make widget`.\n\n' "$$version" "$$from"; \
	    cat $(WIDGET)/LICENSE.txt; printf '\n*/\n'; cat $(WIDGET)/dist/$$from; } > $$to; \
	  echo "$$to: ALTCHA $$version"; \
	done

# Swagger UI for the API docs (/schema) is served from src/web/static/docs/, committed
# there like the widget; this refreshes it from the npm package (version pinned in
# package.json); tests/test_openapi_contract.py checks that the copies match it.
SWAGGER := node_modules/swagger-ui-dist
SWAGGER_FILES := swagger-ui-bundle.js swagger-ui.css
DOCS_STATIC := src/web/static/docs
docs-ui: ## copy Swagger UI from npm (node_modules) into src/web/static/docs/ for /schema
	npm install --no-audit --no-fund --silent
	@version=$$(node -p 'require("./$(SWAGGER)/package.json").version'); \
	for name in $(SWAGGER_FILES); do \
	  { printf '/*! Swagger UI %s (npm "swagger-ui-dist", %s), copied by `make docs-ui`.\n\n' "$$version" "$$name"; \
	    cat $(SWAGGER)/LICENSE $(SWAGGER)/NOTICE; printf '\n*/\n'; cat $(SWAGGER)/$$name; } > $(DOCS_STATIC)/$$name; \
	  echo "$(DOCS_STATIC)/$$name: Swagger UI $$version"; \
	done; \
	cp $(SWAGGER)/swagger-ui-bundle.js.LICENSE.txt $(DOCS_STATIC)/

# uPlot draws the statistics page's charts (src/stats/static/), committed there like the
# widget; this refreshes it from the npm package (version pinned in package.json);
# tests/stats/test_chart_files.py checks that the copies match it.
UPLOT := node_modules/uplot
UPLOT_FILES := uPlot.iife.min.js:uplot.min.js uPlot.min.css:uplot.min.css
charts: ## copy uPlot from npm (node_modules) into src/stats/static/ for the statistics page
	npm install --no-audit --no-fund --silent
	@version=$$(node -p 'require("./$(UPLOT)/package.json").version'); \
	for pair in $(UPLOT_FILES); do \
	  from=$${pair%%:*}; to=src/stats/static/$${pair##*:}; \
	  { printf '/*! uPlot %s (npm "uplot", dist/%s), copied by `make charts`.\n\n' "$$version" "$$from"; \
	    cat $(UPLOT)/LICENSE; printf '\n*/\n'; cat $(UPLOT)/dist/$$from; } > $$to; \
	  echo "$$to: uPlot $$version"; \
	done

run: $(STAMP) translations ## migrate, seed the demo and serve on http://127.0.0.1:8000
	$(BIN)/wcr migrate
	$(BIN)/wcr seed-demo
	$(BIN)/wcr serve

# Two processes, each test file in one of them (its module-scoped servers start once).
test: $(STAMP) translations ## the whole suite (SQLite; also PostgreSQL when WCR_TEST_POSTGRES_URL is set)
	$(BIN)/pytest -n 2 --dist loadfile

hooks: $(STAMP) ## run ruff, mypy and the architecture test before every commit (pre-commit)
	$(BIN)/pre-commit install

lint: $(STAMP) ## ruff and mypy (strict) over src, tests and bench
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/mypy tests bench

bench: $(STAMP) ## the booking race benchmark on PostgreSQL (see bench/README.md)
	$(BIN)/python -m bench.booking_race

bench-race: $(STAMP) ## the booking race: concurrent bookings over HTTP and raw asyncpg
	$(BIN)/python -m bench.booking_race

bench-rate: $(STAMP) ## bookings at a fixed offered rate (open loop), HTTP and raw asyncpg: p99
	$(BIN)/python -m bench.booking_rate

bench-race-sqlite: $(STAMP) ## the booking race on SQLite: HTTP against stdlib sqlite3
	$(BIN)/python -m bench.booking_race_sqlite

bench-search: $(STAMP) ## the one-stop visit search: algorithm, in process, HTTP
	$(BIN)/python -m bench.visit_search

bench-outbox: $(STAMP) ## draining the outbox with one `wcr worker --once`, then two
	$(BIN)/python -m bench.outbox_drain

bench-live: $(STAMP) ## live events: call-next to the displays' SSE streams (Redis too)
	$(BIN)/python -m bench.live_events

bench-protection: $(STAMP) ## the booking race with challenge and limits on against off
	$(BIN)/python -m bench.protection_cost

bench-day: $(STAMP) ## a simulated day at one site's desk: estimates against real waits
	$(BIN)/python -m bench.queue_day

bench-pages: $(STAMP) ## page weight and time to interactive of the booking steps on Slow 4G
	$(BIN)/python -m bench.booking_pages

bench-stats: $(STAMP) ## statistics of a year at one site: page and CSV answer times, both engines
	$(BIN)/python -m bench.stats

bench-purge: $(STAMP) ## wcr purge of a year at one site: time and peak memory, both engines
	$(BIN)/python -m bench.purge

bench-waitlist: $(STAMP) ## 10,000 waiting entries, 1,000 places freeing: time to the offer's hold
	$(BIN)/python -m bench.waitlist

bench-growth: $(STAMP) ## the hot paths on the demo and on a year of one busy centre (PostgreSQL)
	$(BIN)/python -m bench.growth

clean: ## remove .venv and var/
	rm -rf $(VENV) var

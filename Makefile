# Xietong: `make run` to serve, `make test` for the whole suite (on SQLite and on PostgreSQL + Redis).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
WEB_BUILT := src/xietong/static/index.html
# Browser tests drive Debian's Chromium (Playwright cannot download its own here); fonts so
# Chinese text and emoji render in screenshots as they would on a desktop.
BROWSER_STAMP := $(VENV)/.browser-installed
WEB_SOURCES := $(shell find web -path web/node_modules -prune -o -type f -print 2>/dev/null)

export XIETONG_DATA_DIR ?= $(CURDIR)/data

.PHONY: run test lint install web browser pdf types test-sqlite test-postgres test-browser-postgres bench clean

run: install pdf web
	$(BIN)/xietong migrate
	$(BIN)/xietong ensure-owner
	$(BIN)/xietong serve

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

web: $(WEB_BUILT)

$(WEB_BUILT): $(WEB_SOURCES)
	cd web && npm ci --no-audit --no-fund --loglevel=error && npm run build

# The web client's API and event types, generated from the server's OpenAPI document (a test
# fails while the committed file is stale). TYPES_OUT: where to write them.
TYPES_OUT ?= web/src/api/schema.d.ts
types: install
	test -x web/node_modules/.bin/openapi-typescript || (cd web && npm ci --no-audit --no-fund --loglevel=error)
	@openapi=$$(mktemp --suffix=.json) && trap 'rm -f "$$openapi"' EXIT && \
		$(BIN)/xietong openapi --output "$$openapi" && \
		web/node_modules/.bin/openapi-typescript "$$openapi" --output "$(TYPES_OUT)" \
			--default-non-nullable false

# The maturity report's PDF (WeasyPrint) is laid out by pango, its Chinese set in Noto CJK:
# a serving node needs them as much as the tests do.
PDF_STAMP := $(VENV)/.pdf-installed
PDF_PACKAGES := fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0

pdf: $(PDF_STAMP)

$(PDF_STAMP): $(STAMP)
	@if ! fc-list :lang=zh 2>/dev/null | grep -q . \
			|| ! ldconfig -p | grep -q libpangoft2-1.0; then \
		apt-get install -y $(PDF_PACKAGES) \
		|| (apt-get update && apt-get install -y $(PDF_PACKAGES)); \
	fi
	touch $@

browser: $(BROWSER_STAMP)

$(BROWSER_STAMP): $(STAMP)
	@if [ ! -x /usr/bin/chromium ] || ! fc-list :lang=zh | grep -q .; then \
		apt-get install -y chromium fonts-noto-cjk fonts-noto-color-emoji \
		|| (apt-get update && apt-get install -y chromium fonts-noto-cjk fonts-noto-color-emoji); \
	fi
	/usr/bin/chromium --version
	touch $@

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-logo

# The two halves run at once. The browser suite (tests/browser: Chromium against a served
# node) runs in SQLite's half only — the database `make run` serves — as two Chromiums side by
# side on two cores timed out and pushed the suite past CI's time; every API and realtime
# behaviour is tested on both databases. `make test-browser-postgres` runs it on PostgreSQL.
# PostgreSQL's half prints as it goes; SQLite's is printed whole when both are done.
test: lint web browser pdf
	@sqlite_log=$$(mktemp); \
	XIETONG_TEST_BACKEND=sqlite $(BIN)/pytest -p no:cacheprovider > $$sqlite_log 2>&1 & \
	sqlite_pid=$$!; \
	echo "== SQLite half (with the browser suite) running in the background (pid $$sqlite_pid); PostgreSQL + Redis half:"; \
	XIETONG_TEST_BACKEND=postgres $(BIN)/pytest --ignore=tests/browser; postgres_status=$$?; \
	wait $$sqlite_pid; sqlite_status=$$?; \
	echo "== SQLite half:"; cat $$sqlite_log; rm -f $$sqlite_log; \
	echo "== SQLite exit $$sqlite_status, PostgreSQL exit $$postgres_status"; \
	test $$sqlite_status -eq 0 && test $$postgres_status -eq 0

test-browser-postgres: install web browser pdf
	XIETONG_TEST_BACKEND=postgres $(BIN)/pytest tests/browser

test-sqlite: install web browser pdf
	XIETONG_TEST_BACKEND=sqlite $(BIN)/pytest

test-postgres: install web browser pdf
	XIETONG_TEST_BACKEND=postgres $(BIN)/pytest

bench: install
	$(BIN)/python -m bench.login

clean:
	rm -rf $(VENV) src/xietong/static web/node_modules .pytest_cache .mypy_cache .ruff_cache

# Two commands on a fresh machine: `make run` and `make test`. Everything else they need
# is installed here: Python packages from the hash-pinned requirements files, the page's
# packages from package-lock.json, and Debian's Chromium for the browser tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
SYNCED := $(VENV)/.synced
WEB_DEPS := web/node_modules/.package-lock.json
WEB_BUILT := src/trimtab/web_dist/index.html
WEB_SOURCES := $(shell find web/src web/public -type f 2>/dev/null) web/index.html web/vite.config.ts web/package.json

.PHONY: install web chromium run test audit bench soak lint format api-types

# requirements/bench.txt is dev.txt plus the anchors (bt, PyPortfolioOpt) that the oracle
# tests and `make bench` compare with; runtime.txt alone is what a deployment needs.
# Bytecode is compiled at install: these machines set PYTHONDONTWRITEBYTECODE=1.
$(SYNCED): requirements/bench.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	test -x $(BIN)/uv || $(BIN)/pip install --quiet uv==$(UV_VERSION)
	$(BIN)/uv pip sync --quiet --compile-bytecode --python $(BIN)/python requirements/bench.txt
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	$(BIN)/python -m compileall -q src/trimtab
	touch $@

install: $(SYNCED)

$(WEB_DEPS): web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error

$(WEB_BUILT): $(WEB_DEPS) $(WEB_SOURCES)
	cd web && npm run build

web: $(WEB_BUILT)

# The page's API types, generated from the server's OpenAPI document.
api-types: install $(WEB_DEPS)
	$(BIN)/python -m trimtab.api.openapi web/openapi.json
	cd web && node scripts/gen-api.mjs openapi.json && rm openapi.json

# The browser tests drive Debian's Chromium: no browser download works on these machines.
chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; }

run: install web
	$(BIN)/trimtab db upgrade
	$(BIN)/trimtab serve --demo

test: install web chromium
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	cd web && npm run typecheck && npm run lint && npm test
	$(BIN)/python .ci/audit.py
	$(BIN)/pytest

# pip-audit over requirements/*.txt and npm audit (high and above) over web/: fails on a
# finding; says NOT CHECKED when an advisory service is out of reach (.ci/audit.py).
audit: install $(WEB_DEPS)
	$(BIN)/python .ci/audit.py

# trimtab's own modules are an editable install: compiled here again, so the start-up
# figures of bench/cli_startup.py are those of an installed trimtab, not of a recompile.
bench: install web
	$(BIN)/python -m compileall -q src/trimtab
	$(BIN)/python -m bench

# The reliability suite's full-size forms; `make test` runs their bounded forms.
# The mixed API load: 60 s, 16 clients, on SQLite and PostgreSQL (bench/api_load.py).
# Crash points: 100 live runs SIGKILLed and resumed on PostgreSQL (20 in `make test`).
# Hostile input: 10 times the fuzz of `make test` (300 API sequences, 600 CLI runs).
soak: install web
	$(BIN)/python -m bench.api_load 60 16
	TRIMTAB_SOAK_KILLS=100 $(BIN)/pytest tests/reliability/test_crash_points.py
	TRIMTAB_SOAK_FUZZ=10 $(BIN)/pytest tests/reliability/test_fuzz.py

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

format: install
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

# Two commands do all set-up on a machine that has only python3 (3.11+) and make:
#   make run    create .venv, install, migrate, load the seed, serve on http://127.0.0.1:8000
#   make test   the whole suite (lint, types, tests on SQLite and PostgreSQL)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# HOST and PORT override SPACEFACTS_HOST / SPACEFACTS_PORT (default 127.0.0.1:8000) when given.
HOST ?=
PORT ?=

.PHONY: run upgrade test test-fast lint typecheck pytest node-tools openapi-lint examples bench bench-scale soak db seed verify clean
.PHONY: hadolint compose-check image-check

# Every dependency, dev tools included, comes from uv.lock (versions and hashes); uv itself is
# pinned with its hashes in .ci/uv-requirements.txt. `make upgrade` refreshes the lock.
$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "spacefacts needs Python 3.11+; set PYTHON=python3.11 or newer")'
	$(PYTHON) -m venv $(VENV)

$(BIN)/uv: .ci/uv-requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes \
		-r .ci/uv-requirements.txt
	@touch $@

# --locked: a pyproject.toml changed without `uv lock` is an error, not a silent re-resolve.
# --inexact: the dev tools stay when `make run` syncs the runtime set.
$(VENV)/.installed: pyproject.toml uv.lock | $(BIN)/uv
	$(BIN)/uv sync --quiet --locked --inexact
	@touch $@

$(VENV)/.installed-dev: pyproject.toml uv.lock | $(BIN)/uv
	$(BIN)/uv sync --quiet --locked --inexact --extra dev
	@touch $@ $(VENV)/.installed

$(VENV)/.installed-bench: $(VENV)/.installed-dev
	$(BIN)/uv sync --quiet --locked --inexact --extra dev --extra bench
	@touch $@

# Newest releases allowed by pyproject.toml into uv.lock (prints what moved), then installed.
# Run it on a schedule (weekly, say) and land it only when `make test` passes.
upgrade: | $(BIN)/uv
	$(BIN)/uv lock --upgrade
	$(BIN)/uv sync --locked --inexact --extra dev --extra bench
	@touch $(VENV)/.installed-bench $(VENV)/.installed-dev $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/spacefacts db upgrade
	$(BIN)/spacefacts seed
	$(BIN)/spacefacts serve $(if $(HOST),--host $(HOST)) $(if $(PORT),--port $(PORT))

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy app tests migrations bench

# The npm tools pinned in package-lock.json (Spectral, Redocly, openapi-typescript, TypeScript),
# installed with `npm ci` when stale; needs Node.js (skips without it, except with CI=true).
node-tools:
	bash scripts/npm-tools

# Two runs: every test not on PostgreSQL, under coverage (branch coverage of app/ must stay at
# 90% or more), then the PostgreSQL half without it. Tracing doubles the time of in-process
# tests, and the PostgreSQL half runs the same code but for a few engine-specific lines, which
# the report then shows as missed. The client contract test needs the npm tools.
pytest: $(VENV)/.installed-dev node-tools
	$(BIN)/pytest -n 2 -m "not postgres" --durations=15 --cov=app --cov-branch \
		--cov-report=term-missing:skip-covered --cov-fail-under=90
	$(BIN)/pytest -n 2 -m postgres --durations=15 -p no:cacheprovider

# Spectral and Redocly (pinned in package-lock.json) on the served OpenAPI document; needs Node.js.
openapi-lint: $(VENV)/.installed-dev
	PYTHON=$(BIN)/python bash scripts/openapi-lint

# The Dockerfile, linted with hadolint (pinned in the dev extra): any finding fails, info included.
hadolint: $(VENV)/.installed-dev
	$(BIN)/hadolint --failure-threshold info Dockerfile

# compose.yaml against the Compose Specification's JSON schema, and the references and mounts the
# schema can't check (scripts/compose_check.py).
compose-check: $(VENV)/.installed-dev
	$(BIN)/python scripts/compose_check.py compose.yaml

# Not part of `make test`: builds the image and runs it with Podman (as root; installs Podman
# with apt-get when missing), waits for /livez, cleans up. See scripts/image-check.
image-check: $(VENV)/.installed
	PYTHON=$(BIN)/python bash scripts/image-check

test: lint typecheck hadolint compose-check pytest openapi-lint

# The inner loop: SQLite only, no browser, no Schemathesis, two workers. Not a gate: `make test` is.
test-fast: $(VENV)/.installed-dev node-tools
	$(BIN)/pytest -q -n 2 -k "not postgresql" --deselect tests/test_docs_browser.py \
		--deselect tests/test_schemathesis.py -p no:cacheprovider

# Throughput and latency beside a bare-Starlette limit and a tutorial-style endpoint (uses wrk
# when installed). Prints numbers; asserts nothing.
bench: $(VENV)/.installed-bench
	$(BIN)/python -m bench.bench

# Database time per filter and cursor page, search, HTTP latency and RSS at 10, 10k and 1M
# synthetic rows per big collection (BENCH_SCALE_SIZES=10,10000 to choose). Prints numbers.
bench-scale: $(VENV)/.installed-bench
	$(BIN)/python -m bench.scale

# Sustained mixed load (reads, searches, keyed writes, live streams) on two workers, 60 s per
# engine: errors by kind, latency percentiles, each worker's RSS over time (bench/soak.py).
soak: $(VENV)/.installed-dev
	$(BIN)/python -m bench.soak

# Re-take the OpenAPI response examples from the seed (a test fails when they drift).
examples: $(VENV)/.installed-dev
	$(BIN)/python -m tests.openapi_examples

db: $(VENV)/.installed
	$(BIN)/spacefacts db upgrade

seed: db
	$(BIN)/spacefacts seed

verify: $(VENV)/.installed
	$(BIN)/spacefacts verify

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache

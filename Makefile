# r2c: make run | make test | make bench
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HASH   := $(shell cksum < pyproject.toml | cut -d' ' -f1)
RUNTIME := $(VENV)/.installed-run-$(HASH)
DEV     := $(VENV)/.installed-dev-$(HASH)

.PHONY: run test bench install install-dev chromium clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

## install: what running r2c needs (SQLite); install-dev: also the dev and bench extras (tests, benchmarks)
$(RUNTIME): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	rm -f $(VENV)/.installed-run-*
	touch $@

$(DEV): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	rm -f $(VENV)/.installed-*
	touch $@ $(RUNTIME)

install: $(RUNTIME)
install-dev: $(DEV)

## run: install into .venv, check the workflows, migrate ./r2c.db, add demo data (once), serve http://127.0.0.1:8000 with the scheduler
run: install
	$(BIN)/r2c workflows validate
	$(BIN)/r2c db upgrade
	$(BIN)/r2c demo
	$(BIN)/r2c serve --host 127.0.0.1 --port 8000

## chromium: Debian's chromium for the browser tests, installed with apt-get when it is missing and we may (root);
## otherwise say so (the browser tests then skip, or fail when CI=true)
CHROMIUM ?= $(or $(R2C_CHROMIUM),/usr/bin/chromium)
chromium:
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian's chromium for the browser tests (apt-get)"; \
	    apt-get install -y -qq chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }; \
	  else \
	    echo "$(CHROMIUM) is missing: install it (apt-get install chromium) or set R2C_CHROMIUM, else the browser tests skip"; \
	  fi; }

## test: install the dev extras and run every test (exit code 5, "no tests", fails), in TEST_WORKERS processes
## (pytest-xdist; each test file stays in one process, so its module fixtures start once). TEST_WORKERS=0: one process.
TEST_WORKERS ?= 2
test: install-dev chromium
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

## bench: the benchmarks whose figures are in docs/performance.md
bench: install-dev
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis

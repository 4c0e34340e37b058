# Two commands for a newcomer: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test lock clean bench

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || { echo "Python 3.11 is needed: run make PYTHON=/path/to/python3.11"; exit 1; }
	@echo "Installing policingplan and what it needs into $(VENV) (once; about a minute)..."
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test]"
	@touch $(STAMP)
	@echo "Installed: $(BIN)/policingplan"

demo: install
	@bash scripts/demo.sh

# The whole suite on SQLite, then the web application's tests again on PostgreSQL (a server must be
# running: POLICINGPLAN_TEST_POSTGRES names it; the run fails, never skips, when it is missing).
POSTGRES_URL ?= $(or $(POLICINGPLAN_TEST_POSTGRES),postgres://postgres@127.0.0.1:5432/postgres)

test: install
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q
	DATABASE_URL=$(POSTGRES_URL) $(BIN)/python -m pytest -n 2 -q tests/web tests/faults/test_edit_connection_drop.py --ignore=tests/web/browser

bench: install
	$(BIN)/python benchmarks/run_all.py

# Regenerate the pinned constraints from the current environment.
lock: install
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^policingplan' > constraints.txt

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis

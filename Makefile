# Two commands for a newcomer: `make demo` and `make test`. Both build .venv when missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lab bench venv lint clean system-deps grading-deps hub-deps hub-test

venv: $(STAMP)

# System packages (apt as root; otherwise prints how). Quick when present. The demo
# needs only bubblewrap, the grading jail; the tests also print records with chromium.
system-deps:
	sh scripts/system-deps.sh

grading-deps:
	sh scripts/system-deps.sh --grading

# Reinstall only when pyproject.toml changes, so repeated runs are quick (idempotent).
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP) grading-deps
	$(BIN)/crm-course demo

# Both cores: each test file stays on one worker, so a file's shared fixtures are built
# once; the browser tests share one JupyterLab server (tests/conftest.py groups them).
TEST_WORKERS ?= 2
test: $(STAMP) system-deps hub-deps
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup --durations=25

lab: $(STAMP)
	$(BIN)/crm-course lab

bench: $(STAMP)
	$(BIN)/python -m benchmarks

lint: $(STAMP)
	$(BIN)/ruff check crm_sim autograders tests benchmarks
	$(BIN)/ruff check --extend-exclude '*.ipynb' course   # unit helpers and grading/

clean:
	rm -rf $(VENV) demo bench-results

# The class hub (deploy/, docs/deploy.md): JupyterHub from PyPI, the proxy from npm.
hub-deps: $(STAMP)
	sh scripts/hub-deps.sh $(BIN)/python

# The hub end to end (as root: it creates and removes Linux accounts); also in `make test`.
hub-test: $(STAMP) grading-deps hub-deps
	$(BIN)/python -m pytest tests/test_hub.py -q

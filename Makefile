# Quick start: `make lab` (JupyterLab on the tutorials, against the sandbox) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-dev
PORT   ?= 8000

.PHONY: install lab test test-fast notebooks bench sandbox lint stubs clean

install: $(STAMP)

# idempotent: re-runs only when pyproject.toml changes or the venv is missing
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

# root (containers, CI machines) needs --allow-root; nothing else changes
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: install
	$(BIN)/jupyter lab --notebook-dir=notebooks --ServerApp.open_browser=False $(ROOT_FLAG)

# the notebooks run with TQDM_DISABLE=1: no progress bar ever reaches checked output
NBVAL := TQDM_DISABLE=1 $(BIN)/python -m pytest --nbval-lax --nbval-sanitize-with notebooks/sanitize.cfg notebooks

test: install
	$(BIN)/python -m pytest tests
	$(NBVAL)

test-fast: install
	$(BIN)/python -m pytest tests -x -q

notebooks: install
	$(NBVAL)

bench: install
	$(BIN)/python benchmarks/run.py

sandbox: install
	$(BIN)/mdh-notebook sandbox --port $(PORT)

# the typed stub of the session's generated methods, from the catalogue (a test fails when it drifts)
stubs: install
	$(BIN)/python -m mdh_notebook._stubgen

lint: install
	$(BIN)/ruff check mdh_notebook tests
	$(BIN)/mypy mdh_notebook

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis *.egg-info

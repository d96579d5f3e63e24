# Quick start: `make lab` (JupyterLab on the tutorials, against the sandbox) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# the stamp names how the package was installed: a venv installed another way installs again once
STAMP  := $(VENV)/.installed-dev-compat
PORT   ?= 8000

.PHONY: install lab test test-fast notebooks run-notebooks bench sandbox lint stubs clean

install: $(STAMP)

# idempotent: re-runs only when pyproject.toml changes, the venv is missing, or it was installed
# another way (an older stamp). editable_mode=compat puts the repo on sys.path through a .pth, which
# mypy follows; the default editable mode is an import hook mypy cannot see, so a user's
# `mypy --strict analysis.py` would not find mdh_notebook at all (tests/test_stubs.py checks)
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]' \
		--config-settings editable_mode=compat
	@rm -f $(VENV)/.installed-dev*
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

# execute notebooks in place and store their outputs (the documentation): make run-notebooks [NB=notebooks/x.ipynb]
NB ?= notebooks/[0-9]*.ipynb
run-notebooks: install
	TQDM_DISABLE=1 $(BIN)/jupyter nbconvert --to notebook --execute --inplace $(NB)

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

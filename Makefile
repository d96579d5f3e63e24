# Quick start: `make lab` (JupyterLab on the tutorials, against the sandbox) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# the stamp names how the package was installed: a venv installed another way installs again once
STAMP  := $(VENV)/.installed-dev-compat
PORT   ?= 8000

.PHONY: install browser lab test test-fast test-browser notebooks run-notebooks bench sandbox lint stubs clean

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

# the browser tests drive Debian's chromium with Playwright's Python package (executable_path, never
# `playwright install`): installed from apt when missing, as root or through sudo; quiet and idempotent
CHROMIUM := /usr/bin/chromium
APT_CHROMIUM := apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium

browser: $(CHROMIUM)

$(CHROMIUM):
	@echo "installing Debian's chromium for tests/browser (apt-get install chromium)"
	@log=$$(mktemp); \
	if [ "$$(id -u)" = 0 ]; then sh -c '$(APT_CHROMIUM)' >$$log 2>&1 || { cat $$log >&2; exit 1; }; \
	elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then \
		sudo sh -c '$(APT_CHROMIUM)' >$$log 2>&1 || { cat $$log >&2; exit 1; }; \
	else echo "error: $(CHROMIUM) is missing and neither root nor passwordless sudo can install it;" \
		"run: sudo apt-get install chromium" >&2; exit 1; fi; rm -f $$log
	@test -x $(CHROMIUM) || { echo "error: apt-get installed chromium but $(CHROMIUM) is missing" >&2; exit 1; }

# the unit tests, then the stored notebooks under nbval, then the browser tests (05_explorer in
# JupyterLab); every step runs even when an earlier one fails, and make fails if any did
test: install browser
	@failed=""; \
	$(BIN)/python -m pytest tests --ignore=tests/browser || failed="$$failed unit-tests"; \
	$(NBVAL) || failed="$$failed notebooks"; \
	$(BIN)/python -m pytest tests/browser || failed="$$failed browser"; \
	if [ -n "$$failed" ]; then echo "make test: FAILED:$$failed" >&2; exit 1; fi; \
	echo "make test: unit tests, notebooks and browser tests passed"

test-browser: install browser
	$(BIN)/python -m pytest tests/browser

test-fast: install browser
	$(BIN)/python -m pytest tests -x -q

notebooks: install
	$(NBVAL)

# execute notebooks in place and store their outputs (the documentation): make run-notebooks [NB=notebooks/x.ipynb]
NB ?= notebooks/[0-9]*.ipynb
run-notebooks: install
	TQDM_DISABLE=1 $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
		--ExecutePreprocessor.skip_cells_with_tag=nbval-skip $(NB)

# issue 8's benchmarks: ratios against the floor and the issue's targets, measured in one run against two
# sandboxes in their own processes (a few minutes on 2 cores); docs/benchmarks.md holds a run.
# `make bench BENCH_ARGS=--smoke` checks the harness in seconds (tiny data, N = 1)
BENCH_ARGS ?=
bench: install
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

sandbox: install
	$(BIN)/mdh-notebook sandbox --port $(PORT)

# the typed stub of the session's generated methods, from the catalogue (a test fails when it drifts)
stubs: install
	$(BIN)/python -m mdh_notebook._stubgen
	$(BIN)/python -m mdh_notebook._cohort_stubgen

lint: install
	$(BIN)/ruff check mdh_notebook tests benchmarks
	$(BIN)/mypy mdh_notebook

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis *.egg-info artifacts

# nnkit course: one entry point. The README's two commands are `make start` and `make test`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install --quiet --disable-pip-version-check
# PyTorch's CPU wheel lies on disk on this kind of machine; elsewhere pip takes it from PyPI.
FIND_LINKS := $(if $(wildcard /opt/wheels),--find-links /opt/wheels,)
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
# Small matrices are faster on one BLAS thread than on two that fight for the same two cores.
export OPENBLAS_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1
export PYTHONDONTWRITEBYTECODE := 1
# Tests run kernels and browsers: keep their settings and caches out of the home folder.
TEST_HOME := $(CURDIR)/_build/test-home
# No MPLBACKEND for kernels: they must keep IPython's inline backend, or figures (and the figures inside widgets on
# the website) become "<Figure size ...>" text. In-process tests (make unit) draw with Agg.
TEST_ENV := env -u MPLBACKEND JUPYTER_CONFIG_DIR=$(TEST_HOME)/jupyter IPYTHONDIR=$(TEST_HOME)/ipython MPLCONFIGDIR=$(TEST_HOME)/mpl \
	XDG_CACHE_HOME=$(TEST_HOME)/cache XDG_CONFIG_HOME=$(TEST_HOME)/config

.PHONY: start test check unit notebooks book book-instructor book-leaks browser sync lock bench clean help

help:
	@echo "make start  - install (into $(VENV)) and open the course in JupyterLab at chapter 1"
	@echo "make test   - install what the tests need and run every test (CI runs this)"
	@echo "make check  - fast checks: lint, notebook pairs in sync, generated exercises in sync"
	@echo "make book   - build the website, student edition, into _build/html (works offline)"
	@echo "make book-instructor - the instructor edition, with solutions, into _build/instructor/_build/html"
	@echo "make sync   - regenerate notebooks/*.ipynb from notebooks/*.md (the .md is the source)"
	@echo "make bench  - benchmarks side by side with PyTorch and scikit-learn"

# -- environments (re-installed only when a requirements file changes) --------------------------
$(VENV)/.runtime: requirements.txt constraints.txt pyproject.toml tools/jupyterlab-overrides.json
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) -r requirements.txt -c constraints.txt
	$(PIP) --no-deps -e .
	# no "get notified about Jupyter news?" prompt: the course works offline and asks students nothing
	mkdir -p $(VENV)/share/jupyter/lab/settings && cp tools/jupyterlab-overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PIP) -r requirements-dev.txt -c constraints.txt $(FIND_LINKS)
	touch $@

$(VENV)/.bench: $(VENV)/.dev requirements-bench.txt
	$(PIP) -r requirements-bench.txt -c constraints.txt $(FIND_LINKS)
	touch $@

/usr/bin/chromium:
	apt-get update -qq && apt-get install -y -qq chromium > /dev/null

# -- the two commands --------------------------------------------------------------------------
# The whole course folder is served (chapters, exercises); the printed address opens chapter 1 directly.
start: $(VENV)/.runtime
	$(VENV)/bin/jupyter lab $(ROOT_FLAG) --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/notebooks/01_neuron.ipynb \
		--LabApp.news_url=None --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate

test: $(VENV)/.dev /usr/bin/chromium
	$(MAKE) --no-print-directory check
	$(MAKE) --no-print-directory unit
	$(MAKE) --no-print-directory notebooks
	$(MAKE) --no-print-directory book
	$(MAKE) --no-print-directory book-leaks
	$(MAKE) --no-print-directory book-instructor
	$(MAKE) --no-print-directory browser

# -- stages ------------------------------------------------------------------------------------
check: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(PY) tools/check_pairs.py
	$(PY) tools/make_toc.py --check
	@if [ -d exercises/source ]; then $(PY) -m nnkit.course release --check && $(PY) -m nnkit.course leaks; fi

unit: $(VENV)/.dev
	$(TEST_ENV) MPLBACKEND=Agg $(PY) -m pytest -q tests --ignore=tests/browser

notebooks: $(VENV)/.dev
	$(TEST_ENV) $(PY) -m pytest -q --nbval-lax --sanitize-with tools/nbval_sanitize.cfg notebooks/*.ipynb solutions/*.ipynb

_web_assets/.stamp: tools/web_assets.sh
	bash tools/web_assets.sh _web_assets
	touch $@

# The student edition (chapters and exercises) into _build/html; the instructor edition (chapters and solutions)
# into _build/instructor/_build/html. Both execute each chapter once between them (execute: cache in _config.yml).
# NNKIT_WEBSITE=1: widgets pre-render their pictures and switch them in the browser (the site has no kernel); the
# execution cache (_config.yml) holds only outputs made that way.
JB_BUILD = $(TEST_ENV) NNKIT_WEBSITE=1 $(VENV)/bin/jupyter-book build -W --keep-going --all
book: $(VENV)/.dev _web_assets/.stamp
	$(JB_BUILD) . 2>&1 | tail -30; test $${PIPESTATUS[0]} -eq 0

book-instructor: $(VENV)/.dev _web_assets/.stamp
	$(JB_BUILD) --toc _toc_instructor.yml --path-output _build/instructor . 2>&1 | tail -30; test $${PIPESTATUS[0]} -eq 0

# No solution line may reach the student website (the notebooks themselves are scanned by make check).
book-leaks: $(VENV)/.dev
	$(PY) -m nnkit.course leaks --site _build/html

browser: $(VENV)/.dev /usr/bin/chromium
	$(TEST_ENV) $(PY) -m pytest -q tests/browser

# -- maintenance -------------------------------------------------------------------------------
sync: $(VENV)/.dev
	for source in notebooks/*.md; do $(VENV)/bin/jupytext --quiet --to ipynb "$$source"; done

lock:
	rm -rf /tmp/nnkit-lock && python3 -m venv /tmp/nnkit-lock
	/tmp/nnkit-lock/bin/pip install --quiet -r requirements-bench.txt $(FIND_LINKS)
	(echo "# Exact versions tested in CI (regenerate with: make lock). Used as pip -c constraints for every install."; \
	 /tmp/nnkit-lock/bin/pip freeze --exclude-editable | sed 's/+cpu$$//') > constraints.txt

# make bench BENCH_ARGS=--course adds the whole-course costs (notebooks, website, grading); --quick for a smoke run
bench: $(VENV)/.bench
	$(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf _build _web_assets .pytest_cache .hypothesis

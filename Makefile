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

.PHONY: start test check unit notebooks book book-instructor book-leaks browser classroom classroom-test sync lock bench clean help

help:
	@echo "make start  - install (into $(VENV)) and open the course in JupyterLab at chapter 1"
	@echo "make test   - install what the tests need and run every test (CI runs this)"
	@echo "make check  - fast checks: lint, notebook pairs in sync, generated exercises in sync"
	@echo "make book   - build the website, student edition, into _build/html (works offline)"
	@echo "make book-instructor - the instructor edition, with solutions, into _build/instructor/_build/html"
	@echo "make sync   - regenerate the notebooks/*.ipynb whose notebooks/*.md changed (the .md is the source)"
	@echo "make bench  - benchmarks side by side with PyTorch and scikit-learn"
	@echo "make classroom - (root) install and run the course on JupyterHub for a class: book/classroom.md"

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

# the grader runs every submission inside a bubblewrap sandbox (nnkit/course/sandbox.py)
/usr/bin/bwrap:
	apt-get update -qq && apt-get install -y -qq bubblewrap > /dev/null

# -- the two commands --------------------------------------------------------------------------
# The whole course folder is served (chapters, exercises); the printed address opens chapter 1 directly.
start: $(VENV)/.runtime
	$(VENV)/bin/jupyter lab $(ROOT_FLAG) --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/notebooks/01_neuron.ipynb \
		--LabApp.news_url=None --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate

test: $(VENV)/.dev /usr/bin/chromium /usr/bin/bwrap
	$(MAKE) --no-print-directory check
	$(MAKE) --no-print-directory unit
	$(MAKE) --no-print-directory notebooks
	$(MAKE) --no-print-directory book
	$(MAKE) --no-print-directory book-leaks
	$(MAKE) --no-print-directory book-instructor
	$(MAKE) --no-print-directory browser
	$(MAKE) --no-print-directory classroom-test

# -- stages ------------------------------------------------------------------------------------
check: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(PY) tools/check_pairs.py
	$(PY) tools/make_toc.py --check
	@if [ -d exercises/source ]; then $(PY) -m nnkit.course release --check && $(PY) -m nnkit.course leaks; fi

unit: $(VENV)/.dev
	$(TEST_ENV) MPLBACKEND=Agg $(PY) -m pytest -q tests --ignore=tests/browser --ignore=tests/classroom

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

# -- a class on JupyterHub (book/classroom.md) -------------------------------------------------------
# Installs (or updates) the shared venv, the proxy and the published course in CLASSROOM_PREFIX, then runs the hub.
# Re-running it publishes the current chapters and exercises: students' servers pull them when they next start.
CLASSROOM_PREFIX ?= /srv/nnkit-classroom
classroom:
	bash classroom/install.sh $(CLASSROOM_PREFIX)
	NNKIT_CLASSROOM=$(CLASSROOM_PREFIX) $(CLASSROOM_PREFIX)/venv/bin/jupyterhub -f classroom/jupyterhub_config.py

# The test installs its own classroom under _build (the venv is reused between runs). Users and groups are the
# test's own, made and removed by each run: the install publishes with the group root, the test again with its own.
CLASSROOM_TEST_PREFIX := $(CURDIR)/_build/classroom-test
$(CLASSROOM_TEST_PREFIX)/.installed: classroom/install.sh classroom/requirements.txt classroom/nnkit-submit \
		classroom/nnkit-collect requirements.txt constraints.txt $(shell find nnkit -name "*.py")
	bash classroom/install.sh $(CLASSROOM_TEST_PREFIX) root
	touch $@

# Bounded: after 300 s SIGINT, so pytest still runs the fixtures that stop the hub and remove the test's users.
classroom-test: $(VENV)/.dev /usr/bin/chromium /usr/bin/bwrap
	@if [ "$$(id -u)" != 0 ] || ! command -v useradd > /dev/null || [ ! -e /etc/pam.d/login ]; then \
	  echo "SKIPPED classroom test: it creates system users and runs a PAM hub, which needs root, useradd and PAM"; else \
	  $(MAKE) --no-print-directory $(CLASSROOM_TEST_PREFIX)/.installed && \
	  NNKIT_CLASSROOM_TEST_PREFIX=$(CLASSROOM_TEST_PREFIX) $(TEST_ENV) timeout --signal=INT --kill-after=60 300 \
	    $(PY) -m pytest -q -rs -s tests/classroom; fi

# -- maintenance -------------------------------------------------------------------------------
sync: $(VENV)/.dev
	$(PY) tools/check_pairs.py --write

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

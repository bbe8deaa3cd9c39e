# Amalgam — the two commands a newcomer runs:
#   make run    install missing Debian packages, build (release), run the quickstart, write results/quickstart.csv
#   make test   build and run every test, then execute the notebooks on small CSVs (notebooks-check)
# Figures:
#   make notebooks        run every experiment script at full size into results/ and
#                         regenerate docs/figures/ from the notebooks (see notebooks/README.md)
SHELL := /bin/bash
SWIFT ?= swift
DEB_PACKAGES := liblua5.4-dev libedit-dev pkg-config
RELEASE_BIN := .build/release/amalgam
DEBUG_BIN := .build/debug/amalgam
PYTHON ?= python3
VENV := .venv
VENV_PY := $(VENV)/bin/python
# A copy of the requirements the venv was built from: the venv is rebuilt when the file's
# content changes (not its timestamp, so a fresh checkout reuses the venv).
VENV_STAMP := $(VENV)/requirements.installed
NB_REQUIREMENTS := notebooks/requirements.txt
FIGURES_DIR := docs/figures

.PHONY: run test deps build release bench docs notebooks notebooks-check notebook-env clean

# Installs what the build needs when missing: as root with apt-get, otherwise says exactly what to run.
deps:
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else \
	    echo "missing Debian packages:$$missing"; echo "run: sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi

release: deps
	$(SWIFT) build -c release --product amalgam

run: release
	$(RELEASE_BIN) --seed 42 scripts/quickstart.lua
	@echo "wrote results/quickstart.csv"

build: deps
	$(SWIFT) build

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --disable-swift-testing
	@$(MAKE) --no-print-directory notebooks-check

bench: deps
	$(SWIFT) run -c release amalgam-bench

docs: build
	.build/debug/amalgam docs > docs/lua-api.md

# Python venv for the notebooks, from PyPI only. Needs `python3 -m venv`; where Debian ships
# Python without ensurepip, installs python3-venv (as root), else falls back to virtualenv
# installed into a throw-away directory (pip --target: nothing lands in the system Python).
notebook-env:
	@if [ -x $(VENV_PY) ] && cmp -s $(NB_REQUIREMENTS) $(VENV_STAMP); then exit 0; fi; \
	echo "notebook-env: creating $(VENV) from $(NB_REQUIREMENTS)"; \
	rm -rf $(VENV); \
	if ! $(PYTHON) -m venv $(VENV) >/dev/null 2>&1; then \
	  rm -rf $(VENV); \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "notebook-env: '$(PYTHON) -m venv' failed; installing python3-venv"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null; \
	  fi; \
	  $(PYTHON) -m venv $(VENV) >/dev/null 2>&1 || { rm -rf $(VENV); \
	    echo "notebook-env: '$(PYTHON) -m venv' unavailable; using virtualenv"; \
	    vtmp=$$(mktemp -d); \
	    PIP_ROOT_USER_ACTION=ignore $(PYTHON) -m pip install -q --disable-pip-version-check --target "$$vtmp" virtualenv && \
	    PYTHONPATH="$$vtmp" $(PYTHON) -m virtualenv -q $(VENV); ok=$$?; rm -rf "$$vtmp"; [ $$ok = 0 ]; } || \
	  { echo "notebook-env: cannot create a Python venv: install python3-venv (Debian/Ubuntu) or virtualenv"; exit 1; }; \
	fi; \
	$(VENV_PY) -m pip install -q --disable-pip-version-check -r $(NB_REQUIREMENTS) && \
	cp $(NB_REQUIREMENTS) $(VENV_STAMP) && echo "notebook-env: ready"

# Full-size CSVs into results/, then every notebook, with its key figures saved to docs/figures/.
notebooks: release notebook-env
	scripts/run_all.sh full results $(RELEASE_BIN)
	rm -f $(FIGURES_DIR)/*.png
	$(VENV_PY) notebooks/run_notebooks.py --results results --export-figures $(FIGURES_DIR)

# What `make test` runs: small-size CSVs in a temporary directory, every notebook executed on
# them, no figures written; also fails if a committed notebook carries outputs. Uses the debug
# binary the tests already built.
notebooks-check: deps notebook-env
	$(SWIFT) build --product amalgam
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	scripts/run_all.sh small "$$tmp" $(DEBUG_BIN) && \
	$(VENV_PY) notebooks/run_notebooks.py --require-clean --results "$$tmp"

clean:
	rm -rf .build results

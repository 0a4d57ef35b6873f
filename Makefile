# Two commands do all the set-up on a fresh machine (Python 3.11+ and Pango installed):
#   make build   creates .venv, installs guidegen, builds output/devops-engineer.pdf
#   make test    creates .venv if needed and runs the test suite
# `make clean` starts over; a different interpreter (PYTHON=python3.12) starts over by itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The stamp names the interpreter, so a venv made by another Python is rebuilt, not reused.
PY_VERSION := $(shell $(PYTHON) -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null)
STAMP := $(VENV)/.installed-$(PY_VERSION)

.PHONY: build test test-fast bench layout-matrix contact-sheet lint clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "guidegen needs Python 3.11 or newer, and $(PYTHON) is " + sys.version.split()[0] + ": run make PYTHON=python3.11 (or newer)")'
	$(PYTHON) -m venv --clear $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

build: $(STAMP)
	$(BIN)/guidegen build

# Two workers (pytest-xdist) share the two cores with the books built in the background
# (tests/conftest.py).
test: $(STAMP)
	$(BIN)/python -m pytest -n 2

# The suite without the few slow end-to-end tests (signals, terminals, the wheel).
test-fast: $(STAMP)
	$(BIN)/python -m pytest -n 2 -m "not slow"

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

# Every role x edition x paper against the print-design rules (a few minutes).
layout-matrix: $(STAMP)
	$(BIN)/python tests/layout_matrix.py

# docs/contact-sheet.png: every page of the default book in spreads, in grey (needs pdftoppm).
contact-sheet: build
	$(BIN)/python tools/contact_sheet.py output/devops-engineer.pdf docs/contact-sheet.png

# ruff, and mypy on guidegen/ (its settings and the untyped libraries: pyproject.toml).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) dist build output/*.pdf output/*.html

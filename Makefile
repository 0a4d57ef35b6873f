# Two commands do all the set-up on a fresh machine (Python 3.11+ and Pango installed):
#   make build   creates .venv, installs guidegen, builds output/devops-engineer.pdf
#   make test    creates .venv if needed and runs the test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: build test bench lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

build: $(STAMP)
	$(BIN)/guidegen build

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) dist build output/*.pdf output/*.html

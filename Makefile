# Set-up and checks. `make demo` and `make test` work on a fresh clone with Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DB ?= $(CURDIR)/.demo/newsbrief.db

.PHONY: venv demo test lint typecheck unit bench clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[nlp,postgres,web,batch,dev]'
	touch $(STAMP)

demo: venv
	$(BIN)/newsbrief ingest src/newsbrief/sample/ --db sqlite:///$(DEMO_DB)
	$(BIN)/newsbrief digest --since 3650d --limit 5 --db sqlite:///$(DEMO_DB)
	@echo "Serving the web reader on http://127.0.0.1:8000 (Ctrl-C to stop)"
	$(BIN)/newsbrief serve --db sqlite:///$(DEMO_DB)

lint: venv
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: venv
	$(BIN)/mypy

unit: venv
	$(BIN)/pytest -q -n 2

test: lint typecheck unit

bench: venv
	$(BIN)/python bench/brief.py

clean:
	rm -rf $(VENV) .demo .pytest_cache .mypy_cache .ruff_cache

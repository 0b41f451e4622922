# Set-up is two commands: `make site` and `make test` (see README.md).
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed

.PHONY: site test serve check lint goldens bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

site: $(STAMP)
	$(BIN)/briefing build

check: $(STAMP)
	$(BIN)/briefing check

serve: $(STAMP)
	$(BIN)/briefing serve

lint: $(STAMP)
	$(BIN)/ruff check generator tests bench
	$(BIN)/mypy

test: $(STAMP) lint
	$(BIN)/pytest -q

goldens: $(STAMP)
	$(BIN)/python tests/update_goldens.py

clean:
	rm -rf public .briefing-cache

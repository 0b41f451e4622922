# Set-up is two commands: `make site` and `make test` (see README.md).
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
TOOLS   := node_modules/.installed
PIP     := $(BIN)/pip install --quiet -c constraints.txt
PORT    ?= 8000

.PHONY: site test serve check lint format goldens bench lock clean

# An editable install, for working on the project; tests/test_wheel.py checks the wheel
# users get. Exact versions come from constraints.txt (`make lock` writes it again).
$(STAMP): pyproject.toml constraints.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(PIP) -e '.[test]'
	touch $(STAMP)

site: $(STAMP)
	$(BIN)/briefing build

check: $(STAMP)
	$(BIN)/briefing check

serve: $(STAMP)
	$(BIN)/briefing serve --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check generator tests bench scripts
	$(BIN)/ruff format --check generator tests bench scripts
	$(BIN)/mypy
	$(BIN)/python scripts/code_sizes.py --check

format: $(STAMP)
	$(BIN)/ruff format generator tests bench scripts
	$(BIN)/ruff check --fix generator tests bench scripts

# Chromium, nginx, Java and the npm checkers, for the browser and validator tests.
$(TOOLS): package.json scripts/install-test-tools.sh
	bash scripts/install-test-tools.sh

test: $(STAMP) $(TOOLS) lint
	$(BIN)/pytest -q

# Briefing beside Hugo (+ Pagefind) and Pelican on synthetic corpora; prints a table and
# writes bench/RESULTS.md. Not part of `make test`. It measures the installed `briefing`
# command with default settings, search included.
bench: $(STAMP)
	$(PIP) -e '.[test,bench]'
	# bytecode, as an installed package has (an editable install writes none where
	# PYTHONDONTWRITEBYTECODE is set, and every run would compile the generator again)
	$(BIN)/python -m compileall -q generator
	$(BIN)/python bench/run.py

goldens: $(STAMP)
	$(BIN)/python tests/update_goldens.py

# Resolve the newest versions the ranges in pyproject.toml allow, and pin them.
lock: $(STAMP)
	$(BIN)/pip install --quiet --upgrade -e '.[test,bench]'
	{ sed -n '1,3p' constraints.txt; $(BIN)/pip freeze --exclude-editable | grep -v '^#'; } > constraints.new
	mv constraints.new constraints.txt

clean:
	rm -rf public .briefing-cache

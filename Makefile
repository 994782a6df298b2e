# Two commands do everything on a fresh machine with Python 3.11:
#   make book   set up, re-execute the chapters whose inputs changed with papermill, build the site
#               (SHARD=I/N: only shard I's share, no site: CI's matrix, then `make site`)
#   make test   set up, run pytest and the import contracts, re-execute EVERY notebook with
#               papermill into a scratch copy (fails if a committed one would change), strict
#               nbval on every notebook, browser-test the site
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
READY  := $(VENV)/.ready
CHROMIUM := /usr/bin/chromium
SRC ?=
SHARD ?=
ID ?=

.PHONY: book site test setup chromium add remove bench demo clean

setup: $(READY)

$(READY): requirements.txt constraints.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.txt -c constraints.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(READY)

book: $(READY)
	$(BIN)/python -m livingreview build $(if $(FORCE),--force,) $(if $(SHARD),--shard $(SHARD),)

# The site from the committed notebooks, without executing anything.
site: $(READY)
	$(BIN)/python -m livingreview build --no-execute

chromium:
	@test -x $(CHROMIUM) || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

test: $(READY) chromium
	$(BIN)/python -m pytest tests -q --ignore=tests/browser
	$(BIN)/lint-imports
	$(BIN)/python -m livingreview check-notebooks
	$(BIN)/python -m pytest --nbval chapters -q
	$(BIN)/python -m livingreview build --no-execute
	$(BIN)/python -m pytest tests/browser -q --site _build/html

# make add SRC=path/to/abstract.txt   register a new paper (then `make book`)
add: $(READY)
	$(BIN)/python -m livingreview add $(SRC)

# make remove ID=study_id              undo an add
remove: $(READY)
	$(BIN)/python -m livingreview remove $(ID)

# The seeds plus the invented test documents (a comparable pair, a digitised figure) built as a
# throwaway site in _build/demo/: never committed, never published.
demo: $(READY)
	$(BIN)/python tests/demo_book.py

# Speed targets live here, never in tests.
bench: $(READY)
	$(BIN)/python bench/bench_extract.py
	$(BIN)/python bench/bench_book.py --papers 60

clean:
	rm -rf _build

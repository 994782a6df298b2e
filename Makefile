# Two commands do everything on a fresh machine with Python 3.11:
#   make book   set up, re-execute every chapter with papermill, build the site
#   make test   set up, run pytest, strict nbval on every notebook, browser-test the site
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
READY  := $(VENV)/.ready
CHROMIUM := /usr/bin/chromium
SRC ?=

.PHONY: book site test test-package test-notebooks test-site setup chromium add clean

setup: $(READY)

$(READY): requirements.txt constraints.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -c constraints.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(READY)

book: $(READY)
	$(BIN)/python -m livingreview build $(if $(FORCE),--force,)

# The site from the committed notebooks, without executing anything.
site: $(READY)
	$(BIN)/python -m livingreview build --no-execute

chromium:
	@test -x $(CHROMIUM) || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

test: $(READY) chromium
	$(BIN)/python -m pytest tests -q --ignore=tests/browser
	$(BIN)/python -m pytest --nbval chapters -q
	$(BIN)/python -m livingreview build --no-execute
	$(BIN)/python -m pytest tests/browser -q --site _build/html

add: $(READY)
	$(BIN)/python -m livingreview add $(SRC)

clean:
	rm -rf _build

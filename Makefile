PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
# pytest processes, each with its own databases, servers and browser; one a core.
TEST_PROCESSES ?= auto

.PHONY: demo test bench messages clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(STAMP)

demo: $(STAMP)
	$(BIN)/fairloop demo

test: $(DEV_STAMP)
	@scripts/ensure-chromium
	@scripts/ensure-axe
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/pytest -n $(TEST_PROCESSES) --durations=10

bench: $(DEV_STAMP)
	$(BIN)/python bench/loop.py

# Extract every user-facing string for translators and merge it into each language's
# .po (src/fairloop/locale/<code>/LC_MESSAGES/). No .mo is built or committed: the
# pages compile each .po in memory at first use (web/i18n.py).
messages: $(DEV_STAMP)
	mkdir -p src/fairloop/locale
	$(BIN)/pybabel extract -F babel.cfg --project fairloop --version 0.1.0 \
		--copyright-holder "the fairloop maintainers" --no-location --sort-output \
		-o src/fairloop/locale/messages.pot .
	$(BIN)/pybabel update -i src/fairloop/locale/messages.pot -d src/fairloop/locale \
		--no-location --no-fuzzy-matching --ignore-obsolete --width 100

clean:
	rm -rf $(VENV) fairloop-demo.db .fairloop-secret

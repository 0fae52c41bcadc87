# warroom: `make demo` opens the console on the demo world, `make test` runs the tests.
# Both install the exact versions pinned, with hashes, in requirements/*.txt; `make lock`
# re-resolves those to the newest versions pyproject.toml allows, on purpose.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
UV_VERSION := 0.13.9
# The locks hold for any platform and every Python from 3.11 on, not just the machine that made them.
COMPILE := $(BIN)/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes

.PHONY: demo test lint bench lock clean sample-chart

$(BIN)/python:
	@echo "creating $(VENV) with $(PYTHON)"
	$(PYTHON) -m venv $(VENV)

# One stamp per lock, so a changed lock reinstalls. warroom itself goes in editable and without
# dependencies, built by the locked hatchling (no build isolation: nothing unpinned is fetched).
# pip stays quiet, so each step says what it is doing first: the lock takes a minute or more.
$(VENV)/.%-installed: requirements/%.txt pyproject.toml | $(BIN)/python
	@echo "installing the $* lock into $(VENV) (first run or changed lock only, about a minute)"
	$(PIP) install --quiet --require-hashes -r requirements/$*.txt
	@echo "installing warroom itself into $(VENV) (editable)"
	$(PIP) install --quiet --no-deps --no-build-isolation -e .
	touch $@

demo: $(VENV)/.demo-installed
	$(BIN)/warroom demo

# Two workers per core: a console test waits for the app to go idle for about half its time,
# and another worker's test fills that (two workers left a 2-core box a third idle);
# worksteal evens out the long console tests at the end. At most 8 (a container's nproc may
# count the host's cores, not its own share).
WORKERS ?= $(shell n=$$(( $$(nproc) * 2 )); echo $$(( n > 8 ? 8 : n )))
# Bytecode is written even where the environment says not to (PYTHONDONTWRITEBYTECODE): else
# each of the run's Python processes (the workers, the consoles and CLIs the tests start)
# compiles warroom and rewrites the tests' asserts again, 15-30 s of the suite's CPU.
# Textual paints at most 15 frames a second in the tests instead of its 60: a headless console
# paints every frame though nobody sees one, and a test reads the screen once the console has
# settled, which is the same at any rate. A fifth less CPU on the console tests.
test: $(VENV)/.test-installed
	$(BIN)/ruff check warroom tests benchmarks
	TEXTUAL_FPS=15 PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -q -n $(WORKERS) --dist worksteal

lint: $(VENV)/.test-installed
	$(BIN)/ruff check warroom tests benchmarks
	$(BIN)/ruff format --check warroom tests benchmarks

bench: $(VENV)/.test-installed
	@for script in benchmarks/bench_*.py; do \
		echo "== $$script"; $(BIN)/python $$script || exit 1; \
	done

# The README's sample post-mortem chart, from a bad deploy on the demo world (about two minutes).
sample-chart: $(VENV)/.demo-installed
	$(BIN)/python -m warroom.demo.sample_chart docs/sample-chart.svg

# test.txt is resolved first; demo.txt and runtime.txt are held to its versions, so every lock
# agrees. runtime.txt is for installing warroom alone (a bastion): not used by make.
lock: | $(BIN)/python
	$(PIP) install --quiet 'uv==$(UV_VERSION)'
	$(COMPILE) --upgrade -o requirements/test.txt pyproject.toml --extra test requirements/build.in
	$(COMPILE) -o requirements/demo.txt -c requirements/test.txt \
		pyproject.toml --extra demo requirements/build.in
	$(COMPILE) -o requirements/runtime.txt -c requirements/test.txt pyproject.toml

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache

# Claimdesk: `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
ONLY   ?=
# Two test processes (pytest-xdist), one per core: each gets its own test database.
PYTEST_ARGS ?= -n 2

.PHONY: install run test lint fmt bench services browser bench-tools migrate seed clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

## Web on http://127.0.0.1:8000, a Celery worker and beat, on the embedded defaults.
run: seed
	$(BIN)/python manage.py compilemessages -v0 --ignore=.venv || true
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile

## PostgreSQL and Redis for the tests (started only when down), Chromium for browser tests,
## wrk for the staff_load benchmark (which the tests run too, at tiny sizes).
services:
	bash .ci/services.sh

browser:
	bash .ci/browser.sh

bench-tools:
	bash .ci/bench-tools.sh

test: install services browser bench-tools
	$(BIN)/ruff check .
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=claims_site.settings.test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Performance benchmarks: `make bench` or `make bench ONLY=name`. (`make test` runs each once at
## tiny sizes, tests/benchmarks/test_smoke.py, only to prove it still runs.)
bench: install services bench-tools
	@set -e; for script in benchmarks/*.py; do \
		name=$$(basename $$script .py); \
		case "$$name" in _*) continue;; esac; \
		if [ -z "$(ONLY)" ] || [ "$(ONLY)" = "$$name" ]; then \
			echo "== $$name"; $(BIN)/python $$script; fi; \
	done

clean:
	rm -rf var

# Syncline: `make demo` to try it, `make test` to run the whole suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_EMAIL ?= demo@syncline.local
DEMO_PASSWORD ?= syncline-demo

.PHONY: install test lint format demo clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint
	$(BIN)/python -m pytest

# The console on the embedded defaults (SQLite + filesystem broker under var/) with one worker.
demo: $(STAMP)
	@DEBUG=true $(BIN)/python manage.py migrate --verbosity 0
	@DEBUG=true $(BIN)/python manage.py bootstrap_organization --organization "Demo Company" \
		--email $(DEMO_EMAIL) --password $(DEMO_PASSWORD)
	@mkdir -p var/log
	@echo ""
	@echo "  Syncline is starting at http://$(HOST):$(PORT)/"
	@echo "  Log in as $(DEMO_EMAIL) with password $(DEMO_PASSWORD)"
	@echo "  Administration: http://$(HOST):$(PORT)/admin/   (worker log: var/log/worker.log)"
	@echo "  Press Ctrl-C to stop."
	@echo ""
	@DEBUG=true $(BIN)/celery -A config worker --loglevel=info --concurrency=2 \
		> var/log/worker.log 2>&1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=true $(BIN)/python manage.py runserver $(HOST):$(PORT) --noreload

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache *.egg-info

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

# Python may keep compiled modules (this machine's environment says not to): every process of
# the demo and the suite starts faster from them.
unexport PYTHONDONTWRITEBYTECODE

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
# The first DEBUG=true command generates the keys under var/; the demo itself runs with DEBUG off
# (plain error pages, as a user would see them), handed those keys like a production install.
DEMO_ENV = DEBUG=false ALLOWED_HOSTS=127.0.0.1,localhost SESSION_COOKIE_SECURE=false \
	CSRF_COOKIE_SECURE=false SECURE_SSL_REDIRECT=false SECURE_HSTS_SECONDS=0 SECRET_KEY="$$(cat var/secret_key)" SYNCLINE_SANDBOX_URL=http://127.0.0.1:$(SANDBOX_PORT) \
	SOCIAL_AUTH_REDIRECT_IS_HTTPS=false SYNCLINE_ALLOW_PRIVATE_HOSTS=true \
	SYNCLINE_SALESLOFT_RATE_LIMIT=$(DEMO_SALESLOFT_RATE) \
	SYNCLINE_PUBLIC_URL=http://$(HOST):$(PORT) SYNCLINE_SANDBOX_WAREHOUSE_URL=http://127.0.0.1:$(WAREHOUSE_PORT) \
	FIELD_ENCRYPTION_KEYS="$$(cat var/field_encryption_key)"

SANDBOX_PORT ?= 8900
# The demo's Salesloft team is granted ten times Salesloft's 600 calls a minute, by the sandbox
# and in Syncline's setting alike, so the cadence walkthrough (2,500 people, two calls each)
# takes under a minute instead of nine. `make demo DEMO_SALESLOFT_RATE=600/60` for the real pace.
DEMO_SALESLOFT_RATE ?= 6000/60
WAREHOUSE_PORT ?= 8901

demo: $(STAMP)
	@mkdir -p var/log
	@DEBUG=true $(BIN)/python -c "import config.settings"  # makes var/'s keys the first time
	@$(DEMO_ENV) $(BIN)/python manage.py demo_setup --organization "Demo Company" \
		--email $(DEMO_EMAIL) --password $(DEMO_PASSWORD) --url http://$(HOST):$(PORT) \
		--sandbox-url http://127.0.0.1:$(SANDBOX_PORT) --warehouse-port $(WAREHOUSE_PORT) \
		--key-file var/demo_api_key
	@$(DEMO_ENV) exec $(BIN)/python -m config.supervise --log-dir var/log \
		warehouse "$(BIN)/python -m sandbox.warehouse serve --port $(WAREHOUSE_PORT) --data-dir var/warehouse" \
		sandbox "$(BIN)/python -m sandbox --port $(SANDBOX_PORT) --state-file var/sandbox.json --budget salesloft=$(DEMO_SALESLOFT_RATE)" \
		worker "$(BIN)/celery -A config worker --loglevel=info --concurrency=2" \
		beat "$(BIN)/celery -A config beat --loglevel=info --schedule var/celerybeat-schedule" \
		web "$(BIN)/gunicorn config.wsgi --bind $(HOST):$(PORT) --workers 2 --threads 4 --access-logfile var/log/web-access.log --capture-output"

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache *.egg-info

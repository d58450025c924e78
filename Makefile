# The two commands a newcomer needs: `make run` serves the demo portal, `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install lint pytest seed worker beat clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python requirements.lock
	$(BIN)/pip install --quiet -r requirements.lock
	touch $@

node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

.env:
	cp .env.example .env

## install: the virtual environment, Python packages and front-end packages
install: $(VENV)/.installed node_modules/.installed .env

## run: install, migrate, load the demo data and serve on http://127.0.0.1:8000
run: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo
	@echo
	@echo "The portal is at http://$(HOST):$(PORT)/  (Ctrl+C to stop)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## test: install, lint, and run the whole suite (browser tests included)
test: install lint pytest

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

pytest:
	$(BIN)/python -m pytest

## worker, beat: the Celery processes, when REDIS_URL is set
worker: install
	$(BIN)/celery -A config worker --loglevel=info

beat: install
	$(BIN)/celery -A config beat --loglevel=info

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3 .pytest_cache .ruff_cache

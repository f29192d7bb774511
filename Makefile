# Alongside: `make run` serves the demo, `make test` runs every test. Only Python 3.11+ and
# make are needed; everything else is installed into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test lint format setup migrate demo worker beat clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)

migrate: setup
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo

run: demo
	@echo "Alongside is at http://127.0.0.1:$(PORT) (press Ctrl+C to stop)"
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: setup
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python manage.py check_language

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Production processes, for when CELERY_BROKER_URL is set.
worker: setup
	$(BIN)/celery -A config worker --loglevel INFO

# The schedule lives in the database (django-celery-beat), so beat needs the migrations.
beat: migrate
	$(BIN)/celery -A config beat --loglevel INFO \
		--scheduler django_celery_beat.schedulers:DatabaseScheduler

clean:
	rm -rf $(VENV) staticfiles db.sqlite3

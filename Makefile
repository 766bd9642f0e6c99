# The names people look for. `make run` and `make test` are the README's two commands.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000
# Development defaults; production sets these in its environment (see README).
export DEBUG ?= 1

.PHONY: run test test-fast lint format install migrate messages fixture bench clean backup restore deploy-check load

# The venv is rebuilt whenever the lock changes.
$(VENV)/.installed: requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_reference

run: migrate
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(PY) -m pytest -n 2

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# A consistent copy of the database (DATABASE_URL, or the SQLite file): make backup [FILE=...]
backup: install
	$(PY) manage.py backup $(or $(FILE),backups/equalization-$(shell date +%Y%m%d-%H%M%S).dump)

# Replace the database with a backup (asks first): make restore FILE=backups/....dump
restore: install
	$(PY) manage.py restore $(or $(FILE),$(error give the backup: make restore FILE=...)) && $(PY) manage.py migrate --noinput

# Django's deployment checklist, with the settings of the environment it runs in.
deploy-check: install
	$(PY) manage.py check --deploy --fail-level WARNING

# Refresh the translation catalogue and compile it (the .mo files are committed).
messages: install
	$(PY) manage.py makemessages -l zh_Hans -l en --no-obsolete --ignore=.venv --ignore=staticfiles
	$(PY) manage.py compilemessages --ignore=.venv

# Rebuild fixtures/reference.json from the steering project's sourced CSV files.
fixture: install
	$(PY) manage.py build_reference_fixture ../shared/reference-data

# Page times, queries, bytes, CSV export and import on SQLite and PostgreSQL, at reference and
# national scale; prints the table and writes BENCHMARKS.md. Needs PostgreSQL (BENCH_DATABASE_URL,
# default postgres://postgres@127.0.0.1:5432/eq_bench: that database is recreated).
# A quick run: make bench BENCH="--db sqlite --scale reference --requests 10 --import-rows 5000"
bench: install
	$(PY) bench/run.py $(BENCH)

# 60 s of wrk (bench/load.lua: 50 connections browsing pages and modest CSV exports) against
# gunicorn + PostgreSQL with the national-scale data (LOAD_DATABASE_URL, default
# postgres://postgres@127.0.0.1:5432/eq_load: created and filled once, about a minute);
# writes BENCHMARKS.md's Load section. Needs wrk (Debian package; installed with apt-get as root).
load: install
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk; } || { echo "make load needs wrk: apt-get install wrk" >&2; exit 1; }
	$(PY) bench/load.py $(LOAD)

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 db.sqlite3-wal db.sqlite3-shm

# Two commands for a newcomer: `make run` and `make test`. Both set themselves up.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
# Uses PostgreSQL/Redis when DATABASE_URL/CELERY_BROKER_URL are set, or (for tests)
# when they answer on 127.0.0.1; otherwise SQLite and in-process tasks.
PYTEST_ARGS ?= -q -n 2 --durations=30
SERVICES = eval "$$($(PY) bin/services.py $(1))"

.PHONY: install run test bench lint clean messages

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# The translations (locale/*/LC_MESSAGES/django.po) compiled with polib: no system gettext needed.
install: $(VENV)/.installed
	@$(PY) bin/compile_messages.py

# `make run`: the demo (DEBUG=True, seeded). `make run DEBUG=False` (with
# SECRET_KEY, ALLOWED_HOSTS, ...): the production start, collectstatic then gunicorn.
# HOST and PORT choose the address served; SITE_URL defaults to it.
HOST ?= 127.0.0.1
PORT ?= 8000
run: export DEBUG := $(or $(DEBUG),True)
run: export HOST := $(HOST)
run: export PORT := $(PORT)
# Workers under honcho get other PORT values: pin the link address for all processes.
run: export SITE_URL ?= http://$(if $(filter 0.0.0.0 ::,$(HOST)),localhost,$(HOST)):$(PORT)
run: install
	$(PY) bin/services.py ensure-db
	$(PY) manage.py migrate --noinput
	@case "$$DEBUG" in \
		[Tt]rue|1|[Yy]es|[Oo]n) $(PY) manage.py seed_demo ;; \
		*) $(PY) manage.py collectstatic --noinput -v 0 && echo "Static files collected (manifest storage)." ;; \
	esac
	@if [ -n "$$CELERY_BROKER_URL" ]; then \
		echo "Broker set: starting web, Celery worker and beat on $$HOST:$$PORT (Ctrl-C stops all)"; \
		echo "API docs: http://$$HOST:$$PORT/api/docs/ (tokens: http://$$HOST:$$PORT/api/tokens/)"; \
		PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile -p $$PORT; \
	else \
		echo "No CELERY_BROKER_URL: background jobs run in-process. Serving http://$$HOST:$$PORT/"; \
		echo "API docs: http://$$HOST:$$PORT/api/docs/ (tokens: http://$$HOST:$$PORT/api/tokens/)"; \
		exec $(BIN)/gunicorn -c gunicorn.conf.py qms.wsgi; \
	fi

# The architecture contracts (pyproject.toml, import-linter) run first: a broken one fails the tests.
test: install
	@$(BIN)/lint-imports --no-cache >/dev/null || $(BIN)/lint-imports --no-cache
	@$(call SERVICES,test) && $(BIN)/pytest $(PYTEST_ARGS)

bench: install
	@$(call SERVICES,bench) && $(PY) bin/services.py ensure-db && $(PY) -m bench $(if $(ONLY),--only $(ONLY),)

# The catalogues brought up to the sources (needs Debian's gettext); then translate the empty msgstr.
messages: install
	DEBUG=True $(PY) bin/make_messages.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles .pytest_cache

# Two commands for a newcomer: `make run` and `make test`. Both set themselves up.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
# Uses PostgreSQL/Redis when DATABASE_URL/CELERY_BROKER_URL are set, or (for tests)
# when they answer on 127.0.0.1; otherwise SQLite and in-process tasks.
PYTEST_ARGS ?= -q -n 2
SERVICES = eval "$$($(PY) bin/services.py $(1))"

# `make run HOST=0.0.0.0 PORT=9000` serves elsewhere; links (e-mails, QR codes,
# invitations) follow unless SITE_URL is set. `make run DEBUG=False` is the
# production start: collectstatic and gunicorn (no demo data: seed_demo refuses).
HOST ?= 127.0.0.1
PORT ?= 8000
QMS_BIND := $(HOST):$(PORT)
run: export QMS_BIND := $(QMS_BIND)
run: export SITE_URL ?= http://$(if $(filter 0.0.0.0 ::,$(HOST)),localhost,$(HOST)):$(PORT)

.PHONY: install run test bench lint smoke clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

run: export DEBUG := $(or $(DEBUG),True)
run: install
	$(PY) bin/services.py ensure-db
	$(PY) manage.py migrate --noinput
	@if [ "$$DEBUG" = "False" ] || [ "$$DEBUG" = "false" ] || [ "$$DEBUG" = "0" ]; then \
		echo "DEBUG=False: production start (no demo data; create users with manage.py createsuperuser)"; \
		$(PY) manage.py collectstatic --noinput --verbosity 0; \
	else \
		$(PY) manage.py seed_demo; \
	fi
	@if [ -n "$$CELERY_BROKER_URL" ]; then \
		echo "Broker set: starting web (gunicorn on $(QMS_BIND)), Celery worker and beat (Ctrl-C stops all)"; \
		PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile; \
	elif [ "$$DEBUG" = "False" ] || [ "$$DEBUG" = "false" ] || [ "$$DEBUG" = "0" ]; then \
		echo "No CELERY_BROKER_URL: background jobs run in-process. Serving http://$(QMS_BIND)"; \
		$(BIN)/gunicorn qms.wsgi --bind $(QMS_BIND) --workers 2 --access-logfile - --error-logfile -; \
	else \
		echo "No CELERY_BROKER_URL: background jobs run in-process."; \
		$(PY) manage.py runserver $(QMS_BIND); \
	fi

test: install
	@$(call SERVICES,test) && $(BIN)/pytest $(PYTEST_ARGS)

bench: install
	@$(call SERVICES,bench) && $(PY) -m bench $(if $(ONLY),--only $(ONLY),)

lint: install
	$(BIN)/ruff check .

# Production smoke test (CI runs it): a fresh clone, DEBUG=False, gunicorn, every main page over HTTP.
smoke: install
	$(PY) bin/smoke_prod.py

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles .pytest_cache

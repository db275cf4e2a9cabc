"""Point the Celery app at a given broker for one test, then put it back.

Unit tests run tasks eagerly; these helpers switch to real publishing, and
reset the app's cached connection pools so the new URL takes effect.
"""

import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from qms.celery import app

ROOT = Path(__file__).resolve().parents[1]
BROKER = os.environ.get("CELERY_BROKER_URL", "")
REQUIRED = os.environ.get("QMS_REQUIRE_SERVICES") == "1"


def _reset_pools():
    # Drop the app's references only: kombu keeps pools in a global registry
    # keyed by URL, and closing one there would break the next test using it.
    app._pool = None
    app.amqp._producer_pool = None


@contextlib.contextmanager
def publishing_to(url: str):
    # Celery reads the CELERY_BROKER_URL environment variable before its conf.
    old = (app.conf.task_always_eager, app.conf.broker_url, os.environ.get("CELERY_BROKER_URL"))
    app.conf.task_always_eager = False
    app.conf.broker_url = url
    os.environ["CELERY_BROKER_URL"] = url
    _reset_pools()
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.broker_url = old[0], old[1]
        if old[2] is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = old[2]
        _reset_pools()


def _db_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@contextlib.contextmanager
def real_worker():
    """A Celery worker subprocess on the real Redis broker, sharing the test
    database and media folder; tasks published meanwhile go to it. Use with
    a `transactional_db` test so the worker sees committed rows."""
    if not BROKER or connection.vendor != "postgresql":
        message = "needs CELERY_BROKER_URL (Redis) and PostgreSQL"
        if REQUIRED:
            pytest.fail(message)
        pytest.skip(message)
    env = {**os.environ, "DATABASE_URL": _db_url(), "DJANGO_SETTINGS_MODULE": "qms.settings_test"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "qms", "worker", "--pool=solo", "--loglevel=warning",
         "-Q", app.conf.task_default_queue, "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        with publishing_to(BROKER):
            yield worker
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()


def wait_for_job(job, worker, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            return job
        if worker.poll() is not None:
            raise AssertionError("worker died:\n" + worker.stdout.read().decode(errors="replace"))
        time.sleep(0.3)
    raise AssertionError(f"job still {job.status} after {timeout}s")

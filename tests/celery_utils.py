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


def require_services() -> None:
    if not BROKER or connection.vendor != "postgresql":
        message = "needs CELERY_BROKER_URL (Redis) and PostgreSQL"
        if REQUIRED:
            pytest.fail(message)
        pytest.skip(message)


def start_celery(role: str, *, broker: str | None = None, env: dict | None = None, include=(), args=(), queues=None):
    """A `celery worker` (solo pool) or `celery beat` subprocess on the test
    database and media folder; the caller stops it (`stop_process`)."""
    full_env = {**os.environ, "DATABASE_URL": _db_url(), "DJANGO_SETTINGS_MODULE": "qms.settings_test",
                "CELERY_BROKER_URL": broker or BROKER, "QMS_TEST_CELERY_EAGER": "0", **(env or {})}
    command = [sys.executable, "-m", "celery", "-A", "qms", role, "--loglevel=warning", *args]
    if role == "worker":
        from django.conf import settings

        queues = ",".join(queues or dict.fromkeys(settings.JOB_QUEUES.values()))  # default: every lane, like `make run`'s
        command += ["--pool=solo", "-Q", queues, "--without-gossip", "--without-mingle",
                    "--without-heartbeat"]
        if include:
            command += ["--include", ",".join(include)]
    return subprocess.Popen(command, cwd=ROOT, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def stop_process(proc) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def real_worker(*, broker: str | None = None, env: dict | None = None, include=()):
    """A Celery worker subprocess on the real Redis broker, sharing the test
    database and media folder; tasks published meanwhile go to it. Use with
    a `transactional_db` test so the worker sees committed rows."""
    require_services()
    worker = start_celery("worker", broker=broker, env=env, include=include)
    try:
        with publishing_to(broker or BROKER):
            yield worker
    finally:
        stop_process(worker)


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


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateRedis:
    """A redis-server of the test's own on a free loopback port, so a test can
    stop and start "the broker" without touching the shared one."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = None

    def start(self) -> None:
        import shutil
        import socket

        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("needs redis-server")
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("private redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc)
            self.proc = None

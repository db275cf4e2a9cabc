"""Issue 10: `/healthz` is liveness only; `/readyz` answers 503 when the
database or the configured broker does not answer; a session cookie (stale or
valid) never turns either into a 500."""

import os
import socket
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import override_settings

from tests.qms.test_deploy import ROOT


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.django_db
def test_readyz_answers_200_when_database_and_broker_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json()["checks"]["database"] == "ok"
    assert response.json()["checks"]["broker"] == "ok"
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_readyz_answers_503_when_the_broker_is_down(client):
    with override_settings(CELERY_BROKER_URL=f"redis://127.0.0.1:{_closed_port()}/0"):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"].startswith("broker:")
    assert response.json()["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_health_checks_with_a_valid_or_stale_session_cookie(client, staff):
    client.force_login(staff)
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    client.cookies[settings.SESSION_COOKIE_NAME] = "stale-session-key-that-does-not-exist"
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200


@pytest.mark.django_db
def test_health_checks_skip_the_https_redirect(client):
    with override_settings(SECURE_SSL_REDIRECT=True):
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 200


_DOWN_SCRIPT = """
import django, sys
django.setup()
from django.test import Client
client = Client(raise_request_exception=False)
client.cookies["sessionid"] = sys.argv[1]
live = client.get("/healthz")
ready = client.get("/readyz")
print(live.status_code, ready.status_code, ready.content.decode())
"""


@pytest.mark.django_db
def test_database_down_liveness_200_readiness_503_even_with_a_session_cookie(client, staff):
    client.force_login(staff)
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    port = _closed_port()
    env = {
        **os.environ, "DJANGO_SETTINGS_MODULE": "qms.settings_test",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{port}/nowhere", "CELERY_BROKER_URL": "",
    }
    for cookie in (session_key, "stale"):
        result = subprocess.run([sys.executable, "-c", _DOWN_SCRIPT, cookie], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        live, ready, body = result.stdout.strip().split(" ", 2)
        assert (live, ready) == ("200", "503"), result.stdout + result.stderr
        assert '"database": "database: OperationalError"' in body

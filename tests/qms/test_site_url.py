"""Issue 12: `make run` honours HOST/PORT, and without SITE_URL the links in
e-mails, QR codes and invitations point at the address actually served."""

import os
import subprocess
import sys

from tests.qms.test_deploy import ROOT

SCRIPT = "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)"


def _site_url(**env):
    clean = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "HOST", "PORT", "DJANGO_SETTINGS_MODULE")}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={**clean, "DJANGO_SETTINGS_MODULE": "qms.settings", "DEBUG": "True", **env},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_site_url_defaults_to_the_served_host_and_port():
    assert _site_url(HOST="127.0.0.2", PORT="9123") == "http://127.0.0.2:9123"
    assert _site_url() == "http://127.0.0.1:8000"


def test_an_explicit_site_url_wins():
    assert _site_url(SITE_URL="https://qms.example.com", PORT="9123") == "https://qms.example.com"


def test_gunicorn_binds_host_and_port_from_the_environment():
    code = "import runpy; c = runpy.run_path('gunicorn.conf.py'); print(c['bind'])"
    env = {**os.environ, "HOST": "127.0.0.3", "PORT": "9456"}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=30)
    assert result.stdout.strip() == "127.0.0.3:9456", result.stderr
    assert "gunicorn" in (ROOT / "Procfile").read_text().split("\n")[0]
    assert "runserver" not in (ROOT / "Procfile").read_text()

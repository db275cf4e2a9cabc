"""A real OpenID provider (django-oidc-provider, tests/oidc_idp/) on loopback for
the OIDC tests: seeded with a key, our client and two people, served by
Django's runserver in a subprocess. Skips with the reason when the library is
missing; fails instead under QMS_REQUIRE_SERVICES=1 (CI)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

REQUIRED = os.environ.get("QMS_REQUIRE_SERVICES") == "1"
ROOT = Path(__file__).resolve().parents[2]
SECRET = "idp-client-secret"  # noqa: S105 - a throwaway test client
PASSWORD = "idp-pass-Word-1"  # noqa: S105


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Provider:
    def __init__(self, redirect_uri: str):
        try:
            import oidc_provider  # noqa: F401
        except ImportError:
            message = "django-oidc-provider is not installed (pip install -r requirements-dev.txt)"
            if REQUIRED:
                pytest.fail(message)
            pytest.skip(message)
        self.dir = tempfile.mkdtemp(prefix="qms-idp-")
        self.port = int(os.environ.get("QMS_IDP_PORT") or 0) or _free_port()  # a fixed port where ports are shared
        self.url = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
        env.update(DJANGO_SETTINGS_MODULE="tests.oidc_idp.settings", QMS_IDP_DIR=self.dir, QMS_IDP_URL=self.url,
                   QMS_IDP_SECRET=SECRET, PYTHONPATH=str(ROOT))
        subprocess.run([sys.executable, str(ROOT / "tests/oidc_idp/setup.py"), redirect_uri],  # noqa: S603
                       env=env, cwd=ROOT, check=True, capture_output=True, timeout=120)
        self.proc = subprocess.Popen(  # noqa: S603 - our own test provider
            [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{self.port}", "--noreload", "--nothreading"],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._wait()

    def _wait(self):
        import requests

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/.well-known/openid-configuration", timeout=2).status_code == 200:
                    return
            except requests.ConnectionError:
                time.sleep(0.3)
        self.stop()
        pytest.fail("the test OpenID provider did not start within 30 s")

    def settings(self) -> dict:
        return {
            "OIDC_RP_CLIENT_ID": "qms-test", "OIDC_RP_CLIENT_SECRET": SECRET,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.url}/authorize",
            "OIDC_OP_TOKEN_ENDPOINT": f"{self.url}/token",
            "OIDC_OP_USER_ENDPOINT": f"{self.url}/userinfo",
            "OIDC_OP_JWKS_ENDPOINT": f"{self.url}/jwks",
            "OIDC_RP_SIGN_ALGO": "RS256", "OIDC_RP_SCOPES": "openid email profile groups",
            "OIDC_USE_PKCE": True, "OIDC_AUTHENTICATION_CALLBACK_URL": "oidc-callback",
            "OIDC_ROLE_MAP": "qms-quality|Quality Manager;qms-staff|Staff",
            "OIDC_USERNAME_CLAIM": "preferred_username", "OIDC_GROUPS_CLAIM": "groups",
            "OIDC_CREATE_USER": True, "OIDC_TIMEOUT": 10,
        }

    def stop(self):
        if getattr(self, "proc", None) is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        shutil.rmtree(self.dir, ignore_errors=True)

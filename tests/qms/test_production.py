"""Production start-up and operations: static files collect with the manifest
storage, health probes tell liveness from readiness, signed-in pages are not
cached, and links default to the address actually served."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SECRET = "production-secret-for-the-tests-" + "0123456789abcdef" * 3


def _env(**extra):
    clean = {k: v for k, v in os.environ.items()
             if k not in ("DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "SITE_URL", "HOST", "PORT")}
    return {**clean, "DEBUG": "False", "SECRET_KEY": SECRET, "ALLOWED_HOSTS": "testserver,127.0.0.1",
            "DJANGO_SETTINGS_MODULE": "qms.settings", **extra}


def _python(code: str, **extra):
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=_env(**extra),
                          capture_output=True, text=True, timeout=180)


def test_collectstatic_with_the_manifest_storage_succeeds_for_every_asset(tmp_path):
    """DEBUG=False uses CompressedManifestStaticFilesStorage, which aborts on any
    reference (a sourceMappingURL, a url() in CSS) to a file that is not shipped."""
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"], cwd=ROOT,
        env=_env(STATIC_ROOT=str(tmp_path), DATABASE_URL="sqlite:///:memory:"),
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    shipped = {str(p.relative_to(ROOT / "static")) for p in (ROOT / "static").rglob("*") if p.is_file()}
    assert shipped <= set(manifest), shipped - set(manifest)


def test_every_vendored_source_map_reference_points_at_a_shipped_file():
    for asset in (ROOT / "static" / "vendor").rglob("*"):
        if asset.suffix not in (".js", ".css"):
            continue
        for line in asset.read_text(errors="replace").splitlines():
            if "sourceMappingURL=" in line:
                name = line.split("sourceMappingURL=")[1].strip(" */\n")
                assert (asset.parent / name).is_file(), f"{asset} refers to missing {name}"


def test_gunicorn_is_the_production_web_server():
    procfile = (ROOT / "Procfile").read_text()
    web = next(line for line in procfile.splitlines() if line.startswith("web:"))
    assert "gunicorn" in web and "runserver" not in web
    assert any(line.startswith("gunicorn==") for line in (ROOT / "requirements.txt").read_text().splitlines())


PROBE = """
import django; django.setup()
from django.test import Client
c = Client()
c.cookies["sessionid"] = "stale-or-forged-session-key"
for path in ("/healthz", "/readyz"):
    r = c.get(path)
    print(path, r.status_code, r.content.decode())
"""


def test_liveness_answers_and_readiness_fails_when_the_database_is_down():
    # Port 9 (discard) refuses: a database that does not answer.
    result = _python(PROBE, DATABASE_URL="postgres://postgres@127.0.0.1:9/qms", CELERY_BROKER_URL="")
    assert result.returncode == 0, result.stderr[-3000:]
    lines = dict(line.split(" ", 1) for line in result.stdout.strip().splitlines())
    assert lines["/healthz"].startswith("200 ok")
    status, body = lines["/readyz"].split(" ", 1)
    assert status == "503"
    assert json.loads(body)["ready"] is False and json.loads(body)["database"] != "ok"


def test_readiness_fails_when_the_configured_broker_does_not_answer(tmp_path):
    db = tmp_path / "db.sqlite3"
    result = _python(PROBE, DATABASE_URL=f"sqlite:///{db}", CELERY_BROKER_URL="redis://127.0.0.1:9/0")
    assert result.returncode == 0, result.stderr[-3000:]
    status, body = dict(line.split(" ", 1) for line in result.stdout.strip().splitlines())["/readyz"].split(" ", 1)
    assert status == "503"
    assert json.loads(body)["database"] == "ok" and json.loads(body)["broker"] != "ok"


@pytest.mark.django_db
def test_readiness_answers_200_when_everything_answers(client, settings):
    settings.CELERY_BROKER_URL = ""
    client.cookies["sessionid"] = "stale"
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["ready"] is True
    assert client.get("/healthz").status_code == 200


def test_site_url_defaults_to_the_address_served():
    code = "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)"
    served = _python(code, PORT="8123", HOST="127.0.0.2", DATABASE_URL="sqlite:///:memory:")
    assert served.stdout.strip() == "http://127.0.0.2:8123", served.stderr
    explicit = _python(code, PORT="8123", SITE_URL="https://qms.example.com/", DATABASE_URL="sqlite:///:memory:")
    assert explicit.stdout.strip() == "https://qms.example.com"


@pytest.mark.django_db
def test_signed_in_pages_and_downloads_are_not_stored(client, quality_manager):
    client.force_login(quality_manager)
    for path in ("/", "/documents/", "/records/", "/audits/", "/capa/", "/clauses/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"], path

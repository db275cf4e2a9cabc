"""The deployment an operator runs (issue 21), checked without a container
runtime: the Dockerfile, compose.yaml (by `docker-compose config` where the
tool is installed, which CI does) and the Helm chart (yamllint, and every
`.Values` path a template uses exists in values.yaml). The container images
themselves cannot be pulled here (only the package registries are reachable)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "deploy/helm/qms"
REQUIRED = os.environ.get("QMS_REQUIRE_SERVICES") == "1"


def test_the_image_runs_gunicorn_as_a_non_root_user_with_static_files_collected():
    text = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^USER 10001$", text, re.M), "the image must not run as root"
    assert "collectstatic --noinput" in text and 'CMD ["gunicorn", "-c", "gunicorn.conf.py", "qms.wsgi"]' in text
    assert "HEALTHCHECK" in text and "/healthz" in text
    assert "requirements.txt" in text and "requirements-dev" not in text


def test_compose_runs_a_worker_per_queue_one_beat_and_private_object_storage():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    queues = {s: " ".join(services[s]["command"]) for s in services if s.startswith("worker-")}
    defaults = {"qms", "qms-bulk", "qms-reminders"}
    assert {re.search(r"-Q (\S+)", c).group(1) for c in queues.values()} == defaults
    assert sum("beat" in " ".join(s.get("command", [])) for s in services.values()) == 1
    env = services["web"]["environment"]
    assert env["AWS_STORAGE_BUCKET_NAME"] and env["CACHE_URL"].startswith("redis://")
    assert "mc anonymous set none" in services["minio-bucket"]["command"][0]
    assert services["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_docker_compose_accepts_the_file():
    tool = shutil.which("docker-compose")
    if tool is None:
        if REQUIRED:
            pytest.fail("docker-compose is installed by .ci/run")
        pytest.skip("docker-compose is not installed (Debian package docker-compose)")
    env = {**os.environ, "POSTGRES_PASSWORD": "x", "MINIO_ROOT_USER": "x", "MINIO_ROOT_PASSWORD": "x"}
    env_file = ROOT / ".env"
    created = not env_file.exists()
    if created:
        env_file.write_text("SECRET_KEY=compose-config-check\n")
    try:
        done = subprocess.run([tool, "-f", str(ROOT / "compose.yaml"), "config", "-q"], env=env, cwd=ROOT,
                              capture_output=True, text=True)
    finally:
        if created:
            env_file.unlink()
    assert done.returncode == 0, done.stderr


def _values_paths(values, prefix=""):
    out = set()
    if isinstance(values, dict):
        for k, v in values.items():
            out.add(prefix + k)
            out |= _values_paths(v, prefix + k + ".")
    return out


def test_the_chart_uses_only_values_it_declares_and_its_yaml_lints():
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    known = _values_paths(values)
    used = set()
    for template in (CHART / "templates").iterdir():
        used |= set(re.findall(r"\.Values\.([A-Za-z0-9_.]+)", template.read_text()))
    assert used and used <= known, f"templates use undeclared values: {sorted(used - known)}"
    chart = yaml.safe_load((CHART / "Chart.yaml").read_text())
    assert chart["apiVersion"] == "v2" and chart["name"] == "qms"
    # Probes wired to the health endpoints, migrations as a hook Job, one beat.
    web = (CHART / "templates/web.yaml").read_text()
    assert "path: /healthz" in web and "path: /readyz" in web and "HorizontalPodAutoscaler" in web
    assert '"helm.sh/hook": pre-install,pre-upgrade' in (CHART / "templates/migrate-job.yaml").read_text()
    assert "replicas: 1" in (CHART / "templates/beat.yaml").read_text()
    assert {w["queue"] for w in values["workers"]} == {"qms", "qms-bulk", "qms-reminders"}
    from yamllint import linter
    from yamllint.config import YamlLintConfig

    conf = YamlLintConfig("extends: relaxed\nrules: {line-length: {max: 140}}")
    for path in (CHART / "Chart.yaml", CHART / "values.yaml", ROOT / "compose.yaml"):
        errors = [p for p in linter.run(path.read_text(), conf) if p.level == "error"]
        assert not errors, f"{path.name}: {errors}"

"""Stateless nodes, proven (issue 21): two gunicorn web processes and two
Celery workers, each with its own working directory and a read-only media
folder, against one PostgreSQL, one Redis and one S3 server (moto, on
loopback). A user's journey alternates between the nodes: evidence uploaded on
A is downloaded on B; a PDF asked for on B is made by a worker and downloaded
from A; the session and the flash message follow the user across nodes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from qms.models import Job
from records.models import Record
from tests.celery_utils import BROKER, _db_url, free_port, require_services, stop_process
from tests.factories import PASSWORD
from tests.qms.s3_server import BUCKET, CREDENTIALS
from tests.records.factories import GOOD, PDF_BYTES, make_type

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _wait_http(url: str, procs, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for p in procs:
            if p.poll() is not None:
                raise AssertionError("a node died:\n" + p.stdout.read().decode(errors="replace")[-3000:])
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} did not answer within {timeout} s")


@pytest.fixture
def cluster(transactional_db, tmp_path):
    require_services()
    pytest.importorskip("moto", reason="moto[server] is a test requirement (requirements-dev.txt)")
    import boto3

    from tests.factories import ensure_reference_data

    ensure_reference_data()
    procs = []
    s3_port = free_port()
    procs.append(subprocess.Popen([str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(s3_port)],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT))
    endpoint = f"http://127.0.0.1:{s3_port}"
    _wait_http(endpoint, procs)
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                      aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
                      aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"])
    s3.create_bucket(Bucket=BUCKET)
    queue = f"qms-multinode-{os.getpid()}"

    def node_env(name):
        home = tmp_path / name
        media = home / "media"
        media.mkdir(parents=True)
        media.chmod(0o555)  # nothing may be written here
        # Not PYTEST_XDIST_WORKER: settings_test would suffix the queue name
        # for the web nodes, and the workers below listen on the plain name.
        inherited = {k: v for k, v in os.environ.items() if k != "PYTEST_XDIST_WORKER"}
        return home, {**inherited, **CREDENTIALS, "DATABASE_URL": _db_url(), "DJANGO_SETTINGS_MODULE": "qms.settings_test",
                      "PYTHONPATH": str(ROOT), "QMS_TEST_MEDIA_ROOT": str(media), "QMS_TEST_CELERY_EAGER": "0",
                      "CELERY_BROKER_URL": BROKER, "CELERY_QUEUE": queue, "AWS_STORAGE_BUCKET_NAME": BUCKET,
                      "AWS_S3_ENDPOINT_URL": endpoint, "AWS_S3_REGION_NAME": "us-east-1", "SITE_URL": "http://127.0.0.1"}

    urls = []
    try:
        for name in ("web-a", "web-b"):
            home, env = node_env(name)
            port = free_port()
            procs.append(subprocess.Popen(
                [str(BIN / "gunicorn"), "qms.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--timeout", "120"],
                cwd=home, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT))
            urls.append(f"http://127.0.0.1:{port}")
        for name in ("worker-a", "worker-b"):
            home, env = node_env(name)
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "qms", "worker", "--pool=solo", "--loglevel=warning",
                 "-Q", f"{queue},{queue}-bulk,{queue}-reminders", "-n", f"{name}@%h", "--without-gossip",
                 "--without-mingle", "--without-heartbeat"],
                cwd=home, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT))
        for url in urls:
            _wait_http(url + "/healthz", procs)
        yield urls, s3, procs
    finally:
        for p in procs:
            stop_process(p)
        for d in tmp_path.rglob("media"):
            d.chmod(0o755)
            assert not any(d.iterdir()), f"{d} got a file"


def _csrf(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


@pytest.mark.celery_worker
def test_a_journey_across_two_web_nodes_and_two_workers(cluster, staff, auditor):
    (a, b), s3, procs = cluster
    make_type("CAL", verification_required=False)
    user = requests.Session()
    # Log in on A; the session is good on B.
    page = user.get(a + "/accounts/login/")
    user.post(a + "/accounts/login/", data={"username": staff.username, "password": PASSWORD,
                                            "csrfmiddlewaretoken": _csrf(page.text)}, headers={"Referer": a + "/"})
    assert "/accounts/login/" not in user.get(b + "/records/").url
    # Submit a record with evidence on A...
    form = user.get(a + "/records/new/CAL/")
    data = {**GOOD, "sealed": "on", "action": "submit", "csrfmiddlewaretoken": _csrf(form.text)}
    response = user.post(a + "/records/new/CAL/", data=data, files={"evidence": ("cert.pdf", PDF_BYTES, "application/pdf")},
                         headers={"Referer": a + "/records/new/CAL/"}, allow_redirects=False)
    assert response.status_code == 302, response.text[:2000]
    record = Record.objects.get()
    ev = record.evidence.get()
    assert ev.file in [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
    # ...its confirmation message shows on B, and B serves the file from the bucket.
    assert record.number in user.get(b + response.headers["Location"]).text
    download = user.get(f"{b}/records/evidence/{ev.pk}/download/")
    assert download.status_code == 200 and download.content == PDF_BYTES
    # A PDF asked for on B is made by one of the workers and downloaded from A.
    detail = user.get(f"{b}/records/{record.number}/")
    response = user.post(f"{b}/records/{record.number}/pdf/", data={"csrfmiddlewaretoken": _csrf(detail.text)},
                         headers={"Referer": f"{b}/records/{record.number}/"}, allow_redirects=False)
    assert response.status_code == 302
    job = Job.objects.get(kind="record_pdf")
    deadline = time.monotonic() + 90
    while not job.is_finished and time.monotonic() < deadline:
        time.sleep(0.3)
        job.refresh_from_db()
        assert all(p.poll() is None for p in procs), "a node died"
    assert job.status == Job.Status.READY, job.error
    assert job.file.name in [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
    pdf = user.get(f"{a}/jobs/{job.public_id}/download/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

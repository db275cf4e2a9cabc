"""What an operator watches (issue 21): Prometheus metrics, readiness of the
storage and the cache, a request id on responses, logs and jobs, JSON logs."""

from __future__ import annotations

import io
import json
import logging
import logging.config

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from qms import jobs, requestid
from qms.models import Job
from qms.tasks import run_job
from tests.qms import job_handlers  # noqa: F401 - registers test_request_id

pytestmark = pytest.mark.django_db


def test_metrics_count_jobs_by_kind_and_status(client, staff):
    Job.objects.create(kind="record_pdf", requested_by=staff)
    Job.objects.create(kind="quality_manual", requested_by=staff, status=Job.Status.FAILED)
    response = client.get("/metrics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert 'qms_jobs{kind="record_pdf",status="pending"} 1.0' in text
    assert 'qms_jobs{kind="quality_manual",status="failed"} 1.0' in text
    assert 'qms_job_oldest_pending_seconds{lane="interactive"}' in text
    assert "qms_signatures_last_hour 0.0" in text and "qms_digests_sent_today 0.0" in text


def test_metrics_need_the_token_or_loopback(client):
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 403
    with override_settings(METRICS_TOKEN="s3cret-token"):
        assert client.get("/metrics").status_code == 403  # loopback is not enough once a token is set
        assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
        assert client.get("/metrics", REMOTE_ADDR="10.1.2.3",
                          HTTP_AUTHORIZATION="Bearer s3cret-token").status_code == 200


def test_readiness_checks_storage_and_cache(client):
    body = client.get("/readyz").json()
    assert body["checks"]["storage"] == "ok" and body["checks"]["cache"] == "ok"


def test_readiness_names_an_unreachable_object_store(client):
    from tests.celery_utils import free_port
    from tests.qms.s3_server import s3_storages

    dead = f"http://127.0.0.1:{free_port()}"
    with override_settings(STORAGES=s3_storages(dead, settings.STORAGES)):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"].startswith("storage: ")


def test_a_request_id_is_sent_back_and_a_bad_one_replaced(client):
    response = client.get("/accounts/login/", HTTP_X_REQUEST_ID="lb-1234.abc")
    assert response["X-Request-ID"] == "lb-1234.abc"
    forged = client.get("/accounts/login/", HTTP_X_REQUEST_ID="x\r\nSet-Cookie: a=b")["X-Request-ID"]
    assert forged != "x" and len(forged) == 32 and forged.isalnum()


def test_log_lines_carry_the_request_id_as_json():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(requestid.RequestIdLogFilter())
    formatter = settings.LOGGING["formatters"]["json"]
    handler.setFormatter(logging.config.DictConfigurator({}).configure_formatter(dict(formatter)))
    log = logging.getLogger("qms.test-observability")
    log.addHandler(handler)
    log.setLevel(logging.INFO)

    def view(request):
        log.info("printing %s", "SOP-001")
        return HttpResponse("ok")

    try:
        requestid.RequestIdMiddleware(view)(RequestFactory().get("/", HTTP_X_REQUEST_ID="req-42"))
    finally:
        log.removeHandler(handler)
    line = json.loads(stream.getvalue().splitlines()[0])
    assert line["request_id"] == "req-42" and line["message"] == "printing SOP-001"
    assert line["level"] == "INFO" and line["logger"] == "qms.test-observability" and "time" in line


def test_a_job_runs_under_the_id_of_the_request_that_asked_for_it(staff):
    job = Job.objects.create(kind="test_request_id", requested_by=staff)
    run_job.apply(kwargs={"job_id": job.pk}, headers={"request_id": "req-from-web"})
    job.refresh_from_db()
    with job.file.open("rb") as fh:
        assert fh.read() == b"req-from-web"


def test_the_dispatch_passes_the_current_request_id(staff, monkeypatch):
    sent = {}
    monkeypatch.setattr(run_job, "apply_async", lambda **kw: sent.update(kw))
    token = requestid.bind("req-77")
    try:
        jobs._dispatch(Job.objects.create(kind="record_pdf", requested_by=staff).pk)
    finally:
        requestid._current.reset(token)
    assert sent["headers"] == {"request_id": "req-77"} and sent["queue"] == settings.JOB_QUEUES["interactive"]

"""Stored files in S3-compatible object storage (issue 21): with a bucket
configured, evidence, job outputs and the integrity check all go through the
storage API to the bucket, nothing lands in the local media folder, objects are
private, and downloads are streamed through our permission-checked views."""

from __future__ import annotations

import hashlib

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.test import override_settings

from qms import jobs
from qms.integrity import check_files
from qms.models import Job
from records.models import Record
from tests.qms.s3_server import BUCKET, s3_server, s3_storages
from tests.records.factories import GOOD, PDF_BYTES, make_type, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def bucket(tmp_path):
    """Storage on a moto S3 server; MEDIA_ROOT an empty folder that must stay empty."""
    pytest.importorskip("moto", reason="moto[server] is a test requirement (requirements-dev.txt)")
    local = tmp_path / "media"
    local.mkdir()
    with s3_server() as (endpoint, client), override_settings(
        STORAGES=s3_storages(endpoint, settings.STORAGES), MEDIA_ROOT=str(local)
    ):
        assert default_storage.__class__.__name__ == "S3Storage" or type(default_storage._wrapped).__name__ == "S3Storage"
        yield client, local
    assert not any(local.rglob("*")), "a file was written to the local media folder"


def _keys(client) -> list[str]:
    return [o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def test_evidence_goes_to_the_bucket_and_comes_back_through_the_view(bucket, client_for, staff, auditor):
    client, _ = bucket
    make_type("CAL")
    data = {**GOOD, "sealed": "on", "action": "submit", "evidence": [pdf_upload("cert.pdf")]}
    assert client_for(staff).post("/records/new/CAL/", data).status_code == 302
    ev = Record.objects.get().evidence.get()
    assert ev.file in _keys(client)
    body = client.get_object(Bucket=BUCKET, Key=ev.file)["Body"].read()
    assert hashlib.sha256(body).hexdigest() == ev.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    # Private: only the owner holds a grant, nobody reads it anonymously.
    grants = client.get_object_acl(Bucket=BUCKET, Key=ev.file)["Grants"]
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL"] and "URI" not in grants[0]["Grantee"]
    # Downloaded through the view, under its rule.
    response = client_for(auditor).get(f"/records/evidence/{ev.pk}/download/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF_BYTES


def test_the_integrity_check_reads_through_the_bucket(bucket, staff):
    client, _ = bucket
    from tests.records.factories import make_record

    record = make_record(staff, make_type("CAL"), evidence=[pdf_upload()])
    ev = record.evidence.get()
    assert check_files().ok
    client.put_object(Bucket=BUCKET, Key=ev.file, Body=b"%PDF-1.4 tampered")
    report = check_files()
    assert [(p.pk, p.kind) for p in report.problems] == [(ev.pk, "changed")]
    client.delete_object(Bucket=BUCKET, Key=ev.file)
    assert [p.kind for p in check_files().problems] == ["missing"]


def test_a_job_output_is_stored_in_the_bucket_and_downloaded_through_the_view(
    bucket, client_for, staff, django_capture_on_commit_callbacks
):
    client, _ = bucket
    from tests.records.factories import make_record

    record = make_record(staff, make_type("CAL", verification_required=False))
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.request_job(kind="record_pdf", actor=staff, target=record)
    job.refresh_from_db()
    assert job.status == Job.Status.READY and job.file.name in _keys(client)
    response = client_for(staff).get(f"/jobs/{job.public_id}/download/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")

"""Exports for the auditor: the document register and the audit trail as CSV,
XLSX and PDF, with human labels."""

import io

import pytest
from django.core.files.storage import default_storage
from openpyxl import load_workbook

from qms.audit import record_event
from qms.models import Job
from qms.pdf import extract_text
from tests.documents.factories import make_effective


def _job_text(job) -> str:
    job.refresh_from_db()
    assert job.status == "ready", job.error
    return "\n".join(extract_text(default_storage.open(job.file.name).read()))


@pytest.mark.django_db
def test_register_exports_csv_xlsx_and_pdf_with_human_labels(client_for, external_auditor, author, approver,
                                                            django_capture_on_commit_callbacks):
    doc = make_effective(author, approver, title="Gauge calibration")
    c = client_for(external_auditor)
    csv_text = c.get("/documents/?export=csv").content.decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("Number,Title,Type,Owner")
    assert f"{doc.number},Gauge calibration,SOP,Alex Turner" in csv_text
    wb = load_workbook(io.BytesIO(c.get("/documents/?export=xlsx").content))
    assert [cell.value for cell in next(wb.active.iter_rows(max_row=1))][:3] == ["Number", "Title", "Type"]
    with django_capture_on_commit_callbacks(execute=True):
        response = c.get("/documents/?export=pdf&type=")
    job = Job.objects.get(kind="register_pdf")
    assert response["Location"] == job.get_absolute_url() and job.requested_by == external_auditor
    text = _job_text(job)
    assert "Document register" in text and doc.number in text and "Alex Turner" in text and "Page 1 of 1" in text


@pytest.mark.django_db
def test_audit_trail_pdf_export(client_for, quality_manager, django_capture_on_commit_callbacks):
    record_event(actor=quality_manager, verb="revision.approved", comment="Released for use")
    with django_capture_on_commit_callbacks(execute=True):
        client_for(quality_manager).post("/trail/export/", {"fmt": "pdf"})
    text = _job_text(Job.objects.get(kind="audit_trail_export"))
    assert "Audit trail" in text and "Quinn Marsh" in text and "revision.approved" in text and "Released for use" in text

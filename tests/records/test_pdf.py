"""The record PDF job (REC-09): form version, signatures, and an "Amended"
banner only when amended."""

import io

import pytest
from pypdf import PdfReader

from qms.jobs import HANDLERS, execute, request_job
from qms.models import Job
from records import services
from tests.records.factories import GOOD, make_record

pytestmark = pytest.mark.django_db


def _pdf_text(job):
    job.refresh_from_db()
    assert job.status == Job.Status.READY, job.error
    with job.file.open("rb") as fh:
        return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(fh.read())).pages)


def test_record_pdf_handler_is_registered_at_start_up():
    assert "record_pdf" in HANDLERS and HANDLERS["record_pdf"].label == "Record PDF"


def test_pdf_shows_form_version_signature_and_amended_banner(staff, approver, cal_type, password, media):
    record = make_record(staff, cal_type)
    services.record_verify(actor=approver, record=record, password=password, comment="Checked")
    plain = request_job(kind="record_pdf", actor=staff, target=record)
    execute(plain.pk)
    text = _pdf_text(plain)
    assert record.number in text and "Form version 1" in text and "Priya Shah" in text and "Verified" in text
    assert "AMENDED" not in text

    services.record_amend(actor=staff, record=record, values={**GOOD, "deviation": "2"}, reason="Typo in reading")
    amended = request_job(kind="record_pdf", actor=staff, target=record)
    execute(amended.pk)
    text = _pdf_text(amended)
    assert "AMENDED v1" in text and "Typo in reading" in text
    assert amended.filename == f"{record.number}.pdf"

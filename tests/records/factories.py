"""Records test helpers: a record type with one field of every kind, records
made through the services, uploads with real magic bytes."""

from django.core.files.uploadedfile import SimpleUploadedFile

from records import services
from records.models import FormVersion, RecordType
from tests.pdf_helpers import blank_pdf

ALL_FIELDS = [
    {"key": "instrument", "label": "Instrument ID", "type": "text", "required": True},
    {"key": "notes", "label": "Notes", "type": "longtext", "required": False},
    {"key": "deviation", "label": "Deviation", "type": "number", "required": True, "min": "-5", "max": "5", "unit": "µm"},
    {"key": "cal_date", "label": "Calibration date", "type": "date", "required": True},
    {"key": "result", "label": "Result", "type": "choice", "required": True, "choices": ["Pass", "Fail"]},
    {"key": "checks", "label": "Checks", "type": "multichoice", "required": False, "choices": ["Visual", "Function", "Zero"]},
    {"key": "sealed", "label": "Sealed", "type": "checkbox", "required": False},
    {"key": "operator", "label": "Operator", "type": "user", "required": False},
    {"key": "certificate", "label": "Certificate", "type": "file", "required": False},
]

GOOD = {"instrument": "MIC-01", "notes": "Ambient 20 °C", "deviation": "1.5", "cal_date": "2026-03-01",
        "result": "Pass", "checks": ["Visual", "Zero"], "sealed": True}

PDF_BYTES = blank_pdf()


def make_type(code="CAL", *, fields=None, verification_required=True, retention_years=10, created_by=None,
              name=None) -> RecordType:
    rt = RecordType.objects.create(code=code, name=name or f"{code} record", retention_years=retention_years,
                                   verification_required=verification_required)
    FormVersion.objects.create(record_type=rt, version=1, fields=fields or ALL_FIELDS, created_by=created_by)
    return rt


def pdf_upload(name="certificate.pdf", size=None):
    content = PDF_BYTES if size is None else PDF_BYTES + b"0" * (size - len(PDF_BYTES))
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def make_record(actor, record_type, *, values=None, submit=True, evidence=()):
    return services.record_create(actor=actor, record_type=record_type, values=dict(values or GOOD),
                                  evidence=list(evidence), submit=submit)

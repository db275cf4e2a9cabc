"""Issue 12: the other print layouts (readiness summary, record, register
tables) print Chinese with the shipped font when the machine has no font
(see tests/documents/test_pdf_cjk.py)."""

import pytest

from auditor.jobs import readiness_pdf
from qms.exports import table_pdf
from qms.jobs import execute, request_job
from qms.models import Job
from tests import pdf_helpers as h
from tests.records.factories import GOOD, make_record, make_type

pytestmark = pytest.mark.django_db

COMPANY = "上海精密仪器有限公司"


def _only_the_shipped_font(content: bytes) -> str:
    fonts = h.pdf_fonts(content)
    assert fonts and all(name.replace("-", "").startswith("NotoSansSC") and emb for name, emb in fonts), fonts
    return h.pdf_text(content)


def test_readiness_summary_prints_chinese_without_system_fonts(settings, quality_manager, tmp_path):
    h.poppler_or_skip()
    settings.COMPANY_NAME = COMPANY
    job = request_job(kind="readiness_pdf", actor=quality_manager)
    content = h.without_system_fonts(lambda: readiness_pdf(job).content, tmp_path)
    text = _only_the_shipped_font(content)
    assert COMPANY in text and "readiness summary" in text


def test_record_pdf_prints_chinese_without_system_fonts(staff, tmp_path, settings):
    h.poppler_or_skip()
    settings.MEDIA_ROOT = str(tmp_path / "media")
    record = make_record(staff, make_type("CAL", name="校准记录"), values={**GOOD, "notes": h.CHINESE})
    job = request_job(kind="record_pdf", actor=staff, target=record)

    def render() -> bytes:
        assert execute(job.pk) == Job.Status.READY
        job.refresh_from_db()
        with job.file.open("rb") as fh:
            return fh.read()

    text = _only_the_shipped_font(h.without_system_fonts(render, tmp_path))
    assert "校准记录" in text and h.CHINESE in text and record.number in text


def test_register_table_prints_chinese_without_system_fonts(tmp_path):
    h.poppler_or_skip()
    content = h.without_system_fonts(
        lambda: table_pdf(["Number", "Title"], [["QM-QA-001", h.CHINESE]], title="Document register"), tmp_path)
    text = _only_the_shipped_font(content)
    assert h.CHINESE in text and "QM-QA-001" in text

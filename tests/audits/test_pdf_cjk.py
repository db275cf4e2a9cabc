"""Issue 12: the audit plan and the audit report print Chinese text with the
shipped font when the machine has no font (see tests/documents/test_pdf_cjk.py)."""

import pytest

from audits import services
from qms.jobs import execute
from qms.models import Job
from tests import pdf_helpers as h
from tests.audits.factories import REPORT_VALUES, make_audit

pytestmark = pytest.mark.django_db

TITLE = "生产过程审核"
OBJECTIVES = h.CHINESE


def _job_pdf(job) -> bytes:
    assert execute(job.pk) == Job.Status.READY, Job.objects.get(pk=job.pk).error
    job.refresh_from_db()
    with job.file.open("rb") as fh:
        return fh.read()


def _check(content: bytes, *texts: str) -> None:
    fonts = h.pdf_fonts(content)
    assert fonts and all(name.replace("-", "").startswith("NotoSansSC") and emb for name, emb in fonts), fonts
    text = h.pdf_text(content)
    for part in texts:
        assert part in text, text


def test_audit_plan_prints_chinese_without_system_fonts(quality_manager, auditor, staff, production, tmp_path):
    h.poppler_or_skip()
    audit = make_audit(quality_manager, auditor, production, auditees=[staff])
    audit.title, audit.objectives = TITLE, OBJECTIVES
    audit.save()
    content = h.without_system_fonts(lambda: _job_pdf(services.audit_issue_plan(actor=quality_manager, audit=audit)),
                                     tmp_path)
    _check(content, TITLE, OBJECTIVES, audit.number)


def test_audit_report_prints_chinese_without_system_fonts(quality_manager, auditor, staff, production, password,
                                                          tmp_path):
    h.poppler_or_skip()
    audit = make_audit(quality_manager, auditor, production, state="in_progress", auditees=[staff])
    audit.title = TITLE
    audit.save()
    services.report_save(actor=auditor, audit=audit, values={**REPORT_VALUES, "conclusions": OBJECTIVES})
    services.report_issue(actor=auditor, audit=audit, password=password)
    content = h.without_system_fonts(lambda: _job_pdf(Job.objects.get(kind="audit_report_pdf")), tmp_path)
    _check(content, TITLE, OBJECTIVES)

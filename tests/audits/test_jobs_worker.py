"""The audit plan PDF runs on a real Celery worker (Redis), which finds the
handler registered from AuditsConfig.ready()."""

import pytest
from django.core.files.storage import default_storage

from audits import services
from qms.models import Job
from tests.audits.factories import make_audit, make_process, restore_catalogue
from tests.celery_utils import real_worker, wait_for_job


@pytest.fixture
def catalogue(transactional_db):
    restore_catalogue()


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_renders_the_audit_plan(catalogue, quality_manager, auditor, staff, approver):
    production = make_process(code="PRD", name="Production", dept_code="PRD", owner=approver)
    audit = make_audit(quality_manager, auditor, production, auditees=[staff])
    with real_worker() as worker:
        job = services.audit_issue_plan(actor=quality_manager, audit=audit)
        job = wait_for_job(job, worker)
    assert job.status == Job.Status.READY, job.error
    with default_storage.open(job.file.name, "rb") as fh:
        assert fh.read(5) == b"%PDF-"

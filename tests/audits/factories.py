"""Builders for audits tests: documents, records and audits in a given state.
Documents and records are made with the ORM (their apps are built elsewhere);
audits go through the real services so every test starts from legal states."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from audits import services
from audits.models import Audit
from documents.models import Document, DocumentType, Revision
from qms.models import Clause, Department, Process
from records.models import FormVersion, Record, RecordType


def clause(number: str) -> Clause:
    return Clause.objects.get(number=number)


def make_process(code="PRD", name="Production", dept_code="PRD", owner=None) -> Process:
    dept, _ = Department.objects.get_or_create(code=dept_code, defaults={"name": f"Dept {dept_code}"})
    return Process.objects.create(code=code, name=name, department=dept, owner=owner)


def make_document(owner, *, number="SOP-PRD-001", title="Machine set-up", process=None, clauses=("8.5.1",)) -> Document:
    dtype, _ = DocumentType.objects.get_or_create(code="SOP", defaults={"name": "Procedure"})
    dept, _ = Department.objects.get_or_create(code="PRD", defaults={"name": "Production"})
    doc = Document.objects.create(number=number, title=title, doc_type=dtype, owner=owner, department=dept, process=process)
    doc.clauses.set(Clause.objects.filter(number__in=clauses))
    Revision.objects.create(document=doc, seq=1, label="01", status=Revision.Status.EFFECTIVE, content="v1",
                            created_by=owner, effective_date=timezone.localdate())
    return doc


def make_record(user, number="NCR-2026-00001") -> Record:
    rtype, _ = RecordType.objects.get_or_create(code="INSP", defaults={"name": "Inspection"})
    fv, _ = FormVersion.objects.get_or_create(record_type=rtype, version=1, defaults={"fields": [], "created_by": user})
    return Record.objects.create(number=number, record_type=rtype, form_version=fv, status=Record.Status.SUBMITTED,
                                 values={"result": "fail"}, created_by=user, submitted_at=timezone.now())


def audit_input(*, lead, process=None, start=None, clauses=("8.5.1",), documents=(), scope="Production line 1",
                team=(), auditees=(), departments=(), programme=None, audit_type="internal") -> services.AuditInput:
    start = start or (timezone.now() + timedelta(days=7)).replace(hour=9, minute=0, second=0, microsecond=0)
    return services.AuditInput(
        audit_type=audit_type, title="Production audit", objectives="Check conformity of production",
        scope=scope, criteria_clauses=list(Clause.objects.filter(number__in=clauses)),
        criteria_documents=list(documents), processes=[process] if process else [], departments=list(departments),
        site="Plant 1", methods="Interviews and record sampling", is_remote=False, planned_start=start,
        planned_end=start + timedelta(hours=6), lead_auditor=lead, team=list(team), auditees=list(auditees),
        programme=programme,
    )


def make_audit(qm, lead, process, *, state="planned", start: datetime | None = None, **kw) -> Audit:
    audit = services.audit_schedule(actor=qm, data=audit_input(lead=lead, process=process, start=start, **kw))
    if state in ("prepared", "in_progress", "reported", "closed"):
        services.audit_issue_plan(actor=qm, audit=audit)
    if state in ("in_progress", "reported", "closed"):
        services.audit_start(actor=lead, audit=audit)
    audit.refresh_from_db()
    return audit


REPORT_VALUES = {
    "client": "Top management",
    "dates_places": "Plant 1, 2026-03-04",
    "conclusions": "The process is effective with one minor NC.",
    "criteria_met": "Largely met",
    "diverging_opinions": "None",
    "sampling_note": "Ten records of March were sampled; audits sample, uncertainty remains.",
}


def restore_catalogue() -> None:
    """Roles and clauses come from a data migration; see tests.factories.ensure_reference_data."""
    from tests.factories import ensure_reference_data

    ensure_reference_data()

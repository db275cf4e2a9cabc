"""PDF jobs: the audit plan (ISO 19011 6.3.2) and the audit report (6.5.1)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_noop

from audits import selectors
from audits.models import Audit, AuditReport
from qms.jobs import JobOutput, job_handler
from qms.pdf import render_pdf
from qms.signatures import signatures_for


def _audit_context(audit: Audit) -> dict:
    return {
        "audit": audit,
        "clauses": list(audit.criteria_clauses.all()),
        "documents": list(audit.criteria_documents.all()),
        "processes": list(audit.processes.select_related("department", "owner")),
        "departments": list(audit.departments.select_related("manager")),
        "team": list(audit.team.all()),
        "auditees": list(audit.auditees.all()),
        "duration_hours": round((audit.planned_end - audit.planned_start).total_seconds() / 3600, 1),
        "printed_at": timezone.now(),
    }


@job_handler("audit_plan_pdf", label=gettext_noop("Audit plan PDF"))
def audit_plan_pdf(job) -> JobOutput:
    audit = Audit.objects.select_related("lead_auditor").get(pk=job.object_id)
    ctx = _audit_context(audit)
    ctx["printed_by"] = job.requested_by
    return JobOutput(f"{audit.number}-plan.pdf", render_pdf("pdf/audit_plan.html", ctx), "application/pdf")


@job_handler("audit_report_pdf", label=gettext_noop("Audit report PDF"))
def audit_report_pdf(job) -> JobOutput:
    report = AuditReport.objects.select_related("audit__lead_auditor", "issued_by").get(pk=job.object_id)
    audit = report.audit
    ctx = _audit_context(audit)
    ctx.update({
        "report": report,
        "findings": selectors.audit_findings(audit),
        "signatures": list(signatures_for(report)),
        "distribution": list(report.distribution.select_related("recipient")),
        "printed_by": job.requested_by,
    })
    return JobOutput(f"{audit.number}-report.pdf", render_pdf("pdf/audit_report.html", ctx), "application/pdf")

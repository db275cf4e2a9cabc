"""Issue 10: an issued audit report is append-only at the database too
(PostgreSQL): the report's text, what its signature covers from the audit and
its findings, and the distribution list. Statuses still move."""

import pytest
from django.db import DatabaseError, connection, transaction

from audits import services
from audits.models import AuditReport, Finding, ReportDistribution
from qms.models import Signature
from tests.audits.factories import REPORT_VALUES, clause, make_audit, make_record

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="triggers are PostgreSQL-only"),
    pytest.mark.django_db,
]


def _raw(sql, params=()):
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql, params)


def _audit_with_report(quality_manager, auditor, staff, production):
    audit = make_audit(quality_manager, auditor, production, state="in_progress")
    services.finding_raise(actor=auditor, audit=audit, finding_type="minor_nc", clause=clause("8.5.1"),
                           statement="Set-up sheet not signed", owner=staff,
                           evidence=services.EvidenceSpec(record=make_record(staff)))
    services.report_save(actor=auditor, audit=audit, values=REPORT_VALUES)
    return audit


def test_a_draft_report_still_changes(quality_manager, auditor, staff, production):
    audit = _audit_with_report(quality_manager, auditor, staff, production)
    _raw("UPDATE audits_auditreport SET conclusions = 'Rewritten' WHERE audit_id = %s", [audit.pk])
    services.report_save(actor=auditor, audit=audit, values={"summary": "Second draft"})
    report = AuditReport.objects.get(audit=audit)
    assert (report.conclusions, report.summary) == ("Rewritten", "Second draft")


def test_an_issued_report_refuses_every_update(quality_manager, auditor, staff, production, password):
    audit = _audit_with_report(quality_manager, auditor, staff, production)
    report = services.report_issue(actor=auditor, audit=audit, password=password)
    for sql in ("UPDATE audits_auditreport SET conclusions = 'forged' WHERE id = %s",
                "UPDATE audits_auditreport SET status = 'draft' WHERE id = %s",
                "UPDATE audits_auditreport SET issued_at = now() WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"):
            _raw(sql, [report.pk])
    report.refresh_from_db()
    assert report.status == "issued" and report.conclusions == REPORT_VALUES["conclusions"]
    assert Signature.objects.get(meaning="issued").is_valid()


def test_what_the_signature_covers_in_the_audit_and_findings_cannot_change(quality_manager, auditor, staff,
                                                                           production, password):
    audit = _audit_with_report(quality_manager, auditor, staff, production)
    services.report_issue(actor=auditor, audit=audit, password=password)
    finding = Finding.objects.get(audit=audit)
    for sql, pk in (("UPDATE audits_audit SET scope = 'Something else' WHERE id = %s", audit.pk),
                    ("UPDATE audits_audit SET objectives = 'Other' WHERE id = %s", audit.pk),
                    ("UPDATE audits_finding SET statement = 'All fine' WHERE id = %s", finding.pk),
                    ("UPDATE audits_finding SET finding_type = 'observation' WHERE id = %s", finding.pk)):
        with pytest.raises(DatabaseError, match="append-only"):
            _raw(sql, [pk])
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic():
            Finding.objects.create(audit=audit, seq=9, finding_type="observation", clause=clause("7.5.3"),
                                   statement="added later", owner=staff, created_by=auditor)
    assert Signature.objects.get(meaning="issued").is_valid()


def test_statuses_still_move_after_the_report_is_issued(quality_manager, auditor, staff, production, password):
    audit = _audit_with_report(quality_manager, auditor, staff, production)
    services.report_issue(actor=auditor, audit=audit, password=password)
    finding = Finding.objects.get(audit=audit)
    _raw("UPDATE audits_finding SET status = 'closed', closed_at = now(), owner_id = %s WHERE id = %s",
         [quality_manager.pk, finding.pk])
    services.audit_close(actor=quality_manager, audit=audit)
    audit.refresh_from_db()
    finding.refresh_from_db()
    assert audit.status == "closed" and finding.status == "closed"


def test_the_distribution_list_is_append_only(quality_manager, auditor, staff, production, password):
    audit = _audit_with_report(quality_manager, auditor, staff, production)
    services.report_issue(actor=auditor, audit=audit, password=password)
    row = ReportDistribution.objects.filter(report__audit=audit).first()
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("UPDATE audits_reportdistribution SET sent_at = now() WHERE id = %s", [row.pk])
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("DELETE FROM audits_reportdistribution WHERE id = %s", [row.pk])

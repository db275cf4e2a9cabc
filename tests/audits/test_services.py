"""Audit lifecycle: scheduling rules, impartiality, transitions with audit
events, checklist, findings opening CAPAs, the report and audit closure."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from audits import services
from audits.models import Audit, AuditQuestion, AuditReport, Capa, ChecklistItem, Finding, ReportDistribution
from qms.errors import DomainError, IllegalTransition, PermissionRefused, SignatureRefused
from qms.models import AuditEvent, Job, Notification, Signature
from tests.audits.factories import REPORT_VALUES, audit_input, clause, make_audit, make_document, make_record

pytestmark = pytest.mark.django_db


def test_scheduling_without_scope_is_refused(quality_manager, auditor, production):
    with pytest.raises(DomainError, match="scope is required"):
        services.audit_schedule(actor=quality_manager, data=audit_input(lead=auditor, process=production, scope="  "))
    assert not Audit.objects.exists()


def test_scheduling_without_criteria_is_refused(quality_manager, auditor, production):
    with pytest.raises(DomainError, match="criteria"):
        services.audit_schedule(actor=quality_manager, data=audit_input(lead=auditor, process=production, clauses=()))
    assert not Audit.objects.exists()


def test_auditor_who_owns_the_process_is_refused_naming_the_conflict(quality_manager, approver, production):
    with pytest.raises(DomainError, match="Priya Shah owns the process “Production”"):
        services.audit_schedule(actor=quality_manager, data=audit_input(lead=approver, process=production))
    assert not Audit.objects.exists()


def test_auditor_from_the_audited_department_is_refused(quality_manager, auditor, production):
    auditor.department = production.department
    auditor.save()
    with pytest.raises(DomainError, match="Dana Ortiz belongs to the department"):
        services.audit_schedule(actor=quality_manager, data=audit_input(lead=auditor, process=production))


def test_team_member_conflict_is_refused_too(quality_manager, auditor, approver, production):
    with pytest.raises(DomainError, match="Impartiality: Priya Shah owns"):
        services.audit_schedule(actor=quality_manager,
                                data=audit_input(lead=auditor, process=production, team=[approver]))


def test_only_the_quality_manager_schedules(auditor, production):
    with pytest.raises(PermissionRefused):
        services.audit_schedule(actor=auditor, data=audit_input(lead=auditor, process=production))


def test_schedule_numbers_and_records_an_event(quality_manager, auditor_in_purchasing, production):
    audit = services.audit_schedule(actor=quality_manager, data=audit_input(lead=auditor_in_purchasing, process=production))
    assert audit.number == f"IA-{audit.planned_start.year}-001"
    assert audit.status == Audit.Status.PLANNED
    ev = AuditEvent.objects.get(verb="audit.scheduled")
    assert ev.object_id == str(audit.pk) and ev.to_state == "planned"
    second = services.audit_schedule(actor=quality_manager, data=audit_input(lead=auditor_in_purchasing, process=production))
    assert second.number.endswith("-002")


def test_issue_plan_requests_pdf_job_and_notifies_auditees(quality_manager, auditor, staff, production):
    audit = make_audit(quality_manager, auditor, production, auditees=[staff])
    job = services.audit_issue_plan(actor=quality_manager, audit=audit)
    audit.refresh_from_db()
    assert audit.status == Audit.Status.PREPARED
    assert job.kind == "audit_plan_pdf" and job.object_id == audit.pk
    assert Notification.objects.filter(user=staff, title__contains=audit.number).exists()
    assert AuditEvent.objects.filter(verb="audit.plan_issued", from_state="planned", to_state="prepared").exists()


def test_audit_plan_pdf_job_renders_the_iso_19011_contents(quality_manager, auditor, staff, production):
    from qms.jobs import execute

    audit = make_audit(quality_manager, auditor, production, auditees=[staff])
    job = services.audit_issue_plan(actor=quality_manager, audit=audit)
    assert execute(job.pk) == Job.Status.READY
    job.refresh_from_db()
    assert job.filename == f"{audit.number}-plan.pdf"
    from io import BytesIO

    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(BytesIO(job.file.read())).pages)
    for part in ("Objectives", "Scope", "Criteria", "Places, dates, times and duration", "Methods", "Roles and contacts",
                 "Dana Ortiz", "Sam Lee"):
        assert part in text


def test_illegal_transition_is_refused(quality_manager, auditor, production):
    audit = make_audit(quality_manager, auditor, production)
    with pytest.raises(IllegalTransition):
        services.audit_start(actor=quality_manager, audit=audit)
    audit.refresh_from_db()
    assert audit.status == Audit.Status.PLANNED


def test_checklist_is_generated_from_clauses_and_documents(quality_manager, auditor, approver, production):
    """Each clause brings its library questions and its sub-clauses' (tests/audits/test_question_library.py)."""
    doc = make_document(approver, process=production)
    audit = make_audit(quality_manager, auditor, production, clauses=("8.5.1", "7.5.3"), documents=[doc])
    library = list(AuditQuestion.objects.active().under(audit.criteria_clauses.all()).values_list("text", flat=True))
    assert len(library) >= 4
    assert services.checklist_generate(actor=auditor, audit=audit) == len(library) + 1
    questions = list(audit.checklist.values_list("question", flat=True))
    assert set(library) <= set(questions)
    assert set(audit.checklist.exclude(document=None).values_list("clause__number", flat=True)) == {None}
    assert set(audit.checklist.exclude(clause=None).values_list("clause__number", flat=True)) == {
        "8.5.1", "7.5.3", "7.5.3.1", "7.5.3.2"}
    assert any(doc.number in q for q in questions)
    # idempotent: nothing added twice
    assert services.checklist_generate(actor=auditor, audit=audit) == 0
    item = services.checklist_item_save(actor=auditor, audit=audit, item=None, question="Is the shift log signed?")
    assert audit.checklist.count() == len(library) + 2 and item.position == len(library) + 2


def test_unassigned_auditor_cannot_edit_the_checklist(quality_manager, auditor, production):
    from tests.factories import UserFactory

    other = UserFactory(username="aud2", roles=["Auditor"])
    audit = make_audit(quality_manager, auditor, production)
    with pytest.raises(PermissionRefused):
        services.checklist_generate(actor=other, audit=audit)


def test_answers_need_the_audit_in_progress_and_notes_for_nc(quality_manager, auditor, production):
    audit = make_audit(quality_manager, auditor, production)
    services.checklist_generate(actor=auditor, audit=audit)
    item = audit.checklist.first()
    with pytest.raises(DomainError, match="in progress"):
        services.checklist_answer(actor=auditor, item=item, answer="conforming")
    services.audit_issue_plan(actor=quality_manager, audit=audit)
    services.audit_start(actor=auditor, audit=audit)
    item.refresh_from_db()
    with pytest.raises(DomainError, match="notes"):
        services.checklist_answer(actor=auditor, item=item, answer="nonconforming", notes="")
    services.checklist_answer(actor=auditor, item=item, answer="observation", notes="Log incomplete")
    item.refresh_from_db()
    assert item.answer == ChecklistItem.Answer.OBSERVATION and item.answered_by == auditor


def test_finding_needs_a_clause(quality_manager, auditor, staff, production):
    audit = make_audit(quality_manager, auditor, production, state="in_progress")
    with pytest.raises(DomainError, match="clause"):
        services.finding_raise(actor=auditor, audit=audit, finding_type="observation", clause=None,
                               statement="x", owner=staff)


def test_nc_without_evidence_is_refused_and_nothing_is_saved(quality_manager, auditor, staff, production):
    audit = make_audit(quality_manager, auditor, production, state="in_progress")
    with pytest.raises(DomainError, match="needs evidence"):
        services.finding_raise(actor=auditor, audit=audit, finding_type="minor_nc", clause=clause("8.5.1"),
                               statement="Set-up sheet not signed", owner=staff)
    assert not Finding.objects.exists() and not Capa.objects.exists()


def test_observation_needs_no_evidence_and_opens_no_capa(quality_manager, auditor, staff, production):
    audit = make_audit(quality_manager, auditor, production, state="in_progress")
    f = services.finding_raise(actor=auditor, audit=audit, finding_type="ofi", clause=clause("8.5.1"),
                               statement="Could label bins", owner=staff)
    assert f.seq == 1 and not Capa.objects.exists()
    assert f.process == production  # the audit's only process


@pytest.mark.parametrize(("ftype", "severity", "days"), [("major_nc", "major", 30), ("minor_nc", "minor", 90)])
def test_nc_opens_a_capa_with_due_date_by_severity(quality_manager, auditor, staff, production, ftype, severity, days):
    audit = make_audit(quality_manager, auditor, production, state="in_progress")
    record = make_record(staff)
    f = services.finding_raise(actor=auditor, audit=audit, finding_type=ftype, clause=clause("8.5.1"),
                               statement="Set-up sheet not signed", owner=staff,
                               evidence=services.EvidenceSpec(record=record))
    capa = f.capa
    assert capa.source == Capa.Source.AUDIT_FINDING and capa.severity == severity
    assert capa.due_date == timezone.localdate() + timedelta(days=days)
    assert capa.owner == staff and capa.clause.number == "8.5.1"
    assert f.evidence.get().record == record
    assert AuditEvent.objects.filter(verb="capa.raised", object_id=str(capa.pk)).exists()
    assert AuditEvent.objects.filter(verb="finding.raised", object_id=str(f.pk)).exists()


@override_settings(AUDITS_CAPA_DUE_DAYS={"minor": 14})
def test_capa_due_days_are_configurable(quality_manager, auditor, staff, production):
    audit = make_audit(quality_manager, auditor, production, state="in_progress")
    f = services.finding_raise(actor=auditor, audit=audit, finding_type="minor_nc", clause=clause("8.5.1"),
                               statement="x", owner=staff, evidence=services.EvidenceSpec(record=make_record(staff)))
    assert f.capa.due_date == timezone.localdate() + timedelta(days=14)


def test_certification_audit_nc_is_sourced_as_certification(quality_manager, auditor, staff, production):
    audit = make_audit(quality_manager, auditor, production, state="in_progress", audit_type="certification")
    f = services.finding_raise(actor=auditor, audit=audit, finding_type="major_nc", clause=clause("8.5.1"),
                               statement="x", owner=staff, evidence=services.EvidenceSpec(record=make_record(staff)))
    assert f.capa.source == Capa.Source.CERTIFICATION


# ------------------------------------------------------------------ report
def _in_progress_with_nc(qm, lead, owner, process):
    audit = make_audit(qm, lead, process, state="in_progress")
    services.finding_raise(actor=lead, audit=audit, finding_type="minor_nc", clause=clause("8.5.1"),
                           statement="Set-up sheet not signed", owner=owner,
                           evidence=services.EvidenceSpec(record=make_record(owner)))
    return audit


def test_report_with_missing_parts_cannot_be_issued(quality_manager, auditor, staff, production, password):
    audit = _in_progress_with_nc(quality_manager, auditor, staff, production)
    services.report_save(actor=auditor, audit=audit, values={**REPORT_VALUES, "conclusions": "", "sampling_note": " "})
    with pytest.raises(DomainError, match="conclusions, .*sampling"):
        services.report_issue(actor=auditor, audit=audit, password=password)
    audit.refresh_from_db()
    assert audit.status == Audit.Status.IN_PROGRESS and not Signature.objects.exists()


def test_only_the_lead_auditor_issues_the_report(quality_manager, auditor, staff, production, password):
    audit = _in_progress_with_nc(quality_manager, auditor, staff, production)
    services.report_save(actor=auditor, audit=audit, values=REPORT_VALUES)
    with pytest.raises(PermissionRefused):
        services.report_issue(actor=quality_manager, audit=audit, password=password)


def test_wrong_password_does_not_issue(quality_manager, auditor, staff, production):
    audit = _in_progress_with_nc(quality_manager, auditor, staff, production)
    services.report_save(actor=auditor, audit=audit, values=REPORT_VALUES)
    with pytest.raises(SignatureRefused):
        services.report_issue(actor=auditor, audit=audit, password="wrong")
    assert AuditReport.objects.get().status == "draft"
    assert AuditEvent.objects.filter(verb="signature.refused").exists()


def test_issued_report_is_signed_locked_distributed_and_rendered(quality_manager, auditor, staff, approver, production,
                                                                 password):
    audit = _in_progress_with_nc(quality_manager, auditor, staff, production)
    production.department.manager = approver
    production.department.save()
    services.report_save(actor=auditor, audit=audit, values=REPORT_VALUES)
    report = services.report_issue(actor=auditor, audit=audit, password=password, comment="Final")
    audit.refresh_from_db()
    assert audit.status == Audit.Status.REPORTED and report.status == "issued" and report.issued_by == auditor
    sig = Signature.objects.get(meaning="issued")
    assert sig.signer == auditor and sig.is_valid()
    recipients = set(ReportDistribution.objects.values_list("recipient__username", flat=True))
    assert {"approver", "qm"} <= recipients
    assert Notification.objects.filter(user=quality_manager, title__contains="report issued").exists()
    assert AuditEvent.objects.filter(verb="report.distributed").exists()
    assert AuditEvent.objects.filter(verb="audit.reported", to_state="reported").exists()
    job = Job.objects.get(kind="audit_report_pdf")
    from qms.jobs import execute

    assert execute(job.pk) == Job.Status.READY
    # locked
    with pytest.raises(DomainError, match="locked"):
        services.report_save(actor=auditor, audit=audit, values={"conclusions": "changed"})
    report.refresh_from_db()
    assert report.conclusions == REPORT_VALUES["conclusions"]


def test_audit_closes_only_when_every_nc_has_a_capa(quality_manager, auditor, staff, production, password):
    audit = _in_progress_with_nc(quality_manager, auditor, staff, production)
    # An NC that slipped in without a CAPA (e.g. imported): the gate must hold.
    Finding.objects.create(audit=audit, seq=9, finding_type="major_nc", clause=clause("7.5.3"), statement="imported",
                           owner=staff, created_by=auditor)
    services.report_save(actor=auditor, audit=audit, values=REPORT_VALUES)
    services.report_issue(actor=auditor, audit=audit, password=password)
    audit.refresh_from_db()
    with pytest.raises(DomainError, match="no CAPA yet"):
        services.audit_close(actor=quality_manager, audit=audit)
    bad = Finding.objects.get(seq=9)
    services._capa_create(actor=quality_manager, source="audit_finding", title="t", description="d", severity="major",
                          owner=staff, finding=bad)
    services.audit_close(actor=quality_manager, audit=audit)
    audit.refresh_from_db()
    assert audit.status == Audit.Status.CLOSED
    assert AuditEvent.objects.filter(verb="audit.closed", from_state="reported", to_state="closed").exists()


def test_auditor_cannot_close_an_audit(quality_manager, auditor, staff, production, password):
    audit = _in_progress_with_nc(quality_manager, auditor, staff, production)
    services.report_save(actor=auditor, audit=audit, values=REPORT_VALUES)
    services.report_issue(actor=auditor, audit=audit, password=password)
    with pytest.raises(PermissionRefused):
        services.audit_close(actor=auditor, audit=audit)


def test_history_records_who_and_why(quality_manager, auditor, production):
    audit = make_audit(quality_manager, auditor, production, state="prepared")
    first, last = audit.history.order_by("history_date")[0], audit.history.order_by("history_date").last()
    assert first.history_user == quality_manager and first.history_change_reason == "Audit scheduled"
    assert last.status == "prepared" and last.history_change_reason == "audit.plan_issued"


def test_regulated_rows_refuse_delete_even_with_sql(quality_manager, auditor, staff, production):
    from django.db import DatabaseError, connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("the no-delete triggers are PostgreSQL-only")

    audit = make_audit(quality_manager, auditor, production, state="in_progress")
    f = services.finding_raise(actor=auditor, audit=audit, finding_type="minor_nc", clause=clause("8.5.1"),
                               statement="x", owner=staff, evidence=services.EvidenceSpec(record=make_record(staff)))
    for table, pk in (("audits_capa", f.capa.pk), ("audits_finding", f.pk), ("audits_evidence", f.evidence.get().pk)):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(f'DELETE FROM "{table}" WHERE id = %s', [pk])

"""CAPA gates (ISO 9001 10.2), legal and illegal: root cause before actions,
no closure with open actions, verifier other than implementer, "not
effective" reopens, the finding closes only when its CAPA is effective."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audits import services
from audits.models import Capa, CapaAction, Finding
from qms.errors import DomainError, IllegalTransition, PermissionRefused
from qms.models import AuditEvent, Signature
from tests.audits.factories import clause, make_audit, make_process, make_record

pytestmark = pytest.mark.django_db
WEEK = timezone.localdate() + timedelta(days=7)
TODAY = timezone.localdate()  # an effectiveness check planned for today may be recorded today


@pytest.fixture
def nc(quality_manager, auditor, staff, production):
    audit = make_audit(quality_manager, auditor, production, state="in_progress")
    finding = services.finding_raise(
        actor=auditor, audit=audit, finding_type="minor_nc", clause=clause("8.5.1"), statement="Sheet unsigned",
        owner=staff, evidence=services.EvidenceSpec(record=make_record(staff)))
    return finding.capa


def _analyse(capa, actor):
    return services.capa_analyse(actor=actor, capa=capa, ca_needed=True, justification="Recurring risk",
                                 whys=["Sheet unsigned", "No time", "Shift handover rushed"],
                                 root_cause="Handover has no checklist step")


def _to_verifying(capa, owner, implementer):
    _analyse(capa, owner)
    action = services.capa_action_add(actor=owner, capa=capa, description="Add sign-off to handover", owner=implementer,
                                      due_date=WEEK)
    services.capa_start_actions(actor=owner, capa=capa)
    services.capa_action_complete(actor=implementer, action=action, note="Checklist updated, rev 02")
    services.capa_submit_verification(actor=owner, capa=capa, method="Sample 20 handovers", due=TODAY)
    capa.refresh_from_db()
    return action


def test_containment_and_correction_need_dates(nc, staff):
    with pytest.raises(DomainError, match="date"):
        services.capa_record_correction(actor=staff, capa=nc, containment="Quarantined lot", containment_date=None,
                                        correction="", correction_date=None)
    services.capa_record_correction(actor=staff, capa=nc, containment="Quarantined lot",
                                    containment_date=timezone.localdate(), correction="Re-signed",
                                    correction_date=timezone.localdate())
    nc.refresh_from_db()
    assert nc.containment == "Quarantined lot"
    assert AuditEvent.objects.filter(verb="capa.correction_recorded").exists()


def test_no_root_cause_no_action_plan(nc, staff):
    with pytest.raises(DomainError, match="root cause"):
        services.capa_action_add(actor=staff, capa=nc, description="Retrain", owner=staff, due_date=WEEK)
    with pytest.raises(DomainError, match="root cause"):
        services.capa_analyse(actor=staff, capa=nc, ca_needed=True, justification="needed", whys=[], root_cause="")
    assert not CapaAction.objects.exists()
    nc.refresh_from_db()
    assert nc.status == Capa.Status.OPEN


def test_decision_needs_a_justification(nc, staff):
    with pytest.raises(DomainError, match="Justify"):
        services.capa_analyse(actor=staff, capa=nc, ca_needed=False, justification=" ")


def test_analysis_then_plan_records_events(nc, staff, author):
    _analyse(nc, staff)
    assert AuditEvent.objects.filter(verb="capa.analysed", from_state="open", to_state="analysed").exists()
    with pytest.raises(DomainError, match="at least one action"):
        services.capa_start_actions(actor=staff, capa=nc)
    services.capa_action_add(actor=staff, capa=nc, description="Add step", owner=author, due_date=WEEK)
    services.capa_start_actions(actor=staff, capa=nc)
    nc.refresh_from_db()
    assert nc.status == Capa.Status.IMPLEMENTING
    assert AuditEvent.objects.filter(verb="capa.actions_started", to_state="implementing").exists()


def test_open_actions_block_verification(nc, staff, author):
    _analyse(nc, staff)
    services.capa_action_add(actor=staff, capa=nc, description="Add step", owner=author, due_date=WEEK)
    services.capa_start_actions(actor=staff, capa=nc)
    with pytest.raises(DomainError, match="still open"):
        services.capa_submit_verification(actor=staff, capa=nc, method="Sample", due=WEEK)


def test_only_the_action_owner_completes_it_with_evidence(nc, staff, author, approver):
    _analyse(nc, staff)
    action = services.capa_action_add(actor=staff, capa=nc, description="Add step", owner=author, due_date=WEEK)
    with pytest.raises(PermissionRefused):
        services.capa_action_complete(actor=approver, action=action, note="done")
    with pytest.raises(DomainError, match="Describe"):
        services.capa_action_complete(actor=author, action=action, note="")
    doc_record = make_record(author, number="TRN-1")
    services.capa_action_complete(actor=author, action=action, note="Trained",
                                  evidence=services.EvidenceSpec(record=doc_record))
    action.refresh_from_db()
    assert action.status == CapaAction.Status.DONE and action.evidence.get().record == doc_record
    assert AuditEvent.objects.filter(verb="capa_action.completed", to_state="done").exists()


def test_verifier_who_implemented_an_action_is_refused(nc, staff, quality_manager):
    _to_verifying(nc, staff, quality_manager)
    with pytest.raises(PermissionRefused, match="someone else"):
        services.capa_verify(actor=quality_manager, capa=nc, result="effective", notes="ok")
    nc.refresh_from_db()
    assert nc.status == Capa.Status.VERIFYING


def test_staff_cannot_verify_effectiveness(nc, staff, author):
    _to_verifying(nc, staff, author)
    with pytest.raises(PermissionRefused):
        services.capa_verify(actor=staff, capa=nc, result="effective", notes="ok")


def test_not_effective_reopens(nc, staff, author, quality_manager):
    _to_verifying(nc, staff, author)
    services.capa_verify(actor=quality_manager, capa=nc, result="not_effective", notes="3 of 20 still unsigned")
    nc.refresh_from_db()
    assert nc.status == Capa.Status.OPEN and nc.reopen_count == 1
    assert AuditEvent.objects.filter(verb="capa.reopened", from_state="verifying", to_state="open").exists()
    nc.finding.refresh_from_db()
    assert nc.finding.status == Finding.Status.OPEN
    # the cycle can run again
    services.capa_analyse(actor=staff, capa=nc, ca_needed=True, justification="still needed", whys=["why"],
                          root_cause="Checklist not trained")
    assert Capa.objects.get(pk=nc.pk).status == Capa.Status.ANALYSED


def test_finding_closes_only_when_its_capa_is_verified_effective(nc, staff, author, quality_manager):
    finding = nc.finding
    with pytest.raises(DomainError, match="verified effective"):
        services.finding_close(actor=quality_manager, finding=finding)
    _to_verifying(nc, staff, author)
    with pytest.raises(DomainError, match="verified effective"):
        services.finding_close(actor=quality_manager, finding=finding)
    services.capa_verify(actor=quality_manager, capa=nc, result="effective", notes="20 of 20 signed")
    finding.refresh_from_db()
    assert finding.status == Finding.Status.CLOSED
    assert AuditEvent.objects.filter(verb="finding.closed", object_id=str(finding.pk)).exists()
    assert AuditEvent.objects.filter(verb="capa.verified_effective").exists()


def test_closure_is_signed_and_refused_with_open_actions(nc, staff, author, quality_manager, password):
    _to_verifying(nc, staff, author)
    services.capa_verify(actor=quality_manager, capa=nc, result="effective", notes="ok")
    nc.refresh_from_db()
    # Once checked effective, the plan is frozen (issue 10: a late action blocked closing).
    with pytest.raises(DomainError, match="before the effectiveness check"):
        services.capa_action_add(actor=staff, capa=nc, description="Follow-up audit of handover",
                                 owner=author, due_date=WEEK)
    with pytest.raises(PermissionRefused):
        services.capa_close(actor=staff, capa=nc, password=password)
    services.capa_close(actor=quality_manager, capa=nc, password=password, comment="Closed")
    nc.refresh_from_db()
    assert nc.status == Capa.Status.CLOSED
    sig = Signature.objects.get(meaning="closed")
    assert sig.signer == quality_manager and sig.is_valid()
    assert AuditEvent.objects.filter(verb="capa.closed", from_state="effective", to_state="closed").exists()


def test_closing_before_verification_is_illegal(nc, quality_manager, password):
    with pytest.raises(IllegalTransition):
        services.capa_close(actor=quality_manager, capa=nc, password=password)


def test_no_corrective_action_path_goes_straight_to_check(quality_manager, staff):
    capa = services.capa_raise(actor=staff, source="process", title="Label misprint", description="One label",
                               severity="minor", owner=staff)
    services.capa_analyse(actor=staff, capa=capa, ca_needed=False, justification="Single event, printer fault fixed")
    with pytest.raises(DomainError, match="no corrective action"):
        services.capa_action_add(actor=staff, capa=capa, description="x", owner=staff, due_date=WEEK)
    with pytest.raises(DomainError, match="correction"):
        services.capa_submit_verification(actor=staff, capa=capa, method="Check next 50 labels", due=WEEK)
    services.capa_record_correction(actor=staff, capa=capa, containment="", containment_date=None,
                                    correction="Relabelled", correction_date=timezone.localdate())
    services.capa_submit_verification(actor=staff, capa=capa, method="Check next 50 labels", due=TODAY)
    services.capa_verify(actor=quality_manager, capa=capa, result="effective", notes="50 fine")
    assert Capa.objects.get(pk=capa.pk).status == Capa.Status.EFFECTIVE


def test_complaint_needs_its_record_and_sources_are_kept(staff):
    with pytest.raises(DomainError, match="record"):
        services.capa_raise(actor=staff, source="complaint", title="Late", description="d", severity="minor", owner=staff)
    rec = make_record(staff, number="CC-1")
    capa = services.capa_raise(actor=staff, source="complaint", title="Late", description="d", severity="major",
                               owner=staff, source_record=rec)
    assert capa.source_record == rec and capa.number.startswith("NC-")
    with pytest.raises(DomainError, match="from the audit"):
        services.capa_raise(actor=staff, source="audit_finding", title="x", description="d", severity="minor", owner=staff)


def test_external_auditor_cannot_raise(external_auditor):
    with pytest.raises(PermissionRefused):
        services.capa_raise(actor=external_auditor, source="process", title="x", description="d", severity="minor",
                            owner=external_auditor)


def test_similar_earlier_ncs_share_clause_or_process(staff, production):
    from audits.selectors import similar_capas

    other = make_process(code="PUR", name="Purchasing", dept_code="PUR")
    a = services.capa_raise(actor=staff, source="process", title="A", description="d", severity="minor", owner=staff,
                            clause=clause("8.5.1"))
    b = services.capa_raise(actor=staff, source="process", title="B", description="d", severity="minor", owner=staff,
                            process=production)
    services.capa_raise(actor=staff, source="process", title="C", description="d", severity="minor", owner=staff,
                        process=other, clause=clause("7.2"))
    d = services.capa_raise(actor=staff, source="supplier", title="D", description="d", severity="minor", owner=staff,
                            process=production, clause=clause("8.5.1"))
    assert {c.pk for c in similar_capas(d)} == {a.pk, b.pk}

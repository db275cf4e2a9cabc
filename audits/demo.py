"""Demo audits: a current-year programme, past audits with reports and
findings, upcoming audits, and CAPAs in every state. Idempotent."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from audits import services
from audits.models import AuditProgramme, AuditQuestion
from qms.demo import DEMO_PASSWORD
from qms.models import Clause, Process


def _at(d: date, hour: int) -> datetime:
    return datetime.combine(d, time(hour, 0), tzinfo=timezone.get_current_timezone())


def _audit(qm, lead, process, day: date, *, programme, clauses, auditees, title=None):
    data = services.AuditInput(
        audit_type="internal", title=title or f"Internal audit: {process.name}", objectives=programme.objectives,
        scope=f"{process.name}: activities, records and interfaces since the last audit",
        criteria_clauses=list(Clause.objects.filter(number__in=clauses)), criteria_documents=[],
        processes=[process], departments=[], site="Main plant", methods="Interviews, observation, record sampling",
        is_remote=False, planned_start=_at(day, 9), planned_end=_at(day, 15), lead_auditor=lead, team=[],
        auditees=auditees, programme=programme,
    )
    return services.audit_schedule(actor=qm, data=data)


def _notes(name: str, text: str) -> services.EvidenceSpec:
    return services.EvidenceSpec(upload=SimpleUploadedFile(name, text.encode(), content_type="text/plain"),
                                 note="Auditor's notes")


def _run(audit, qm, lead, findings, *, issue=True):
    services.audit_issue_plan(actor=qm, audit=audit)
    services.audit_start(actor=lead, audit=audit)
    services.checklist_generate(actor=lead, audit=audit)
    for item in audit.checklist.all():
        services.checklist_answer(actor=lead, item=item, answer="conforming", notes="Sampled five records")
    out = []
    for ftype, number, statement, owner in findings:
        out.append(services.finding_raise(
            actor=lead, audit=audit, finding_type=ftype, clause=Clause.objects.get(number=number),
            statement=statement, owner=owner,
            evidence=_notes(f"{audit.number}-{len(out) + 1}.txt", statement) if ftype.endswith("_nc") else None,
        ))
    if issue:
        services.report_save(actor=lead, audit=audit, values={
            "client": "Top management", "dates_places": f"Main plant, {audit.planned_start:%Y-%m-%d}",
            "conclusions": "The process is implemented and largely effective.",
            "criteria_met": "Criteria met except where nonconformities are raised.",
            "diverging_opinions": "None", "sampling_note": "Records of the last three months were sampled; "
            "audits sample, so nonconformities may remain undetected.",
        })
        services.report_issue(actor=lead, audit=audit, password=DEMO_PASSWORD, comment="Issued")
    return out


def _analyse(capa, owner):
    services.capa_record_correction(actor=owner, capa=capa, containment="Affected items checked and segregated",
                                    containment_date=timezone.localdate(),  # not before the NC was raised
                                    correction="Affected records corrected",
                                    correction_date=timezone.localdate())
    services.capa_analyse(actor=owner, capa=capa, ca_needed=True, justification="Could recur on every shift",
                          whys=["The step was skipped", "The instruction does not show it",
                                "The instruction was not updated after the machine change"],
                          root_cause="Change to the machine did not trigger a document review")


def _implement(capa, owner, implementer):
    _analyse(capa, owner)
    action = services.capa_action_add(actor=owner, capa=capa, description="Update the work instruction and brief the shift",
                                      owner=implementer, due_date=timezone.localdate() + timedelta(days=10))
    services.capa_start_actions(actor=owner, capa=capa)
    return action


def _to_verifying(capa, owner, implementer):
    action = _implement(capa, owner, implementer)
    services.capa_action_complete(actor=implementer, action=action, note="Instruction revised and shift briefed")
    services.capa_submit_verification(actor=owner, capa=capa, method="Sample 20 jobs after the change",
                                      due=timezone.localdate())  # the check's window is open: the demo records it


def seed(*, users, stdout) -> None:
    today = timezone.localdate()
    year = today.year
    title = f"Internal audit programme {year}"
    if AuditProgramme.objects.filter(title=title).exists():
        return
    qm, auditor, staff, author, approver = (users[k] for k in ("qm", "auditor", "staff", "author", "approver"))
    prog = services.programme_create(
        actor=qm, title=title, period_start=date(year, 1, 1), period_end=date(year, 12, 31),
        objectives="Verify that every QMS process conforms to ISO 9001 and our procedures and is effective "
                   "(ISO 9001 9.2); high-risk processes twice a year.",
    )
    procs = {p.code: p for p in Process.objects.all()}
    for code, p in procs.items():
        services.programme_item_add(actor=qm, programme=prog, process=p,
                                    frequency_months=6 if code in ("PRD", "PUR") else 12,
                                    risk="high" if code in ("PRD", "PUR") else "normal")
    services.programme_item_add(actor=qm, programme=prog, clause=Clause.objects.get(number="9.3"), frequency_months=12)

    past1 = max(date(year, 1, 1), today - timedelta(days=120))
    past2 = max(date(year, 1, 2), today - timedelta(days=60))
    # Past audit 1: production, closed, with every kind of finding.
    a1 = _audit(qm, auditor, procs["PRD"], past1, programme=prog, clauses=["8.5.1", "7.1.5", "8.7"], auditees=[approver, staff])
    f1 = _run(a1, qm, auditor, [
        ("minor_nc", "8.5.1", "Set-up sheet for press 4 not signed on two shifts", staff),
        ("major_nc", "7.1.5", "Torque wrench TW-07 used past its calibration date", approver),
        ("observation", "8.7", "Quarantine area labels are faded", approver),
        ("ofi", "8.5.1", "Visual aids at the press would cut set-up time", approver),
        ("good_practice", "8.5.1", "Shift handover board is complete and used", approver),
    ])
    closed_capa, implementing_capa = f1[0].capa, f1[1].capa
    _to_verifying(closed_capa, staff, author)
    services.capa_verify(actor=qm, capa=closed_capa, result="effective", notes="20 of 20 sheets signed")
    services.capa_close(actor=qm, capa=closed_capa, password=DEMO_PASSWORD, comment="Verified and closed")
    _implement(implementing_capa, approver, staff)
    for finding in f1[2:]:
        services.finding_close(actor=auditor, finding=finding, comment="Noted by the auditee")
    services.audit_close(actor=qm, audit=a1)

    # The question library: the quality manager rewords a shipped 8.5.1 question for the presses (audit 1's
    # checklist keeps the wording it copied) and adds one of our own for the calibration audit below.
    setup = AuditQuestion.objects.active().filter(clause__number="8.5.1").order_by("position", "id").first()
    services.question_update(
        actor=qm, question=setup, clause=setup.clause, position=setup.position,
        text="At the press: are the set-up sheet and the drawing of the job at hand, at the current revision, "
             "and is the set-up sheet signed by the setter?",
        guidance="Set-up sheet and drawing at the press match the document register; the setter's signature "
                 "and time on the sheet (see finding 1 of the last production audit).")
    services.question_create(
        actor=qm, clause=Clause.objects.get(number="7.1.5.2"),
        text="Is torque wrench TW-07 back in calibration since the last production audit? Show its new "
             "certificate and the assessment of the joints tightened while it was overdue.",
        guidance="A certificate dated after the finding, traceable to a national standard; a documented "
                 "assessment of affected product and what was done with it.")

    # Past audit 2: sales, reported, one NC verified effective and one waiting for its check.
    a2 = _audit(qm, auditor, procs["SAL"], past2, programme=prog, clauses=["8.2.3", "8.2.4"], auditees=[staff])
    f2 = _run(a2, qm, auditor, [
        ("minor_nc", "8.2.3", "Two orders confirmed without a documented review of delivery date", staff),
        ("minor_nc", "8.2.4", "Changed order quantity not passed to production", staff),
    ])
    _to_verifying(f2[0].capa, staff, author)
    services.capa_verify(actor=qm, capa=f2[0].capa, result="effective", notes="No unreviewed orders in 30 days")
    _to_verifying(f2[1].capa, staff, author)

    # Upcoming: one planned, one prepared (plan issued).
    _audit(qm, auditor, procs["DES"], today + timedelta(days=7), programme=prog, clauses=["8.3.4", "8.3.5"],
           auditees=[author])
    a4 = _audit(qm, auditor, procs["CAL"], today + timedelta(days=14), programme=prog, clauses=["7.1.5"],
                auditees=[staff])
    services.audit_issue_plan(actor=qm, audit=a4)
    services.checklist_generate(actor=auditor, audit=a4)  # from the library, our TW-07 question included

    # CAPAs from other sources, in the remaining states.
    services.capa_raise(actor=staff, source="process", title="Scrap rate above target on line 2",
                        description="Scrap 4.1 % in October against a 2 % target", severity="minor", owner=approver,
                        process=procs["PRD"], clause=Clause.objects.get(number="8.7"))
    supplier = services.capa_raise(actor=qm, source="supplier", title="Supplier delivered wrong alloy",
                                   description="Lot 2291 was 6061 instead of 6082", severity="major", owner=staff,
                                   process=procs["PUR"], clause=Clause.objects.get(number="8.4.2"))
    _analyse(supplier, staff)
    reopened = services.capa_raise(actor=qm, source="process", title="Training records missing signatures",
                                   description="Three training records unsigned", severity="minor", owner=staff,
                                   process=procs["HR"], clause=Clause.objects.get(number="7.2"))
    _to_verifying(reopened, staff, author)
    services.capa_verify(actor=qm, capa=reopened, result="not_effective", notes="Two new unsigned records found")
    stdout.write(f"Audits: programme {year}, 4 audits, findings and CAPAs in every state; "
                 f"{AuditQuestion.objects.active().count()} questions in the library.")

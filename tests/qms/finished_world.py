"""A "finished world": one object of every kind in its final (or closed-for-
changes) state, built through the real services, for the state walk
(tests/qms/test_state_walk.py). Earlier-state objects exist only where a
finished one needs them (a record as a finding's evidence).

    closed audit      report issued, NC finding closed (its CAPA effective), observation closed
    reported audit    report issued, observation closed (its next move, closing, is the only one left)
    closed CAPA       action done, verified effective, closed and signed
    effective CAPA    action done, verified effective, not closed yet
    superseded rev    revision 1 of a document whose revision 2 is in force
    obsolete document and its obsolete revision
    void record       submitted, then voided by the quality manager
    disposed record   kept past its retention (made in 2020), disposed with a signature
    closed request    an external auditor's evidence request, answered and closed
    finished job      an audit-trail export, ready
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from freezegun import freeze_time

from auditor import services as auditor
from audits import services as audits
from documents import services as documents
from qms import jobs
from qms.models import Clause
from records import services as records
from tests.audits.factories import REPORT_VALUES, make_audit, make_process
from tests.documents.factories import make_draft, make_effective, new_revision, submit
from tests.factories import PASSWORD
from tests.records.factories import make_record, make_type, pdf_upload


def clause(number):
    return Clause.objects.get(number=number)


# Apps that add their finished objects from tests/<app>/state.py (see
# tests/qms/test_state_walk.py for the module's parts): build_finished(w),
# finished_objects(w), build_earlier(w).
STATE_APPS = ("planning", "reviews", "training", "suppliers", "equipment", "api", "intake")


def plugins() -> list:
    import importlib

    out = []
    for app in STATE_APPS:
        try:
            out.append(importlib.import_module(f"tests.{app}.state"))
        except ModuleNotFoundError as e:
            if e.name != f"tests.{app}.state":
                raise
    return out


def _capa_to_effective(capa, *, owner, verifier, note):
    """analysed → one action (the owner's) done → checked effective by `verifier`."""
    today = timezone.localdate()
    audits.capa_analyse(actor=owner, capa=capa, ca_needed=True, justification="Recurs otherwise",
                        whys=["No checklist"], root_cause="No set-up checklist at the press")
    action = audits.capa_action_add(actor=owner, capa=capa, description="Introduce a set-up checklist",
                                    owner=owner, due_date=today + timedelta(days=14))
    audits.capa_start_actions(actor=owner, capa=capa)
    audits.capa_action_complete(actor=owner, action=action, note="Checklist in use since Monday")
    audits.capa_submit_verification(actor=owner, capa=capa, method="Sample 20 set-up sheets", due=today)
    audits.capa_verify(actor=verifier, capa=capa, result="effective", notes=note)
    capa.refresh_from_db()
    action.refresh_from_db()
    return capa, action


def _audit_with_issued_report(qm, lead, owner, process, evidence_record, *, with_nc: bool):
    audit = make_audit(qm, lead, process, state="in_progress")
    item = audits.checklist_item_save(actor=lead, audit=audit, item=None, question="Are set-up sheets signed?",
                                      clause=clause("8.5.1"))
    answer = "nonconforming" if with_nc else "conforming"
    audits.checklist_answer(actor=lead, item=item, answer=answer, notes="Two of ten sheets unsigned")
    audits.evidence_add(actor=lead, spec=audits.EvidenceSpec(record=evidence_record), checklist_item=item)
    findings = []
    if with_nc:
        findings.append(audits.finding_raise(actor=lead, audit=audit, finding_type="minor_nc", clause=clause("8.5.1"),
                                             statement="Set-up sheets are not always signed", owner=owner,
                                             process=process, checklist_item=item))
    findings.append(audits.finding_raise(actor=lead, audit=audit, finding_type="observation", clause=clause("8.5.1"),
                                         statement="Sheets are filed late", owner=owner, process=process))
    audits.report_save(actor=lead, audit=audit, values={**REPORT_VALUES, "summary": "One minor NC."})
    audits.report_issue(actor=lead, audit=audit, password=PASSWORD)
    audits.finding_close(actor=qm, finding=findings[-1], comment="Noted")
    audit.refresh_from_db()
    return audit, item, findings


def build(*, quality_manager, author, approver, staff, auditor_user, external_auditor) -> dict:
    qm = quality_manager
    w: dict = {"qm": qm, "author": author, "approver": approver, "staff": staff, "auditor": auditor_user,
               "external": external_auditor}

    # ---------------------------------------------------------------- documents
    d_sup = make_effective(author, approver, title="Gauge calibration")
    new_revision(author, approver, d_sup)
    w["doc_superseded"], w["rev_superseded"] = d_sup, d_sup.revisions.get(seq=1)
    d_obs = make_effective(author, approver, title="Old press set-up", content="# Purpose\nSet the old press.")
    documents.document_make_obsolete(actor=qm, document=d_obs, reason="The old press was scrapped")
    d_obs.refresh_from_db()
    w["doc_obsolete"], w["rev_obsolete"] = d_obs, d_obs.revisions.get(seq=1)

    # ---------------------------------------------------------------- records
    rtype = make_type("WLK", retention_years=3, name="Set-up check")
    w["record_type"] = rtype
    void = make_record(staff, rtype, evidence=[pdf_upload("setup.pdf")])
    w["record_void"] = records.record_void(actor=qm, record=void, reason="Entered twice")
    with freeze_time("2020-01-10"):
        old = make_record(staff, rtype, evidence=[pdf_upload("old.pdf")])
    w["record_disposed"] = records.record_dispose(actor=qm, record=old, password=PASSWORD, reason="Retention over")
    evidence_record = make_record(staff, rtype)  # submitted: the audit's evidence, not a finished object
    w["evidence_record"] = evidence_record

    # ---------------------------------------------------------------- audits and CAPA
    production = make_process(code="PRD", name="Production", dept_code="PRD", owner=approver)
    closed, item, (nc, obs) = _audit_with_issued_report(qm, auditor_user, staff, production, evidence_record, with_nc=True)
    capa_closed, action_closed = _capa_to_effective(nc.capa, owner=staff, verifier=qm, note="20 of 20 signed")
    audits.audit_close(actor=qm, audit=closed)
    audits.capa_close(actor=qm, capa=capa_closed, password=PASSWORD, comment="Effective; closed")
    capa_closed.refresh_from_db()
    closed.refresh_from_db()
    w.update(audit_closed=closed, item_closed=item, finding_nc=nc, finding_closed=obs,
             capa_closed=capa_closed, action_closed=action_closed)

    reported, item2, (obs2,) = _audit_with_issued_report(qm, auditor_user, staff, production, evidence_record, with_nc=False)
    w.update(audit_reported=reported, item_reported=item2, finding_reported=obs2)

    capa = audits.capa_raise(actor=qm, source="process", title="Press stopped twice", description="Unplanned stops",
                             severity="minor", owner=staff, clause=clause("8.5.1"), process=production)
    w["capa_effective"], w["action_effective"] = _capa_to_effective(capa, owner=staff, verifier=qm,
                                                                    note="No stop in four weeks")

    # ---------------------------------------------------------------- evidence request, job
    req = auditor.request_evidence(actor=external_auditor, subject="Calibration records", details="Last year's")
    auditor.answer_request(actor=qm, req=req, answer="See the procedure.", references=[d_sup.number])
    w["request_closed"] = auditor.close_request(actor=external_auditor, req=req)
    job = jobs.request_job(kind="audit_trail_export", actor=qm, params={"fmt": "csv"})
    jobs.execute(job.pk, heartbeat=False)
    job.refresh_from_db()
    assert job.status == job.Status.READY, job.error
    w["job"] = job
    for plugin in plugins():
        plugin.build_finished(w)
    return w


def finished_objects(w) -> dict:
    """Every finished object (and the rows that make it up) by a short label."""
    objs = {k: w[k] for k in (
        "doc_superseded", "rev_superseded", "doc_obsolete", "rev_obsolete", "record_void", "record_disposed",
        "audit_closed", "item_closed", "finding_nc", "finding_closed", "capa_closed", "action_closed",
        "audit_reported", "item_reported", "finding_reported", "capa_effective", "action_effective",
        "request_closed", "job",
    )}
    for key in ("audit_closed", "audit_reported"):
        objs[f"report_{key[6:]}"] = w[key].report
    for key in ("record_void", "record_disposed"):
        for i, ev in enumerate(w[key].evidence.order_by("pk")):
            objs[f"{key}_evidence{i}"] = ev
    for plugin in plugins():
        objs.update(plugin.finished_objects(w))
    return objs


# ------------------------------------------------------------------ the control: the same objects one step earlier
def _capa(qm, staff, process, title, *, upto):
    """A CAPA owned by staff, moved through the services up to `upto`."""
    today = timezone.localdate()
    capa = audits.capa_raise(actor=qm, source="process", title=title, description="Unplanned stops",
                             severity="minor", owner=staff, clause=clause("8.5.1"), process=process)
    steps = ["analysed", "planned", "implementing", "done", "verifying", "effective"]
    for step in steps[: steps.index(upto) + 1] if upto != "open" else []:
        if step == "analysed":
            audits.capa_analyse(actor=staff, capa=capa, ca_needed=True, justification="Recurs otherwise",
                                whys=["No checklist"], root_cause="No set-up checklist")
        elif step == "planned":
            action = audits.capa_action_add(actor=staff, capa=capa, description="Introduce a checklist", owner=staff,
                                            due_date=today + timedelta(days=14))
        elif step == "implementing":
            audits.capa_start_actions(actor=staff, capa=capa)
        elif step == "done":
            audits.capa_action_complete(actor=staff, action=action, note="In use")
        elif step == "verifying":
            audits.capa_submit_verification(actor=staff, capa=capa, method="Sample 20 sheets", due=today)
        elif step == "effective":
            audits.capa_verify(actor=qm, capa=capa, result="effective", notes="No stop in four weeks")
    capa.refresh_from_db()
    return capa


def build_earlier(*, quality_manager, author, approver, staff, auditor_user, external_auditor) -> dict:
    """One object just before each move the walk's payloads make (so the control can show they succeed)."""
    qm = quality_manager
    w: dict = {"qm": qm, "author": author, "approver": approver, "staff": staff, "auditor": auditor_user,
               "external": external_auditor}
    production = make_process(code="PRD", name="Production", dept_code="PRD", owner=approver)
    for upto in ("open", "analysed", "planned", "implementing", "done", "verifying", "effective"):
        w[f"capa_{upto}"] = _capa(qm, staff, production, f"Stop ({upto})", upto=upto)
    w["action_open"] = w["capa_implementing"].actions.get()

    w["audit_planned"] = make_audit(qm, auditor_user, production, state="planned")
    w["audit_prepared"] = make_audit(qm, auditor_user, production, state="prepared")
    audit = make_audit(qm, auditor_user, production, state="in_progress")
    audits.report_save(actor=auditor_user, audit=audit, values={**REPORT_VALUES, "summary": "Draft"})
    w["audit_in_progress"] = audit
    w["item_open"] = audits.checklist_item_save(actor=auditor_user, audit=audit, item=None,
                                                question="Are set-up sheets signed?", clause=clause("8.5.1"))
    w["finding_open"] = audits.finding_raise(actor=auditor_user, audit=audit, finding_type="observation",
                                             clause=clause("8.5.1"), statement="Sheets filed late", owner=staff,
                                             process=production)
    w["audit_reported"] = make_audit(qm, auditor_user, production, state="in_progress")
    audits.report_save(actor=auditor_user, audit=w["audit_reported"], values={**REPORT_VALUES, "summary": "Fine"})
    audits.report_issue(actor=auditor_user, audit=w["audit_reported"], password=PASSWORD)

    w["doc_live"] = make_effective(author, approver, title="Press set-up", distribution_users=[staff])
    w["rev_effective"] = w["doc_live"].effective_revision
    w["rev_draft"] = make_draft(author, title="Press cleaning").latest_revision
    in_review = make_draft(author, title="Press guarding")
    submit(author, in_review.latest_revision, [approver])
    w["rev_in_review"] = in_review.latest_revision

    rtype = make_type("WLK", retention_years=3, name="Set-up check")
    w["record_type"] = rtype
    w["record_draft"] = make_record(staff, rtype, submit=False)
    w["record_submitted"] = make_record(staff, rtype, evidence=[pdf_upload("setup.pdf")])
    with freeze_time("2020-01-10"):
        w["record_old"] = make_record(staff, rtype, evidence=[pdf_upload("old.pdf")])
    w["record_submitted_evidence0"] = w["record_submitted"].evidence.get()
    w["evidence_record"] = w["record_submitted"]

    w["request_open"] = auditor.request_evidence(actor=external_auditor, subject="Calibration records")
    answered = auditor.request_evidence(actor=external_auditor, subject="Training records")
    w["request_answered"] = auditor.answer_request(actor=qm, req=answered, answer="See the register.", references=[])
    job = jobs.request_job(kind="audit_trail_export", actor=qm, params={"fmt": "csv"})
    jobs.fail(job, "The disk was full")
    job.refresh_from_db()
    w["job_failed"] = job
    w["doc_superseded"] = w["doc_live"]  # the evidence request's reference in PAYLOADS
    for plugin in plugins():
        plugin.build_earlier(w)
    return w

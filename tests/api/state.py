"""The REST API in the state walk (tests/qms/test_state_walk.py).

The API's actions call the same services as the pages, so a POST through
/api/v1/ on a finished document, revision, record, audit, CAPA, evidence
request or job must be refused the same way (a 4xx with the reason, nothing
changed). The finished objects are the page walk's own (tests/qms/finished_world.py):
this module builds none, it only maps each API route to them, with payloads in
the API's shape (the walk posts them form-encoded: DRF parses the multipart
body; a signature is the password and the content_hash the client was shown).

Personal access tokens and user accounts are not QMS objects with a lifecycle.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from qms.signatures import content_hash
from tests.factories import PASSWORD
from tests.records.factories import GOOD, pdf_upload

NOT_FINISHED = {
    "api:token-revoke": "a personal access token, not a QMS object (revoking a revoked one is refused by its service)",
    "api:user-change": "a user account has no final state: an inactive one may be made active again",
    "api:no-such-operation": "the API's catch-all: it names no object and answers every method 404 with the reason",
}
# A webhook subscription is only enabled or disabled (either may be turned back) or deleted (then
# gone: 404); redelivering or testing makes a new delivery and leaves the earlier one as it was.
_WEBHOOK = ("a webhook subscription has no final state: enabled and disabled both turn back, and "
            "a test or redelivery adds a new delivery, never changing a past one")
NOT_FINISHED.update({name: _WEBHOOK for name in (
    "api:webhooks-test", "api:webhooks-disable", "api:webhooks-enable", "api:webhooks-delete", "api:webhooks-redeliver",
    "api:webhook-test", "api:webhook-disable", "api:webhook-enable", "api:webhook-remove", "api:webhook-redeliver")})

# As the pages' routes (ALLOWED in the test): a controlled print of a superseded or
# obsolete revision is stamped with its state and makes a job or a "printed" event;
# a voided record is still retained and may go on legal hold; its PDF is a job.
ALLOWED = {
    ("api:revision-print", "rev_superseded"): set(),
    ("api:revision-print", "rev_obsolete"): set(),
    ("api:record-hold", "record_void"): {"legal_hold", "legal_hold_reason"},
    ("api:record-pdf", "record_void"): set(),
    # As reviews:action-complete and reviews:review-pdf (tests/reviews/state.py).
    ("api:decision-complete", "decision_locked"): {"action_status", "completed_at", "completed_by_id",
                                                   "completion_note"},
    ("api:management-review-pdf", "review_approved"): set(),
}

# The one move left to a "finished" object (as capa:capa-close and audits:audit-close).
NEXT_MOVES = {
    ("api:risk-reopen", "risk_closed"),
    ("api:training-record-void", "training_evaluated"),
    ("api:capa-close", "capa_effective"),
    ("api:audit-close", "audit_reported"),
}

ACTORS: dict = {}  # the finished objects are the page walk's: its people


def build_finished(w):
    pass  # the page walk builds the finished objects


def finished_objects(w) -> dict:
    return {}


def build_earlier(w):
    pass  # the page walk builds the earlier objects


# ------------------------------------------------------------------ which finished objects a route names
def _rev(w, key) -> dict:
    return {"document_number": w[f"doc_{key}"].number, "seq": w[f"rev_{key}"].seq}


def targets(route, w):
    n = route.name
    if not n.startswith("api:"):
        return None
    if n in NOT_FINISHED or not route.params:
        return []
    kind = n[4:]
    if kind in ("trail-detail", "user-detail"):
        return []  # GET only, and not a QMS object's lifecycle (a trail, an account)
    if kind == "revision-list":  # POST: a new revision of the document
        return [("doc_obsolete", {"document_number": w["doc_obsolete"].number})]
    if kind.startswith("revision-"):
        return [(f"rev_{k}", _rev(w, k)) for k in ("superseded", "obsolete")]
    if kind.startswith("document-"):
        # The document of the superseded revision is in force: only the obsolete one is finished.
        return [("doc_obsolete", {"number": w["doc_obsolete"].number})]
    if kind.startswith("record-type-"):
        return []  # a record type has no lifecycle (GET only here)
    if kind.startswith("record-"):
        return [(k, {"number": w[k].number}) for k in ("record_void", "record_disposed")]
    if kind.startswith("evidence-request-"):
        return [("request_closed", {"pk": w["request_closed"].pk, "link_id": 10**6})]
    if kind.startswith("evidence-"):  # a record's evidence file (GET only)
        return [(f"{k}_evidence0", {"pk": w[k].evidence.order_by("pk").first().pk})
                for k in ("record_void", "record_disposed")]
    if kind.startswith("audit-"):
        return [(k, {"pk": w[k].pk}) for k in ("audit_closed", "audit_reported")]
    if kind.startswith("checklist-item-"):
        return [(k, {"pk": w[k].pk}) for k in ("item_closed", "item_reported")]
    if kind.startswith("finding-"):
        return [(k, {"pk": w[k].pk}) for k in ("finding_nc", "finding_closed", "finding_reported")]
    if kind.startswith("capa-action-"):
        return [(k, {"pk": w[k].pk}) for k in ("action_closed", "action_effective")]
    if kind.startswith("capa-"):
        return [(k, {"pk": w[k].pk}) for k in ("capa_closed", "capa_effective")]
    if kind.startswith("instrument-"):
        return [("instrument_retired", {"code": w["instrument_retired"].code})]
    if kind.startswith("calibration-"):
        return []  # a calibration is recorded once (GET only here)
    if kind.startswith("supplier-"):
        # A supplier has no final state (tests/suppliers/state.py); evaluations and certificates are GET only;
        # an evaluation criterion is active or not, both editable (as suppliers:criterion-edit).
        return []
    if kind.startswith("measurement-"):
        return []  # a measurement's evidence download (GET only)
    if kind.startswith("qualification-"):
        return []  # who may submit a record type's records: a setting with no final state (as training:qualification-edit)
    if kind.startswith(("competence-", "job-role-", "person-")):
        return []  # active or not, both editable (tests/training/state.py)
    if kind.startswith("training-record-"):
        return [(k, {"pk": w[k].pk}) for k in ("training_void", "training_evaluated")]
    if kind.startswith("training-evidence-"):
        return []  # a download (GET only)
    if kind.startswith(("context-issue-", "interested-party-", "survey-")):
        return []  # active or retired, a retired one may be reactivated; a survey result has no lifecycle
    if kind.startswith("risk-action-"):
        return [(k, {"pk": w[k].pk}) for k in ("riskaction_done", "riskaction_cancelled")]
    if kind.startswith("risk-"):
        return [("risk_closed", {"pk": w["risk_closed"].pk})]
    if kind.startswith("objective-"):
        return [(k, {"pk": w[k].pk}) for k in ("objective_achieved", "objective_not_achieved", "objective_withdrawn")]
    if kind.startswith("kpi-"):
        return [(k, {"pk": w[k].pk}) for k in ("kpi_achieved", "kpi_computed_achieved")]
    if kind.startswith("complaint-"):
        return [("complaint_closed", {"number": w["complaint_closed"].number})]
    if kind.startswith("management-review-"):
        return [("review_approved", {"pk": w["review_approved"].pk})]
    if kind.startswith("decision-"):
        return [(k, {"pk": w[k].pk}) for k in ("decision_noaction", "decision_done", "decision_locked")]
    if kind.startswith("job-"):
        return [("job", {"public_id": w["job"].public_id})]
    return None  # an API route this module does not know yet: the walk says so


def kwargs(obj):
    """The API's URL arguments: a revision is named by its document's number and its seq."""
    from documents.models import Document, Revision

    if isinstance(obj, Revision):
        return {"document_number": obj.document.number, "seq": obj.seq}
    if isinstance(obj, Document):
        return {"document_number": obj.number}
    return None


# ------------------------------------------------------------------ payloads (that would succeed earlier)
def _soon(days=7) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def _today() -> str:
    return timezone.localdate().isoformat()


def _last_month() -> str:
    return (timezone.localdate().replace(day=1) - timedelta(days=1)).isoformat()


def _signed(obj, **extra) -> dict:
    """An API signature: the password and the content_hash of what the client read."""
    return {"password": PASSWORD, "comment": "Signed in the walk", "content_hash": content_hash(obj.signature_content()),
            **extra}


def _shown_revision(document):
    return document.effective_revision or document.latest_revision


def _clause_pk():
    from qms.models import Clause

    return Clause.objects.get(number="8.5.1").pk


def _values(**changes) -> dict:
    return {**GOOD, "sealed": "on", **changes}


PAYLOADS = {
    # Documents
    "api:document-obsolete": lambda w, o, a: [{"reason": "Withdrawn again"}],
    "api:document-review": lambda w, o, a: [
        _signed(_shown_revision(o), outcome="no_change"),
        _signed(_shown_revision(o), outcome="revise", comment="Bring it back"),
    ],
    "api:document-acknowledge": lambda w, o, a: [_signed(_shown_revision(o))],
    "api:revision-list": lambda w, o, a: [{"change_summary": "Bring it back", "change_reason": "New press"}],
    "api:revision-draft": lambda w, o, a: [{"content": "# Purpose\nChanged after the fact.", "change_summary": "Late",
                                            "change_reason": "Late", "content_hash": content_hash(o.signature_content())}],
    "api:revision-submit": lambda w, o, a: [{"step1_kind": "approve", "step1_mode": "all",
                                             "step1_users": [w["approver"].pk], "effective_date": _soon()}],
    "api:revision-decide": lambda w, o, a: [_signed(o, outcome="approved", significance="significant")],
    "api:revision-withdraw": lambda w, o, a: [{"reason": "Withdrawn in the walk"}],
    "api:revision-print": lambda w, o, a: [{}],
    # Records (the values as the multipart parts themselves)
    "api:record-draft": lambda w, o, a: [_values(), _values(submit="true")],
    "api:record-submit": lambda w, o, a: [{}],
    "api:record-evidence": lambda w, o, a: [{"evidence": pdf_upload("late.pdf")}],
    "api:record-verify": lambda w, o, a: [_signed(o)],
    "api:record-amend": lambda w, o, a: [{**_values(deviation="2.5"), "amendment_reason": "Typo",
                                          "content_hash": content_hash(o.signature_content())}],
    "api:record-void": lambda w, o, a: [{"reason": "Voided again"}],
    "api:record-hold": lambda w, o, a: [{"legal_hold": "true", "reason": "Dispute with a customer"}],
    "api:record-dispose": lambda w, o, a: [_signed(o, reason="Retention over")],
    "api:record-pdf": lambda w, o, a: [{}],
    # Audits
    "api:audit-issue-plan": lambda w, o, a: [{}],
    "api:audit-start": lambda w, o, a: [{}],
    "api:audit-close": lambda w, o, a: [{}],
    "api:audit-findings": lambda w, o, a: [{"finding_type": "observation", "clause": _clause_pk(),
                                            "statement": "A late finding", "owner": w["staff"].pk,
                                            "ev_record": w["evidence_record"].number}],
    "api:audit-issue-report": lambda w, o, a: [_signed(o.report)],
    "api:checklist-item-answer": lambda w, o, a: [{"answer": "conforming", "notes": "Fine now",
                                                   "ev_record": w["evidence_record"].number}],
    "api:finding-close": lambda w, o, a: [{"comment": "Closed again"}],
    "api:finding-evidence": lambda w, o, a: [{"ev_record": w["evidence_record"].number, "ev_note": "More"}],
    # CAPA
    "api:capa-owner": lambda w, o, a: [{"owner": w["author"].pk, "reason": "The owner left"}],
    "api:capa-correction": lambda w, o, a: [{"containment": "Line stopped", "containment_date": _today(),
                                             "correction": "Sheets re-signed", "correction_date": _today()}],
    "api:capa-analyse": lambda w, o, a: [{"ca_needed": "yes", "ca_justification": "It would recur",
                                          "why1": "No checklist", "root_cause": "No checklist at the press"}],
    "api:capa-actions": lambda w, o, a: [{"description": "Follow-up audit of the handover",
                                          "owner": w["author"].pk, "due_date": _soon()}],
    "api:capa-start-actions": lambda w, o, a: [{}],
    "api:capa-submit-verification": lambda w, o, a: [{"method": "Sample 20 more sheets", "due": _soon()}],
    "api:capa-verify": lambda w, o, a: [{"result": r, "notes": "Checked again", "early_reason": "Asked for"}
                                        for r in ("effective", "not_effective")],
    "api:capa-close": lambda w, o, a: [_signed(o)],
    "api:capa-action-complete": lambda w, o, a: [{"note": "Done again", "ev_record": w["evidence_record"].number}],
    # The external auditor's evidence requests
    "api:evidence-request-answer": lambda w, o, a: [{"answer": "More evidence",
                                                     "references": w["doc_superseded"].number}],
    "api:evidence-request-close": lambda w, o, a: [{}],
    # Jobs
    "api:job-retry": lambda w, o, a: [{}],
    # Equipment
    "api:instrument-edit": lambda w, o, a: [{"description": "Renamed micrometer", "owner": w["staff"].pk,
                                             "calibration_interval_months": "6", "location": "Lab 2"}],
    "api:instrument-status": lambda w, o, a: [{"to": "out_of_service", "reason": "Dropped on the floor"}],
    "api:instrument-calibrate": lambda w, o, a: [{"calibrated_on": _today(), "result": "pass",
                                                  "performed_by": "CalLab AB", "certificate_number": "C-77"}],
    # Training records
    "api:training-record-sign": lambda w, o, a: [_signed(o)],
    "api:training-record-evaluate": lambda w, o, a: [_signed(o, result=r, checked_on=_today())
                                                     for r in ("effective", "not_effective")],
    "api:training-record-evidence": lambda w, o, a: [{"files": pdf_upload("late.pdf")}],
    "api:training-record-void": lambda w, o, a: [{"reason": "Voided again in the walk"}],
    # Planning
    "api:risk-assess": lambda w, o, a: [{"likelihood": 2, "impact": 2, "residual_likelihood": 1, "residual_impact": 2,
                                         "reassess_on": _soon(30), "note": "Looked at again in the walk"}],
    "api:risk-actions": lambda w, o, a: [{"description": "Audit the second source", "owner": w["staff"].pk,
                                          "start_date": _today(), "due_date": _soon(30)}],
    "api:risk-close": lambda w, o, a: [{"reason": "Closed again in the walk"}],
    "api:risk-reopen": lambda w, o, a: [{"reason": "It came back"}],
    "api:risk-capa": lambda w, o, a: [{"title": "The risk materialised", "description": "Castings late twice",
                                       "severity": "minor", "due_date": _soon(30)}],
    "api:risk-action-complete": lambda w, o, a: [{"outcome": "Done again", "completed_on": _today()}],
    "api:risk-action-cancel": lambda w, o, a: [{"reason": "Cancelled again"}],
    "api:objective-close": lambda w, o, a: [{"status": s, "evaluation": "Evaluated again"}
                                            for s in ("achieved", "not_achieved", "withdrawn")],
    "api:kpi-measure": lambda w, o, a: [{"period": _last_month(), "value": "95", "comment": "Corrected in the walk"}],
    # (an edit's field left out keeps its value, as the page posts it back)
    "api:risk-edit": lambda w, o, a: [{"title": "Renamed in the walk", "cause": "Changed in the walk"}],
    "api:objective-edit": lambda w, o, a: [{"statement": "Renamed in the walk", "target": "96"}],
    "api:objective-kpis": lambda w, o, a: [{"name": "Complaints per month", "definition": "Complaints in the month",
                                            "unit": "count", "frequency": "monthly", "target": "2",
                                            "direction": "lte", "source": "entered", "data_source": "Complaint log",
                                            "owner": w["staff"].pk, "start_date": timezone.localdate().replace(
                                                day=1).isoformat(), "is_active": "true"}],
    "api:kpi-edit": lambda w, o, a: [{"name": "Renamed in the walk", "data_source": "Changed"}],
    "api:kpi-refresh": lambda w, o, a: [{}],
    # Customer feedback and management review
    "api:complaint-acknowledge": lambda w, o, a: [{"acknowledged_on": _today()}],
    "api:complaint-respond": lambda w, o, a: [{"responded_on": _today(), "response": "We sent a new one"}],
    "api:complaint-capa": lambda w, o, a: [{"title": "Cracked housings", "description": "Flange cracks",
                                            "severity": "minor", "owner": w["staff"].pk, "due_date": _soon(30)}],
    "api:complaint-close": lambda w, o, a: [{"resolution": "Closed again"}],
    "api:management-review-compile": lambda w, o, a: [{}],
    "api:management-review-pdf": lambda w, o, a: [{}],
    "api:management-review-conclusions": lambda w, o, a: [{"conclusions": "Rewritten after the signature"}],
    "api:management-review-decisions": lambda w, o, a: [
        {"kind": "improvement", "text": "A late decision"},
        {"kind": "improvement", "text": "A late action", "action_description": "Do it", "action_owner": w["staff"].pk,
         "action_due_date": _soon(30)}],
    "api:management-review-sign": lambda w, o, a: [_signed(o)],
    "api:decision-complete": lambda w, o, a: [{"note": "Done again"}],
    "api:complaint-edit": lambda w, o, a: [{"customer": "Volta Motors GmbH", "reference": "PO-4712"}],
    "api:management-review-edit": lambda w, o, a: [{"title": "Renamed review"}],
    "api:decision-edit": lambda w, o, a: [{"text": "Changed after the signature"}],
}

# ------------------------------------------------------------------ the control: one step earlier
CONTROL = {
    "api:document-obsolete": [("doc_live", "author", None)],
    "api:document-review": [("doc_live", "author", None)],
    "api:document-acknowledge": [("doc_live", "staff", None)],
    "api:revision-list": [("doc_live", "author", None)],
    "api:revision-draft": [("rev_draft", "author", None)],
    "api:revision-submit": [("rev_draft", "author", None)],
    "api:revision-decide": [("rev_in_review", "approver", None)],
    "api:revision-withdraw": [("rev_in_review", "author", None)],
    "api:revision-print": [("rev_effective", "staff", None)],
    "api:record-draft": [("record_draft", "staff", None)],
    "api:record-submit": [("record_draft", "staff", None)],
    "api:record-evidence": [("record_draft", "staff", None)],
    "api:record-verify": [("record_submitted", "approver", None)],
    "api:record-amend": [("record_submitted", "staff", None)],
    "api:record-void": [("record_submitted", "qm", None)],
    "api:record-hold": [("record_submitted", "qm", None)],
    "api:record-dispose": [("record_old", "qm", None)],
    "api:record-pdf": [("record_submitted", "staff", None)],
    "api:audit-issue-plan": [("audit_planned", "auditor", None)],
    "api:audit-start": [("audit_prepared", "auditor", None)],
    "api:audit-close": [("audit_reported", "qm", None)],
    "api:audit-findings": [("audit_in_progress", "auditor", None)],
    "api:audit-issue-report": [("audit_in_progress", "auditor", None)],
    "api:checklist-item-answer": [("item_open", "auditor", None)],
    "api:finding-close": [("finding_open", "qm", None)],
    "api:finding-evidence": [("finding_open", "auditor", None)],
    "api:capa-owner": [("capa_open", "qm", None)],
    "api:capa-correction": [("capa_open", "staff", None)],
    "api:capa-analyse": [("capa_open", "staff", None)],
    "api:capa-actions": [("capa_analysed", "staff", None)],
    "api:capa-start-actions": [("capa_planned", "staff", None)],
    "api:capa-submit-verification": [("capa_done", "staff", None)],
    "api:capa-verify": [("capa_verifying", "qm", None)],
    "api:capa-close": [("capa_effective", "qm", None)],
    "api:capa-action-complete": [("action_open", "staff", None)],
    "api:evidence-request-answer": [("request_open", "qm", None)],
    "api:evidence-request-close": [("request_answered", "external", None)],
    "api:job-retry": [("job_failed", "qm", None)],
    "api:training-record-sign": [("training_draft", "approver", None), ("training_draft", "staff", None)],
    "api:training-record-evaluate": [("training_signed", "qm", None), ("training_signed", "approver", None)],
    "api:training-record-evidence": [("training_draft", "qm", None), ("training_draft", "approver", None)],
    "api:training-record-void": [("training_draft", "qm", None), ("training_signed", "qm", None)],
    "api:risk-assess": [("risk_open", "staff", None)],
    "api:risk-actions": [("risk_open", "staff", None)],
    "api:risk-close": [("risk_closable", "qm", None)],
    "api:risk-reopen": [("risk_closed", "qm", None)],
    "api:risk-capa": [("risk_open", "qm", None)],
    "api:risk-action-complete": [("riskaction_open", "staff", None)],
    "api:risk-action-cancel": [("riskaction_open", "staff", None)],
    "api:objective-close": [(f"objective_to_close{i}", "qm", i) for i in range(3)],
    "api:kpi-measure": [("kpi_entered", "staff", None)],
    "api:risk-edit": [("risk_open", "staff", None)],
    "api:objective-edit": [("objective_active", "staff", None)],
    "api:objective-kpis": [("objective_active", "qm", None)],
    "api:kpi-edit": [("kpi_entered", "qm", None)],
    "api:kpi-refresh": [("kpi_computed", "qm", None)],
    "api:complaint-acknowledge": [("complaint_open", "staff", None)],
    "api:complaint-respond": [("complaint_open", "staff", None)],
    "api:complaint-capa": [("complaint_open", "qm", None)],
    "api:complaint-close": [("complaint_responded", "staff", None)],
    "api:management-review-compile": [("review_planned", "qm", None)],
    "api:management-review-pdf": [("review_planned", "qm", None)],
    "api:management-review-conclusions": [("review_planned", "approver", None)],
    "api:management-review-decisions": [("review_planned", "approver", None)],
    "api:management-review-sign": [("review_planned", "approver", None)],
    "api:decision-complete": [("decision_open", "staff", None)],
    "api:complaint-edit": [("complaint_open", "staff", None)],
    "api:management-review-edit": [("review_planned", "qm", None)],
    "api:decision-edit": [("decision_planned", "qm", None), ("decision_open", "approver", None)],
    "api:instrument-edit": [("instrument_in_use", "qm", None)],
    "api:instrument-status": [("instrument_in_use", "qm", None)],
    "api:instrument-calibrate": [("instrument_in_use", "qm", None)],
}

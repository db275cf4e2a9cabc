"""The reviews app's part of the state walk (tests/qms/test_state_walk.py).

Finished objects, built through the services:

    complaint_closed   logged, answered and closed (owner: staff)
    review_approved    a management review whose minutes the chair (approver) signed: locked
    decision_noaction  its decision without an action
    decision_done      its decision whose action (staff's) is done
    decision_locked    its decision whose action is still open: the decision is locked with
                       the minutes; only completing the action is left (ALLOWED below)

A satisfaction survey has no lifecycle (a result that the quality manager may correct).
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from reviews import services
from reviews.models import Complaint, Decision, ManagementReview, SatisfactionSurvey
from tests.factories import PASSWORD
from tests.reviews.factories import make_complaint, make_review
from tests.signing import shown


def _today() -> str:
    return timezone.localdate().isoformat()


def _soon(days=30) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


# ------------------------------------------------------------------ builders
def _review(w, *, title, conclusions=True):
    review = make_review(w["qm"], chair=w["approver"], attendees=[w["staff"]], meeting_in_days=0, title=title)
    if conclusions:
        services.review_update(actor=w["qm"], review=review, conclusions="The QMS is suitable and effective.")
    review.refresh_from_db()
    return review


def _decisions(w, review):
    """One decision without an action, one whose action is done, one whose action is open."""
    due = timezone.localdate() + timedelta(days=30)
    plain = services.decision_add(actor=w["qm"], review=review, kind="qms_change", text="Merge the two procedures")
    done = services.decision_add(actor=w["qm"], review=review, kind="resources", text="A second gauge",
                                 action_description="Buy a second gauge", action_owner=w["staff"],
                                 action_due_date=due)
    services.action_complete(actor=w["staff"], decision=done, note="Bought and calibrated")
    open_ = services.decision_add(actor=w["qm"], review=review, kind="improvement", text="Shorter set-up",
                                  action_description="Trial a quick-change fixture", action_owner=w["staff"],
                                  action_due_date=due)
    return plain, done, open_


def build_finished(w) -> None:
    qm, staff = w["qm"], w["staff"]
    c = make_complaint(qm, owner=staff, customer="Volta Motors")
    services.complaint_respond(actor=staff, complaint=c, on=timezone.localdate(), response="Replacement sent")
    w["complaint_closed"] = services.complaint_close(actor=staff, complaint=c, resolution="Replaced; customer happy")

    review = _review(w, title="Management review (signed)")
    plain, done, open_ = _decisions(w, review)
    review.refresh_from_db()
    services.minutes_approve(actor=w["approver"], review=review, password=PASSWORD, comment="Approved")
    review.refresh_from_db()
    assert review.status == ManagementReview.Status.APPROVED
    w["review_approved"] = review
    for key, d in (("decision_noaction", plain), ("decision_done", done), ("decision_locked", open_)):
        d.refresh_from_db()
        w[key] = d


def finished_objects(w) -> dict:
    return {k: w[k] for k in ("complaint_closed", "review_approved", "decision_noaction", "decision_done",
                              "decision_locked")}


def build_earlier(w) -> None:
    qm, staff = w["qm"], w["staff"]
    w["complaint_open"] = make_complaint(qm, owner=staff, customer="Open Ltd")
    responded = make_complaint(qm, owner=staff, customer="Responded Ltd")
    w["complaint_responded"] = services.complaint_respond(actor=staff, complaint=responded,
                                                          on=timezone.localdate(), response="Replacement sent")
    review = _review(w, title="Management review (planned)")
    plain, _done, open_ = _decisions(w, review)
    review.refresh_from_db()
    w["review_planned"] = review
    plain.refresh_from_db()
    open_.refresh_from_db()
    w["decision_planned"], w["decision_open"] = plain, open_


# ------------------------------------------------------------------ which finished objects a route names
_REVIEW_ROUTES = {"reviews:review-detail", "reviews:review-edit", "reviews:review-pack", "reviews:review-compile",
                  "reviews:review-pdf", "reviews:review-conclusions", "reviews:decision-add", "reviews:review-sign"}
_DECISIONS = ("decision_noaction", "decision_done", "decision_locked")


def targets(route, w):
    n = route.name
    if not n.startswith("reviews:"):
        return None
    if n.startswith("reviews:complaint-") and "number" in route.params:
        return [("complaint_closed", {"number": w["complaint_closed"].number})]
    if n in _REVIEW_ROUTES:
        return [("review_approved", {"pk": w["review_approved"].pk})]
    if n in ("reviews:decision-edit", "reviews:action-complete"):
        return [(k, {"pk": w[k].pk}) for k in _DECISIONS]
    if n == "reviews:survey-detail":
        return []  # a page (GET only)
    return None


ACTORS = {
    "complaint": lambda w: [w["staff"]],  # its owner
    "review": lambda w: [w["approver"], w["staff"]],  # the chair who signed; an attendee
    "decision": lambda w: [w["staff"], w["approver"]],  # the action's owner; the review's chair
}

NOT_FINISHED = {
    "reviews:survey-edit": "a survey result has no lifecycle: the quality manager may correct it",
}

# An open action of an approved review is still tracked to completion (9.3.3): the decision
# itself is locked with the minutes, but its action's owner (or the QM) may still complete it.
# A PDF of approved minutes is a job, not a change.
ALLOWED = {
    ("reviews:action-complete", "decision_locked"): {"action_status", "completed_at", "completed_by_id",
                                                     "completion_note"},
    ("reviews:review-pdf", "review_approved"): set(),
}


# ------------------------------------------------------------------ payloads that would succeed earlier
def _complaint_values(c: Complaint, **changes) -> dict:
    values = {"kind": c.kind, "customer": c.customer, "contact": c.contact, "channel": c.channel,
              "received_on": c.received_on.isoformat(), "reference": c.reference, "description": c.description,
              "category": c.category, "severity": c.severity, "owner": c.owner_id, "process": c.process_id or ""}
    return {**values, **changes}


def _review_values(r: ManagementReview, **changes) -> dict:
    values = {"title": r.title, "meeting_date": r.meeting_date.isoformat(), "chair": r.chair_id,
              "attendees": [u.pk for u in r.attendees.all()], "period_start": r.period_start.isoformat(),
              "period_end": r.period_end.isoformat()}
    return {**values, **changes}


def _decision_values(d: Decision, **changes) -> dict:
    values = {"kind": d.kind, "text": d.text, "action_description": d.action_description,
              "action_owner": d.action_owner_id or "",
              "action_due_date": d.action_due_date.isoformat() if d.action_due_date else ""}
    return {**values, **changes}


PAYLOADS = {
    "reviews:complaint-edit": lambda w, o, a: [_complaint_values(o, customer="Volta Motors GmbH")],
    "reviews:complaint-acknowledge": lambda w, o, a: [{"acknowledged_on": _today()}],
    "reviews:complaint-respond": lambda w, o, a: [{"responded_on": _today(), "response": "We sent a new one"}],
    "reviews:complaint-capa": lambda w, o, a: [{"title": "Cracked housings", "description": "Flange cracks",
                                                "severity": "minor", "owner": w["staff"].pk, "due_date": _soon()}],
    "reviews:complaint-close": lambda w, o, a: [{"resolution": "Closed again"}],
    "reviews:review-edit": lambda w, o, a: [_review_values(o, title="Renamed review")],
    "reviews:review-compile": lambda w, o, a: [{}],
    "reviews:review-pdf": lambda w, o, a: [{}],
    "reviews:review-conclusions": lambda w, o, a: [{"conclusions": "Rewritten after the signature"}],
    "reviews:decision-add": lambda w, o, a: [
        {"kind": "improvement", "text": "A late decision"},
        {"kind": "improvement", "text": "A late action", "action_description": "Do it", "action_owner": w["staff"].pk,
         "action_due_date": _soon()},
    ],
    "reviews:review-sign": lambda w, o, a: [{"username": a.username, "password": PASSWORD,
                                             "comment": "Signed in the walk", **shown(o)}],
    "reviews:decision-edit": lambda w, o, a: [_decision_values(o, text="Changed after the signature")],
    "reviews:action-complete": lambda w, o, a: [{"note": "Done again"}],
}

CONTROL = {
    "reviews:complaint-edit": [("complaint_open", "staff", None)],
    "reviews:complaint-acknowledge": [("complaint_open", "staff", None)],
    "reviews:complaint-respond": [("complaint_open", "staff", None)],
    "reviews:complaint-capa": [("complaint_open", "qm", None)],
    "reviews:complaint-close": [("complaint_responded", "staff", None)],
    "reviews:review-edit": [("review_planned", "qm", None)],
    "reviews:review-compile": [("review_planned", "qm", None)],
    "reviews:review-pdf": [("review_planned", "qm", None)],
    "reviews:review-conclusions": [("review_planned", "approver", None)],
    "reviews:decision-add": [("review_planned", "approver", None)],
    "reviews:review-sign": [("review_planned", "approver", None)],
    "reviews:decision-edit": [("decision_planned", "qm", None), ("decision_open", "approver", None)],
    "reviews:action-complete": [("decision_open", "staff", None)],
}


def kwargs(obj):
    if isinstance(obj, Complaint):
        return {"number": obj.number}
    if isinstance(obj, (ManagementReview, Decision, SatisfactionSurvey)):
        return {"pk": obj.pk}
    return None

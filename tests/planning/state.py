"""The planning app's part of the state walk (tests/qms/test_state_walk.py,
loaded through tests/qms/finished_world.py STATE_APPS).

Finished objects, built through the services:

    risk_closed             a risk (owned by staff) with one action done and one cancelled, closed
    riskaction_done         its completed treatment action
    riskaction_cancelled    its cancelled treatment action
    objective_achieved      an objective (owned by staff) closed as achieved, with
    kpi_achieved            an entered KPI (owned by staff) and one measurement, and
    kpi_computed_achieved   a computed KPI
    objective_not_achieved  an objective closed as not achieved
    objective_withdrawn     an objective withdrawn

A closed risk still has one move, reopening (NEXT_MOVES). Context issues and
interested parties are only active or retired, and a retired one may be made
active again: they have no final state (NOT_FINISHED).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from freezegun import freeze_time

from planning import services
from planning.models import Kpi, Measurement, Objective, Risk, RiskAction, RiskAssessment
from tests.planning.factories import kpi_data, last_month, make_risk, objective_data

COMPUTED_MEASURE = "reviews.complaints_received"  # a count: has a value for every period


def _today():
    return timezone.localdate()


def _closed_risk(w, title):
    qm, staff = w["qm"], w["staff"]
    risk = make_risk(qm, title=title, owner=staff)
    done = services.risk_action_add(actor=qm, risk=risk, description="Second source for castings", owner=staff,
                                    start_date=_today(), due_date=_today() + timedelta(days=30))
    cancelled = services.risk_action_add(actor=qm, risk=risk, description="Stock a month of castings", owner=staff,
                                         start_date=_today(), due_date=_today() + timedelta(days=30))
    services.risk_action_complete(actor=staff, action=done, outcome="Second source qualified")
    services.risk_action_cancel(actor=staff, action=cancelled, reason="Not needed with the second source")
    services.risk_close(actor=qm, risk=risk, reason="Treated: the second source is in place")
    for obj in (risk, done, cancelled):
        obj.refresh_from_db()
    return risk, done, cancelled


def _objective(w, statement):
    return services.objective_save(actor=w["qm"], data=objective_data(w["staff"], statement=statement))


def _entered_kpi(w, objective, name="On-time delivery"):
    kpi = services.kpi_save(actor=w["qm"], objective=objective, data=kpi_data(w["staff"], name=name))
    services.measurement_record(actor=w["staff"], kpi=kpi, day=last_month(), value=Decimal("93"),
                                comment="Monthly figure")
    return kpi


def _computed_kpi(w, objective, name="Complaints received"):
    return services.kpi_save(actor=w["qm"], objective=objective, data=kpi_data(
        w["qm"], name=name, source="computed", measure=COMPUTED_MEASURE, direction="lte", unit="count",
        target=Decimal("2"), warning=Decimal("4"), start_date=_today().replace(day=1) - timedelta(days=100)))


def build_finished(w) -> None:
    qm = w["qm"]
    w["risk_closed"], w["riskaction_done"], w["riskaction_cancelled"] = _closed_risk(w, "Single casting supplier")

    achieved = _objective(w, "Deliver on time")
    w["kpi_achieved"] = _entered_kpi(w, achieved)
    w["kpi_computed_achieved"] = _computed_kpi(w, achieved)
    for status, statement in (("achieved", None), ("not_achieved", "Cut scrap below 2 %"),
                              ("withdrawn", "Answer complaints in 10 days")):
        objective = achieved if statement is None else _objective(w, statement)
        services.objective_close(actor=qm, objective=objective, status=status, evaluation="Evaluated at year end")
        objective.refresh_from_db()
        w[f"objective_{status}"] = objective
    for key in ("kpi_achieved", "kpi_computed_achieved"):
        w[key].refresh_from_db()


def finished_objects(w) -> dict:
    objs = {k: w[k] for k in ("risk_closed", "riskaction_done", "riskaction_cancelled", "objective_achieved",
                              "objective_not_achieved", "objective_withdrawn", "kpi_achieved",
                              "kpi_computed_achieved")}
    for i, a in enumerate(RiskAssessment.objects.filter(risk=w["risk_closed"]).order_by("pk")):
        objs[f"risk_closed_assessment{i}"] = a
    for key in ("kpi_achieved", "kpi_computed_achieved"):
        for i, m in enumerate(Measurement.objects.filter(kpi=w[key]).order_by("pk")):
            objs[f"{key}_measurement{i}"] = m
    return objs


# ------------------------------------------------------------------ routes
_RISK = ("planning:risk-edit", "planning:risk-assess", "planning:risk-action-add", "planning:risk-close",
         "planning:risk-reopen", "planning:risk-capa")
_ACTION = ("planning:risk-action-complete", "planning:risk-action-cancel")
_OBJECTIVE = ("planning:objective-edit", "planning:objective-close", "planning:kpi-create")
_KPI = ("planning:kpi-edit", "planning:measurement-add", "planning:kpi-refresh")
_PAGES = ("planning:issue-detail", "planning:party-detail", "planning:risk-detail", "planning:objective-detail",
          "planning:kpi-detail", "planning:measurement-evidence")

_REGISTER = "a context register entry is only active or retired, and a retired one may be made active again (4.1, 4.2)"
NOT_FINISHED = {f"planning:{kind}-{verb}": _REGISTER
                for kind in ("issue", "party") for verb in ("edit", "review", "retire")}

# A closed risk may be reopened (the risk came back): its one remaining move.
NEXT_MOVES = {("planning:risk-reopen", "risk_closed")}


def targets(route, w):
    n = route.name
    if not n.startswith("planning:"):
        return None
    if n in _RISK:
        return [("risk_closed", {"pk": w["risk_closed"].pk})]
    if n in _ACTION:
        return [(k, {"pk": w[k].pk}) for k in ("riskaction_done", "riskaction_cancelled")]
    if n in _OBJECTIVE:
        return [(k, {"pk": w[k].pk}) for k in ("objective_achieved", "objective_not_achieved", "objective_withdrawn")]
    if n in _KPI:
        return [(k, {"pk": w[k].pk}) for k in ("kpi_achieved", "kpi_computed_achieved")]
    if n in _PAGES or n in NOT_FINISHED or not route.params:
        return []  # GET-only pages, register entries without a final state, routes without arguments
    return None


ACTORS = {
    "risk": lambda w: [w["staff"]],  # the risk's owner
    "riskaction": lambda w: [w["staff"]],  # the action's owner (and the risk's)
    "objective": lambda w: [w["staff"]],  # the objective's owner
    "kpi": lambda w: [w["staff"]],  # the objective's and the entered KPI's owner
}


def _soon(days=30) -> str:
    return (_today() + timedelta(days=days)).isoformat()


def _risk_fields(w, o) -> dict:
    return {"kind": o.kind, "title": "Renamed in the walk", "process": "", "department": "", "cause": "One source",
            "effect": "Line stops", "owner": o.owner_id, "treatment": o.treatment}


def _assessment(**extra) -> dict:
    return {"likelihood": 2, "impact": 2, "residual_likelihood": 1, "residual_impact": 2, "reassess_on": _soon(),
            **extra}


def _objective_fields(w, o) -> dict:
    return {"statement": "Renamed in the walk", "policy": "", "policy_link": o.policy_link, "owner": o.owner_id,
            "process": "", "target": "96", "unit": o.unit, "direction": o.direction, "baseline": "88",
            "start_date": o.start_date.isoformat(), "due_date": o.due_date.isoformat(), "plan_what": o.plan_what,
            "plan_resources": o.plan_resources, "plan_who": o.plan_who, "plan_when": o.plan_when,
            "plan_evaluation": o.plan_evaluation}


def _kpi_fields(o: Kpi, **changes) -> dict:
    data = {"name": o.name, "definition": o.definition, "unit": o.unit, "frequency": o.frequency,
            "target": str(o.target), "direction": o.direction,
            "warning": "" if o.warning is None else str(o.warning), "source": o.source, "measure": o.measure,
            "data_source": o.data_source, "owner": o.owner_id, "start_date": o.start_date.isoformat(),
            "is_active": "on" if o.is_active else ""}
    data.update(changes)
    return {k: v for k, v in data.items() if not (k == "is_active" and v == "")}


def _new_kpi(w) -> dict:
    return {"name": "Complaints per month", "definition": "Complaints received in the month", "unit": "count",
            "frequency": "monthly", "target": "2", "direction": "lte", "warning": "4", "source": "entered",
            "measure": "", "data_source": "Complaint log", "owner": w["staff"].pk,
            "start_date": _today().replace(day=1).isoformat(), "is_active": "on"}


PAYLOADS = {
    "planning:risk-edit": lambda w, o, a: [{**_risk_fields(w, o), "issues": [], "parties": []}],
    "planning:risk-assess": lambda w, o, a: [_assessment(note="Looked at again in the walk")],
    "planning:risk-action-add": lambda w, o, a: [{"action-description": "Audit the second source",
                                                  "action-owner": w["staff"].pk, "action-start_date": _today(),
                                                  "action-due_date": _soon()}],
    "planning:risk-close": lambda w, o, a: [{"reason": "Closed again in the walk"}],
    "planning:risk-reopen": lambda w, o, a: [{"reason": "It came back"}],
    "planning:risk-capa": lambda w, o, a: [{"title": "The risk materialised", "description": "Castings late twice",
                                            "severity": "minor", "due_date": _soon()}],
    "planning:risk-action-complete": lambda w, o, a: [{"outcome": "Done again", "completed_on": _today()}],
    "planning:risk-action-cancel": lambda w, o, a: [{"reason": "Cancelled again"}],
    "planning:objective-edit": lambda w, o, a: [_objective_fields(w, o)],
    "planning:objective-close": lambda w, o, a: [{"status": s, "evaluation": "Evaluated again"}
                                                 for s in ("achieved", "not_achieved", "withdrawn")],
    "planning:kpi-create": lambda w, o, a: [_new_kpi(w)],
    "planning:kpi-edit": lambda w, o, a: [_kpi_fields(o, name="Renamed in the walk", data_source="Changed")],
    "planning:measurement-add": lambda w, o, a: [{"period": last_month().isoformat(), "value": "95",
                                                  "comment": "Corrected in the walk"}],
    "planning:kpi-refresh": lambda w, o, a: [{}],
}


# ------------------------------------------------------------------ the control: one step earlier
def build_earlier(w) -> None:
    qm, staff = w["qm"], w["staff"]
    risk = make_risk(qm, title="Single casting supplier", owner=staff)
    w["risk_open"] = risk
    action = services.risk_action_add(actor=qm, risk=risk, description="Second source for castings", owner=staff,
                                      start_date=_today(), due_date=_today() + timedelta(days=30))
    w["riskaction_open"] = action
    w["risk_closable"] = make_risk(qm, title="Casting porosity", owner=staff)
    w["risk_closed"], _done, _cancelled = _closed_risk(w, "Furnace breakdown")

    objective = _objective(w, "Deliver on time")
    w["objective_active"] = objective
    w["kpi_entered"] = _entered_kpi(w, objective)
    # A computed KPI defined two months ago: two periods have ended since it was computed.
    with freeze_time(timezone.now() - timedelta(days=65)):
        w["kpi_computed"] = _computed_kpi(w, objective)
    w["objectives_to_close"] = [_objective(w, f"Objective to close ({i})") for i in range(3)]
    for i, o in enumerate(w["objectives_to_close"]):
        w[f"objective_to_close{i}"] = o


CONTROL = {
    "planning:risk-edit": [("risk_open", "staff", None)],
    "planning:risk-assess": [("risk_open", "staff", None)],
    "planning:risk-action-add": [("risk_open", "staff", None)],
    "planning:risk-close": [("risk_closable", "qm", None)],
    "planning:risk-reopen": [("risk_closed", "qm", None)],
    "planning:risk-capa": [("risk_open", "qm", None)],
    "planning:risk-action-complete": [("riskaction_open", "staff", None)],
    "planning:risk-action-cancel": [("riskaction_open", "staff", None)],
    "planning:objective-edit": [("objective_active", "staff", None)],
    "planning:objective-close": [(f"objective_to_close{i}", "qm", i) for i in range(3)],
    "planning:kpi-create": [("objective_active", "qm", None)],
    "planning:kpi-edit": [("kpi_entered", "qm", None)],
    "planning:measurement-add": [("kpi_entered", "staff", None)],
    "planning:kpi-refresh": [("kpi_computed", "qm", None)],
}


def kwargs(obj):
    if isinstance(obj, (Risk, RiskAction, Objective, Kpi)):
        return {"pk": obj.pk}
    return None

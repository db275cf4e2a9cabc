"""Small builders for planning objects, through the services."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from planning import services
from planning.models import last_closed_period
from tests.audits.factories import make_process


def soon(days=30):
    return timezone.localdate() + timedelta(days=days)


def make_risk(actor, *, title="Late supplier deliveries", likelihood=3, impact=4, owner=None, process=None,
              kind="risk", treatment="reduce", residual=None, reassess_on=None, clauses=()):
    return services.risk_create(
        actor=actor,
        data={"kind": kind, "title": title, "process": process, "department": None, "cause": "One source",
              "effect": "Line stops", "owner": owner or actor, "treatment": treatment},
        assessment=services.Assessment(likelihood=likelihood, impact=impact, reassess_on=reassess_on or soon(),
                                       residual_likelihood=residual[0] if residual else None,
                                       residual_impact=residual[1] if residual else None),
        clauses=clauses,
    )


def issue_data(owner, **extra):
    return {"origin": "external", "category": "market", "title": "New competitor", "description": "Cheaper imports",
            "effect": "Price pressure", "source": "SWOT", "owner": owner, "review_months": 12, **extra}


def party_data(owner, **extra):
    return {"name": "Key customers", "kind": "customer", "internal": False, "requirements": "On-time delivery",
            "monitoring": "Quarterly survey", "owner": owner, "review_months": 12, **extra}


def objective_data(owner, **extra):
    today = timezone.localdate()
    return {"statement": "Deliver on time", "policy": None, "policy_link": "Customer focus", "owner": owner,
            "process": None, "target": Decimal("95"), "unit": "%", "direction": "gte", "baseline": Decimal("88"),
            "start_date": today.replace(year=today.year - 1), "due_date": today.replace(year=today.year + 1),
            "plan_what": "Weekly planning", "plan_resources": "Planner", "plan_who": "Logistics lead",
            "plan_when": "By year end", "plan_evaluation": "Monthly OTD", **extra}


def make_objective(actor, **extra):
    return services.objective_save(actor=actor, data=objective_data(actor, **extra))


def kpi_data(owner, **extra):
    today = timezone.localdate()
    return {"name": "On-time delivery", "definition": "Orders shipped by promise date / all", "unit": "%",
            "frequency": "monthly", "target": Decimal("95"), "direction": "gte", "warning": Decimal("90"),
            "source": "entered", "measure": "", "data_source": "ERP", "owner": owner,
            "start_date": today.replace(year=today.year - 1, day=1), "is_active": True, **extra}


def make_kpi(actor, objective=None, **extra):
    objective = objective or make_objective(actor)
    owner = extra.pop("owner", actor)
    return services.kpi_save(actor=actor, objective=objective, data=kpi_data(owner, **extra))


def last_month():
    return last_closed_period("monthly")[0]


__all__ = ["make_process"]

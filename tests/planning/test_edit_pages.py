"""The edit pages save what was typed. A bound ModelForm writes its values onto
its instance while it validates; the services compare with the stored row, so
an edit through a page is saved (found by the state walk's control), and a
closed entry's KPIs and risks refuse the moves left to them."""

from decimal import Decimal

import pytest
from django.urls import reverse

from planning import services
from planning.models import ContextIssue, Kpi, Objective, Risk
from tests.planning.factories import issue_data, kpi_data, last_month, make_kpi, make_objective, make_risk

pytestmark = pytest.mark.django_db


def _fields(obj, names):
    out = {}
    for n in names:
        f = obj._meta.get_field(n)
        v = getattr(obj, f.attname)
        out[n] = "" if v is None else ("on" if v is True else v)
        if v is False:
            out.pop(n)
    return out


def test_a_risk_edited_on_its_page_is_saved(client_for, quality_manager):
    risk = make_risk(quality_manager)
    data = _fields(risk, ("kind", "title", "cause", "effect", "owner", "treatment"))
    r = client_for(quality_manager).post(reverse("planning:risk-edit", args=[risk.pk]), {**data, "title": "Renamed"})
    assert r.status_code == 302
    assert Risk.objects.get(pk=risk.pk).title == "Renamed"


def test_an_objective_and_its_kpi_edited_on_their_pages_are_saved(client_for, quality_manager):
    kpi = make_kpi(quality_manager)
    objective = kpi.objective
    c = client_for(quality_manager)
    names = ("statement", "policy_link", "owner", "target", "unit", "direction", "baseline", "start_date", "due_date",
             "plan_what", "plan_resources", "plan_who", "plan_when", "plan_evaluation")
    r = c.post(reverse("planning:objective-edit", args=[objective.pk]),
               {**_fields(objective, names), "statement": "Deliver sooner"})
    assert r.status_code == 302 and Objective.objects.get(pk=objective.pk).statement == "Deliver sooner"
    names = ("name", "definition", "unit", "frequency", "target", "direction", "warning", "source", "data_source",
             "owner", "start_date", "is_active")
    r = c.post(reverse("planning:kpi-edit", args=[kpi.pk]), {**_fields(kpi, names), "name": "OTD"})
    assert r.status_code == 302 and Kpi.objects.get(pk=kpi.pk).name == "OTD"


def test_a_context_issue_edited_on_its_page_is_saved(client_for, quality_manager):
    issue = services.issue_save(actor=quality_manager, data=issue_data(quality_manager))
    r = client_for(quality_manager).post(reverse("planning:issue-edit", args=[issue.pk]),
                                         {**issue_data(quality_manager.pk), "title": "Two new competitors"})
    assert r.status_code == 302 and ContextIssue.objects.get(pk=issue.pk).title == "Two new competitors"


def test_a_closed_objectives_kpi_takes_no_measurement_and_a_closed_risk_raises_no_capa(client_for, quality_manager):
    objective = make_objective(quality_manager)
    kpi = services.kpi_save(actor=quality_manager, objective=objective, data=kpi_data(quality_manager))
    services.objective_close(actor=quality_manager, objective=objective, status="achieved", evaluation="Met")
    c = client_for(quality_manager)
    r = c.post(reverse("planning:measurement-add", args=[kpi.pk]), {"period": last_month(), "value": "97"})
    assert r.status_code == 403 and not kpi.measurements.exists()
    risk = make_risk(quality_manager)
    services.risk_close(actor=quality_manager, risk=risk, reason="Gone")
    r = c.post(reverse("planning:risk-capa", args=[risk.pk]), {"title": "T", "description": "D", "severity": "minor"})
    assert r.status_code == 403
    assert Decimal(kpi.target) == Decimal("95")

"""Planning through the API: context entries, risks and their actions, objectives and KPIs, under planning.rules."""

import pytest

from planning import services
from planning.models import Risk
from tests.planning.factories import issue_data, last_month, make_kpi, make_objective, make_risk, soon

pytestmark = pytest.mark.django_db


def test_a_risk_is_reassessed_treated_closed_and_reopened(api_for, quality_manager, staff):
    risk = make_risk(quality_manager, owner=staff)
    s, q = api_for(staff), api_for(quality_manager)
    url = f"/api/v1/risks/{risk.pk}/"
    r = s.post(url + "assess/", {"likelihood": 2, "impact": 3, "reassess_on": soon().isoformat(),
                                 "note": "Second source found"}, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["score"] == 6 and r.json()["assessments"][-1]["note"] == "Second source found"
    r = s.post(url + "actions/", {"description": "Qualify the second source", "owner": staff.pk,
                                  "start_date": soon(0).isoformat(), "due_date": soon().isoformat()}, format="json")
    assert r.status_code == 201
    action = r.json()["actions"][0]["id"]
    r = s.post(f"/api/v1/risk-actions/{action}/complete/", {"outcome": "Qualified"}, format="json")
    assert r.status_code == 200 and r.json()["status"] != "open"
    r = s.post(url + "close/", {"reason": "Treated"}, format="json")
    assert r.status_code == 403 and r.json()["detail"] == "Only the quality manager closes a risk that is open."
    assert q.post(url + "close/", {"reason": "Treated"}, format="json").json()["status"] == "closed"
    r = q.post(url + "close/", {"reason": "Again"}, format="json")
    assert r.status_code in (403, 409)
    assert q.post(url + "reopen/", {"reason": "It came back"}, format="json").json()["status"] != "closed"
    r = s.post(url + "assess/", {"likelihood": 99, "impact": 1, "reassess_on": "x"}, format="json")
    assert r.status_code == 400 and {"likelihood", "reassess_on"} <= set(r.json()["errors"])
    assert q.get("/api/v1/risks/999999/").status_code == 404
    assert [x["id"] for x in q.get("/api/v1/risks/?ordering=-score").json()["results"]] == [risk.pk]
    assert Risk.objects.get(pk=risk.pk).assessments.count() == 2


def test_context_entries_objectives_and_kpis(api_for, quality_manager, staff):
    q = api_for(quality_manager)
    issue = services.issue_save(actor=quality_manager, data=issue_data(quality_manager))
    r = q.post(f"/api/v1/context-issues/{issue.pk}/review/", {"outcome": "Still relevant"}, format="json")
    assert r.status_code == 200 and r.json()["last_reviewed_on"]
    assert q.post(f"/api/v1/context-issues/{issue.pk}/retire/", {"reason": "Gone"}, format="json").json()[
        "status"] == "retired"
    assert q.post(f"/api/v1/context-issues/{issue.pk}/reactivate/").json()["status"] == "active"
    objective = make_objective(quality_manager)
    kpi = make_kpi(quality_manager, objective)
    r = q.post(f"/api/v1/kpis/{kpi.pk}/measure/", {"period": last_month().isoformat(), "value": "97.5"},
               format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["measurements"][-1]["value"] == "97.5000"
    assert q.post(f"/api/v1/kpis/{kpi.pk}/measure/", {"period": "soon", "value": "1e999"},
                  format="json").status_code == 400
    r = api_for(staff).post(f"/api/v1/objectives/{objective.pk}/close/", {"status": "achieved", "evaluation": "x"},
                            format="json")
    assert r.status_code == 403
    r = q.post(f"/api/v1/objectives/{objective.pk}/close/", {"status": "achieved", "evaluation": "On target"},
               format="json")
    assert r.status_code == 200 and r.json()["status"] == "achieved"
    assert q.get(f"/api/v1/objectives/{objective.pk}/").json()["kpis"][0]["id"] == kpi.pk

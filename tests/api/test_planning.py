"""Planning through the API: context entries, risks and their actions, objectives and KPIs, under planning.rules."""

import pytest

from planning import services
from planning.models import Risk, RiskScale
from tests.planning.factories import (
    issue_data,
    last_month,
    make_kpi,
    make_objective,
    make_risk,
    objective_data,
    soon,
)

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


# ------------------------------------------------------------------ create and edit (the pages' new/edit forms)
def _trail_fields(client, url) -> set[str]:
    r = client.get(url + "trail/")
    assert r.status_code == 200, r.json()
    return {c["field"].lower() for e in r.json()["entries"] for c in e["changes"]}


def test_context_issues_and_parties_are_created_and_edited(api_for, quality_manager, staff):
    q = api_for(quality_manager)
    r = q.post("/api/v1/context-issues/", {"origin": "external", "category": "economic", "title": "Energy prices",
                                           "description": "Gas doubled", "effect": "Margin", "source": "PESTLE",
                                           "review_months": 12}, format="json")
    assert r.status_code == 201, r.json()
    issue = r.json()
    assert issue["owner"] == quality_manager.display_name and issue["number"]  # the owner defaults to you
    assert issue["id"] in [x["id"] for x in q.get("/api/v1/context-issues/").json()["results"]]
    url = f"/api/v1/context-issues/{issue['id']}/"
    r = q.post(url + "edit/", {"title": "Energy and fuel prices"}, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["title"] == "Energy and fuel prices" and r.json()["source"] == "PESTLE"  # the rest kept
    assert "title" in _trail_fields(q, url)
    r = q.post(url + "edit/", {"review_months": "often", "origin": "nowhere"}, format="json")
    assert r.status_code == 400 and {"review_months", "origin"} <= set(r.json()["errors"])
    r = q.post(url + "edit/", {"review_months": 99}, format="json")  # the service's check
    assert r.status_code == 400 and "review_months" in r.json()["errors"], r.json()
    assert q.get(url).json()["review_months"] == 12
    r = api_for(staff).post("/api/v1/context-issues/", {"title": "x"}, format="json")
    assert r.status_code == 403 and r.json()["detail"] == "Only the quality manager keeps the context register."
    r = api_for(staff).post(url + "edit/", {"title": "Mine now"}, format="json")
    assert r.status_code == 403
    assert r.json()["detail"] == "Only the quality manager or the entry's owner changes it."

    r = q.post("/api/v1/interested-parties/", {"name": "Regulator", "kind": "regulator", "internal": False,
                                               "requirements": "Annual report", "monitoring": "Letters",
                                               "owner": staff.pk, "review_months": 6}, format="json")
    assert r.status_code == 201, r.json()
    purl = f"/api/v1/interested-parties/{r.json()['id']}/"
    assert r.json()["id"] in [x["id"] for x in q.get("/api/v1/interested-parties/").json()["results"]]
    r = api_for(staff).post(purl + "edit/", {"requirements": "Annual report and audits"}, format="json")
    assert r.status_code == 200, r.json()  # the owner changes their entry
    assert r.json()["requirements"] == "Annual report and audits" and r.json()["kind"] == "regulator"
    assert "relevant requirements" in _trail_fields(q, purl)
    r = q.post("/api/v1/interested-parties/", {"name": "", "kind": "alien", "review_months": 6}, format="json")
    assert r.status_code == 400 and {"name", "kind"} <= set(r.json()["errors"])


def test_a_risk_is_created_and_edited(api_for, quality_manager, staff, approver):
    a = api_for(approver)
    issue = services.issue_save(actor=quality_manager, data=issue_data(quality_manager))
    r = a.post("/api/v1/risks/", {"kind": "risk", "title": "Single source of resin", "cause": "One supplier",
                                  "effect": "Line stops", "treatment": "reduce", "likelihood": 3, "impact": 4,
                                  "reassess_on": soon().isoformat(), "issues": [issue.pk]}, format="json")
    assert r.status_code == 201, r.json()
    risk = r.json()
    assert risk["score"] == 12 and risk["owner"] == approver.display_name and len(risk["assessments"]) == 1
    assert risk["id"] in [x["id"] for x in a.get("/api/v1/risks/").json()["results"]]
    assert list(Risk.objects.get(pk=risk["id"]).issues.all()) == [issue]
    url = f"/api/v1/risks/{risk['id']}/"
    r = a.post(url + "edit/", {"title": "Single source of PP resin", "likelihood": 1}, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["title"] == "Single source of PP resin" and r.json()["score"] == 12  # scores: assess's
    assert r.json()["cause"] == "One supplier"
    assert list(Risk.objects.get(pk=risk["id"]).issues.all()) == [issue]  # kept when left out
    q = api_for(quality_manager)
    assert "title" in _trail_fields(q, url)
    r = a.post(url + "edit/", {"kind": "threat", "owner": 999999}, format="json")
    assert r.status_code == 400 and {"kind", "owner"} <= set(r.json()["errors"])
    assert Risk.objects.get(pk=risk["id"]).kind == "risk"
    r = a.post("/api/v1/risks/", {"kind": "risk", "title": "x", "likelihood": 99, "impact": 1,
                                  "reassess_on": "soon"}, format="json")
    assert r.status_code == 400 and {"likelihood", "reassess_on"} <= set(r.json()["errors"])
    r = api_for(staff).post(url + "edit/", {"title": "Not mine"}, format="json")
    assert r.status_code == 403 and r.json()["detail"]
    assert Risk.objects.get(pk=risk["id"]).title == "Single source of PP resin"


def test_the_risk_scale_is_set_by_the_quality_manager(api_for, quality_manager, staff):
    r = api_for(staff).post("/api/v1/risks/scale/", {"likelihood_levels": 4}, format="json")
    assert r.status_code == 403 and r.json()["detail"] == "Only the quality manager sets the risk scale and its bands."
    q = api_for(quality_manager)
    r = q.post("/api/v1/risks/scale/", {"bands": "Low, 8, success\nHigh, 25, danger"}, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["likelihood_levels"] == 5 and [b["name"] for b in r.json()["bands"]] == ["Low", "High"]
    r = q.post("/api/v1/risks/scale/", {"bands": "Low, x, purple", "impact_levels": 1}, format="json")
    assert r.status_code == 400 and {"bands", "impact_levels"} <= set(r.json()["errors"])
    assert [b.name for b in RiskScale.current().band_list()] == ["Low", "High"]


def test_objectives_and_kpis_are_created_and_edited(api_for, quality_manager, staff):
    q = api_for(quality_manager)
    data = {k: str(v) if v is not None else None for k, v in objective_data(quality_manager).items()}
    data.pop("owner")
    r = q.post("/api/v1/objectives/", data, format="json")
    assert r.status_code == 201, r.json()
    objective = r.json()
    assert objective["owner"] == quality_manager.display_name
    assert objective["id"] in [x["id"] for x in q.get("/api/v1/objectives/").json()["results"]]
    url = f"/api/v1/objectives/{objective['id']}/"
    r = q.post(url + "edit/", {"target": "97"}, format="json")
    assert r.status_code == 200 and r.json()["target"] == "97.0000" and r.json()["statement"] == "Deliver on time"
    assert "target" in _trail_fields(q, url)
    r = q.post(url + "edit/", {"due_date": "2000-01-01", "target": "lots"}, format="json")
    assert r.status_code == 400 and {"due_date", "target"} <= set(r.json()["errors"])
    assert q.get(url).json()["target"] == "97.0000"
    r = api_for(staff).post("/api/v1/objectives/", data, format="json")
    assert r.status_code == 403 and r.json()["detail"] == "Only the quality manager sets quality objectives and KPIs."

    r = q.post(url + "kpis/", {"name": "OTD", "definition": "Shipped on time / all", "frequency": "monthly",
                               "source": "entered", "data_source": "ERP"}, format="json")
    assert r.status_code == 201, r.json()
    kpi = r.json()
    assert kpi["objective"] == objective["id"] and kpi["unit"] == "%" and kpi["target"] == "97.0000"  # the objective's
    assert kpi["id"] in [x["id"] for x in q.get("/api/v1/kpis/").json()["results"]]
    assert [k["id"] for k in q.get(url).json()["kpis"]] == [kpi["id"]]
    kurl = f"/api/v1/kpis/{kpi['id']}/"
    r = q.post(kurl + "edit/", {"name": "On-time delivery", "warning": "90"}, format="json")
    assert r.status_code == 200 and r.json()["name"] == "On-time delivery" and r.json()["definition"]
    assert {"name", "alert threshold"} <= _trail_fields(q, kurl)
    r = q.post(kurl + "edit/", {"frequency": "hourly", "target": ""}, format="json")
    assert r.status_code == 400 and {"frequency", "target"} <= set(r.json()["errors"])
    r = q.post(kurl + "refresh/")
    assert r.status_code == 403 and r.json()["detail"]  # an entered KPI is not computed
    r = api_for(staff).post(kurl + "edit/", {"name": "Mine"}, format="json")
    assert r.status_code == 403
    assert q.get(kurl).json()["name"] == "On-time delivery"


def test_a_measurements_evidence_is_uploaded_and_downloaded(api_for, quality_manager, staff, settings, tmp_path):
    from tests.records.factories import pdf_upload

    settings.MEDIA_ROOT = str(tmp_path)
    kpi = make_kpi(quality_manager)
    q = api_for(quality_manager)
    r = q.post(f"/api/v1/kpis/{kpi.pk}/measure/", {"period": last_month().isoformat(), "value": "96",
                                                    "evidence": pdf_upload("otd.pdf")}, format="multipart")
    assert r.status_code == 201, r.json()
    m = r.json()["measurements"][-1]
    assert m["evidence_name"] == "otd.pdf" and m["evidence_url"].endswith(f"/api/v1/measurements/{m['id']}/evidence/")
    r = q.get(f"/api/v1/measurements/{m['id']}/evidence/")
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF")
    assert api_for(staff).get(f"/api/v1/measurements/{m['id']}/evidence/").status_code == 200  # every reader
    assert q.get("/api/v1/measurements/999999/evidence/").status_code == 404


def test_the_heat_map_counts_the_risks_in_each_cell_as_the_page(api_for, quality_manager, staff):
    make_risk(quality_manager, likelihood=3, impact=4)
    make_risk(quality_manager, title="Second", likelihood=3, impact=4)
    make_risk(quality_manager, title="Opportunity", kind="opportunity", treatment="exploit", likelihood=1, impact=2)
    r = api_for(staff).get("/api/v1/risks/heatmap/")
    assert r.status_code == 200, r.json()
    hm = r.json()
    scale = RiskScale.current()
    assert (hm["likelihood_levels"], hm["impact_levels"]) == (scale.likelihood_levels, scale.impact_levels)
    assert hm["rows"][0][0]["likelihood"] == scale.likelihood_levels  # the highest likelihood first
    cells = {(c["likelihood"], c["impact"]): c for row in hm["rows"] for c in row}
    assert cells[(3, 4)]["count"] == 2 and cells[(1, 2)]["count"] == 1 and hm["total"] == 3
    assert cells[(3, 4)]["band"] == scale.band_for(12).name
    only = api_for(staff).get("/api/v1/risks/heatmap/?kind=opportunity").json()
    assert only["total"] == 1
    assert api_for(staff).get("/api/v1/risks/heatmap/?kind=nonsense").status_code == 400

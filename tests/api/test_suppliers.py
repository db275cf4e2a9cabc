"""Suppliers through the API, under suppliers.rules and its services; the signed moves take the password."""

import pytest

from suppliers.models import Supplier
from tests.factories import PASSWORD
from tests.suppliers.factories import approved_supplier, make_criteria

pytestmark = pytest.mark.django_db


def test_a_supplier_is_registered_evaluated_with_a_signature_and_approved(api_for, quality_manager, approver, staff):
    criteria = make_criteria()
    q = api_for(quality_manager)
    r = q.post("/api/v1/suppliers/", {"name": "Foundry AB", "supplies": "Castings", "criticality": "major"},
               format="json")
    assert r.status_code == 201, r.json()
    code = r.json()["code"]
    url = f"/api/v1/suppliers/{code}/"
    shown = q.get(url).json()["content_hash"]
    body = {"kind": "initial", "evaluated_on": "2026-01-05", "decision": "approve", "notes": "Visited",
            "scores": {str(c.pk): 4 for c in criteria}, "content_hash": shown}
    r = api_for(approver).post(url + "evaluate/", {**body, "password": "wrong"}, format="json")
    assert r.status_code in (400, 403) and r.json()["detail"]
    r = api_for(approver).post(url + "evaluate/", {**body, "password": PASSWORD}, format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["signatures"] and len(r.json()["lines"]) == 3
    # Approving is signed: without the password it is refused, with it done.
    r = q.post(url + "status/", {"to": "approved", "reason": "Evaluation passed"}, format="json")
    assert r.status_code == 400 and r.json()["errors"]
    shown = q.get(url).json()["content_hash"]
    r = q.post(url + "status/", {"to": "approved", "reason": "Evaluation passed", "password": PASSWORD,
                                 "content_hash": shown}, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "approved" and r.json()["signatures"]
    r = q.post(url + "contacts/", {"name": "Eva", "email": "eva@example.com"}, format="json")
    assert r.status_code == 201 and r.json()["contacts"][0]["name"] == "Eva"
    r = q.post(url + "certificates/", {"standard": "ISO 9001:2015", "valid_until": "2028-01-01"}, format="json")
    assert r.status_code == 201 and r.json()["certificates"][0]["standard"] == "ISO 9001:2015"
    r = api_for(staff).post(url + "capa/", {"title": "Porosity", "description": "Lot 7", "severity": "minor"},
                            format="json")
    assert r.status_code == 201 and r.json()["number"]
    assert len(q.get("/api/v1/supplier-evaluations/").json()["results"]) == 1
    assert len(q.get("/api/v1/supplier-certificates/").json()["results"]) == 1


def test_refusals_illegal_moves_bad_input_and_bad_ids(api_for, quality_manager, staff):
    supplier = approved_supplier(quality_manager, name="Press Tools")
    url = f"/api/v1/suppliers/{supplier.code}/"
    r = api_for(staff).post(url + "status/", {"to": "suspended", "reason": "Late"}, format="json")
    assert r.status_code == 403
    assert r.json()["detail"] == "Only the quality manager approves, suspends or disqualifies suppliers."
    q = api_for(quality_manager)
    r = q.post(url + "status/", {"to": "prospective", "reason": "Again"}, format="json")
    assert r.status_code == 409 and r.json()["detail"]
    r = q.post(url + "contacts/", {"name": "", "email": "not-an-email"}, format="json")
    assert r.status_code == 400 and set(r.json()["errors"]) >= {"name", "email"}
    assert q.get("/api/v1/suppliers/NOPE/").status_code == 404
    assert q.get("/api/v1/supplier-evaluations/999999/").status_code == 404
    assert q.get("/api/v1/supplier-certificates/x/").status_code == 404
    assert Supplier.objects.get(pk=supplier.pk).status == "approved"


def _trail_fields(client, url) -> set[str]:
    r = client.get(url + "trail/")
    assert r.status_code == 200, r.json()
    return {c["field"].lower() for e in r.json()["entries"] for c in e["changes"]}


def test_evaluation_criteria_are_created_and_edited_by_the_quality_manager(api_for, quality_manager, staff):
    q = api_for(quality_manager)
    r = q.post("/api/v1/supplier-criteria/", {"name": "Price", "description": "Against the market", "weight": 15},
               format="json")
    assert r.status_code == 201, r.json()
    crit = r.json()
    assert crit["is_active"] is True and crit["order"] == 0  # the page's defaults
    assert crit["id"] in [c["id"] for c in api_for(staff).get("/api/v1/supplier-criteria/").json()["results"]]
    url = f"/api/v1/supplier-criteria/{crit['id']}/"
    r = q.post(url + "edit/", {"weight": 25, "is_active": False}, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["weight"] == 25 and r.json()["is_active"] is False and r.json()["name"] == "Price"
    assert "weight" in _trail_fields(q, url)
    r = q.post(url + "edit/", {"weight": 0, "name": ""}, format="json")
    assert r.status_code == 400 and {"weight", "name"} <= set(r.json()["errors"])
    r = q.post("/api/v1/supplier-criteria/", {"name": "Price", "weight": 10}, format="json")  # unique name
    assert r.status_code == 400 and "name" in r.json()["errors"]
    r = api_for(staff).post(url + "edit/", {"weight": 90}, format="json")
    assert r.status_code == 403 and r.json()["detail"] == "Only the quality manager sets the evaluation criteria."
    assert q.get(url).json()["weight"] == 25
    assert q.get("/api/v1/supplier-criteria/999999/").status_code == 404


def test_a_supplier_audit_is_linked_and_the_supplier_edited(api_for, quality_manager, auditor, staff):
    from tests.audits.factories import make_audit, make_process

    supplier = approved_supplier(quality_manager)
    audit = make_audit(quality_manager, auditor, make_process(), audit_type="supplier")
    internal = make_audit(quality_manager, auditor, make_process(code="QA", name="QA", dept_code="QA"))
    q = api_for(quality_manager)
    url = f"/api/v1/suppliers/{supplier.code}/"
    r = api_for(staff).post(url + "audits/", {"audit": audit.pk}, format="json")
    assert r.status_code == 403 and r.json()["detail"]
    r = q.post(url + "audits/", {"audit": internal.pk}, format="json")  # not a supplier audit: not a choice
    assert r.status_code == 400 and "audit" in r.json()["errors"]
    r = q.post(url + "audits/", {"audit": audit.pk}, format="json")
    assert r.status_code == 201, r.json()
    assert [a["number"] for a in r.json()["audits"]] == [audit.number]
    r = q.post(url + "audits/", {"audit": audit.pk}, format="json")  # already linked
    assert r.status_code == 400 and "audit" in r.json()["errors"]
    assert len(q.get(url).json()["audits"]) == 1
    r = q.post(url + "edit/", {"website": "https://acme.example"}, format="json")
    assert r.status_code == 200 and r.json()["website"] == "https://acme.example"
    assert r.json()["name"] == supplier.name
    assert "website" in _trail_fields(q, url)


def test_the_approved_supplier_list_pdf_is_a_job(api_for, staff):
    from qms.models import Job

    r = api_for(staff).post("/api/v1/suppliers/approved-pdf/", format="json")
    assert r.status_code == 202, r.json()
    assert r.json()["kind"] == "suppliers_asl_pdf"
    assert Job.objects.get(public_id=r.json()["id"]).requested_by == staff
    assert api_for(staff, read_only=True).post("/api/v1/suppliers/approved-pdf/").status_code == 403


def test_the_approved_supplier_list_and_a_scorecard(api_for, quality_manager, approver, staff):
    from tests.suppliers.factories import make_supplier

    approved_supplier(quality_manager, name="Acme Castings")
    make_supplier(quality_manager, name="Not Yet Ltd")
    r = api_for(staff).get("/api/v1/suppliers/approved/")
    assert r.status_code == 200
    assert [s["name"] for s in r.json()["results"]] == ["Acme Castings"]
    assert r.json()["results"][0]["status"] == "approved"
    code = r.json()["results"][0]["code"]
    card = api_for(approver).get(f"/api/v1/suppliers/{code}/scorecard/")
    assert card.status_code == 200, card.json()
    assert card.json()["supplier"] == code and len(card.json()["months"]) == 12
    assert card.json()["evaluations"][0]["decision"] == "approve"
    refused = api_for(staff).get(f"/api/v1/suppliers/{code}/scorecard/")
    assert refused.status_code == 403  # suppliers.view_performance, as the page
    assert api_for(approver).get("/api/v1/suppliers/NOPE/scorecard/").status_code == 404

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

"""The certification auditor's API: evidence requests (raised by the external auditor in a
browser session, answered by the quality manager) and the readiness map."""

import pytest
from rest_framework.test import APIClient

from auditor.models import EvidenceRequest

pytestmark = pytest.mark.django_db


def test_an_evidence_request_is_raised_answered_and_closed(api_for, quality_manager, external_auditor, staff):
    ext = APIClient()
    ext.force_login(external_auditor)  # the auditor's own session: their tokens are read-only
    r = ext.post("/api/v1/evidence-requests/", {"subject": "Press set-up records", "details": "Last month"},
                 format="json")
    assert r.status_code == 201, r.json()
    url = f"/api/v1/evidence-requests/{r.json()['id']}/"
    assert api_for(external_auditor).post(url + "close/").status_code == 403  # a read-only token
    r = api_for(staff).post(url + "answer/", {"answer": "Here"}, format="json")
    assert r.status_code in (403, 404)
    r = api_for(quality_manager).post(url + "answer/", {"answer": ""}, format="json")
    assert r.status_code in (400, 409) and r.json()["detail"]  # an answer says something
    r = api_for(quality_manager).post(url + "answer/", {"answer": "See the register"}, format="json")
    assert r.status_code == 200, r.json()
    assert ext.post(url + "close/").status_code == 200
    assert EvidenceRequest.objects.get().status == "closed"
    assert api_for(quality_manager).get("/api/v1/evidence-requests/999999/").status_code == 404


def test_the_readiness_map_is_for_auditors_and_the_quality_manager(api_for, quality_manager, staff):
    rows = api_for(quality_manager).get("/api/v1/readiness/").json()
    assert rows and {"clause", "status", "reasons"} <= set(rows[0])
    assert api_for(staff).get("/api/v1/readiness/").status_code == 403

"""Competence and training through the API, under training.rules and its services; signing takes the password."""

import pytest
from django.utils import timezone

from tests.factories import PASSWORD
from tests.training.factories import dept, make_competence, make_person, make_role
from training.models import TrainingRecord

pytestmark = pytest.mark.django_db


def test_the_catalogue_people_a_signed_record_and_the_matrix(api_for, quality_manager, approver, staff):
    q = api_for(quality_manager)
    r = q.post("/api/v1/competences/", {"code": "WELD-1", "name": "MIG welding", "kind": "course",
                                        "validity_months": 24}, format="json")
    assert r.status_code == 201, r.json()
    comp = r.json()["id"]
    r = q.post("/api/v1/job-roles/", {"code": "WELDER", "name": "Welder", "competences": [comp]}, format="json")
    assert r.status_code == 201 and r.json()["competences"] == ["WELD-1"]
    role = r.json()["id"]
    r = q.post(f"/api/v1/job-roles/{role}/edit/", {"name": "Welder (MIG)"}, format="json")
    assert r.status_code == 200 and r.json()["name"] == "Welder (MIG)" and r.json()["competences"] == ["WELD-1"]
    r = q.post("/api/v1/people/", {"name": "Sam Lee", "department": dept().pk, "user": staff.pk, "roles": [role]},
               format="json")
    assert r.status_code == 201, r.json()
    person = r.json()["id"]
    matrix = q.get("/api/v1/training-matrix/").json()["results"]
    assert [c["status"] for c in matrix[0]["cells"]] == ["missing"] or matrix[0]["cells"][0]["status"] != "valid"
    today = timezone.localdate().isoformat()
    r = q.post("/api/v1/training-records/", {"person": person, "competence": comp, "trained_on": today,
                                             "trainer": approver.pk, "method": "classroom", "result": "competent",
                                             "effectiveness_method": "Weld test after a month"}, format="json")
    assert r.status_code == 201, r.json()
    url = f"/api/v1/training-records/{r.json()['id']}/"
    for who in (approver, staff):
        c = api_for(who)
        shown = c.get(url).json()["content_hash"]
        assert c.post(url + "sign/", {"password": "wrong", "content_hash": shown}, format="json").status_code in (
            400, 403)
        r = c.post(url + "sign/", {"password": PASSWORD, "content_hash": shown}, format="json")
        assert r.status_code == 200, r.json()
    assert r.json()["status"] == "signed" and len(r.json()["signatures"]) == 2
    shown = q.get(url).json()["content_hash"]
    r = q.post(url + "evaluate/", {"result": "effective", "checked_on": today, "password": PASSWORD,
                                   "content_hash": shown, "comment": "Test weld passed"}, format="json")
    assert r.status_code == 200 and r.json()["effectiveness_result"] == "effective"
    cells = q.get("/api/v1/training-matrix/?q=Sam").json()["results"][0]["cells"]
    assert cells[0]["competence"] == "WELD-1" and cells[0]["status"] != "missing"


def test_refusals_illegal_moves_bad_input_and_bad_ids(api_for, quality_manager, approver, staff):
    comp = make_competence(quality_manager)
    make_role(quality_manager, competences=[comp])
    person = make_person(quality_manager, user=staff)
    s = api_for(staff)
    r = s.post("/api/v1/competences/", {"code": "X", "name": "X", "kind": "course"}, format="json")
    assert r.status_code == 403
    assert r.json()["detail"] == "Only the quality manager defines job roles, competences and people."
    r = s.get("/api/v1/training-matrix/")
    assert r.status_code == 403
    assert r.json()["detail"] == "Only the quality manager and auditors read the training matrix."
    assert s.get("/api/v1/competences/").status_code == 200  # the catalogue is no secret
    q = api_for(quality_manager)
    r = q.post("/api/v1/training-records/", {"person": person.pk, "competence": comp.pk, "trained_on": "2999-01-01",
                                             "trainer": approver.pk, "method": "classroom", "result": "competent",
                                             "effectiveness_method": "x"}, format="json")
    assert r.status_code == 400 and "trained_on" in r.json()["errors"]
    r = q.post("/api/v1/training-records/", {"person": person.pk, "competence": comp.pk,
                                             "trained_on": timezone.localdate().isoformat(), "trainer": approver.pk,
                                             "method": "classroom", "result": "competent",
                                             "effectiveness_method": "x"}, format="json")
    url = f"/api/v1/training-records/{r.json()['id']}/"
    r = q.post(url + "evaluate/", {"result": "effective", "checked_on": timezone.localdate().isoformat(),
                                   "password": PASSWORD, "content_hash": q.get(url).json()["content_hash"]},
               format="json")
    assert r.status_code in (403, 409) and r.json()["detail"]  # not signed yet
    assert q.post(url + "void/", {"reason": "Wrong person"}, format="json").status_code == 200
    r = q.post(url + "void/", {"reason": "Again"}, format="json")
    assert r.status_code in (403, 409) and r.json()["detail"]
    assert TrainingRecord.objects.get(pk=int(url.split("/")[-2])).void_reason == "Wrong person"
    assert q.get("/api/v1/training-records/999999/").status_code == 404
    assert q.get("/api/v1/people/abc/").status_code == 404
    assert q.get("/api/v1/training-evidence/999999/download/").status_code == 404

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


def test_who_may_submit_a_record_type_is_set_by_the_quality_manager(api_for, quality_manager, staff, settings,
                                                                    tmp_path):
    from qms.models import AuditEvent
    from records.models import RecordType
    from tests.records.factories import GOOD, make_type

    settings.MEDIA_ROOT = str(tmp_path)
    make_type("CAL")
    comp = make_competence(quality_manager)
    q, s = api_for(quality_manager), api_for(staff)
    r = s.get("/api/v1/qualifications/")
    assert r.status_code == 403 and r.json()["detail"] == "Only the quality manager defines job roles, competences and people."
    r = s.post("/api/v1/qualifications/CAL/edit/", {"competences": [comp.pk]}, format="json")
    assert r.status_code == 403
    assert q.get("/api/v1/qualifications/CAL/").json()["competences"] == []
    r = q.post("/api/v1/qualifications/CAL/edit/", {"competences": [comp.pk]}, format="json")
    assert r.status_code == 200, r.json()
    assert r.json() == {"record_type": "CAL", "name": r.json()["name"], "competences": [comp.code]}
    assert [x["competences"] for x in q.get("/api/v1/qualifications/").json()["results"]] == [[comp.code]]
    rt = RecordType.objects.get(code="CAL")
    events = AuditEvent.objects.filter(verb="training.qualification_set", object_id=str(rt.pk))
    assert [e.comment for e in events] == [comp.code]  # the record type's history
    # What it is for: staff, not current on the competence, may no longer submit such a record.
    data = {**{k: v for k, v in GOOD.items() if k != "checks"}, "checks": ["Visual"], "record_type": "CAL",
            "submit": "true", "sealed": "on"}
    r = s.post("/api/v1/records/", data, format="json")
    assert r.status_code == 403, r.json()
    assert comp.name in r.json()["detail"] or comp.code in r.json()["detail"]
    r = q.post("/api/v1/qualifications/CAL/edit/", {"competences": [999999]}, format="json")
    assert r.status_code == 400 and "competences" in r.json()["errors"]
    assert q.post("/api/v1/qualifications/CAL/edit/", {}, format="json").json()["competences"] == [comp.code]  # kept
    assert q.post("/api/v1/qualifications/CAL/edit/", {"competences": []}, format="json").json()["competences"] == []
    assert q.get("/api/v1/qualifications/NOPE/").status_code == 404


def test_the_matrix_pdf_is_a_job_with_the_lists_filter(api_for, quality_manager, staff):
    from qms.models import Job

    role = make_role(quality_manager, competences=[make_competence(quality_manager)])
    r = api_for(staff).post("/api/v1/training-matrix/pdf/", {}, format="json")
    assert r.status_code == 403 and r.json()["detail"] == "Only the quality manager and auditors read the training matrix."
    q = api_for(quality_manager)
    r = q.post("/api/v1/training-matrix/pdf/", {"role": role.pk, "q": "Sam"}, format="json")
    assert r.status_code == 202, r.json()
    assert r.json()["kind"] == "training_matrix_pdf" and r.json()["status"] == "pending"
    job = Job.objects.get(public_id=r.json()["id"])
    assert job.params == {"role": role.pk, "q": "Sam"} and job.requested_by == quality_manager
    assert q.get(f"/api/v1/jobs/{job.public_id}/").status_code == 200
    r = q.post("/api/v1/training-matrix/pdf/", {"role": 999999}, format="json")
    assert r.status_code == 400 and "role" in r.json()["errors"]
    assert Job.objects.filter(kind="training_matrix_pdf").count() == 1


def test_the_matrix_exports_my_training_and_expiring_qualifications(api_for, quality_manager, approver, staff):
    from tests.training.factories import make_record

    comp = make_competence(quality_manager, code="FORK", validity_months=12, name="Forklift")
    role = make_role(quality_manager, code="DRV", competences=[comp])
    me = make_person(quality_manager, name="Sam Staff", roles=[role], user=staff)
    make_record(quality_manager, me, comp, approver, days_ago=350)  # expires within the month
    q = api_for(quality_manager)
    csv = q.get("/api/v1/training-matrix/export/")
    assert csv.status_code == 200 and "Sam Staff" in csv.content.decode() and "FORK" in csv.content.decode()
    xlsx = q.get("/api/v1/training-matrix/export/?file_format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert "Sam Staff" not in q.get("/api/v1/training-matrix/export/?q=nobody").content.decode()
    assert api_for(staff).get("/api/v1/training-matrix/export/").status_code == 403
    expiring = q.get("/api/v1/training-matrix/expiring/").json()
    assert expiring["count"] == 1 and expiring["results"][0]["person_name"] == "Sam Staff"
    assert expiring["results"][0]["competence"] == "FORK" and expiring["results"][0]["status"] in ("due_soon", "expired")
    mine = api_for(staff).get("/api/v1/people/me/").json()
    assert mine["person"]["name"] == "Sam Staff"
    assert [c["competence"] for c in mine["qualifications"]] == ["FORK"]
    assert len(mine["records"]) == 1 and mine["records"][0]["competence"] == "FORK"
    assert api_for(approver).get("/api/v1/people/me/").json() == {"person": None, "qualifications": [], "records": []}

"""Records through the API: record types with each form's JSON schema, the
register, a record, creating and submitting with evidence files (multipart),
verify (signed), amend, void, legal hold, dispose, evidence download, under
the rules of the record pages."""

from datetime import timedelta

import pytest
from django.utils import timezone

from qms.models import Signature
from records.models import Evidence, Record
from tests.factories import PASSWORD
from tests.records.factories import GOOD, make_record, make_type, pdf_upload

pytestmark = pytest.mark.django_db


def test_a_types_form_has_a_json_schema(api_for, staff):
    make_type("CAL")
    body = api_for(staff).get("/api/v1/record-types/CAL/form/").json()
    schema = body["json_schema"]
    assert schema["properties"]["result"]["enum"] == ["Pass", "Fail"]
    assert schema["properties"]["cal_date"]["format"] == "date"
    assert schema["properties"]["checks"]["type"] == "array"
    assert set(schema["required"]) >= {"instrument", "deviation", "cal_date", "result"}
    import jsonschema

    jsonschema.Draft202012Validator.check_schema(schema)
    assert api_for(staff).get("/api/v1/record-types/CAL/form/?version=abc").status_code == 400
    assert api_for(staff).get("/api/v1/record-types/CAL/form/?version=9").status_code == 404
    assert api_for(staff).get("/api/v1/record-types/").json()["results"][0]["code"] == "CAL"


def test_submit_a_record_with_a_file_as_multipart(api_for, staff):
    make_type("CAL")
    c = api_for(staff)
    data = {**{k: v for k, v in GOOD.items() if k != "checks"}, "checks": ["Visual"], "record_type": "CAL",
            "submit": "true", "sealed": "on", "certificate": pdf_upload("cert.pdf"),
            "evidence": [pdf_upload("photo.pdf")]}
    r = c.post("/api/v1/records/", data, format="multipart")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["status"] == "submitted" and body["values"]["instrument"] == "MIC-01"
    assert {e["original_name"] for e in body["evidence"]} == {"cert.pdf", "photo.pdf"}
    ev = Evidence.objects.get(original_name="photo.pdf")
    download = c.get(f"/api/v1/evidence/{ev.pk}/download/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_json_draft_then_submit_and_refused_values_are_400(api_for, staff):
    make_type("CAL")
    c = api_for(staff)
    r = c.post("/api/v1/records/", {"record_type": "CAL", "values": {"instrument": "M-2"}}, format="json")
    assert r.status_code == 201 and r.json()["status"] == "draft"
    number = r.json()["number"]
    # Submitting without the required values: the form's errors, nothing changes.
    r = c.post(f"/api/v1/records/{number}/submit/")
    assert r.status_code == 400 and r.json()["errors"]
    r = c.post(f"/api/v1/records/{number}/draft/", {"values": {**GOOD, "deviation": "99"}, "submit": True},
               format="json")
    assert r.status_code == 400 and "deviation" in r.json()["errors"]
    r = c.post(f"/api/v1/records/{number}/draft/", {"values": GOOD, "submit": True}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    r = c.post(f"/api/v1/records/{number}/draft/", {"values": GOOD}, format="json")
    assert r.status_code == 409  # a submitted record is locked


def test_verify_needs_a_second_person_and_the_password(api_for, staff, quality_manager):
    rt = make_type("CAL", verification_required=True)
    record = make_record(staff, rt)
    url = f"/api/v1/records/{record.number}/"
    own = api_for(staff).post(url + "verify/", {"password": PASSWORD,
                                                "content_hash": api_for(staff).get(url).json()["content_hash"]},
                              format="json")
    assert own.status_code == 403
    q = api_for(quality_manager)
    shown = q.get(url).json()["content_hash"]
    assert q.post(url + "verify/", {"content_hash": shown}, format="json").status_code == 400
    assert q.post(url + "verify/", {"content_hash": shown, "password": "bad"}, format="json").status_code == 403
    r = q.post(url + "verify/", {"content_hash": shown, "password": PASSWORD, "comment": "OK"}, format="json")
    assert r.status_code == 200 and r.json()["verification"] == "verified"
    assert Signature.objects.filter(signer=quality_manager, meaning="verified").count() == 1


def test_amend_void_hold_and_dispose(api_for, staff, quality_manager):
    rt = make_type("CAL", verification_required=False, retention_years=1)
    record = make_record(staff, rt)
    url = f"/api/v1/records/{record.number}/"
    s, q = api_for(staff), api_for(quality_manager)
    r = s.post(url + "amend/", {"values": {**GOOD, "instrument": "MIC-02"}}, format="json")
    assert r.status_code == 400 and "amendment_reason" in r.json()["errors"]
    r = s.post(url + "amend/", {"values": {**GOOD, "instrument": "MIC-02"}, "amendment_reason": "Typo"}, format="json")
    assert r.status_code == 200 and r.json()["amendments"][0]["reason"] == "Typo"
    r = q.post(url + "hold/", {"legal_hold": True, "reason": "Claim"}, format="json")
    assert r.status_code == 200 and r.json()["legal_hold"] is True
    record.refresh_from_db()
    Record.objects.filter(pk=record.pk)  # retention: pretend it is past
    from qms.audit import attribute

    record.retain_until = timezone.localdate() - timedelta(days=1)
    attribute(record, quality_manager, "test: past retention")
    record.save()
    shown = q.get(url).json()["content_hash"]
    r = q.post(url + "dispose/", {"reason": "Past retention", "password": PASSWORD, "content_hash": shown},
               format="json")
    assert r.status_code in (403, 409) and "hold" in r.json()["detail"].lower()
    assert q.post(url + "hold/", {"legal_hold": False, "reason": "Settled"}, format="json").status_code == 200
    r = q.post(url + "dispose/", {"reason": "Past retention", "password": PASSWORD, "content_hash": shown},
               format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "disposed"
    other = make_record(staff, rt)
    r = s.post(f"/api/v1/records/{other.number}/void/", {}, format="json")
    assert r.status_code == 403 and r.json()["detail"] == "You cannot void this record."  # the rule before the body
    r = q.post(f"/api/v1/records/{other.number}/void/", {"reason": "Wrong press"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "void"


def test_an_amendment_or_a_draft_carries_the_content_hash_of_the_get(api_for, staff):
    """The content_hash a client read (GET) is what draft and amend compare: the same
    record is saved; a record changed since is a 409."""
    rt = make_type("CAL", verification_required=False)
    s = api_for(staff)
    record = make_record(staff, rt)
    url = f"/api/v1/records/{record.number}/"
    shown = s.get(url).json()["content_hash"]
    r = s.post(url + "amend/", {"values": {**GOOD, "instrument": "MIC-02"}, "amendment_reason": "Typo",
                                "content_hash": shown}, format="json")
    assert r.status_code == 200, r.json()
    r = s.post(url + "amend/", {"values": {**GOOD, "instrument": "MIC-03"}, "amendment_reason": "Again",
                                "content_hash": shown}, format="json")
    assert r.status_code == 409 and "changed after you opened it" in r.json()["detail"]
    draft = make_record(staff, rt, submit=False)
    url = f"/api/v1/records/{draft.number}/"
    shown = s.get(url).json()["content_hash"]
    r = s.post(url + "draft/", {"values": {**GOOD, "notes": "First"}, "content_hash": shown}, format="json")
    assert r.status_code == 200, r.json()
    r = s.post(url + "draft/", {"values": {**GOOD, "notes": "Second"}, "content_hash": shown}, format="json")
    assert r.status_code == 409


def test_others_records_are_404_for_staff_and_the_read_only_token_cannot_post(api_for, staff, author):
    rt = make_type("CAL", verification_required=False)
    record = make_record(author, rt, submit=False)
    assert api_for(staff).get(f"/api/v1/records/{record.number}/").status_code == 404
    ro = api_for(author, read_only=True)
    assert ro.get(f"/api/v1/records/{record.number}/").status_code == 200
    r = ro.post(f"/api/v1/records/{record.number}/submit/")
    assert r.status_code == 403 and "read-only" in r.json()["detail"]


def test_the_register_is_filtered_by_the_pages_form_and_its_query_count_is_flat(
        api_for, staff, quality_manager, django_assert_max_num_queries):
    rt = make_type("CAL", verification_required=False)
    make_record(staff, rt)
    q = api_for(quality_manager)
    q.get("/api/v1/records/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert q.get("/api/v1/records/").status_code == 200
    for _ in range(10):
        make_record(staff, rt)
    with django_assert_max_num_queries(len(few)):
        assert len(q.get("/api/v1/records/").json()["results"]) == 11
    assert q.get("/api/v1/records/?since=2026-99-01").status_code == 400
    assert q.get("/api/v1/records/?type=NOPE").status_code == 400
    assert len(q.get("/api/v1/records/?status=draft").json()["results"]) == 0


def test_an_external_auditor_sees_records_only_in_the_grant(api_for, staff, external_auditor):
    from qms.models import Clause

    t_in, t_out = make_type("PRS", verification_required=False), make_type("HRT", verification_required=False)
    t_in.clauses.set([Clause.objects.get(number="8.5.1")])
    t_out.clauses.set([Clause.objects.get(number="7.2")])
    r_in, r_out = make_record(staff, t_in, evidence=[pdf_upload()]), make_record(staff, t_out, evidence=[pdf_upload()])
    access = external_auditor.auditor_access
    access.all_scope = False
    access.save()
    access.clauses.set([Clause.objects.get(number="8.5")])
    e = api_for(external_auditor)
    body = e.get("/api/v1/records/").content.decode()
    assert r_in.number in body and r_out.number not in body
    assert e.get(f"/api/v1/records/{r_out.number}/").status_code == 404
    assert e.get("/api/v1/record-types/HRT/").status_code == 404
    assert e.get("/api/v1/records/?type=HRT").status_code == 400
    assert e.get(f"/api/v1/evidence/{r_out.evidence.get().pk}/download/").status_code == 404
    assert e.get(f"/api/v1/evidence/{r_in.evidence.get().pk}/download/").status_code == 200


def test_a_reason_longer_than_the_history_keeps_is_no_500(api_for, staff, quality_manager):
    """Schemathesis (issue 16): a 1,500-character reason the form allows (2,000) was a 500
    (simple-history's change reason holds 100); the audit event keeps the whole text."""
    from qms.models import AuditEvent

    rt = make_type("LNG")
    record = make_record(staff, rt)
    reason = "Wrong press. " * 115
    r = api_for(quality_manager).post(f"/api/v1/records/{record.number}/void/", {"reason": reason}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "void"
    assert AuditEvent.objects.get(verb="record.voided", object_id=str(record.pk)).comment == reason.strip()
    assert record.history.latest().history_change_reason == reason[:100]

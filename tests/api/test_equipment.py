"""Measuring equipment through the API, under equipment.rules and its services."""

import pytest
from django.utils import timezone

from equipment.models import Instrument
from tests.equipment.factories import make_instrument

pytestmark = pytest.mark.django_db


def test_the_quality_manager_registers_an_instrument_and_its_owner_calibrates_and_moves_it(
        api_for, quality_manager, staff):
    q, s = api_for(quality_manager), api_for(staff)
    r = q.post("/api/v1/instruments/", {"code": "CAL-9", "description": "Caliper 0-150 mm", "owner": staff.pk,
                                        "calibration_interval_months": 12}, format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["code"] == "CAL-9"
    today = timezone.localdate().isoformat()
    r = s.post("/api/v1/instruments/CAL-9/calibrate/", {"calibrated_on": today, "result": "pass",
                                                        "performed_by": "CalLab AB"}, format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["next_due"] and r.json()["calibrations"][0]["result"] == "pass"
    r = s.post("/api/v1/instruments/CAL-9/status/", {"to": "out_of_service", "reason": "Dropped"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "out_of_service"
    r = q.post("/api/v1/instruments/CAL-9/edit/", {"description": "Caliper, digital", "owner": staff.pk,
                                                   "calibration_interval_months": 6}, format="json")
    assert r.status_code == 200 and r.json()["description"] == "Caliper, digital"
    assert r.json()["calibration_interval_months"] == 6
    assert q.get("/api/v1/instruments/CAL-9/trail/").status_code == 200
    assert s.get("/api/v1/instruments/CAL-9/trail/").status_code == 403  # qms.view_trail, as the page


def test_refusals_illegal_moves_bad_input_and_bad_ids(api_for, quality_manager, staff, author):
    inst = make_instrument(quality_manager, code="MIC-7", owner=quality_manager)
    other = api_for(author)
    r = other.post("/api/v1/instruments/MIC-7/status/", {"to": "out_of_service", "reason": "x"}, format="json")
    assert r.status_code == 403
    assert r.json()["detail"] == "Only the instrument's owner and the quality manager move it in or out of use."
    r = api_for(staff).post("/api/v1/instruments/", {"code": "X-1", "description": "x", "owner": staff.pk,
                                                     "calibration_interval_months": 1}, format="json")
    assert r.status_code == 403 and r.json()["detail"] == "Only the quality manager keeps the equipment register."
    q = api_for(quality_manager)
    r = q.post("/api/v1/instruments/MIC-7/status/", {"to": "in_use", "reason": "Back"}, format="json")
    assert r.status_code == 409 and r.json()["detail"]  # already in use
    r = q.post("/api/v1/instruments/MIC-7/calibrate/", {"calibrated_on": "2999-01-01", "result": "pass",
                                                        "performed_by": "Lab"}, format="json")
    assert r.status_code == 400 and "calibrated_on" in r.json()["errors"]
    assert q.get("/api/v1/instruments/NOPE/").status_code == 404
    assert q.get("/api/v1/calibrations/999999/").status_code == 404
    assert q.get(f"/api/v1/calibrations/{inst.calibrations.get().pk}/certificate/").status_code == 404  # no file
    assert Instrument.objects.get(pk=inst.pk).status == "in_use"


def test_the_list_filters_and_orders_as_the_register(api_for, quality_manager, staff):
    make_instrument(quality_manager, code="A-1", owner=staff)
    make_instrument(quality_manager, code="B-1", owner=quality_manager)
    q = api_for(staff)
    codes = [i["code"] for i in q.get("/api/v1/instruments/?mine=true").json()["results"]]
    assert codes == ["A-1"]
    codes = [i["code"] for i in q.get("/api/v1/instruments/?ordering=-code").json()["results"]]
    assert codes == ["B-1", "A-1"]
    assert q.get("/api/v1/instruments/?status=broken").status_code == 400


def test_an_edit_changes_only_what_it_sends_and_bad_input_changes_nothing(api_for, quality_manager, staff):
    make_instrument(quality_manager, code="MIC-8", owner=staff)
    q = api_for(quality_manager)
    before = q.get("/api/v1/instruments/MIC-8/").json()
    r = q.post("/api/v1/instruments/MIC-8/edit/", {"location": "Lab 2"}, format="json")
    assert r.status_code == 200, r.json()
    after = r.json()
    assert after["location"] == "Lab 2"
    assert {k: v for k, v in after.items() if k not in ("location",)} == {
        k: v for k, v in before.items() if k not in ("location",)}  # the fields left out kept their values
    entries = q.get("/api/v1/instruments/MIC-8/trail/").json()["entries"]
    assert "location" in {c["field"].lower() for e in entries for c in e["changes"]}
    r = q.post("/api/v1/instruments/MIC-8/edit/", {"calibration_interval_months": 0, "owner": 999999},
               format="json")
    assert r.status_code == 400 and {"calibration_interval_months", "owner"} <= set(r.json()["errors"])
    r = api_for(staff).post("/api/v1/instruments/MIC-8/edit/", {"location": "Home"}, format="json")
    assert r.status_code == 403 and r.json()["detail"] == "Only the quality manager keeps the equipment register."
    assert Instrument.objects.get(code="MIC-8").location == "Lab 2"


def test_the_impact_of_an_out_of_tolerance_instrument_lists_what_was_measured_with_it(
        api_for, quality_manager, staff, author):
    from records import services as record_services
    from tests.equipment.factories import measurement_type

    inst = make_instrument(quality_manager, code="GAUGE-7", owner=staff)
    rt = measurement_type()
    measured = record_services.record_create(actor=staff, record_type=rt, values={"gauge": inst.code, "reading": "3"})
    make_instrument(quality_manager, code="OTHER-1", owner=staff)
    record_services.record_create(actor=staff, record_type=rt, values={"gauge": "OTHER-1", "reading": "4"})
    s = api_for(staff)
    r = s.post("/api/v1/instruments/GAUGE-7/calibrate/", {"calibrated_on": timezone.localdate().isoformat(),
                                                          "result": "out_of_tolerance", "performed_by": "CalLab AB"},
               format="json")
    assert r.status_code == 201, r.json()
    impact = s.get("/api/v1/instruments/GAUGE-7/impact/")
    assert impact.status_code == 200, impact.json()
    body = impact.json()
    assert [x["number"] for x in body["results"]] == [measured.number]
    assert body["failed_calibration"]["result"] == "out_of_tolerance"
    assert body["since"] == inst.calibrations.filter(result="pass").get().calibrated_on.isoformat()
    assert s.get("/api/v1/instruments/NOPE/impact/").status_code == 404

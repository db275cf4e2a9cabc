from datetime import timedelta

import pytest
from django.utils import timezone

from equipment.models import Calibration, Instrument
from records.models import Record
from tests.equipment.factories import make_instrument, measurement_type
from tests.records.factories import pdf_upload

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture
def inst(quality_manager, staff):
    return make_instrument(quality_manager, owner=staff)


def test_anonymous_is_sent_to_login(client, inst):
    for url in ("/equipment/", f"/equipment/{inst.code}/"):
        r = client.get(url)
        assert r.status_code == 302 and "/accounts/login/" in r["Location"]


@pytest.mark.parametrize("persona,url,expected", [
    ("outsider", "/equipment/", 403),
    ("staff", "/equipment/", 200),
    ("staff", "/equipment/{code}/", 200),
    ("staff", "/equipment/{code}/impact/", 200),
    ("staff", "/equipment/{code}/calibrate/", 200),  # the owner
    ("approver", "/equipment/{code}/calibrate/", 403),
    ("approver", "/equipment/{code}/status/out_of_service/", 403),
    ("staff", "/equipment/{code}/status/out_of_service/", 200),
    ("staff", "/equipment/{code}/status/bogus/", 404),
    ("staff", "/equipment/new/", 403),
    ("staff", "/equipment/{code}/edit/", 403),
    ("quality_manager", "/equipment/new/", 200),
    ("quality_manager", "/equipment/{code}/edit/", 200),
    ("auditor", "/equipment/{code}/trail/", 200),
    ("staff", "/equipment/{code}/trail/", 403),
    ("staff", "/equipment/NOPE/", 404),
])
def test_access_matrix(request, client_for, inst, persona, url, expected):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(url.format(code=inst.code)).status_code == expected


def test_register_filters_and_exports(client_for, quality_manager, inst):
    overdue = make_instrument(quality_manager, code="OLD-1", calibrated_days_ago=400)
    c = client_for(quality_manager)
    body = c.get("/equipment/", {"due": "overdue"}).content.decode()
    assert overdue.code in body and inst.code not in body
    assert c.get("/equipment/", {"due": "bogus", "status": "x", "page": "99"}).status_code == 200
    csv = c.get("/registers/equipment-instruments/export/").content.decode()
    assert inst.code in csv and overdue.code in csv
    assert inst.code in c.get("/registers/equipment-calibrations/export/").content.decode()


def test_register_query_count_stays_flat(client_for, quality_manager, django_assert_max_num_queries):
    c = client_for(quality_manager)
    make_instrument(quality_manager, code="A-0", calibrated_days_ago=None)
    with django_assert_max_num_queries(12) as small:
        c.get("/equipment/")
    for i in range(15):
        make_instrument(quality_manager, code=f"A-{i + 1}", calibrated_days_ago=None)
    with django_assert_max_num_queries(len(small.captured_queries)):
        c.get("/equipment/")


def test_register_an_instrument_through_the_form(client_for, quality_manager):
    c = client_for(quality_manager)
    data = {"code": "CAL-7", "description": "Caliper", "owner": quality_manager.pk, "calibration_interval_months": 6}
    assert c.post("/equipment/new/", data).status_code == 302
    assert Instrument.objects.filter(code="CAL-7").exists()
    assert c.post("/equipment/new/", {**data, "code": "bad code/1"}).status_code == 200
    assert c.post("/equipment/new/", {**data, "code": "CAL-8", "calibration_interval_months": 0}).status_code == 200
    assert Instrument.objects.count() == 1


def test_a_calibration_due_before_its_date_is_a_form_error(client_for, staff, inst, media):
    c = client_for(staff)
    r = c.post(f"/equipment/{inst.code}/calibrate/", {
        "calibrated_on": TODAY().isoformat(), "due_on": (TODAY() - timedelta(days=5)).isoformat(),
        "result": "pass", "performed_by": "Lab"})
    assert r.status_code == 400 and "must be after the calibration date" in r.content.decode()
    assert inst.calibrations.count() == 1
    r = c.post(f"/equipment/{inst.code}/calibrate/", {
        "calibrated_on": TODAY().isoformat(), "result": "pass", "performed_by": "Lab",
        "certificate_number": "C-2", "file": pdf_upload("cert.pdf")})
    assert r.status_code == 302
    cal = inst.calibrations.order_by("-id").first()
    assert cal.sha256 and c.get(f"/equipment/certificates/{cal.pk}/download/").status_code == 200


def test_out_of_tolerance_from_the_page_shows_the_impact(client_for, quality_manager, staff, inst):
    rt = measurement_type()
    from records import services as record_services

    rec = record_services.record_create(actor=staff, record_type=rt, values={"gauge": inst.code, "reading": "1"},
                                        submit=True)
    c = client_for(quality_manager)
    r = c.post(f"/equipment/{inst.code}/calibrate/", {
        "calibrated_on": TODAY().isoformat(), "result": "out_of_tolerance", "performed_by": "Lab"})
    assert r.status_code == 302
    page = c.get(f"/equipment/{inst.code}/").content.decode()
    assert "Out of tolerance." in page and rec.number in page
    assert rec.number in c.get(f"/equipment/{inst.code}/impact/").content.decode()
    assert Calibration.objects.filter(result="out_of_tolerance").count() == 1


def test_the_record_form_refuses_an_overdue_instrument_clearly(client_for, quality_manager, staff):
    old = make_instrument(quality_manager, code="OLD-9", calibrated_days_ago=400)
    rt = measurement_type()
    c = client_for(staff)
    r = c.post(f"/records/new/{rt.code}/", {"gauge": old.code, "reading": "1", "action": "submit"})
    assert "overdue for calibration" in r.content.decode()
    assert not Record.objects.exists()


def test_calibrations_due_are_in_my_tasks(quality_manager, staff):
    from qms import dashboard

    make_instrument(quality_manager, code="OLD-1", owner=staff, calibrated_days_ago=400)
    make_instrument(quality_manager, code="SOON-1", owner=staff, calibrated_days_ago=350)
    make_instrument(quality_manager, code="FINE-1", owner=staff, calibrated_days_ago=10)
    for user in (quality_manager, staff):
        sections = {s.key: s for s in dashboard.sections_for(user)}
        assert sections["equipment.overdue"].total == 1 and sections["equipment.overdue"].items[0].overdue
        assert sections["equipment.due_soon"].total == 1


def test_readiness_and_review_input(quality_manager):
    from qms import evidence, review_inputs

    make_instrument(quality_manager)
    found = {e.clause: e for e in evidence.collect(TODAY()) if e.clause.startswith("7.1.5")}
    assert found["7.1.5.2"].current and found["7.1.5.1"].count == 1
    period = review_inputs.Period(TODAY() - timedelta(days=90), TODAY())
    section = next(s for s in review_inputs.compile_inputs(period) if s.input.key == "resources")
    assert any(c.heading.startswith("Monitoring and measuring") for c in section.contributions)

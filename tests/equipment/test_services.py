from datetime import timedelta

import pytest
from django.utils import timezone

from audits.models import Capa
from equipment import services
from equipment.models import Calibration, Instrument
from qms.errors import DomainError, PermissionRefused
from qms.models import AuditEvent
from records import services as record_services
from records.services import RecordValidationError
from tests.equipment.factories import make_instrument, measurement_type

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def test_a_new_instrument_is_due_at_once_and_a_calibration_sets_the_next_due_date(quality_manager):
    inst = make_instrument(quality_manager, calibrated_days_ago=None)
    assert inst.status == "in_use" and inst.next_due == TODAY() and inst.overdue is False
    cal = services.calibration_record(actor=quality_manager, instrument=inst, calibrated_on=TODAY(),
                                      result="pass", performed_by="Lab")
    inst.refresh_from_db()
    assert cal.due_on == inst.next_due and inst.next_due.year == TODAY().year + 1
    assert inst.last_calibrated_on == TODAY()
    assert AuditEvent.objects.filter(verb="instrument.calibrated", object_id=str(inst.pk)).exists()


def test_a_calibration_due_before_its_date_is_refused_and_changes_nothing(quality_manager):
    inst = make_instrument(quality_manager, calibrated_days_ago=None)
    with pytest.raises(DomainError, match="must be after the calibration date"):
        services.calibration_record(actor=quality_manager, instrument=inst, calibrated_on=TODAY(),
                                    due_on=TODAY() - timedelta(days=1), result="pass", performed_by="Lab")
    assert not Calibration.objects.exists()


def test_calibrations_in_the_future_or_out_of_order_are_refused(quality_manager):
    inst = make_instrument(quality_manager, calibrated_days_ago=10)
    with pytest.raises(DomainError, match="future"):
        services.calibration_record(actor=quality_manager, instrument=inst, calibrated_on=TODAY() + timedelta(1),
                                    result="pass", performed_by="Lab")
    with pytest.raises(DomainError, match="later calibration"):
        services.calibration_record(actor=quality_manager, instrument=inst, calibrated_on=TODAY() - timedelta(20),
                                    result="pass", performed_by="Lab")


def test_the_owner_records_calibrations_other_staff_cannot(quality_manager, staff, approver):
    inst = make_instrument(quality_manager, owner=staff, calibrated_days_ago=None)
    services.calibration_record(actor=staff, instrument=inst, calibrated_on=TODAY(), result="pass", performed_by="Lab")
    with pytest.raises(PermissionRefused):
        services.calibration_record(actor=approver, instrument=inst, calibrated_on=TODAY(), result="pass",
                                    performed_by="Lab")


def test_status_moves_need_a_reason_and_in_use_needs_a_valid_calibration(quality_manager):
    inst = make_instrument(quality_manager)
    with pytest.raises(DomainError, match="reason"):
        services.instrument_set_status(actor=quality_manager, instrument=inst, to="out_for_calibration", reason="")
    services.instrument_set_status(actor=quality_manager, instrument=inst, to="out_for_calibration", reason="Sent")
    services.calibration_record(actor=quality_manager, instrument=inst, calibrated_on=TODAY(), result="adjusted",
                                performed_by="Lab")
    inst.refresh_from_db()
    assert inst.status == "in_use"
    services.instrument_set_status(actor=quality_manager, instrument=inst, to="retired", reason="Worn")
    with pytest.raises(DomainError):
        services.instrument_set_status(actor=quality_manager, instrument=inst, to="in_use", reason="Back")


def test_an_overdue_instrument_cannot_be_put_back_in_use(quality_manager):
    inst = make_instrument(quality_manager, calibrated_days_ago=400)
    services.instrument_set_status(actor=quality_manager, instrument=inst, to="out_of_service", reason="Dropped")
    with pytest.raises(DomainError, match="overdue"):
        services.instrument_set_status(actor=quality_manager, instrument=inst, to="in_use", reason="Fine")


def test_an_interval_outside_its_range_is_refused(quality_manager):
    with pytest.raises(DomainError, match="interval"):
        services.instrument_create(actor=quality_manager, code="X-1", description="x", owner=quality_manager,
                                   calibration_interval_months=0)
    with pytest.raises(DomainError, match="already registered"):
        make_instrument(quality_manager, code="DUP", calibrated_days_ago=None)
        make_instrument(quality_manager, code="dup", calibrated_days_ago=None)


# ------------------------------------------------------------------ records naming the instrument
def test_a_record_names_an_instrument_in_use(quality_manager, staff):
    inst = make_instrument(quality_manager)
    rt = measurement_type()
    rec = record_services.record_create(actor=staff, record_type=rt, values={"gauge": inst.code, "reading": "1.2"},
                                        submit=True)
    assert rec.values["gauge"] == inst.code


def test_an_overdue_instrument_cannot_be_chosen_on_a_new_record(quality_manager, staff):
    inst = make_instrument(quality_manager, calibrated_days_ago=400)
    rt = measurement_type()
    with pytest.raises(RecordValidationError, match="overdue for calibration"):
        record_services.record_create(actor=staff, record_type=rt, values={"gauge": inst.code, "reading": "1"})
    assert not rt.records.exists()


def test_an_instrument_out_of_service_is_refused_and_unknown_ids_too(quality_manager, staff):
    inst = make_instrument(quality_manager)
    services.instrument_set_status(actor=quality_manager, instrument=inst, to="out_of_service", reason="Dropped")
    rt = measurement_type()
    with pytest.raises(RecordValidationError, match="out of service"):
        record_services.record_create(actor=staff, record_type=rt, values={"gauge": inst.code, "reading": "1"})
    with pytest.raises(RecordValidationError):
        record_services.record_create(actor=staff, record_type=rt, values={"gauge": "NOPE", "reading": "1"})


def test_a_correction_keeps_an_instrument_that_has_become_overdue(quality_manager, staff):
    inst = make_instrument(quality_manager)
    rt = measurement_type()
    rec = record_services.record_create(actor=staff, record_type=rt, values={"gauge": inst.code, "reading": "1"},
                                        submit=True)
    services.instrument_set_status(actor=quality_manager, instrument=inst, to="out_of_service", reason="Dropped")
    record_services.record_amend(actor=staff, record=rec, values={"gauge": inst.code, "reading": "2"},
                                 reason="Typo")
    rec.refresh_from_db()
    assert rec.values["reading"] == "2"


def test_out_of_tolerance_takes_it_out_of_service_and_opens_the_impact_capa(quality_manager, staff):
    inst = make_instrument(quality_manager, owner=staff, calibrated_days_ago=100)
    other = make_instrument(quality_manager, code="MIC-002")
    rt = measurement_type()
    measured = [record_services.record_create(actor=staff, record_type=rt,
                                              values={"gauge": inst.code, "reading": str(i)}, submit=True)
                for i in range(3)]
    unrelated = record_services.record_create(actor=staff, record_type=rt,
                                              values={"gauge": other.code, "reading": "9"}, submit=True)
    services.calibration_record(actor=quality_manager, instrument=inst, calibrated_on=TODAY(),
                                result="out_of_tolerance", performed_by="CalLab AB", certificate_number="C-9")
    inst.refresh_from_db()
    assert inst.status == Instrument.Status.OUT_OF_SERVICE
    capa = Capa.objects.get(source="equipment")
    assert capa.origin == inst and capa.owner == staff and capa.severity == "major"
    assert "Impact assessment" in capa.description
    for r in measured:
        assert r.number in capa.description
    assert unrelated.number not in capa.description
    since = services.impact_since(inst, inst.calibrations.first())
    assert since == TODAY() - timedelta(days=100)
    assert set(services.records_measured_with(quality_manager, inst, since)) == set(measured)
    assert AuditEvent.objects.filter(verb="instrument.out_of_tolerance", comment=capa.number).exists()

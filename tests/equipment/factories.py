"""Equipment test helpers: instruments and calibrations made through the services,
and a record type whose form names an instrument."""

from datetime import timedelta

from django.utils import timezone

from equipment import services
from records.models import FormVersion, RecordType

MEASUREMENT_FIELDS = [
    {"key": "gauge", "label": "Instrument", "type": "reference", "ref_kind": "instrument", "required": True},
    {"key": "reading", "label": "Reading", "type": "number", "required": True},
]


def make_instrument(qm, code="MIC-001", *, owner=None, interval=12, calibrated_days_ago=30, result="pass"):
    inst = services.instrument_create(actor=qm, code=code, description="Micrometer 0-25 mm", owner=owner or qm,
                                      calibration_interval_months=interval, location="Lab", measurement_range="0-25 mm")
    if calibrated_days_ago is not None:
        services.calibration_record(actor=qm, instrument=inst,
                                    calibrated_on=timezone.localdate() - timedelta(days=calibrated_days_ago),
                                    result=result, performed_by="CalLab AB", certificate_number="C-1")
        inst.refresh_from_db()
    return inst


def measurement_type(code="MEAS"):
    rt = RecordType.objects.create(code=code, name="Measurement", retention_years=5, verification_required=False)
    FormVersion.objects.create(record_type=rt, version=1, fields=MEASUREMENT_FIELDS)
    return rt

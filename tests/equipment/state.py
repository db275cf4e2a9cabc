"""Equipment in the state walk (tests/qms/test_state_walk.py): a retired
instrument is finished; editing it, moving it or calibrating it is refused and
changes nothing. One step earlier (in use) the same posts succeed."""

from __future__ import annotations

from django.utils import timezone

from equipment import services
from equipment.models import Instrument
from tests.equipment.factories import make_instrument

ROUTES = ("equipment:edit", "equipment:status", "equipment:calibrate")
ACTORS = {"instrument": lambda w: [w["staff"]]}  # the owner


def build_finished(w):
    inst = make_instrument(w["qm"], code="RET-1", owner=w["staff"])
    w["instrument_retired"] = services.instrument_set_status(actor=w["qm"], instrument=inst, to="retired",
                                                             reason="Worn out")


def finished_objects(w) -> dict:
    inst = w["instrument_retired"]
    return {"instrument_retired": inst, "instrument_retired_cal0": inst.calibrations.get()}


def build_earlier(w):
    w["instrument_in_use"] = make_instrument(w["qm"], code="USE-1", owner=w["staff"])


def kwargs(obj):
    if isinstance(obj, Instrument):
        return {"code": obj.code, "to": "out_of_service"}
    return None


def targets(route, w):
    if route.name in ROUTES:
        return [("instrument_retired", kwargs(w["instrument_retired"]))]
    return None


def _today():
    return timezone.localdate().isoformat()


PAYLOADS = {
    "equipment:edit": lambda w, o, a: [{"code": o.code, "description": "Renamed micrometer", "owner": w["staff"].pk,
                                        "calibration_interval_months": "6", "location": "Lab 2",
                                        "measurement_range": "0-25 mm"}],
    "equipment:status": lambda w, o, a: [{"reason": "Dropped on the floor"}],
    "equipment:calibrate": lambda w, o, a: [{"calibrated_on": _today(), "result": "pass", "performed_by": "CalLab AB",
                                             "certificate_number": "C-77"}],
}
CONTROL = {name: [("instrument_in_use", "qm", None)] for name in ROUTES}

"""Measuring equipment in the scope walk's world (tests/auditor/scope_world.py).

Instruments link to clause 7.1.5, outside the walk's 8.5 grant; only the
out-of-scope one carries the secret word."""

from __future__ import annotations

from django.utils import timezone

from equipment import services
from tests.equipment.factories import make_instrument

SECRET = "Zanzibar"


def build(w, *, quality_manager, author, approver, staff, auditor, external_auditor):
    qm = quality_manager
    for side, code in (("in", "PRESS-GAUGE-1"), ("out", f"{SECRET}-GAUGE")):
        inst = make_instrument(qm, code=code, owner=staff)
        w[side]["instrument"] = inst
        w[side]["calibration"] = inst.calibrations.first()
    oot = make_instrument(qm, code="PRESS-OOT-1", owner=staff)
    services.calibration_record(actor=qm, instrument=oot, calibrated_on=timezone.localdate(),
                                result="out_of_tolerance", performed_by="Lab")
    w["instrument_oot"] = oot


def path_kwargs(name, side, w):
    if not name.startswith("equipment:"):
        return None
    s = w[side]
    if name == "equipment:certificate-download":
        return {"pk": s["calibration"].pk}, False
    return {"code": s["instrument"].code, "to": "out_of_service"}, False


def markers(w) -> list[str]:
    return []


def trail_targets(w, side) -> list:
    return [w[side]["instrument"]]

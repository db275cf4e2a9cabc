"""The audit-event verbs the equipment app records and the sentences the trail shows."""

from qms.audit import Verb, register_verbs

register_verbs({
    "instrument.created": "Instrument registered",
    "instrument.changed": "Instrument details changed",
    "instrument.in_use": "Instrument put in use",
    "instrument.out_for_calibration": "Instrument sent for calibration",
    "instrument.out_of_service": "Instrument taken out of service",
    "instrument.retired": "Instrument retired",
    "instrument.calibrated": Verb("Calibration recorded", note="Result"),
    "instrument.out_of_tolerance": Verb("Found out of tolerance", note="Nonconformity"),
})

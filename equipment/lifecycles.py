"""The lifecycle of a measuring instrument: states, allowed moves and badge colours."""

from equipment.models import Instrument
from qms import lifecycle

S = Instrument.Status

INSTRUMENT = lifecycle.declare(
    Instrument,
    moves={
        S.IN_USE: {S.OUT_FOR_CALIBRATION, S.OUT_OF_SERVICE, S.RETIRED},
        S.OUT_FOR_CALIBRATION: {S.IN_USE, S.OUT_OF_SERVICE, S.RETIRED},
        S.OUT_OF_SERVICE: {S.IN_USE, S.OUT_FOR_CALIBRATION, S.RETIRED},
        S.RETIRED: set(),
    },
    colours={S.IN_USE: "success", S.OUT_FOR_CALIBRATION: "info", S.OUT_OF_SERVICE: "danger", S.RETIRED: "dark"},
)

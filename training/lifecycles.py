"""The lifecycle of a training record: states, allowed moves and badge colours."""

from qms import lifecycle
from training.models import TrainingRecord

S = TrainingRecord.Status

RECORD = lifecycle.declare(
    TrainingRecord,
    moves={S.DRAFT: {S.SIGNED, S.VOID}, S.SIGNED: {S.VOID}, S.VOID: set()},
    colours={S.DRAFT: "warning", S.SIGNED: "success", S.VOID: "danger"},
)

"""The lifecycle of a quality record: states, allowed moves and badge colours, in one place."""

from qms import lifecycle
from records.models import Record

S = Record.Status

RECORD = lifecycle.declare(
    Record,
    moves={
        S.DRAFT: {S.SUBMITTED, S.VOID},
        S.SUBMITTED: {S.VOID, S.DISPOSED},
        S.VOID: {S.DISPOSED},
        S.DISPOSED: set(),
    },
    colours={S.DRAFT: "secondary", S.SUBMITTED: "primary", S.VOID: "danger", S.DISPOSED: "dark"},
)

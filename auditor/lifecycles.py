"""The lifecycle of an evidence request: states, allowed moves and badge colours, in one place."""

from auditor.models import EvidenceRequest
from qms import lifecycle

S = EvidenceRequest.Status

EVIDENCE_REQUEST = lifecycle.declare(
    EvidenceRequest,
    # An answer may be added to (answered → answered) or sent back (→ open) before the auditor closes it.
    moves={S.OPEN: {S.ANSWERED}, S.ANSWERED: {S.ANSWERED, S.CLOSED, S.OPEN}, S.CLOSED: set()},
    colours={S.OPEN: "warning", S.ANSWERED: "info", S.CLOSED: "success"},
)

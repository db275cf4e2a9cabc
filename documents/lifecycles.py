"""The lifecycle of a revision (DOC-05): states, allowed moves and badge colours, in one place."""

from documents.models import Revision
from qms import lifecycle

S = Revision.Status

REVISION = lifecycle.declare(
    Revision,
    moves={
        S.DRAFT: {S.IN_REVIEW},
        S.IN_REVIEW: {S.DRAFT, S.APPROVED},  # withdrawn or rejected: back to draft
        S.APPROVED: {S.EFFECTIVE},
        S.EFFECTIVE: {S.SUPERSEDED, S.OBSOLETE},
        S.SUPERSEDED: set(),
        S.OBSOLETE: set(),
    },
    colours={S.DRAFT: "secondary", S.IN_REVIEW: "info", S.APPROVED: "primary", S.EFFECTIVE: "success",
             S.SUPERSEDED: "dark", S.OBSOLETE: "dark"},
)

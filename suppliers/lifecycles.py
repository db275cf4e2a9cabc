"""The lifecycle of a supplier's approval: states, allowed moves and badge colours."""

from qms import lifecycle
from suppliers.models import Supplier

S = Supplier.Status

SUPPLIER = lifecycle.declare(
    Supplier,
    moves={
        S.PROSPECTIVE: {S.APPROVED, S.CONDITIONAL, S.DISQUALIFIED},
        S.APPROVED: {S.CONDITIONAL, S.SUSPENDED, S.DISQUALIFIED},
        S.CONDITIONAL: {S.APPROVED, S.SUSPENDED, S.DISQUALIFIED},
        S.SUSPENDED: {S.APPROVED, S.CONDITIONAL, S.DISQUALIFIED},
        # A disqualified supplier starts again from the beginning (a new initial evaluation).
        S.DISQUALIFIED: {S.PROSPECTIVE},
    },
    colours={S.PROSPECTIVE: "secondary", S.APPROVED: "success", S.CONDITIONAL: "warning",
             S.SUSPENDED: "danger", S.DISQUALIFIED: "dark"},
)

# Moves that need an electronic signature (8.4.1: the decision to use or stop using a provider).
SIGNED = {S.APPROVED, S.DISQUALIFIED}
# Moves that need an evaluation on file first.
NEEDS_EVALUATION = {S.APPROVED, S.CONDITIONAL}

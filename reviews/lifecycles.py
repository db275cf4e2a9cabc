"""The lifecycles of customer feedback and of a management review: states, moves and badge colours."""

from qms import lifecycle
from reviews.models import Complaint, ManagementReview

C = Complaint.Status
R = ManagementReview.Status

COMPLAINT = lifecycle.declare(
    Complaint,
    moves={
        C.OPEN: {C.ACKNOWLEDGED, C.RESPONDED},
        C.ACKNOWLEDGED: {C.RESPONDED},
        C.RESPONDED: {C.CLOSED},
        C.CLOSED: set(),
    },
    colours={C.OPEN: "danger", C.ACKNOWLEDGED: "warning", C.RESPONDED: "info", C.CLOSED: "success"},
)

REVIEW = lifecycle.declare(
    ManagementReview,
    moves={R.PLANNED: {R.APPROVED}, R.APPROVED: set()},
    colours={R.PLANNED: "primary", R.APPROVED: "success"},
)
